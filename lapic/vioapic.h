/* vioapic.h: a guest's virtual I/O APIC: 24 pins, the redirection table, remote IRR and EOI (82093AA datasheet). */
#ifndef LAPIC_VIOAPIC_H
#define LAPIC_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VIOAPIC_PINS 24
#define VIOAPIC_VERSION 0x20 /* has the EOI register (ICH and later; 82093AA is 0x11) */

/* MMIO offsets in the I/O APIC page (82093AA datasheet, 3.1; EOI from the ICH datasheets). */
#define IOAPIC_MMIO_IOREGSEL 0x00
#define IOAPIC_MMIO_IOWIN 0x10
#define IOAPIC_MMIO_EOI 0x40

/* Indirect registers (82093AA datasheet, 3.2). */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL_BASE 0x10

/* Redirection-table entry bits (82093AA datasheet, 3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK 0xffull
#define IOAPIC_RTE_DELIVERY_SHIFT 8
#define IOAPIC_RTE_DELIVERY_MASK (7ull << IOAPIC_RTE_DELIVERY_SHIFT)
#define IOAPIC_RTE_DEST_LOGICAL (1ull << 11)
#define IOAPIC_RTE_DELIVERY_STATUS (1ull << 12) /* read-only */
#define IOAPIC_RTE_POLARITY_LOW (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ull << 14) /* read-only */
#define IOAPIC_RTE_LEVEL (1ull << 15)
#define IOAPIC_RTE_MASKED (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56
#define IOAPIC_RTE_READONLY (IOAPIC_RTE_DELIVERY_STATUS | IOAPIC_RTE_REMOTE_IRR)

/* Delivery modes, bits 10:8 (82093AA datasheet, 3.2.4): the local APIC's ICR encodes them alike. */
#define IOAPIC_DM_FIXED 0u
#define IOAPIC_DM_LOWEST 1u
#define IOAPIC_DM_SMI 2u
#define IOAPIC_DM_NMI 4u
#define IOAPIC_DM_INIT 5u
#define IOAPIC_DM_EXTINT 7u /* 3 and 6 are reserved */

/*
 * Whether an entry is level-triggered as it works: only fixed and lowest
 * priority can be. SMI, NMI, INIT and ExtINT are "treated as edge triggered
 * even if programmed as level" (82093AA datasheet, 3.2.4); the reserved
 * modes are taken as edge too. Only such entries set remote IRR and wait for
 * an EOI.
 */
static inline bool vioapic_rte_level(uint64_t rte)
{
	uint64_t mode = (rte & IOAPIC_RTE_DELIVERY_MASK) >> IOAPIC_RTE_DELIVERY_SHIFT;

	return (rte & IOAPIC_RTE_LEVEL) && (mode == IOAPIC_DM_FIXED || mode == IOAPIC_DM_LOWEST);
}

/* An interrupt message the I/O APIC sends to the local APICs it addresses. */
struct vioapic_msg {
	uint8_t vector;
	uint8_t delivery_mode; /* IOAPIC_DM_*, as the local APIC's ICR encodes it: fixed 0, lowest priority 1, ... */
	bool dest_logical;
	uint8_t dest; /* bits 63:56 of the entry */
	bool level;   /* vioapic_rte_level: level-triggered as it works */
	unsigned pin;
	bool first; /* the pin's first message since its entry last changed: a caller can say something once */
};

/* At most one message per pin can result from a single operation. */
#define VIOAPIC_MAX_MSGS VIOAPIC_PINS

struct vioapic {
	uint8_t id;
	uint32_t ioregsel;
	uint64_t rte[VIOAPIC_PINS];
	uint32_t line; /* bit n: pin n's input is asserted (after polarity) */
	uint32_t sent; /* bit n: pin n sent a message since its entry last changed */
};

/* Reset state: every entry masked, edge, vector 0 (82093AA datasheet, 3.2.4). */
void vioapic_reset(struct vioapic *io, uint8_t id);

/* Register reads and writes at an MMIO offset; 32-bit accesses only (others are ignored / read as 0). */
uint32_t vioapic_read(struct vioapic *io, uint64_t offset);
/* A write may unmask an asserted level pin and so send a message: *n of them land in msgs. */
void vioapic_write(struct vioapic *io, uint64_t offset, uint32_t value, struct vioapic_msg msgs[VIOAPIC_MAX_MSGS],
                   unsigned *n);

/*
 * Drive pin's input (high = asserted, polarity already applied by the caller's
 * device model: a device says "asserted" or not). Edge pins send on a rising
 * edge; level pins send while asserted, unmasked and not awaiting EOI (remote
 * IRR clear), and set remote IRR. Returns true with *msg filled when a message
 * is sent.
 */
bool vioapic_set_line(struct vioapic *io, unsigned pin, bool asserted, struct vioapic_msg *msg);

/*
 * A local APIC broadcast an EOI for vector (or the guest wrote the EOI
 * register): remote IRR clears on every level entry with that vector, and a
 * pin still asserted sends again. *n messages land in msgs.
 */
void vioapic_eoi(struct vioapic *io, uint8_t vector, struct vioapic_msg msgs[VIOAPIC_MAX_MSGS], unsigned *n);

#endif
