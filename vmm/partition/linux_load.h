/* linux_load.h: loading an unmodified Linux kernel into guest RAM, as a bzImage or as a PVH vmlinux. */
#ifndef VMM_PARTITION_LINUX_LOAD_H
#define VMM_PARTITION_LINUX_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/partition/mbload.h"

/* What a Linux guest boots with. */
struct linux_args {
	const void *image;
	uint64_t size;
	const char *cmdline; /* 0 or "" for none */
	const void *initrd;  /* 0 for none */
	uint64_t initrd_size;
};

/* The first vCPU's state at the kernel's entry. */
struct linux_entry {
	bool long_mode;    /* bzImage: 64-bit mode, paging on; PVH: flat 32-bit protected mode, paging off */
	uint64_t rip;      /* guest-physical (identity-mapped in 64-bit mode) */
	uint64_t rsi;      /* bzImage: the zero page */
	uint32_t ebx;      /* PVH: struct hvm_start_info */
	uint64_t cr3;      /* bzImage: the identity map */
	uint64_t gdt_base; /* bzImage: __BOOT_CS and __BOOT_DS */
	uint16_t gdt_limit;
	uint16_t code_sel, data_sel;
};

struct linux_result {
	struct linux_entry entry;
	uint64_t boot_info;            /* the zero page or start_info */
	uint64_t kernel_lo, kernel_hi; /* what the kernel may occupy: bzImage to load + init_size */
	uint64_t initrd_lo, initrd_hi; /* 0, 0 without one */
	char error[160];               /* why not, when a loader returns false */
};

/*
 * Check a bzImage (boot.rst: protocol 2.12 or newer with XLF_KERNEL_64) and
 * load it for its 64-bit entry: the protected-mode kernel at pref_address,
 * the initrd at the top of RAM, the zero page, the command line, the identity
 * map and the GDT in low RAM (guest_layout.h). False with error set; RAM is
 * written only once every check passed.
 */
bool linux_bz_load(const struct guest_ram *g, const struct linux_args *a, struct linux_result *out);

/*
 * Check an ELF64 vmlinux with the PVH entry note and load it for its 32-bit
 * entry (pvh.pandoc): PT_LOAD segments at p_paddr, the initrd as module 0 at
 * the top of RAM, struct hvm_start_info with its memory map. False with error
 * set; RAM is written only once every check passed.
 */
bool linux_pvh_load(const struct guest_ram *g, const struct linux_args *a, struct linux_result *out);

/*
 * Is this an ELF64 x86-64 executable with the PVH entry note
 * (XEN_ELFNOTE_PHYS32_ENTRY)? Bounds-checked: any bytes will do. If not and
 * why is not 0, why->error says what is missing.
 */
bool linux_pvh_has_note(const void *image, uint64_t size, struct linux_result *why);

/* Does this start like a bzImage: 0xaa55 at 0x1fe and "HdrS" at 0x202? */
bool linux_bz_signature(const void *image, uint64_t size);

#endif
