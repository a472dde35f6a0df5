#!/usr/bin/env bash
# Peak memory of one batch over a corpus (issue 23): N distinct reports, and
# N copies of five reports (as a crawl holds), each with the corpus table.
#   bash bench/corpus.sh [N]      (default 10000)
# Needs /usr/bin/time (Debian package `time`). Figures go in
# docs/performance.md ("The corpus table").
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
WORK="${BENCH_DIR:-$(mktemp -d)}"
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet --examples --bin xxgk
echo "== $(nproc) cores; $N reports"
./target/release/examples/synth "$N" "$WORK/distinct" >/dev/null
mkdir -p "$WORK/copies"
i=0
mapfile -t five < <(find "$WORK/distinct" -type f \( -name '*.docx' -o -name '*.xlsx' \) | sort | head -n 5)
while [ "$i" -lt "$N" ]; do
  f=${five[$((i % 5))]}
  cp "$f" "$WORK/copies/copy-$i.${f##*.}"
  i=$((i + 1))
done
for set in distinct copies; do
  for table in csv parquet; do
    rm -rf "$WORK/out"
    flag=(); [ "$table" = parquet ] && flag=(--parquet)
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" ./target/release/xxgk batch "$WORK/$set" -o "$WORK/out" "${flag[@]}" >/dev/null 2>&1 || true
    read -r secs kb < <(tail -n 1 "$WORK/time.txt")
    size=$(du -k "$WORK/out/cells.$table" | cut -f1)
    awk -v s="$set" -v t="$table" -v n="$N" -v secs="$secs" -v kb="$kb" -v size="$size" 'BEGIN {
      printf "   %-8s cells.%-7s %d reports in %5.1f s; peak RSS %6.1f MB; table %7.1f MB\n", s, t, n, secs, kb / 1024, size / 1024 }'
  done
done
