/* memmap_conv.h: the firmware's memory map as boot_info ranges (pure: no firmware, no efi.h). */
#ifndef BOOT_EFI_MEMMAP_CONV_H
#define BOOT_EFI_MEMMAP_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10, 7.2 GetMemoryMap); the firmware's stride may be larger. */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t num_pages; /* 4 KiB pages */
	uint64_t attribute;
};
_Static_assert(sizeof(struct efi_mem_desc) == 40, "EFI_MEMORY_DESCRIPTOR layout");

/* EFI_MEMORY_TYPE values (UEFI 2.10, 7.2), named apart from efi.h's enum. */
enum efi_mem_type_num {
	EFI_MT_RESERVED = 0,
	EFI_MT_LOADER_CODE = 1,
	EFI_MT_LOADER_DATA = 2,
	EFI_MT_BOOT_SERVICES_CODE = 3,
	EFI_MT_BOOT_SERVICES_DATA = 4,
	EFI_MT_RUNTIME_SERVICES_CODE = 5,
	EFI_MT_RUNTIME_SERVICES_DATA = 6,
	EFI_MT_CONVENTIONAL = 7,
	EFI_MT_UNUSABLE = 8,
	EFI_MT_ACPI_RECLAIM = 9,
	EFI_MT_ACPI_NVS = 10,
	EFI_MT_MMIO = 11,
	EFI_MT_MMIO_PORT_SPACE = 12,
	EFI_MT_PAL_CODE = 13,
	EFI_MT_PERSISTENT = 14,
};

#define EFI_PAGE_BYTES 4096ull

/* The boot_mem_type for an EFI memory type (unknown types are reserved). */
uint32_t memmap_type_from_efi(uint32_t efi_type);

/*
 * Converts the map [map, map+map_size) of desc_size-byte descriptors into
 * out[], sorted by address, with adjacent ranges of one type merged. Sorts
 * the descriptors in place first (UEFI does not promise an order). Returns
 * how many ranges the map needs; if that is more than max, out[] holds the
 * first max of them. Precondition: desc_size >= sizeof(struct efi_mem_desc).
 */
uint32_t memmap_from_efi(void *map, size_t map_size, size_t desc_size, struct boot_mem_range *out, uint32_t max);

/*
 * The highest end address of any descriptor that is not MMIO (RAM, firmware,
 * ACPI, reserved): what the hand-off identity map must cover.
 */
uint64_t memmap_efi_top(const void *map, size_t map_size, size_t desc_size);

#endif
