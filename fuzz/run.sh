#!/usr/bin/env bash
# Run one fuzz target for SECONDS (default 1800), seeded with corpus/<target>.
#   bash run.sh docx 1800
# Crashes land in artifacts/<target>/; the last lines of the log give the
# number of executions. Needs the nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
t="$1"; secs="${2:-1800}"
mkdir -p corpus/"$t" artifacts/"$t" logs
cargo +nightly fuzz run "$t" corpus/"$t" -O -- \
  -max_total_time="$secs" -rss_limit_mb=2048 -max_len=300000 -timeout=30 \
  -print_final_stats=1 -artifact_prefix=artifacts/"$t"/ > logs/"$t".log 2>&1 || true
tail -n 25 logs/"$t".log | grep -E 'stat::|Done|SUMMARY|ERROR|crash' || true
