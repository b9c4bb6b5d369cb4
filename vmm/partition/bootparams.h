/* bootparams.h: the Linux x86 boot protocol's setup header and zero page (boot.rst, zero-page.rst). */
#ifndef VMM_PARTITION_BOOTPARAMS_H
#define VMM_PARTITION_BOOTPARAMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The real-mode kernel header, at offset 0x1f1 of a bzImage and of the zero
 * page (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header").
 * Each field's protocol version is where boot.rst introduces it.
 */
struct setup_header {
	uint8_t setup_sects; /* 0x1f1: 512-byte sectors of setup code after the boot sector; 0 means 4 */
	uint16_t root_flags;
	uint32_t syssize; /* 0x1f4: protected-mode code in 16-byte paragraphs (2.04+) */
	uint16_t ram_size, vid_mode, root_dev;
	uint16_t boot_flag; /* 0x1fe: 0xaa55 */
	uint16_t jump;      /* 0x200: its second byte + 0x202 is where the header ends */
	uint32_t header;    /* 0x202: "HdrS" */
	uint16_t version;   /* 0x206: protocol, major << 8 | minor */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg, kernel_version;
	uint8_t type_of_loader; /* 0x210 */
	uint8_t loadflags;      /* 0x211 */
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image; /* 0x218 */
	uint32_t ramdisk_size;  /* 0x21c */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr; /* 0x224 */
	uint8_t ext_loader_ver, ext_loader_type;
	uint32_t cmd_line_ptr;    /* 0x228 */
	uint32_t initrd_addr_max; /* 0x22c: the highest address the initrd may occupy (2.03+) */
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel; /* 0x234 */
	uint8_t min_alignment;
	uint16_t xloadflags;   /* 0x236 (2.12+) */
	uint32_t cmdline_size; /* 0x238: longest command line, without its NUL (2.06+) */
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset, payload_length;
	uint64_t setup_data;
	uint64_t pref_address; /* 0x258 (2.10+) */
	uint32_t init_size;    /* 0x260: memory the kernel needs from its load address until it runs (2.10+) */
	uint32_t handover_offset;
	uint32_t kernel_info_offset; /* 0x268 (2.15+) */
} __attribute__((packed));
_Static_assert(sizeof(struct setup_header) == 0x26c - 0x1f1, "setup header ends at 0x26c (protocol 2.15)");
#define SETUP_HDR_OFF(f) (0x1f1 + offsetof(struct setup_header, f))
_Static_assert(SETUP_HDR_OFF(syssize) == 0x1f4, "syssize");
_Static_assert(SETUP_HDR_OFF(boot_flag) == 0x1fe, "boot_flag");
_Static_assert(SETUP_HDR_OFF(header) == 0x202, "header");
_Static_assert(SETUP_HDR_OFF(type_of_loader) == 0x210, "type_of_loader");
_Static_assert(SETUP_HDR_OFF(ramdisk_image) == 0x218, "ramdisk_image");
_Static_assert(SETUP_HDR_OFF(heap_end_ptr) == 0x224, "heap_end_ptr");
_Static_assert(SETUP_HDR_OFF(cmd_line_ptr) == 0x228, "cmd_line_ptr");
_Static_assert(SETUP_HDR_OFF(initrd_addr_max) == 0x22c, "initrd_addr_max");
_Static_assert(SETUP_HDR_OFF(kernel_alignment) == 0x230, "kernel_alignment");
_Static_assert(SETUP_HDR_OFF(xloadflags) == 0x236, "xloadflags");
_Static_assert(SETUP_HDR_OFF(cmdline_size) == 0x238, "cmdline_size");
_Static_assert(SETUP_HDR_OFF(hardware_subarch) == 0x23c, "hardware_subarch");
_Static_assert(SETUP_HDR_OFF(pref_address) == 0x258, "pref_address");
_Static_assert(SETUP_HDR_OFF(init_size) == 0x260, "init_size");

#define BOOT_FLAG_MAGIC 0xaa55u
#define SETUP_HDR_MAGIC 0x53726448u /* "HdrS" little-endian */
#define SETUP_SECTS_DEFAULT 4       /* setup_sects 0 means 4 (boot.rst) */
#define SETUP_SECTOR 512
#define SETUP_ENTRY_64 0x200       /* the 64-bit entry: load address + 0x200 (boot.rst, "64-bit Boot Protocol") */
#define BOOT_PROTOCOL_64 0x20c     /* 2.12: xloadflags, so XLF_KERNEL_64 can say the 64-bit entry is there */
#define BOOT_PROTOCOL_RSDP 0x20e   /* 2.14: acpi_rsdp_addr */
#define LOADER_TYPE_UNDEFINED 0xff /* type_of_loader: a boot loader without an assigned ID */

/* loadflags (0x211) */
#define LOADED_HIGH (1u << 0) /* the protected-mode code loads at 1 MiB or above: a bzImage */
#define CAN_USE_HEAP (1u << 7)
/* xloadflags (0x236) */
#define XLF_KERNEL_64 (1u << 0) /* the 64-bit entry at +0x200 */
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* One row of the BIOS memory map (INT 15h, AX=E820h) as the zero page holds it. */
struct boot_e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct boot_e820_entry) == 20, "e820 entry");
#define E820_TYPE_RAM 1
#define E820_TYPE_RESERVED 2
#define E820_MAX_ENTRIES_ZEROPAGE 128

/* The zero page (Documentation/arch/x86/zero-page.rst): only the fields this loader writes are named. */
struct boot_params {
	uint8_t screen_info[0x40];
	uint8_t apm_bios_info[0x14];
	uint8_t pad1[4];
	uint64_t tboot_addr;
	uint8_t ist_info[0x10];
	uint64_t acpi_rsdp_addr; /* 0x070 (2.14+) */
	uint8_t pad2[0x1e8 - 0x78];
	uint8_t e820_entries; /* 0x1e8 */
	uint8_t eddbuf_entries, edd_mbr_sig_buf_entries, kbd_status, secure_boot;
	uint8_t pad3[2];
	uint8_t sentinel; /* 0x1ef */
	uint8_t pad4;
	struct setup_header hdr; /* 0x1f1 */
	uint8_t pad5[0x290 - 0x26c];
	uint32_t edd_mbr_sig_buffer[16];
	struct boot_e820_entry e820_table[E820_MAX_ENTRIES_ZEROPAGE]; /* 0x2d0 */
	uint8_t pad6[0x1000 - 0xcd0];
} __attribute__((packed));
_Static_assert(sizeof(struct boot_params) == 0x1000, "the zero page is one page");
_Static_assert(offsetof(struct boot_params, acpi_rsdp_addr) == 0x070, "acpi_rsdp_addr");
_Static_assert(offsetof(struct boot_params, e820_entries) == 0x1e8, "e820_entries");
_Static_assert(offsetof(struct boot_params, sentinel) == 0x1ef, "sentinel");
_Static_assert(offsetof(struct boot_params, hdr) == 0x1f1, "setup header");
_Static_assert(offsetof(struct boot_params, edd_mbr_sig_buffer) == 0x290, "edd_mbr_sig_buffer");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "e820_table");

#endif
