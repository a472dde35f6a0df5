#!/usr/bin/env bash
# PDF reading side by side (README, "PDF"): for each real published report in
# tests/fixtures/real/, the wall time per report of
#   A. xxgk convert x.pdf                       (our PDF reader, in its worker)
#   B. pdftotext -layout x.pdf + xxgk convert x.txt   (poppler, then our text reader)
#   C. pdftotext -layout alone
# each run N times (default 50) in one go. Needs poppler-utils.
#   bash bench/pdf.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-50}"
command -v pdftotext >/dev/null || { echo "pdftotext (poppler-utils) is needed"; exit 1; }
cargo build --release --quiet --bin xxgk
X=./target/release/xxgk
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
for f in tests/fixtures/real/*.pdf; do
  name=$(basename "$f" .pdf)
  pages=$(pdfinfo "$f" | awk '/^Pages:/ {print $2}')
  t=$(date +%s%N); for _ in $(seq "$N"); do "$X" convert "$f" -o "$W/a.json" --force >/dev/null 2>&1; done; a=$(ms "$t")
  t=$(date +%s%N); for _ in $(seq "$N"); do pdftotext -layout "$f" "$W/b.txt"; "$X" convert "$W/b.txt" -o "$W/b.json" --force >/dev/null 2>&1; done; b=$(ms "$t")
  t=$(date +%s%N); for _ in $(seq "$N"); do pdftotext -layout "$f" "$W/c.txt"; done; c=$(ms "$t")
  awk -v n="$N" -v a="$a" -v b="$b" -v c="$c" -v name="$name" -v p="$pages" 'BEGIN {
    printf "%s (%d pages): A xxgk convert .pdf %.1f ms | B pdftotext + xxgk convert .txt %.1f ms (%.2fx A) | C pdftotext alone %.1f ms\n",
      name, p, a / n, b / n, b / a, c / n }'
done
