/* guest_acpi.h: the firmware tables a guest finds: RSDP, RSDT, MADT (ACPI 6.5, chapter 5). */
#ifndef VMM_GUEST_ACPI_H
#define VMM_GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/mbload.h"

struct guest_acpi_cfg {
	uint32_t vcpus;        /* Local APIC entries with APIC IDs 0..vcpus-1, all enabled */
	uint64_t lapic_base;   /* MADT local APIC address */
	bool ioapic;           /* an I/O APIC entry (the virtual IOAPIC, later) */
	uint64_t ioapic_base;
};

/*
 * Write the RSDP (revision 0) at GUEST_RSDP_GPA and the RSDT and MADT after
 * it, inside the firmware area [GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END), all
 * with valid checksums and OEM id "APICVR". False if they do not fit.
 */
bool guest_acpi_build(const struct guest_ram *g, const struct guest_acpi_cfg *cfg);

#endif
