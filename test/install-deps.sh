#!/bin/sh
# install-deps.sh: install the Debian packages a target needs, printing what it installs.
# Usage: install-deps.sh build|run|bench|linux|fuzz|test
set -eu

build="gcc make binutils python3 nasm gnu-efi mtools gdisk dosfstools grub-common grub-pc-bin grub-efi-amd64-bin xorriso acpica-tools"
run="$build bochs bochsbios vgabios qemu-system-x86 ovmf"
bench="$run gnuplot-nox"
# make linux: apt-get download and dpkg-deb (apt, dpkg), the static init (libc6-dev), the bzImage's payload
# (lz4, gzip, xz-utils), strip and notes (binutils), the initramfs (python3).
linux="apt dpkg gcc libc6-dev binutils lz4 gzip xz-utils python3"
# The fuzzers (make fuzz, and make test's short run): clang with libFuzzer and the sanitizers' runtime.
fuzz="clang libclang-rt-dev"
test="$bench $linux $fuzz libcmocka-dev python3-pytest python3-pytest-xdist cppcheck clang-format"

case "${1:-}" in
build) want=$build ;;
run) want=$run ;;
bench) want=$bench ;;
linux) want=$linux ;;
fuzz) want=$fuzz ;;
test) want=$test ;;
*) echo "usage: $0 build|run|bench|linux|fuzz|test" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: not root; run as root or install them yourself: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
