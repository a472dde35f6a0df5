#!/usr/bin/env bash
# Reproduces the figures in README.md ("速度与内存 / Speed and memory").
#   bash bench/run.sh [N]      (N synthetic reports for the batch, default 10000)
# Needs /usr/bin/time (Debian package `time`) and python3 (python-docx is pip-installed
# when missing, for the side-by-side run). Takes about three minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
WORK="${BENCH_DIR:-$(mktemp -d)}"
echo "== machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cargo build --release --quiet --examples --bin xxgk
echo "== generating $N synthetic filled reports (half .docx, half .xlsx) in $WORK/county"
rm -rf "$WORK/county" "$WORK/out"
/usr/bin/time -f "   %e s" ./target/release/examples/synth "$N" "$WORK/county"
echo "== in-process: extraction against its floor, template generation"
./target/release/examples/bench "$WORK/county" | tee "$WORK/bench.txt"
read_ms=$(awk '/^docx extraction \(/ { print $(NF - 1) }' "$WORK/bench.txt")
echo "== batch over all $N reports: xxgk batch $WORK/county -o $WORK/out"
set +e
/usr/bin/time -f "%e %M" -o "$WORK/time.txt" ./target/release/xxgk batch "$WORK/county" -o "$WORK/out" >/dev/null
set -e
read -r secs kb < <(tail -n 1 "$WORK/time.txt")
awk -v n="$N" -v s="$secs" -v kb="$kb" 'BEGIN { printf "   %d reports in %.1f s = %.0f reports/s; peak RSS %.1f MB\n", n, s, n / s, kb / 1024 }'
NPY="${NPY:-1000}"
echo "== side by side on $NPY .docx reports: python-docx (one process, as a researcher's script) and xxgk batch"
python3 -c "import docx" 2>/dev/null || pip install --quiet python-docx
rm -rf "$WORK/docx" && mkdir -p "$WORK/docx"
find "$WORK/county" -name '*.docx' | sort | sed -n "1,${NPY}p" | while read -r f; do
  cp "$f" "$WORK/docx/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Each batch writes to a folder of its own, all removed at the end: files
