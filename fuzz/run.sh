#!/usr/bin/env bash
# Run one fuzz target for SECONDS (default 1800), seeded with corpus/<target>.
#   bash run.sh docx 1800
# Builds the target under the machine's shared cargo lock, then runs it
# without the lock, at low priority, as one process. Crashes land in
# artifacts/<target>/; the last lines of the log give the number of
# executions. Needs the nightly toolchain and cargo-fuzz.
set -euo pipefail
cd "$(dirname "$0")"
t="$1"; secs="${2:-1800}"
# The largest PDF seed (a real report) is 403 KiB; other inputs are smaller.
case "$t" in pdf) max_len=524288 ;; *) max_len=300000 ;; esac
mkdir -p corpus/"$t" artifacts/"$t" logs
flock /tmp/xxgk-cargo.lock cargo +nightly fuzz build -O "$t"
bin=target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release/"$t"
nice -n 19 "$bin" corpus/"$t" \
  -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$max_len" -timeout=30 \
  -print_final_stats=1 -artifact_prefix=artifacts/"$t"/ > logs/"$t".log 2>&1 || true
tail -n 25 logs/"$t".log | grep -E 'stat::|Done|SUMMARY|ERROR|crash' || true
