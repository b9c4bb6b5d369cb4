/* madt.c: reading the processors and interrupt controllers from the MADT (ACPI 6.5, 5.2.12). */
#include "arch/x86/madt.h"

#include "vmm/lib/string.h"

#define MADT_HEADER_LEN 44 /* SDT header, local APIC address, flags */

/* Minimum length of each structure type this parser reads (ACPI 6.5, 5.2.12.2 ff.). */
static uint8_t min_length(uint8_t type)
{
	switch (type) {
	case MADT_TYPE_LOCAL_APIC: return 8;
	case MADT_TYPE_IO_APIC: return 12;
	case MADT_TYPE_INTERRUPT_OVERRIDE: return 10;
	case MADT_TYPE_LOCAL_APIC_OVERRIDE: return 12;
	case MADT_TYPE_LOCAL_X2APIC: return 16;
	default: return 2;
	}
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void add_cpu(struct madt_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic)
{
	if (!(flags & MADT_LAPIC_ENABLED)) {
		out->disabled_count++;
		return;
	}
	for (uint32_t i = 0; i < out->cpu_count; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			out->duplicate_count++;
			return;
		}
	}
	if (out->cpu_count == MADT_MAX_CPUS) {
		out->overflow_count++;
		return;
	}
	out->cpus[out->cpu_count++] = (struct madt_cpu){apic_id, uid, x2apic};
}

static void add_ioapic(struct madt_info *out, const uint8_t *e)
{
	if (out->ioapic_count == MADT_MAX_IOAPICS)
		return;
	out->ioapics[out->ioapic_count++] = (struct madt_ioapic){e[2], rd32(e + 4), rd32(e + 8)};
}

/*
 * An Interrupt Source Override moves an ISA IRQ to another GSI or changes its
 * trigger and polarity; "conforms to the bus" means ISA's edge, active high
 * (ACPI 6.5, 5.2.12.5). Only bus 0 (ISA) is defined.
 */
static void add_override(struct madt_info *out, const uint8_t *e)
{
	uint8_t bus = e[2], irq = e[3];
	uint16_t flags = (uint16_t)(e[8] | e[9] << 8);

	if (bus != 0 || irq >= MADT_ISA_IRQS)
		return;
	out->isa[irq] = (struct madt_isa_irq){
	        .gsi = rd32(e + 4),
	        .level = (flags & MADT_INTI_TRIGGER_MASK) == MADT_INTI_TRIGGER_LEVEL,
	        .active_low = (flags & MADT_INTI_POLARITY_MASK) == MADT_INTI_POLARITY_LOW,
	};
}

enum acpi_err madt_parse(const struct acpi_sdt_header *madt, struct madt_info *out)
{
	const uint8_t *t = (const uint8_t *)madt;

	memset(out, 0, sizeof(*out));
	for (uint32_t irq = 0; irq < MADT_ISA_IRQS; irq++)
		out->isa[irq].gsi = irq;
	if (memcmp(madt->signature, "APIC", 4) != 0)
		return ACPI_ERR_SIGNATURE;
	if (madt->length < MADT_HEADER_LEN)
		return ACPI_ERR_LENGTH;
	out->lapic_address = rd32(t + 36);
	out->flags = rd32(t + 40);
	for (uint32_t off = MADT_HEADER_LEN; off < madt->length;) {
		if (madt->length - off < 2)
			return ACPI_ERR_MALFORMED;
		const uint8_t *e = t + off;
		uint8_t type = e[0], len = e[1];
		if (len < 2 || len < min_length(type) || len > madt->length - off)
			return ACPI_ERR_MALFORMED;
		switch (type) {
		case MADT_TYPE_LOCAL_APIC: add_cpu(out, e[3], e[2], rd32(e + 4), false); break;
		case MADT_TYPE_LOCAL_X2APIC: add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8), true); break;
		case MADT_TYPE_IO_APIC: add_ioapic(out, e); break;
		case MADT_TYPE_INTERRUPT_OVERRIDE: add_override(out, e); break;
		case MADT_TYPE_LOCAL_APIC_OVERRIDE: memcpy(&out->lapic_address, e + 4, 8); break;
		default: break;
		}
		off += len;
	}
	return ACPI_OK;
}
