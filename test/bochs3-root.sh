#!/bin/sh
# bochs3-root.sh: make (once) a Debian 13 root with Bochs 3.0, whose VMX has posted-interrupt processing.
# Usage: bochs3-root.sh [DIR]   (default /var/cache/apicvisor/trixie; prints DIR when it is ready)
#
# Debian 12's Bochs 2.7 lacks posted-interrupt processing; Debian 13's 3.0 has
# it but needs trixie's C library, so it runs in this root (chroot DIR bochs).
# The root lives outside the repository and is reused by every later run.
set -eu

dir=${1:-/var/cache/apicvisor/trixie}
stamp=$dir/.apicvisor-bochs3-ready

if [ -f "$stamp" ]; then
	echo "$dir"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "bochs3-root: making the Debian 13 root needs root (debootstrap, chroot)" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "bochs3-root: installing debootstrap" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2; }
fi
echo "bochs3-root: making a Debian 13 root with Bochs 3.0 in $dir (about 2 minutes, 510 MB, once)" >&2
rm -rf "$dir"
mkdir -p "$dir"
debootstrap --variant=minbase trixie "$dir" http://deb.debian.org/debian >"$dir.log" 2>&1 ||
	{ echo "bochs3-root: debootstrap failed; see $dir.log" >&2; exit 1; }
chroot "$dir" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bochs bochsbios vgabios bochs-term' >>"$dir.log" 2>&1 ||
	{ echo "bochs3-root: installing Bochs in the root failed; see $dir.log" >&2; exit 1; }
chroot "$dir" bochs --help 2>&1 | grep -q "Usage: bochs" ||
	{ echo "bochs3-root: bochs does not start in the root; see $dir.log" >&2; exit 1; }
touch "$stamp"
echo "$dir"
