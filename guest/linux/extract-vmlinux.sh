#!/bin/sh
# extract-vmlinux.sh: the kernel ELF inside a bzImage, stripped, for the PVH loader.
# Usage: extract-vmlinux.sh BZIMAGE OUT
#
# The boot protocol (Documentation/x86/boot.rst) says where the compressed kernel
# is: setup_sects at 0x1f1 (0 means 4) sets where the protected-mode code starts,
# (setup_sects + 1) * 512 bytes into the file; payload_offset (0x248) counts from
# there and payload_length (0x24c) is its size. The payload's last 4 bytes are the
# decompressed size (the kernel build appends it), not compressed data.
set -eu
bz=$1
out=$2

u8() { od -A n -t u1 -j "$1" -N 1 "$bz" | tr -d ' '; }
u32() { od -A n -t u4 -j "$1" -N 4 "$bz" | tr -d ' '; }

[ "$(od -A n -t x1 -j 0x202 -N 4 "$bz" | tr -d ' ')" = 48647253 ] ||
	{ echo "extract-vmlinux: $bz is no bzImage (no HdrS at 0x202)" >&2; exit 1; }
sects=$(u8 $((0x1f1)))
[ "$sects" = 0 ] && sects=4
start=$(( (sects + 1) * 512 + $(u32 $((0x248))) ))
len=$(u32 $((0x24c)))
magic=$(od -A n -t x1 -j "$start" -N 6 "$bz" | tr -d ' ')
payload() { tail -c +$((start + 1)) "$bz" | head -c $((len - 4)); }

case "$magic" in
02214c18*) payload | lz4 -dc > "$out.elf" ;;
1f8b*) payload | gzip -dc > "$out.elf" ;;
fd377a585a00) payload | xz -dc > "$out.elf" ;;
28b52ffd*) payload | zstd -dc > "$out.elf" ;;
*)
	echo "extract-vmlinux: $bz: payload at $start starts with $magic: not LZ4 (legacy), gzip, XZ or" \
		"zstd; this kernel uses another compression (bzip2, LZMA or LZO?), which this script does not unpack" >&2
	exit 1
	;;
esac
[ "$(head -c 4 "$out.elf" | od -A n -t x1 | tr -d ' ')" = 7f454c46 ] ||
	{ echo "extract-vmlinux: the payload of $bz did not decompress to an ELF file" >&2; rm -f "$out.elf"; exit 1; }
# No symbols or debug sections: the loader needs the PT_LOAD segments and the notes only.
objcopy --strip-all "$out.elf" "$out.tmp"
rm -f "$out.elf"
# The PVH entry (XEN_ELFNOTE_PHYS32_ENTRY = 18, in a "Xen" note) must survive: the PVH loader enters there.
readelf -nW "$out.tmp" | grep -Eq '^ *Xen .*(\(0x00000012\)|PHYS32_ENTRY)' ||
	{ echo "extract-vmlinux: no XEN_ELFNOTE_PHYS32_ENTRY (Xen note 0x12) in the kernel of $bz: no PVH entry" >&2
	  rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
