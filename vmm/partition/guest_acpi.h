/* guest_acpi.h: the firmware tables a guest finds: RSDP, XSDT, RSDT, FADT, MADT, DSDT (ACPI 6.5, chapter 5). */
#ifndef VMM_PARTITION_GUEST_ACPI_H
#define VMM_PARTITION_GUEST_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/partition/mbload.h"

/*
 * Local APIC entries carry 8-bit APIC IDs and 0xff is the broadcast ID, so
 * IDs 0..254; the I/O APIC's ID follows the vCPUs', leaving one fewer then.
 */
#define GUEST_ACPI_MAX_VCPUS 255

struct guest_acpi_cfg {
	uint32_t vcpus;      /* Local APIC entries with APIC IDs 0..vcpus-1, all enabled */
	uint64_t lapic_base; /* MADT local APIC address */
	bool ioapic;         /* an I/O APIC entry (the virtual IOAPIC, later) */
	uint64_t ioapic_base;
	const uint8_t *dsdt; /* the DSDT, whole (header, checksum: as iasl wrote it) */
	uint32_t dsdt_len;
};

/*
 * Write the RSDP (revision 2) at GUEST_RSDP_GPA and after it the XSDT and
 * the RSDT (both naming the FADT and the MADT), the FADT (revision 6.5,
 * hardware-reduced, with the sleep and reset registers of guest_layout.h)
 * and the MADT, then cfg->dsdt as given, inside the firmware area
 * [GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END), all with valid checksums and
 * OEM id "APICVR"; at GUEST_RESET_VECTOR a stub that writes RESET_REG; the
 * rest of the area is zeroed. With an I/O APIC, ISA IRQ
 * 0 is overridden to GSI 2 (edge, active high). False, nothing written, if
 * g->size < GUEST_FIRMWARE_END, vcpus is 0 or above GUEST_ACPI_MAX_VCPUS
 * (one less with an I/O APIC), an APIC base does not fit the MADT's 32-bit
 * fields, or the DSDT is missing, not one (signature, length, checksum) or
 * too long for the area.
 */
bool guest_acpi_build(const struct guest_ram *g, const struct guest_acpi_cfg *cfg);

#endif
