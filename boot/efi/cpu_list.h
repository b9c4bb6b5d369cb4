/* cpu_list.h: the processors UEFI MP services reports, as boot_info CPUs (pure: no firmware, no efi.h). */
#ifndef BOOT_EFI_CPU_LIST_H
#define BOOT_EFI_CPU_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

/* EFI_PROCESSOR_INFORMATION.StatusFlag (PI spec vol. 2, 13.4, GetProcessorInfo()). */
#define EFI_PROCESSOR_AS_BSP_BIT (1u << 0)
#define EFI_PROCESSOR_ENABLED_BIT (1u << 1)
#define EFI_PROCESSOR_HEALTH_STATUS_BIT (1u << 2)

/* EFI_CPU_PHYSICAL_LOCATION. */
struct efi_cpu_location {
	uint32_t package;
	uint32_t core;
	uint32_t thread;
};

/*
 * EFI_PROCESSOR_INFORMATION up to Location. Newer PI specifications append
 * ExtendedInformation (24 bytes), which some firmware writes even when not
 * asked: GetProcessorInfo gets a zeroed buffer of EFI_CPU_INFO_BUF bytes.
 */
struct efi_processor_info {
	uint64_t processor_id; /* the local APIC ID */
	uint32_t status_flag;  /* EFI_PROCESSOR_* */
	struct efi_cpu_location location;
};
_Static_assert(offsetof(struct efi_processor_info, status_flag) == 8, "EFI_PROCESSOR_INFORMATION layout");
_Static_assert(offsetof(struct efi_processor_info, location) == 12, "EFI_PROCESSOR_INFORMATION layout");
_Static_assert(sizeof(struct efi_processor_info) == 24, "EFI_PROCESSOR_INFORMATION layout");

#define EFI_CPU_INFO_BUF 64

union efi_cpu_info_buf {
	struct efi_processor_info info;
	uint8_t bytes[EFI_CPU_INFO_BUF];
};

enum cpu_add_result {
	CPU_ADDED,
	CPU_TABLE_FULL, /* boot_info.cpus[] holds BOOT_CPU_MAX already: dropped */
	CPU_BAD_ID,     /* ProcessorId does not fit an APIC ID (32 bits): dropped */
};

/* BOOT_CPU_BSP and BOOT_CPU_ENABLED from a StatusFlag (the health bit is not passed on). */
static inline uint32_t cpu_flags_from_efi(uint32_t status_flag)
{
	return ((status_flag & EFI_PROCESSOR_AS_BSP_BIT) ? BOOT_CPU_BSP : 0) |
	       ((status_flag & EFI_PROCESSOR_ENABLED_BIT) ? BOOT_CPU_ENABLED : 0);
}

/*
 * Appends the processor to cpus[*count] if *count < max and its ID fits 32
 * bits; *count grows only when it returns CPU_ADDED. Header-only: too small
 * for a file of its own (and the host test's sources line is full).
 */
static inline enum cpu_add_result cpu_list_add(struct boot_cpu *cpus, uint32_t *count, uint32_t max,
                                               const struct efi_processor_info *pi)
{
	if (pi->processor_id > UINT32_MAX)
		return CPU_BAD_ID;
	if (*count >= max)
		return CPU_TABLE_FULL;
	cpus[(*count)++] = (struct boot_cpu){(uint32_t)pi->processor_id, cpu_flags_from_efi(pi->status_flag)};
	return CPU_ADDED;
}

#endif
