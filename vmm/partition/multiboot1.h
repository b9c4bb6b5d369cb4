/* multiboot1.h: the Multiboot Specification 0.6.96 layouts a loader and a guest kernel share. */
#ifndef VMM_PARTITION_MULTIBOOT1_H
#define VMM_PARTITION_MULTIBOOT1_H

/*
 * Only <stdint.h>: a 32-bit guest can include this too. The magic EAX holds
 * at entry (0x2BADB002) is MULTIBOOT_BOOTLOADER_MAGIC in vmm/partition/guest_layout.h.
 */
#include <stdint.h>

/* The OS image header (3.1.1): in the first 8192 bytes, 4-byte aligned. */
#define MULTIBOOT_HEADER_MAGIC 0x1badb002u
#define MULTIBOOT_SEARCH 8192
#define MULTIBOOT_HEADER_ALIGN 4

/* Header flags (3.1.2). Bits 0-15 are required: a loader that lacks one must fail. */
#define MULTIBOOT_PAGE_ALIGN (1u << 0)   /* modules page-aligned */
#define MULTIBOOT_MEMORY_INFO (1u << 1)  /* mem_* and mmap_* in the information block */
#define MULTIBOOT_VIDEO_MODE (1u << 2)   /* video mode table; the header's mode fields valid */
#define MULTIBOOT_AOUT_KLUDGE (1u << 16) /* the header's address fields valid: load by them */
#define MULTIBOOT_REQUIRED_FLAGS 0xffffu

struct multiboot_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum; /* magic + flags + checksum == 0 (mod 2^32) */
	/* Valid when MULTIBOOT_AOUT_KLUDGE is set. */
	uint32_t header_addr;   /* where the header's first byte lands */
	uint32_t load_addr;     /* where the text starts; <= header_addr */
	uint32_t load_end_addr; /* end of the data; 0: to the end of the file */
	uint32_t bss_end_addr;  /* end of the BSS; 0: none */
	uint32_t entry_addr;
	/* Valid when MULTIBOOT_VIDEO_MODE is set. */
	uint32_t mode_type;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
};
_Static_assert(sizeof(struct multiboot_header) == 48, "multiboot_header layout (3.1.1)");
#define MULTIBOOT_HEADER_MIN 12  /* magic, flags, checksum */
#define MULTIBOOT_HEADER_AOUT 32 /* ... and the address fields */

/* Information block flags (3.3): which fields are valid. */
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_BOOTDEV (1u << 1)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define MULTIBOOT_INFO_MODS (1u << 3)
#define MULTIBOOT_INFO_AOUT_SYMS (1u << 4)
#define MULTIBOOT_INFO_ELF_SHDR (1u << 5)
#define MULTIBOOT_INFO_MEM_MAP (1u << 6)
#define MULTIBOOT_INFO_DRIVE_INFO (1u << 7)
#define MULTIBOOT_INFO_CONFIG_TABLE (1u << 8)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)
#define MULTIBOOT_INFO_APM_TABLE (1u << 10)
#define MULTIBOOT_INFO_VBE_INFO (1u << 11)

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes */
	uint32_t mmap_addr;   /* the size field of the first entry */
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
};
_Static_assert(sizeof(struct multiboot_info) == 88, "multiboot_info layout (3.3)");

struct multiboot_mod_list {
	uint32_t mod_start;
	uint32_t mod_end; /* one past the last byte */
	uint32_t cmdline;
	uint32_t pad;
};
_Static_assert(sizeof(struct multiboot_mod_list) == 16, "multiboot module entry layout (3.3)");

/*
 * A memory map entry: size counts the bytes after itself (20 here), the
 * 64-bit fields split in halves as the specification names them, so that
 * the struct needs no packing.
 */
#define MULTIBOOT_MEMORY_AVAILABLE 1
#define MULTIBOOT_MEMORY_RESERVED 2

struct multiboot_mmap_entry {
	uint32_t size;
	uint32_t base_addr_low;
	uint32_t base_addr_high;
	uint32_t length_low;
	uint32_t length_high;
	uint32_t type;
};
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "multiboot memory map entry layout (3.3)");

#endif
