#!/usr/bin/env bash
# Builds the release archives into dist/ (docs/release.md):
#   xxgk-<version>-windows-x86_64.zip     xxgk.exe, 使用说明.txt (CRLF, UTF-8 BOM), samples/
#   xxgk-<version>-linux-x86_64.tar.gz    static musl binary, 使用说明.txt, samples/
#   xxgk-<version>-linux-aarch64.tar.gz   the same for ARM64 (鲲鹏, 飞腾)
# and dist/SHA256SUMS.
#
# Usage: bash release/build.sh [windows-x86_64] [linux-x86_64] [linux-aarch64]
#   (no argument: all three). Run on Debian 12 as root, it installs with apt
#   whatever is missing (Debian's rustc-web 1.96 with its library source, mingw-w64,
#   musl, the aarch64 cross gcc). The targets' standard libraries are built from
#   source (-Zbuild-std, RUSTC_BOOTSTRAP=1): nothing is downloaded but Debian
#   packages and crates.
#
# Environment:
#   CARGO_TARGET_DIR   build folder (default target/); a cross build is ~5 minutes cold
#   XXGK_DIST          output folder (default dist/)
#   XXGK_RUST_BIN      folder with cargo and rustc (default /usr/bin, Debian's rustc-web)
#   XXGK_CARGO_LOCK    a lock file to hold (flock) during each cargo build, e.g.
#                      /tmp/xxgk-cargo.lock on a machine shared by several builders
#   SOURCE_DATE_EPOCH  time stamp of every archive entry (default: the last commit's)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

all_targets=(windows-x86_64 linux-x86_64 linux-aarch64)
if [ $# -eq 0 ]; then
  targets=("${all_targets[@]}")
else
  targets=("$@")
  for t in "${targets[@]}"; do
    case " ${all_targets[*]} " in
      *" $t "*) ;;
      *) echo "build.sh: unknown target $t (one of: ${all_targets[*]})" >&2; exit 2 ;;
    esac
  done
fi

target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=${XXGK_DIST:-$root/dist}
rust_bin=${XXGK_RUST_BIN:-/usr/bin}
tools=$target_dir/release-tools
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "build.sh: no version in Cargo.toml" >&2; exit 1; }
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
  [ -n "$SOURCE_DATE_EPOCH" ] || { echo "build.sh: not a git checkout: set SOURCE_DATE_EPOCH" >&2; exit 1; }
fi
export SOURCE_DATE_EPOCH

wants() { case " ${targets[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- tools
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: missing $* — install them (Debian: apt-get install $*) or run as root" >&2
    exit 1
  fi
  echo "== apt-get install $*"
  if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
[ -x "$rust_bin/cargo" ] && [ -x "$rust_bin/rustc" ] || need+=(rustc-web cargo-web)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v file >/dev/null 2>&1 || need+=(file)
wants windows-x86_64 && { command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64); }
wants linux-x86_64 && { command -v x86_64-linux-musl-gcc >/dev/null 2>&1 || need+=(musl-tools musl-dev); }
if wants linux-aarch64; then
  command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || need+=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu)
  if ! command -v aarch64-linux-musl-gcc >/dev/null 2>&1; then
    # Debian ships musl for arm64 as the arm64 package musl-dev:arm64
    # (its /usr/bin/aarch64-linux-musl-gcc wraps the cross gcc).
    if ! dpkg --print-foreign-architectures 2>/dev/null | grep -qx arm64; then
      if [ "$(id -u)" = 0 ]; then
        echo "== dpkg --add-architecture arm64 (for musl-dev:arm64)"
        dpkg --add-architecture arm64
        apt_updated=
      fi
    fi
    need+=(musl-dev:arm64)
  fi
fi
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

cargo=$rust_bin/cargo
rustc=$rust_bin/rustc
rust_version=$("$rustc" --version | sed -n 's/^rustc \([0-9]*\.[0-9]*\).*/\1/p')
sysroot=$("$rustc" --print sysroot)
if [ ! -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ]; then
  # -Zbuild-std needs the library source at the sysroot: Debian's
  # rust-web-src installs it under /usr/src/rustc-<version>.
  src=$(ls -d /usr/src/rustc-"$rust_version".* 2>/dev/null | tail -n 1 || true)
  if [ -z "$src" ]; then
    apt_install rust-web-src
    src=$(ls -d /usr/src/rustc-"$rust_version".* 2>/dev/null | tail -n 1 || true)
  fi
  if [ ! -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ] && [ -n "$src" ]; then
    mkdir -p "$sysroot/lib/rustlib/src"
    ln -sfn "$src" "$sysroot/lib/rustlib/src/rust"
  fi
  [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ] || {
    echo "build.sh: no Rust library source at $sysroot/lib/rustlib/src/rust (Debian: rust-web-src)" >&2
    exit 1
  }
fi