# deleted less than 30 s before are skipped one by one when ext4 (without a
# journal, as on this machine) allocates new ones, which would charge the
# clean-up of one run to the next. `sync` first, so that a run's flush of
# the file system waits for its own files only.
RUN=0
timed() { # label, command... (the word OUT becomes a fresh folder): prints "label seconds", the best of $ROUNDS runs, and keeps it in $T
  local label=$1; shift
  local best=""
  for _ in $(seq "$ROUNDS"); do
    RUN=$((RUN + 1))
    local args=()
    for a in "$@"; do [ "$a" = OUT ] && args+=("$WORK/out-docx-$RUN") || args+=("$a"); done
    sync
    /usr/bin/time -f "%e" -o "$WORK/t.txt" "${args[@]}" >/dev/null 2>&1 || true
    local t; t=$(tail -n 1 "$WORK/t.txt")
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  T=$best; printf "   %-58s %6.2f s\n" "$label" "$T"
}
ROUNDS=1
timed "python-docx: paragraphs and table cells of every file" python3 bench/python_docx.py "$WORK/docx"; py=$T
# The four batch runs, best of three each (wall time on a shared machine varies).
ROUNDS="${ROUNDS_BATCH:-3}"
timed "xxgk batch (isolated workers, 2 jobs): read, check, JSON, summary" ./target/release/xxgk batch "$WORK/docx" -o OUT; b2=$T
timed "xxgk batch --no-isolation (2 jobs)" ./target/release/xxgk batch "$WORK/docx" -o OUT --no-isolation; n2=$T
timed "xxgk batch --jobs 1 (isolated)" ./target/release/xxgk batch "$WORK/docx" -o OUT --jobs 1; b1=$T
timed "xxgk batch --jobs 1 --no-isolation" ./target/release/xxgk batch "$WORK/docx" -o OUT --jobs 1 --no-isolation; n1=$T
awk -v py="$py" -v b2="$b2" -v b1="$b1" -v n2="$n2" -v n1="$n1" -v n="$NPY" -v rd="$read_ms" 'BEGIN {
  printf "   batch is %.0fx python-docx (%.0fx with one job); isolation costs %+.0f%% (%+.0f%% with one job)\n",
    py / b2, py / b1, (b2 / n2 - 1) * 100, (b1 / n1 - 1) * 100
  printf "   batch --jobs 1 --no-isolation %.2f ms/report = %.2fx the whole read (%.3f ms/file, in process, above)\n", n1 / n * 1000, n1 / n * 1000 / rd, rd
}'
rm -rf "$WORK"/out-docx-*
# Instruction counts of the docx reader against its floor on one file ($1)
# (valgrind --tool=callgrind; repeatable, unlike wall time).
floor_ratio() {
  one=$(mktemp -d)
  cp "$1" "$one/"
  BENCH_SKIP_TEMPLATES=1 valgrind --tool=callgrind --callgrind-out-file="$one/cg.out" ./target/release/examples/bench "$one" >/dev/null 2>&1
  # bench runs the two floors and the whole reader 5 times each, the parse stage 10 times (5 alone, 5 inside the reader).
  callgrind_annotate --inclusive=yes "$one/cg.out" 2>/dev/null | tr -d ',' | awk '
    # Inlining splits a function over several lines; its whole cost is the largest.
    /bench::inflate_and_tokenize \[/ && $1 > f { f = $1 }
    /bench::inflate_and_tokenize_slice \[/ && $1 > fs { fs = $1 }
    /xxgk::read::read_report$/ && !/=>/ && $1 > r { r = $1 }
    /xxgk::read::docx::parse::parse$/ && !/=>/ && $1 > p { p = $1 }
    END {
      printf "   floor %.2fM (%.2fM with the slice reader), parse stage %.2fM (%.2fx; %.2fx), whole reader %.2fM (%.2fx; %.2fx) instructions per file\n",
        f / 5e6, fs / 5e6, p / 10e6, (p / 10) / (f / 5), (p / 10) / (fs / 5), r / 5e6, (r / 5) / (f / 5), (r / 5) / (fs / 5)
    }'
  rm -rf "$one"
}
if command -v valgrind >/dev/null 2>&1; then
  echo "== instruction counts on one docx (valgrind --tool=callgrind; repeatable, unlike wall time)"
  floor_ratio "$(find "$WORK/county" -name '*.docx' | sort | sed -n 1p)"
fi
if command -v valgrind >/dev/null 2>&1; then
  NCG="${NCG:-200}"
  echo "== instruction counts of a batch per report, $NCG .docx, --jobs 1 (callgrind; start-up included)"
  cg=$(mktemp -d)
  mkdir -p "$cg/in"
  find "$WORK/docx" -name '*.docx' | sort | sed -n "1,${NCG}p" | while read -r f; do cp "$f" "$cg/in/"; done
  valgrind --tool=callgrind --callgrind-out-file="$cg/noiso.out" \
    ./target/release/xxgk batch "$cg/in" -o "$cg/out1" --jobs 1 --no-isolation >/dev/null 2>&1 || true
  # Isolated: the main process and its worker, each profiled.
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$cg/iso.%p.out" \
    ./target/release/xxgk batch "$cg/in" -o "$cg/out2" --jobs 1 >/dev/null 2>&1 || true
  iso=$(cat "$cg"/iso.*.out | awk '/^summary:/ { s += $2 } END { print s }')
  callgrind_annotate --inclusive=yes "$cg/noiso.out" 2>/dev/null | tr -d ',' | awk -v n="$NCG" -v iso="$iso" '
    # A function is named at the end of its line, or before its binary in brackets.
    function is(f) { return !/=>/ && ($0 ~ (f "$") || index($0, f " [")) }
    /PROGRAM TOTALS/ { t = $1 }
    is("xxgk::read::read_report") && $1 > r { r = $1 }
    is("xxgk::check::check") && $1 > c { c = $1 }
    is("xxgk::write::json::render") && $1 > j { j = $1 }
    END {
      printf "   batch --no-isolation %.2fM per report = %.2fx its read (%.2fM); check %.2fM, JSON %.2fM, rest %.2fM\n",
        t / n / 1e6, t / r, r / n / 1e6, c / n / 1e6, j / n / 1e6, (t - r - c - j) / n / 1e6
      printf "   isolated (main process + worker) %.2fM per report = %+.0f%% instructions\n", iso / n / 1e6, (iso / t - 1) * 100
    }'
  rm -rf "$cg"
fi

# Issue 24: reports made from the official blank 2021 form (tests/fixtures)
# filled as offices fill it: numbers split across runs, tracked changes,
# formula fields, comments (examples/synth.rs --official).
echo "== official form: $NPY reports made from the official blank form with clerks' quirks"
./target/release/examples/synth "$NPY" "$WORK/official" --official >/dev/null
ROUNDS=1
timed "python-docx: paragraphs and table cells of every file" python3 bench/python_docx.py "$WORK/official"; opy=$T
ROUNDS="${ROUNDS_BATCH:-3}"
timed "xxgk batch (isolated workers, 2 jobs)" ./target/release/xxgk batch "$WORK/official" -o OUT; ob=$T
awk -v py="$opy" -v b="$ob" 'BEGIN { printf "   on the official form batch is %.0fx python-docx\n", py / b }'
rm -rf "$WORK"/out-docx-*
if command -v valgrind >/dev/null 2>&1; then
  echo "== instruction counts on one official-form docx"
  floor_ratio "$(find "$WORK/official" -name '*.docx' | sort | sed -n 2p)"
fi
