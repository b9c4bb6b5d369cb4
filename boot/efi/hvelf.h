/* hvelf.h: checking hv.elf and finding its image header (pure: no firmware, no efi.h). */
#ifndef BOOT_EFI_HVELF_H
#define BOOT_EFI_HVELF_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

#define HVELF_HIGHER_HALF 0xffff800000000000ull
#define HVELF_SEG_MAX 16
#define HVELF_IMAGE_MAX (1ull << 30) /* a sanity bound, far above any real image */

/* One higher-half PT_LOAD segment: copy filesz bytes from offset, zero up to memsz. */
struct hvelf_seg {
	uint64_t offset;
	uint64_t vaddr;
	uint64_t filesz;
	uint64_t memsz;
};

struct hvelf_image {
	struct hv_image_header hdr;
	uint64_t preferred_phys; /* p_paddr of the lowest higher-half segment */
	uint32_t seg_count;
	struct hvelf_seg seg[HVELF_SEG_MAX];
	uint32_t bad_seg; /* on HVELF_ERR_SEG_OUTSIDE: which segment (index into seg[]) */
};

enum hvelf_err {
	HVELF_OK,
	HVELF_ERR_TOO_SMALL,
	HVELF_ERR_NOT_ELF,
	HVELF_ERR_NOT_ELF64_LE,
	HVELF_ERR_NOT_EXEC,
	HVELF_ERR_NOT_X86_64,
	HVELF_ERR_PHDRS,
	HVELF_ERR_SEG_FILE,
	HVELF_ERR_SEG_SIZE,
	HVELF_ERR_TOO_MANY_SEGS,
	HVELF_ERR_NO_IMAGE,
	HVELF_ERR_NO_HEADER,
	HVELF_ERR_BAD_HEADER,
	HVELF_ERR_SEG_OUTSIDE,
};

/*
 * Checks the ELF file [file, file+len) and fills *out with the image header
 * and the higher-half segments, sorted by address. Returns HVELF_OK or what
 * is wrong (hvelf_strerror names it). Reads nothing outside the buffer.
 */
enum hvelf_err hvelf_parse(const void *file, uint64_t len, struct hvelf_image *out);
const char *hvelf_strerror(enum hvelf_err e);

#endif