# Rust's musl targets unwind panics with LLVM's libunwind, which Rust's own
# toolchain ships prebuilt; Debian's build-std route has none. Debian's
# libunwind-19-dev has it for amd64 and arm64: its static library is taken
# out of the package (not installed: its amd64 copy would conflict with
# libunwind-dev) and linked with a stand-in for the one glibc-only function
# it calls (release/musl/fortify.c). gcc's libgcc_eh is no substitute: gcc 12
# on Debian 12 calls glibc 2.35's _dl_find_object from it.
libunwind_deb=${XXGK_LIBUNWIND_DEB:-libunwind-19-dev}
unwind_lib() { # $1 = debian arch, $2 = musl gcc; prints the folder holding libunwind.a
  local dir=$tools/unwind-$1
  if [ ! -f "$dir/libunwind.a" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/deb" "$dir/obj"
    (cd "$dir/deb" && apt-get download -qq -o APT::Sandbox::User=root "$libunwind_deb:$1" >/dev/null) || {
      echo "build.sh: apt-get download $libunwind_deb:$1 failed (for arm64: dpkg --add-architecture arm64; apt-get update)" >&2
      exit 1
    }
    dpkg-deb -x "$dir"/deb/*.deb "$dir/deb/x"
    local a
    a=$(ls "$dir"/deb/x/usr/lib/llvm-*/lib/libunwind.a | head -n 1)
    (cd "$dir/obj" && ar x "$a" && "$2" -O2 -c "$root/release/musl/fortify.c" -o zz-fortify.o \
      && LC_ALL=C ar crD ../libunwind.a $(ls | LC_ALL=C sort))
  fi
  echo "$dir"
}

# ---------------------------------------------------------------- build
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# Paths that would otherwise end up in the binary (panic locations) or in
# the hashes the compiler derives from source file names (build.rs writes
# OUT_DIR/editions.rs with absolute include_str! paths): the checkout, the
# build folder and cargo's registry. The last matching prefix wins.
remap="--remap-path-prefix=$root=/build/xxgk --remap-path-prefix=$target_dir=/build/target --remap-path-prefix=$cargo_home=/cargo"
cfile_map="-ffile-prefix-map=$root=/build/xxgk -ffile-prefix-map=$target_dir=/build/target -ffile-prefix-map=$cargo_home=/cargo"

build() { # $1 = rust target triple, $2 = RUSTFLAGS for it; further: VAR=value for cargo
  local triple=$1 flags=$2
  shift 2
  local under=${triple//-/_}
  local lock=()
  [ -n "${XXGK_CARGO_LOCK:-}" ] && lock=(flock "$XXGK_CARGO_LOCK")
  echo "== cargo build --release --target $triple"
  local start=$SECONDS
  if ! env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    RUSTC="$rustc" RUSTDOC="$rust_bin/rustdoc" RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_DIR="$target_dir" \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=symbols \
    "CARGO_TARGET_${under^^}_RUSTFLAGS=$remap $flags" \
    "CFLAGS_$under=$cfile_map" \
    "$@" \
    "${lock[@]}" "$cargo" build --release --locked --target "$triple" -Zbuild-std=std,panic_unwind; then
    echo "   $triple FAILED after $((SECONDS - start)) s"
    return 1
  fi
  echo "   $triple built in $((SECONDS - start)) s"
}

# A target that fails to build is reported at the end; the others are
# still packaged.
bins=()
broken=()
if wants windows-x86_64; then
  # No time stamp in the PE header (it is the build time otherwise).
  if build x86_64-pc-windows-gnu "-C link-arg=-Wl,--no-insert-timestamp"; then
    bins+=("windows-x86_64=$target_dir/x86_64-pc-windows-gnu/release/xxgk.exe")
  else
    broken+=(windows-x86_64)
  fi
fi
musl_flags() { # $1 = folder of libunwind.a
  # Static, not static-pie: Debian's musl-gcc.specs starts every program
  # with Scrt1.o and a dynamic linker, which makes -static-pie a dynamic PIE.
  # libgcc for the few helpers gcc's C code calls (mimalloc: __popcountdi2).
  echo "-C target-feature=+crt-static -C relocation-model=static -C link-self-contained=no" \
    "-L native=$1 -C link-arg=-lgcc -C link-arg=-Wl,--build-id=none"
}
musl_target() { # $1 = our name, $2 = rust arch, $3 = debian arch
  local triple=$2-unknown-linux-musl gcc=$2-linux-musl-gcc u
  u=$(unwind_lib "$3" "$gcc")
  local under=${triple//-/_}
  if build "$triple" "$(musl_flags "$u")" "CARGO_TARGET_${under^^}_LINKER=$gcc" "CC_$under=$gcc"; then
    bins+=("$1=$target_dir/$triple/release/xxgk")
  else
    broken+=("$1")
  fi
}
if wants linux-x86_64; then musl_target linux-x86_64 x86_64 amd64; fi
if wants linux-aarch64; then musl_target linux-aarch64 aarch64 arm64; fi

# ---------------------------------------------------------------- check
# A Linux binary must start on 统信UOS 20 / 麒麟 V10 (glibc 2.28): it is
# static, so it needs no glibc at all. A Windows one must need only DLLs
# that Windows 10/11 has (no mingw runtime DLL beside it).
for b in "${bins[@]}"; do
  name=${b%%=*} bin=${b#*=}
  case $name in
    linux-*)
      desc=$(file -b "$bin")
      echo "   $name: $desc"
      case $desc in
        *"statically linked"*) ;;
        *) echo "build.sh: $bin is not statically linked" >&2; exit 1 ;;
      esac
      if objdump -T "$bin" 2>/dev/null | grep -q GLIBC_; then
        echo "build.sh: $bin needs glibc symbols" >&2
        exit 1
      fi
      ;;
    windows-*)
      dlls=$(x86_64-w64-mingw32-objdump -p "$bin" | sed -n 's/^.*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
      echo "   $name: imports $dlls"
      for d in $dlls; do
        case $d in
          kernel32.dll | ntdll.dll | msvcrt.dll | userenv.dll | ws2_32.dll | advapi32.dll | bcryptprimitives.dll \
            | shell32.dll | ole32.dll | user32.dll | api-ms-win-*.dll) ;;
          *) echo "build.sh: $bin needs $d, which Windows does not have" >&2; exit 1 ;;
        esac
      done
      ;;
  esac
