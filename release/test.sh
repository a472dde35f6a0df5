#!/usr/bin/env bash
# Tests the release archives the way a clerk's machine runs them (docs/release.md):
#   - the Windows build under Wine against the Linux x86_64 build: `convert --to csv`
#     and `check` on every sample, fixture and rule fixture (and a docx and an xlsx
#     made from each sample) give the same stdout bytes, the same stderr (path
#     separators normalised) and the same exit code; a batch of a folder; `serve`
#     answering GET /; the isolation limits (--max-memory, --timeout) tripping;
#   - the aarch64 build under qemu-user on the same inputs, with the default isolated
#     reading (workers re-execute the binary, which needs binfmt_misc).
# Prints PASS/FAIL per step and exits non-zero if any step failed.
#
# Usage: bash release/test.sh [--reuse] [windows-x86_64] [linux-aarch64]
#   --reuse   test the archives in dist/ as they are (default: run release/build.sh
#             first, which rebuilds only what changed)
#   targets   test only these (default both); linux-x86_64, the reference, always
# Environment: CARGO_TARGET_DIR, XXGK_DIST, XXGK_CARGO_LOCK as for release/build.sh.
# The test folder is $CARGO_TARGET_DIR/release-test (made anew each run); the
# Wine-only bcryptprimitives.dll shim is built there, never into dist/.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
reuse=0
test_win=0
test_arm=0
for a in "$@"; do
  case $a in
    --reuse) reuse=1 ;;
    windows-x86_64) test_win=1 ;;
    linux-aarch64) test_arm=1 ;;
    *) echo "test.sh: unknown argument $a (--reuse, windows-x86_64, linux-aarch64)" >&2; exit 2 ;;
  esac
done
[ $test_win = 1 ] || [ $test_arm = 1 ] || { test_win=1; test_arm=1; }
build_targets=(linux-x86_64)
[ $test_win = 1 ] && build_targets+=(windows-x86_64)
[ $test_arm = 1 ] && build_targets+=(linux-aarch64)
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=${XXGK_DIST:-$root/dist}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
work=$target_dir/release-test
start_all=$SECONDS

passed=()
failed=()
skipped=()
pass() { passed+=("$1"); echo "PASS  $1"; }
fail() { failed+=("$1: $2"); echo "FAIL  $1: $2"; }
skip() { skipped+=("$1: $2"); echo "SKIP  $1: $2"; }
# The messages compared below are the ones a user sees: no backtraces. UTF-8
# arguments (Wine turns them into UTF-16 by the locale).
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
export LC_ALL=C.UTF-8

# ---------------------------------------------------------------- tools
need=()
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v file >/dev/null 2>&1 || need+=(file)
wine=$(command -v wine64 || true)
[ -n "$wine" ] || { [ -x /usr/lib/wine/wine64 ] && wine=/usr/lib/wine/wine64; }
if [ $test_win = 1 ]; then
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
  [ -n "$wine" ] || need+=(wine64)
fi
if [ $test_arm = 1 ]; then
  command -v qemu-aarch64 >/dev/null 2>&1 || need+=(qemu-user)
  command -v update-binfmts >/dev/null 2>&1 || need+=(binfmt-support)
  [ -e /usr/share/binfmts/qemu-aarch64 ] || [ -e /usr/lib/binfmt.d/qemu-aarch64.conf ] || need+=(qemu-user-binfmt)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]} (Debian packages); run as root to install them" >&2
    exit 1
  fi
  [ -n "$wine" ] || wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
fi
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

# ---------------------------------------------------------------- build
if [ $reuse = 0 ]; then
  echo "== release/build.sh"
  t=$SECONDS
  if bash release/build.sh "${build_targets[@]}"; then
    pass "build (release/build.sh, $((SECONDS - t)) s)"
  else
    fail build "release/build.sh failed (its output above); testing whatever dist/ holds"
  fi
fi

