/* pvh.h: the PVH boot ABI: the entry note and struct hvm_start_info (Xen's public/arch-x86/hvm/start_info.h,
 * docs/misc/pvh.pandoc). */
#ifndef VMM_PARTITION_PVH_H
#define VMM_PARTITION_PVH_H

#include <stddef.h>
#include <stdint.h>

/* ELF note owner "Xen", type XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit physical entry point (xen/include/public/elfnote.h).
 */
#define PVH_NOTE_NAME "Xen"
#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define HVM_START_MAGIC 0x336ec578u
#define HVM_START_VERSION 1 /* with the memory map */

/* What EBX points to at the entry, version 1. */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr; /* nr_modules struct hvm_modlist_entry */
	uint64_t cmdline_paddr; /* NUL-terminated, or 0 */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version 1: memmap_entries struct hvm_memmap_entry */
	uint32_t memmap_entries;
	uint32_t reserved; /* 0 */
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");
_Static_assert(offsetof(struct hvm_start_info, modlist_paddr) == 16, "modlist_paddr");
_Static_assert(offsetof(struct hvm_start_info, rsdp_paddr) == 32, "rsdp_paddr");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40, "memmap_paddr");
_Static_assert(offsetof(struct hvm_start_info, memmap_entries) == 48, "memmap_entries");

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type; /* the E820 types */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_table_entry");
#define HVM_MEMMAP_TYPE_RAM 1
#define HVM_MEMMAP_TYPE_RESERVED 2

#endif
