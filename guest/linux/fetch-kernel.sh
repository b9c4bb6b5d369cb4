#!/bin/sh
# fetch-kernel.sh: the bzImage of a Debian kernel metapackage's kernel, copied to OUT.
# Usage: fetch-kernel.sh CACHE METAPACKAGE OUT   (e.g. linux-image-cloud-amd64)
#
# The metapackage holds no kernel: its Depends names the real package, at the
# same version, e.g. "linux-image-6.1.0-57-cloud-amd64 (= 6.1.192-3)".
set -eu
cache=$1
meta=$2
out=$3
here=$(dirname "$0")

meta_deb=$(sh "$here/fetch-deb.sh" "$cache" "$meta")
dep=$(dpkg-deb -f "$meta_deb" Depends | tr ',' '\n' | grep -o 'linux-image-[^ ]*.*' | head -1)
name=${dep%% *}
version=$(echo "$dep" | sed -n 's/.*(= *\([^)]*\)).*/\1/p')
[ -n "$name" ] && [ -n "$version" ] ||
	{ echo "fetch-kernel: $meta_deb depends on no linux-image package at one version: $(dpkg-deb -f "$meta_deb" Depends)" >&2; exit 1; }
deb=$(sh "$here/fetch-deb.sh" "$cache" "$name=$version")
echo "fetch-kernel: $meta -> $name $version" >&2
# Only the bzImage: the modules are not needed (the initramfs loads none).
dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' > "$out.tmp"
[ -s "$out.tmp" ] || { echo "fetch-kernel: no ./boot/vmlinuz-* in $deb" >&2; rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