rm -rf "$work"
mkdir -p "$work/runs"
win_zip=$dist/xxgk-$version-windows-x86_64.zip
x64_tar=$dist/xxgk-$version-linux-x86_64.tar.gz
arm_tar=$dist/xxgk-$version-linux-aarch64.tar.gz
[ $test_win = 1 ] || win_zip=/nonexistent/skipped.zip
[ $test_arm = 1 ] || arm_tar=/nonexistent/skipped.tar.gz

# ---------------------------------------------------------------- unpack

lin=$work/linux-x86_64/xxgk-$version-linux-x86_64/xxgk
arm=$work/linux-aarch64/xxgk-$version-linux-aarch64/xxgk
win_dir=$work/windows
exe=$win_dir/xxgk.exe
for t in "$x64_tar" "$arm_tar"; do
  if [ -f "$t" ]; then
    d=$work/$(basename "$t" .tar.gz | sed "s/^xxgk-$version-//")
    mkdir -p "$d" && tar -xzf "$t" -C "$d"
  fi
done
[ -f "$win_zip" ] && python3 -m zipfile -e "$win_zip" "$win_dir"

contents() { # $1 = archive, $2 = folder, $3 = binary name
  local problems=()
  [ -f "$1" ] || { fail "archive $(basename "$1")" "missing"; return; }
  [ -f "$2/$3" ] || problems+=("no $3")
  [ -f "$2/使用说明.txt" ] || problems+=("no 使用说明.txt")
  local s
  for s in $(cd "$root" && git ls-files samples 2>/dev/null || ls samples/*); do
    cmp -s "$root/$s" "$2/$s" || problems+=("$s missing or different")
  done
  if [ ${#problems[@]} -eq 0 ]; then pass "archive $(basename "$1"): $3, 使用说明.txt, samples/"; else fail "archive $(basename "$1")" "${problems[*]}"; fi
}
[ $test_win = 0 ] || contents "$win_zip" "$win_dir" xxgk.exe
contents "$x64_tar" "$(dirname "$lin")" xxgk
[ $test_arm = 0 ] || contents "$arm_tar" "$(dirname "$arm")" xxgk
if [ -f "$win_zip" ]; then
  problems=()
  names=$(python3 -c 'import sys,zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$win_zip")
  grep -qi 'bcryptprimitives' <<<"$names" && problems+=("the zip holds the Wine shim")
  grep -qi '\.dll$' <<<"$names" && problems+=("the zip holds a DLL")
  r=$win_dir/使用说明.txt
  if [ -f "$r" ]; then
    [ "$(head -c 3 "$r" | od -An -tx1 | tr -d ' ')" = efbbbf ] || problems+=("使用说明.txt has no UTF-8 BOM")
    lf=$(tr -cd '\n' <"$r" | wc -c)
    crlf=$(grep -c $'\r$' "$r")
    [ "$lf" -gt 0 ] && [ "$lf" = "$crlf" ] || problems+=("使用说明.txt: $crlf of $lf lines end in CRLF")
  fi
  if [ ${#problems[@]} -eq 0 ]; then pass "windows zip: no DLL in it, 使用说明.txt with BOM and CRLF"; else fail "windows zip" "${problems[*]}"; fi
fi
for b in "$lin" "$arm"; do
  [ -f "$b" ] || continue
  case $(file -b "$b") in
    *"statically linked"*) pass "$(basename "$(dirname "$b")"): statically linked (needs no glibc)" ;;
    *) fail "$(basename "$(dirname "$b")")" "not static: $(file -b "$b")" ;;
  esac
done
if [ ! -x "$lin" ]; then
  fail "linux-x86_64 build" "missing: every comparison below needs it as the reference"
fi

# ---------------------------------------------------------------- Wine
have_wine=0
if [ -f "$exe" ]; then
  shim_src=$root/release/wine-shim
  if x86_64-w64-mingw32-gcc -O2 -shared -s -o "$win_dir/bcryptprimitives.dll" \
    "$shim_src/bcryptprimitives.c" "$shim_src/bcryptprimitives.def" -ladvapi32; then
    pass "wine shim bcryptprimitives.dll built into the test folder"
  else
    fail "wine shim" "mingw could not build release/wine-shim/bcryptprimitives.c"
  fi
  export WINEPREFIX=$work/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
  unset DISPLAY WAYLAND_DISPLAY
  t=$SECONDS
  # Wine's server and its service processes outlive the program that
  # started them and keep its standard output open: start them here, writing
  # to a file, never inside a $(…) that would wait for them.
  "$wineserver" -p 900 >"$work/wineserver.log" 2>&1 </dev/null
  trap '"$wineserver" -k >/dev/null 2>&1' EXIT
  timeout 300 "$wine" wineboot -i >"$work/wineboot.log" 2>&1 </dev/null
  (cd "$win_dir" && timeout 60 "$wine" ./xxgk.exe --version >"$work/version.out" 2>&1 </dev/null)
  out=$(tr -d '\r' <"$work/version.out")
  if [ "$out" = "xxgk $version" ]; then
    pass "wine: xxgk.exe --version (prefix made in $((SECONDS - t)) s)"
    have_wine=1
  else
    fail "wine: xxgk.exe --version" "said: $(head -c 300 <<<"$out")"
  fi
fi

# ---------------------------------------------------------------- qemu-user
have_arm=0
binfmt=/proc/sys/fs/binfmt_misc
if [ -f "$arm" ]; then
  # The aarch64 binary runs through binfmt_misc (not `qemu-aarch64 xxgk`), so
  # that its isolated workers, re-executing the binary, run under qemu too.
  if [ "$(id -u)" = 0 ]; then
    [ -e "$binfmt/status" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null
    [ -e "$binfmt/qemu-aarch64" ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1
    # Without binfmt-support's daemon: qemu-user-binfmt's systemd line, by hand.
    [ -e "$binfmt/qemu-aarch64" ] || { [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ] \
      && grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register" 2>/dev/null; }
  fi
  if [ -e "$binfmt/qemu-aarch64" ] && [ "$(head -n 1 "$binfmt/qemu-aarch64")" = enabled ]; then
    out=$(timeout 60 "$arm" --version 2>&1)
    if [ "$out" = "xxgk $version" ]; then
      pass "qemu-user: aarch64 xxgk --version through binfmt_misc"
      have_arm=1
    else
      fail "qemu-user: aarch64 xxgk --version" "said: $(head -c 300 <<<"$out")"
    fi
  else
    fail "qemu-user" "binfmt_misc has no enabled qemu-aarch64 entry (mount binfmt_misc; apt-get install qemu-user-binfmt; update-binfmts --enable qemu-aarch64)"
  fi
fi

# ---------------------------------------------------------------- inputs
# Every input is copied under $work/in and named by a relative path, so that
# each build is given the same argument bytes.
in=$work/in
mkdir -p "$in/derived"
inputs=()
while IFS= read -r f; do
  mkdir -p "$in/$(dirname "$f")"
  cp "$root/$f" "$in/$f"
  inputs+=("$f")
done < <(cd "$root" && { git ls-files samples tests/fixtures 2>/dev/null; git ls-files 'tests/rules/*/*' 2>/dev/null; } \
  | grep -E '\.(docx|xlsx|json|txt|html|pdf)$' | LC_ALL=C sort -u)
# A docx and an xlsx of each sample, written by the Linux build: read back
# through the isolated workers (JSON is read in the main process).
if [ -x "$lin" ]; then
  for s in $(cd "$in" && ls samples/*.json); do
    b=$(basename "$s" .json)
    for ext in docx xlsx; do
      (cd "$in" && "$lin" convert "$s" -o "derived/$b.$ext" >/dev/null 2>&1) && inputs+=("derived/$b.$ext")
    done
  done
  # A folder and file name with Chinese characters and spaces.
  if [ -f "$in/derived/2021-tongxin-county.docx" ]; then
    mkdir -p "$in/derived/同心县 报告"
    cp "$in/derived/2021-tongxin-county.docx" "$in/derived/同心县 报告/同心县 2021年 年报.docx"
    inputs+=("derived/同心县 报告/同心县 2021年 年报.docx")
  fi
fi
echo "== ${#inputs[@]} inputs: $(printf '%s\n' "${inputs[@]}" | sed 's|^\(tests/[^/]*\)/.*|\1|; s|^\([^/]*\)/.*|\1|' | uniq -c | awk '{printf "%s %s  ", $1, $2}')"

run() { # $1 = result file prefix, $2 = timeout (s); the rest: the command, run in $in
  local o=$1 t=$2
  shift 2
  (cd "$in" && timeout "$t" "$@" >"$o.out" 2>"$o.err" </dev/null)
  echo $? >"$o.rc"
}
# Under Wine a run is repeated (at most twice) when Wine itself failed: its
# own diagnostic "wine client error:<thread>: <call>: <reason>" on stderr
# means the connection to wineserver broke (seen on this machine when both
# cores are busy), which says nothing about xxgk.
wine_run() {
  local o=$1 t=$2 attempt
  shift 2
  for attempt in 1 2 3; do
    run "$o" "$t" "$wine" "$exe" "$@"
    grep -q '^wine client error:' "$o.err" || break
    [ "$attempt" = 3 ] || echo "      (Wine failed: $(grep -m1 '^wine client error:' "$o.err"); run again)"
  done
}

# Compare two runs: stdout bytes, exit code, stderr with `\` read as `/` and
# without Wine's own diagnostics ("wine client error:…", printed by Wine
# itself, not by xxgk): a line of its own is dropped, one run into a
# message is cut out.
messages() { sed -E '/^wine client error:[0-9a-f]*: [a-z]+: /d; s/wine client error:[0-9a-f]*: *//' "$1" | tr '\\' '/'; }
same() { # $1, $2 = result prefixes; prints what differs
  local d=()
  [ "$(cat "$1.rc")" = "$(cat "$2.rc")" ] || d+=("exit $(cat "$1.rc") vs $(cat "$2.rc")")
  # stdout compared byte for byte, but for the path separator a message may
  # show (batch's last line names the output folder the system's way).
  cmp -s <(tr '\\' '/' <"$1.out") <(tr '\\' '/' <"$2.out") || d+=("stdout differs")
  cmp -s <(messages "$1.err") <(messages "$2.err") || d+=("stderr differs")
  printf '%s' "${d[*]}"
}

compare_all() { # $1 = label, $2 = runner of the other build (wine_run / run "$arm")
  local label=$1 kind=$2 cmd
  for cmd in "convert --to csv" "check"; do
    local bad=() n=0 f key
    local t0=$SECONDS
    for f in "${inputs[@]}"; do
      key=$(tr '/ ' '__' <<<"$f-$cmd")
      mkdir -p "$work/runs"
      [ -f "$work/runs/linux-$key.rc" ] || run "$work/runs/linux-$key" 120 "$lin" $cmd "$f"
      case $kind in
        wine) wine_run "$work/runs/$label-$key" 300 $cmd "$f" ;;
        arm) run "$work/runs/$label-$key" 300 "$arm" $cmd "$f" ;;
      esac
      n=$((n + 1))
      local diff
      diff=$(same "$work/runs/linux-$key" "$work/runs/$label-$key")
      [ -z "$diff" ] || bad+=("$f ($diff)")
    done
    if [ ${#bad[@]} -eq 0 ]; then
      pass "$label $cmd: $n inputs, same stdout, stderr and exit code as linux-x86_64 ($((SECONDS - t0)) s)"
    else
      fail "$label $cmd" "${#bad[@]} of $n differ: $(printf '%s; ' "${bad[@]:0:8}")(outputs in $work/runs)"
    fi
  done
}

# ---------------------------------------------------------------- hostile file
# As tests/hostile.rs makes it: 60 MB of paragraphs, deflated to well under a megabyte.
python3 - "$in/derived/big.docx" <<'PY'
import sys, zipfile
rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
        b' Target="word/document.xml"/></Relationships>')
para = "<w:p><w:r><w:t>重复的段落重复的段落重复的段落</w:t></w:r></w:p>" * 600_000
doc = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       f"<w:body>{para}</w:body></w:document>").encode()
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("_rels/.rels", rels)
    z.writestr("word/document.xml", doc)
PY

limits() { # $1 = label, $2 = kind (linux / wine / arm)
  local label=$1 kind=$2 o=$work/runs/$1-limit
  mkdir -p "$work/runs"
  local r=() who
  case $kind in
    linux) r=(run "$o-mem" 300 "$lin") who=$lin ;;
    wine) r=(wine_run "$o-mem" 300) who=xxgk.exe ;;
    arm) r=(run "$o-mem" 300 "$arm") who=$arm ;;
  esac
  local e
  if [ "$kind" = arm ]; then
    # qemu-user does not pass a guest's setrlimit(RLIMIT_AS) to the host
    # (it would limit qemu itself): the limit cannot be seen under qemu.
    skip "$label --max-memory=48M" "qemu-user ignores RLIMIT_AS; test it on ARM64 hardware"
  else
  "${r[@]}" --max-memory=48M convert derived/big.docx
  e=$(cat "$o-mem.err")
  if [ "$(cat "$o-mem.rc")" = 2 ] && grep -q '异常终止' <<<"$e" && grep -q 'big.docx' <<<"$e" \
    && grep -q '处理进程最后的输出：' <<<"$e" && grep -q 'memory allocation of' <<<"$e"; then
    pass "$label --max-memory=48M: the worker dies, exit 2, its last words in the message"
  else
    fail "$label --max-memory=48M" "expected exit 2, 异常终止 and the worker's last words (memory allocation of …); got exit $(cat "$o-mem.rc"), stderr: $(tr '\n' ' ' <<<"$e" | head -c 400)"
  fi
  fi
  r[1]=$o-time
  local t0=$SECONDS
  "${r[@]}" --timeout=0.05 convert derived/big.docx
  e=$(cat "$o-time.err")
  if [ "$(cat "$o-time.rc")" = 2 ] && grep -q '超过 0.05 秒' <<<"$e"; then
    pass "$label --timeout=0.05: exit 2, 超过 0.05 秒 ($((SECONDS - t0)) s)"
  else
    fail "$label --timeout=0.05" "exit $(cat "$o-time.rc"), stderr: $(tr '\n' ' ' <<<"$e" | head -c 400)"
  fi
  # No worker left behind (a killed worker's process is gone).
  sleep 1
  local left
  left=$(ps -eo pid=,args= | grep -F "$who" | grep -F __worker | grep -v grep || true)
  if [ -z "$left" ]; then
    pass "$label: no worker process left after the limits"
  else
    fail "$label: worker processes left" "$(tr '\n' ' ' <<<"$left" | head -c 300)"
  fi
}

