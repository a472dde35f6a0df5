#!/usr/bin/env bash
# Seed the fuzz corpora from the samples and fixtures (run from fuzz/).
# The build takes the machine's shared cargo lock.
set -euo pipefail
cd "$(dirname "$0")"
X=../target/release/xxgk
(cd .. && flock /tmp/xxgk-cargo.lock cargo build --release --quiet)
mkdir -p corpus/docx corpus/xlsx corpus/text_html corpus/json corpus/pdf
for s in ../samples/*.json; do
  n=$(basename "$s" .json)
  cp "$s" corpus/json/
  "$X" convert "$s" -o "corpus/docx/$n.docx" --force 2>/dev/null || true
  "$X" convert "$s" -o "corpus/xlsx/$n.xlsx" --force 2>/dev/null || true
done
"$X" template --year 2021 --organ 种子 -o corpus/docx/template.docx --force
"$X" template --year 2021 --organ 种子 -o corpus/xlsx/template.xlsx --force
cp ../tests/fixtures/reference/official-form-2021.docx corpus/docx/
# Text inputs start with a 0x00 byte (even: the text_html target reads plain text).
for f in ../tests/fixtures/seeds/*.txt ../tests/fixtures/real/*.layout.txt; do
  printf '\x00' | cat - "$f" > "corpus/text_html/$(basename "$f")"
done
# PDF: the real published reports, and (with LibreOffice) the publication
# docx of each sample printed to PDF.
cp ../tests/fixtures/real/*.pdf corpus/pdf/
if command -v soffice >/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for d in corpus/docx/*.docx; do
    case "$(basename "$d")" in template.docx|official-form-*) continue ;; esac
    soffice -env:UserInstallation=file://"$tmp"/lo-profile --headless \
      --convert-to pdf --outdir corpus/pdf "$d" >/dev/null 2>&1 || true
  done
else
  echo "soffice not found: PDF seeds are only the real PDFs" >&2
fi
