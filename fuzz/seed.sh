#!/usr/bin/env bash
# Seed the fuzz corpora from the samples (run from fuzz/).
set -euo pipefail
X=../target/release/xxgk
(cd .. && cargo build --release --quiet)
mkdir -p corpus/docx corpus/xlsx corpus/text_html corpus/json
for s in ../samples/*.json; do
  n=$(basename "$s" .json)
  cp "$s" corpus/json/
  "$X" convert "$s" -o "corpus/docx/$n.docx" --force 2>/dev/null || true
  "$X" convert "$s" -o "corpus/xlsx/$n.xlsx" --force 2>/dev/null || true
done
"$X" template --year 2021 --organ 种子 -o corpus/docx/template.docx --force
"$X" template --year 2021 --organ 种子 -o corpus/xlsx/template.xlsx --force
cp ../tests/fixtures/reference/official-form-2021.docx corpus/docx/
for f in ../tests/fixtures/seeds/*.txt; do printf '\x00' | cat - "$f" > "corpus/text_html/$(basename "$f")"; done
