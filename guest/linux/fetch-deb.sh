#!/bin/sh
# fetch-deb.sh: prints the path of a Debian package's .deb in CACHE, downloading it first if absent.
# Usage: fetch-deb.sh CACHE PACKAGE[=VERSION]
#
# apt-get download fetches a .deb without installing anything; a failed download
# is tried once more after apt-get update (a fresh root has no package lists yet).
# A .deb already in CACHE is used as it is: nothing goes online when it is there.
set -eu
cache=$1
pkg=${2%%=*}
ver=
case "$2" in *=*) ver=${2#*=} ;; esac

# The file name apt-get download writes: NAME_VERSION_ARCH.deb, the epoch's ':' as %3a.
find_deb() {
	ls -1 "$cache/${pkg}_${ver:+$(echo "$ver" | sed 's/:/%3a/')_}"*.deb 2>/dev/null | sort -V | tail -1
}

mkdir -p "$cache" || { echo "fetch-deb: cannot create $cache; set LINUX_CACHE to a writable folder" >&2; exit 1; }
deb=$(find_deb)
if [ -z "$deb" ]; then
	echo "fetch-deb: downloading $2 into $cache" >&2
	if ! (cd "$cache" && apt-get download -q "$2" >&2 2>/dev/null); then
		echo "fetch-deb: download failed; apt-get update, then once more" >&2
		apt-get update -q >&2
		(cd "$cache" && apt-get download -q "$2" >&2)
	fi
	deb=$(find_deb)
	[ -n "$deb" ] || { echo "fetch-deb: apt-get download $2 left no .deb in $cache" >&2; exit 1; }
fi
echo "$deb"
