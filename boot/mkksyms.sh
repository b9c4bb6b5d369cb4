#!/bin/sh
# mkksyms.sh: turn the function symbols of a linked image into the .ksyms
# section (NASM source on stdout), as vmm/lib/ksyms.h describes it.
# Usage: mkksyms.sh IMAGE.elf   (or with no argument: an empty table)
set -eu
{
	if [ $# -ge 1 ]; then
		nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.\.@/'
	fi
} | awk '
BEGIN { n = 0; off = 0 }
{ addr[n] = $1; name[n] = $3; noff[n] = off; off += length($3) + 1; n++ }
END {
	print "section .ksyms"
	print "global ksyms_count, ksyms_entries, ksyms_names"
	print "align 8"
	print "ksyms_count: dq " n
	print "ksyms_entries:"
	for (i = 0; i < n; i++) printf "\tdq 0x%s, %d\n", addr[i], noff[i]
	print "ksyms_names:"
	for (i = 0; i < n; i++) printf "\tdb \"%s\", 0\n", name[i]
	if (n == 0) print "\tdb 0"
}'