# ---------------------------------------------------------------- batch
batch_dir() {
  mkdir -p "$in/county"
  local f
  for f in samples/2020-enhe-town.json samples/2020-zhongning-civil-affairs.json samples/broken-2021.json \
    tests/fixtures/real/2023-hongze-district.pdf derived/2021-tongxin-county.docx derived/broken-2019.xlsx; do
    [ -f "$in/$f" ] && cp "$in/$f" "$in/county/"
  done
}
batch() { # $1 = label, $2 = kind
  local label=$1 kind=$2 o=$work/runs/$1-batch
  local out=out-$label
  # Every build writes to `out` (its name is in the output), kept as out-<label>.
  rm -rf "$in/out"
  case $kind in
    linux) run "$o" 600 "$lin" batch county -o out ;;
    wine) wine_run "$o" 600 batch county -o out ;;
    arm) run "$o" 600 "$arm" batch county -o out ;;
  esac
  [ -e "$in/out" ] && mv "$in/out" "$in/$out"
  [ "$kind" = linux ] && return
  local diff
  diff=$(same "$work/runs/linux-x86_64-batch" "$o")
  local trees
  trees=$(diff -r "$in/out-linux-x86_64" "$in/$out" 2>&1 | head -n 5 | tr '\n' ' ')
  if [ -z "$diff" ] && [ -z "$trees" ]; then
    pass "$label batch of a folder ($(ls "$in/county" | wc -l) reports): same exit code, output and files as linux-x86_64"
  else
    fail "$label batch of a folder" "${diff:+$diff; }${trees:+files: $trees; }exit $(cat "$o.rc"), stderr: $(tr '\n' ' ' <"$o.err" | head -c 300)"
  fi
}

