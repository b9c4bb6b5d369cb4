/* madt.h: reading the processors and interrupt controllers from the MADT (ACPI 6.5, 5.2.12). */
#ifndef ARCH_X86_MADT_H
#define ARCH_X86_MADT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/acpi.h"

#define MADT_MAX_CPUS 256
#define MADT_MAX_IOAPICS 8
#define MADT_ISA_IRQS 16

/* Interrupt controller structure types (ACPI 6.5, Table 5.45). */
enum {
	MADT_TYPE_LOCAL_APIC = 0,
	MADT_TYPE_IO_APIC = 1,
	MADT_TYPE_INTERRUPT_OVERRIDE = 2,
	MADT_TYPE_LOCAL_APIC_NMI = 4,
	MADT_TYPE_LOCAL_APIC_OVERRIDE = 5,
	MADT_TYPE_LOCAL_X2APIC = 9,
	MADT_TYPE_LOCAL_X2APIC_NMI = 10,
};

/* Local APIC flags (ACPI 6.5, Table 5.47). */
#define MADT_LAPIC_ENABLED (1u << 0)
#define MADT_LAPIC_ONLINE_CAPABLE (1u << 1)

/* MPS INTI flags of an Interrupt Source Override (ACPI 6.5, Table 5.50). */
#define MADT_INTI_POLARITY_MASK 0x3u
#define MADT_INTI_POLARITY_HIGH 0x1u
#define MADT_INTI_POLARITY_LOW 0x3u
#define MADT_INTI_TRIGGER_MASK 0xcu
#define MADT_INTI_TRIGGER_EDGE 0x4u
#define MADT_INTI_TRIGGER_LEVEL 0xcu

/* MADT flags (ACPI 6.5, Table 5.44). */
#define MADT_PCAT_COMPAT (1u << 0)

struct madt_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool x2apic_entry; /* listed by a Local x2APIC structure */
};

struct madt_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

/* Where an ISA IRQ arrives: identity-mapped, edge, active high unless an override says otherwise. */
struct madt_isa_irq {
	uint32_t gsi;
	bool level;      /* level-triggered */
	bool active_low; /* low polarity */
};

struct madt_info {
	uint64_t lapic_address; /* the 32-bit field, or the 64-bit override */
	uint32_t flags;
	uint32_t cpu_count; /* enabled processors, in table order */
	struct madt_cpu cpus[MADT_MAX_CPUS];
	uint32_t disabled_count;  /* listed but neither enabled nor online-capable */
	uint32_t duplicate_count; /* an APIC ID listed again: ignored */
	uint32_t overflow_count;  /* enabled processors beyond MADT_MAX_CPUS */
	uint32_t ioapic_count;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	struct madt_isa_irq isa[MADT_ISA_IRQS]; /* after the Interrupt Source Overrides (ACPI 6.5, 5.2.12.5) */
};

/*
 * Parse a checked MADT (signature "APIC", length and checksum already
 * verified). Every entry's length is checked: an entry shorter than its type
 * requires, shorter than 2 bytes, or running past the table is malformed.
 * Processors that are only online-capable (hot-pluggable) are counted as
 * disabled: nothing starts them.
 */
enum acpi_err madt_parse(const struct acpi_sdt_header *madt, struct madt_info *out);

#endif