done

# ---------------------------------------------------------------- package
stage=$target_dir/release-stage
rm -rf "$stage"
mkdir -p "$stage" "$dist"
# No archive of an earlier build stands in for a target that failed now.
for name in "${broken[@]}"; do
  rm -f "$dist/xxgk-$version-$name.zip" "$dist/xxgk-$version-$name.tar.gz"
done
samples=$(git ls-files samples 2>/dev/null || (cd "$root" && find samples -type f))
stage_common() { # $1 = folder, $2 = readme source
  mkdir -p "$1/samples"
  for f in $samples; do cp "$f" "$1/samples/"; done
  cp "$2" "$1/使用说明.txt"
}
archives=()
for b in "${bins[@]}"; do
  name=${b%%=*} bin=${b#*=}
  base=xxgk-$version-$name
  dir=$stage/$base
  case $name in
    windows-*)
      mkdir -p "$dir"
      stage_common "$dir" release/readme-windows.txt
      # Notepad on Windows 10 before 1903 shows UTF-8 only with a BOM, and
      # wants CRLF lines.
      { printf '\357\273\277'; sed 's/$/\r/' release/readme-windows.txt; } >"$dir/使用说明.txt"
      cp "$bin" "$dir/xxgk.exe"
      out=$dist/$base.zip
      # Flat (Explorer's 全部解压缩 makes the folder), UTF-8 names flagged as
      # such, every entry with the same time and attributes, sorted.
      python3 - "$dir" "$out" "$SOURCE_DATE_EPOCH" <<'PY'
import os, sys, time, zipfile
src, out, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip times start in 1980
names = []
for d, subdirs, files in os.walk(src):
    subdirs.sort()
    for f in files:
        names.append(os.path.relpath(os.path.join(d, f), src).replace(os.sep, "/"))
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w") as z:
    for n in sorted(names):
        info = zipfile.ZipInfo(n, date_time=stamp)
        info.create_system = 0  # MS-DOS attributes
        info.external_attr = 0x20  # archive bit, as Windows writes it
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(src, n), "rb") as fh:
            z.writestr(info, fh.read(), compresslevel=9)
os.replace(tmp, out)
PY
      ;;
    linux-*)
      mkdir -p "$dir"
      stage_common "$dir" release/readme-linux.txt
      cp "$bin" "$dir/xxgk"
      chmod 0755 "$dir/xxgk"
      out=$dist/$base.tar.gz
      tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        --mode='u=rwX,go=rX' --format=gnu -C "$stage" -cf - "$base" | gzip -9n >"$out.tmp"
      mv "$out.tmp" "$out"
      ;;
  esac
  archives+=("$out")
done
[ ${#archives[@]} -gt 0 ] || { echo "build.sh: nothing built (${broken[*]})" >&2; exit 1; }

(cd "$dist" && sha256sum -- xxgk-"$version"-*.zip xxgk-"$version"-*.tar.gz 2>/dev/null >SHA256SUMS.tmp || true; mv SHA256SUMS.tmp SHA256SUMS)
echo "== dist/"
for a in "${archives[@]}"; do
  printf '   %s  %s bytes\n' "$(basename "$a")" "$(stat -c %s "$a")"
done
cat "$dist/SHA256SUMS"
if [ ${#broken[@]} -gt 0 ]; then
  echo "build.sh: did not build: ${broken[*]} (the compiler's errors are above)" >&2
  exit 1
fi
