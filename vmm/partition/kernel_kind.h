/* kernel_kind.h: which loader a guest image needs, from its contents. */
#ifndef VMM_PARTITION_KERNEL_KIND_H
#define VMM_PARTITION_KERNEL_KIND_H

#include <stdint.h>

enum kernel_kind {
	KERNEL_MULTIBOOT, /* a multiboot header's magic in the first 8192 bytes: mbload.c */
	KERNEL_BZIMAGE,   /* 0xaa55 at 0x1fe and "HdrS" at 0x202: linux_bz.c */
	KERNEL_PVH,       /* ELF64 with the PVH entry note: linux_pvh.c */
	KERNEL_UNKNOWN,
};

/*
 * In this order: multiboot first, so that every multiboot kernel keeps its
 * loader and its messages (a bad checksum is still the multiboot loader's to
 * report); then the bzImage signature; then an ELF64 with the PVH note.
 */
enum kernel_kind kernel_kind(const void *image, uint64_t size);

/* "multiboot", "bzImage", "PVH" or "unknown", for messages. */
const char *kernel_kind_name(enum kernel_kind k);

/* Why an image of kind KERNEL_UNKNOWN is refused, into buf. */
void kernel_unknown_why(const void *image, uint64_t size, char *buf, uint64_t n);

#endif
