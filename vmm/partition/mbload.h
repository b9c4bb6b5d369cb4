/* mbload.h: loading a multiboot (version 1) kernel into guest RAM, as QEMU's -kernel does. */
#ifndef VMM_PARTITION_MBLOAD_H
#define VMM_PARTITION_MBLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Guest RAM as one host buffer: guest-physical address g is ram[g], for g in
 * [0, size), except the hole [GUEST_LOW_RAM_END, GUEST_HIGH_RAM_BASE), which
 * nothing may be loaded into (vmm/partition/guest_layout.h).
 */
struct guest_ram {
	uint8_t *ram;
	uint64_t size;
};

struct mb_module {
	const void *data;
	uint64_t size;
	const char *cmdline; /* the module's string in the information block */
};

struct mb_result {
	uint32_t entry;   /* EIP */
	uint32_t mbi;     /* EBX: guest-physical address of the information block */
	uint32_t load_lo; /* lowest and one past the highest byte the kernel occupies */
	uint32_t load_hi;
	uint32_t free_lo; /* first byte after everything placed (kernel, modules, MBI) */
	char error[128];  /* why not, when mb_load returns false */
};

/*
 * Check image (size bytes) as a multiboot kernel and load it: the multiboot
 * header in the first 8192 bytes (magic, checksum, flags: fail on a required
 * feature this loader does not provide), then either the ELF32/ELF64
 * program headers or the header's address fields (flag bit 16), every
 * segment inside the file and inside RAM outside the hole, no two segments
 * overlapping, BSS zero-filled; then the modules (page-aligned when flag 0
 * asks) and the information block (mem_lower/mem_upper, memory map, command
 * line, modules, boot loader name) above the kernel. False with error set;
 * RAM may then be partly written.
 */
/* Does the magic of a multiboot header (3.1.1) appear in the first 8192 bytes, at a 4-byte boundary? */
bool mb_has_magic(const void *image, uint64_t size);

bool mb_load(const struct guest_ram *g, const void *image, uint64_t size, const char *cmdline,
             const struct mb_module *mods, unsigned nmods, struct mb_result *out);

#endif
