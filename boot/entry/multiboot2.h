/* multiboot2.h: reading the information a multiboot2 loader hands over (Multiboot2 spec 3.6). */
#ifndef BOOT_ENTRY_MULTIBOOT2_H
#define BOOT_ENTRY_MULTIBOOT2_H

#include <stdint.h>

#include "boot/bootinfo.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* Tag types (Multiboot2 spec 3.6). */
enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

/* Memory map entry types (Multiboot2 spec 3.6.8). */
enum {
	MB2_MEM_AVAILABLE = 1,
	MB2_MEM_ACPI_RECLAIMABLE = 3,
	MB2_MEM_NVS = 4,
	MB2_MEM_BADRAM = 5,
};

enum mb2_err {
	MB2_OK = 0,
	MB2_ERR_MAGIC,    /* EAX did not hold the multiboot2 magic */
	MB2_ERR_SIZE,     /* total_size implausible */
	MB2_ERR_TAG,      /* a tag runs past the end or is too small */
	MB2_ERR_NO_MMAP,  /* no memory map tag */
	MB2_ERR_TOO_MANY, /* more ranges or modules than boot_info holds */
};
const char *mb2_strerror(enum mb2_err e);

/*
 * Translate the information at info (max_len bytes readable) into bi, which
 * the caller has zeroed. Everything is bounds-checked against total_size.
 */
enum mb2_err mb2_parse(uint32_t magic, const void *info, uint64_t max_len, struct boot_info *bi);

#endif