# ---------------------------------------------------------------- serve
serve() { # $1 = label; the rest: the command
  local label=$1
  shift
  local log=$work/runs/$label-serve
  mkdir -p "$work/runs"
  (cd "$in" && exec "$@" serve --port 0 >"$log.out" 2>"$log.err" </dev/null) &
  local pid=$! url="" i
  for i in $(seq 1 120); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log.out" 2>/dev/null | head -n 1)
    [ -n "$url" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$url" ]; then
    fail "$label serve --port 0" "printed no address: $(tr '\n' ' ' <"$log.out" "$log.err" 2>/dev/null | head -c 300)"
  else
    local code
    code=$(curl -s --max-time 30 -o "$log.body" -w '%{http_code}' "$url")
    if [ "$code" = 200 ] && grep -q '<html' "$log.body"; then
      pass "$label serve --port 0: GET $url answered 200 with the page"
    else
      fail "$label serve --port 0" "GET $url: HTTP $code"
    fi
  fi
  kill $pid 2>/dev/null
  wait $pid 2>/dev/null
}

# ---------------------------------------------------------------- run
# Comparisons need the Linux x86_64 build; serve and the limits do not.
ref=0
[ -x "$lin" ] && ref=1
if [ $ref = 1 ]; then
  batch_dir
  batch linux-x86_64 linux
  serve linux-x86_64 "$lin"
  limits linux-x86_64 linux
fi
if [ $have_wine = 1 ]; then
  if [ $ref = 1 ]; then
    compare_all windows wine
    # A Windows path as a clerk types it: backslashes, Chinese, spaces.
    wine_run "$work/runs/windows-backslash" 300 convert --to csv 'derived\同心县 报告\同心县 2021年 年报.docx'
    # The CSV names the file as given: compared with `\` read as `/`.
    if [ "$(cat "$work/runs/windows-backslash.rc")" = 0 ] \
      && cmp -s <(tr '\\' '/' <"$work/runs/windows-backslash.out") "$work/runs/linux-$(tr '/ ' '__' <<<"derived/同心县 报告/同心县 2021年 年报.docx-convert --to csv").out"; then
      pass "windows convert of 'derived\同心县 报告\同心县 2021年 年报.docx' (backslashes, Chinese, spaces): same CSV"
    else
      fail "windows convert of a backslash path with Chinese and spaces" "exit $(cat "$work/runs/windows-backslash.rc"), $(head -c 300 "$work/runs/windows-backslash.err")"
    fi
    batch windows wine
  fi
  serve windows "$wine" "$exe"
  limits windows wine
fi
if [ $have_arm = 1 ]; then
  if [ $ref = 1 ]; then
    compare_all aarch64 arm
    # The same docx read with and without isolation: the worker path is the one above.
    run "$work/runs/aarch64-noiso" 120 "$arm" --no-isolation convert --to csv derived/2021-tongxin-county.docx
    if cmp -s "$work/runs/aarch64-noiso.out" "$work/runs/linux-derived_2021-tongxin-county.docx-convert_--to_csv.out"; then
      pass "aarch64 --no-isolation gives the same CSV as the isolated read"
    else
      fail "aarch64 --no-isolation" "CSV differs from linux-x86_64"
    fi
    batch aarch64 arm
  fi
  limits aarch64 arm
fi

# ---------------------------------------------------------------- summary
echo
echo "== summary (release/test.sh, $((SECONDS - start_all)) s; details in $work/runs)"
for p in "${passed[@]}"; do echo "PASS  $p"; done
for f in "${skipped[@]}"; do echo "SKIP  $f"; done
for f in "${failed[@]}"; do echo "FAIL  $f"; done
echo "${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[ ${#failed[@]} -eq 0 ]
