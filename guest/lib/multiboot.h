/* multiboot.h: the Multiboot 0.6.96 information block a guest receives in EBX (section 3.3). */
#ifndef GUEST_LIB_MULTIBOOT_H
#define GUEST_LIB_MULTIBOOT_H

#include <stdint.h>

/* mbi->flags: which fields are valid. */
#define MBI_FLAG_MEM (1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS (1u << 3)
#define MBI_FLAG_MMAP (1u << 6)
#define MBI_FLAG_LOADER_NAME (1u << 9)

#define MBI_MEM_LOWER_KIB 640 /* what the guest platform reports */
#define MBI_KIB 1024u         /* the unit of mem_lower and mem_upper */

/* mmap row types. */
#define MB_MMAP_AVAILABLE 1
#define MB_MMAP_RESERVED 2

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, KiB above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));
_Static_assert(sizeof(struct multiboot_info) == 68, "Multiboot 0.6.96, 3.3: up to boot_loader_name");

/* One mmap row; size counts the bytes after itself, so the next row is at (char *)row + size + 4. */
struct multiboot_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct multiboot_mmap) == 24, "Multiboot 0.6.96, 3.3: memory map row");

#endif
