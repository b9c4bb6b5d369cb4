/* vioapic.c: a guest's virtual I/O APIC: 24 pins, the redirection table, remote IRR and EOI (82093AA datasheet). */
#include "lapic/vioapic.h"

#include "vmm/lib/string.h"

#define IOAPIC_ID_SHIFT 24
#define IOAPIC_VERSION_MAX_ENTRY_SHIFT 16

void vioapic_reset(struct vioapic *io, uint8_t id)
{
	memset(io, 0, sizeof(*io));
	io->id = id;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
}

static struct vioapic_msg message(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];
	bool first = !(io->sent >> pin & 1);

	io->sent |= 1u << pin;
	return (struct vioapic_msg){
	        .vector = (uint8_t)(e & IOAPIC_RTE_VECTOR_MASK),
	        .delivery_mode = (uint8_t)((e & IOAPIC_RTE_DELIVERY_MASK) >> IOAPIC_RTE_DELIVERY_SHIFT),
	        .dest_logical = (e & IOAPIC_RTE_DEST_LOGICAL) != 0,
	        .dest = (uint8_t)(e >> IOAPIC_RTE_DEST_SHIFT),
	        .level = vioapic_rte_level(e),
	        .pin = pin,
	        .first = first,
	};
}

/* Send pin's message if its state allows: asserted level pin, unmasked, remote IRR clear. */
static bool try_level(struct vioapic *io, unsigned pin, struct vioapic_msg *msg)
{
	uint64_t e = io->rte[pin];

	if (!vioapic_rte_level(e) || (e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) || !(io->line >> pin & 1))
		return false;
	io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	*msg = message(io, pin);
	return true;
}

uint32_t vioapic_read(struct vioapic *io, uint64_t offset)
{
	if (offset == IOAPIC_MMIO_IOREGSEL)
		return io->ioregsel;
	if (offset != IOAPIC_MMIO_IOWIN)
		return 0;
	uint32_t r = io->ioregsel & 0xff;
	if (r == IOAPIC_REG_ID)
		return (uint32_t)io->id << IOAPIC_ID_SHIFT;
	if (r == IOAPIC_REG_VERSION)
		return VIOAPIC_VERSION | (VIOAPIC_PINS - 1) << IOAPIC_VERSION_MAX_ENTRY_SHIFT;
	if (r == IOAPIC_REG_ARB)
		return (uint32_t)io->id << IOAPIC_ID_SHIFT;
	if (r >= IOAPIC_REG_REDTBL_BASE && r < IOAPIC_REG_REDTBL_BASE + 2 * VIOAPIC_PINS) {
		uint64_t e = io->rte[(r - IOAPIC_REG_REDTBL_BASE) / 2];
		return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0;
}

static void write_rte(struct vioapic *io, uint32_t r, uint32_t value, struct vioapic_msg *msgs, unsigned *n)
{
	unsigned pin = (r - IOAPIC_REG_REDTBL_BASE) / 2;
	uint64_t e = io->rte[pin];

	if (r & 1)
		e = (e & 0xffffffffull) | (uint64_t)value << 32;
	else
		e = (e & ~0xffffffffull) | (value & ~(uint32_t)IOAPIC_RTE_READONLY) | (e & IOAPIC_RTE_READONLY);
	/* An edge entry (SMI, NMI, INIT and ExtINT are edge whatever bit 15 says) has no remote IRR. */
	if (!vioapic_rte_level(e))
		e &= ~IOAPIC_RTE_REMOTE_IRR;
	if (e != io->rte[pin])
		io->sent &= ~(1u << pin);
	io->rte[pin] = e;
	/* Unmasking a level pin that is still asserted delivers it now. */
	if (try_level(io, pin, &msgs[*n]))
		(*n)++;
}

void vioapic_write(struct vioapic *io, uint64_t offset, uint32_t value, struct vioapic_msg msgs[VIOAPIC_MAX_MSGS],
                   unsigned *n)
{
	*n = 0;
	if (offset == IOAPIC_MMIO_IOREGSEL) {
		io->ioregsel = value & 0xff;
		return;
	}
	if (offset == IOAPIC_MMIO_EOI) {
		vioapic_eoi(io, (uint8_t)value, msgs, n);
		return;
	}
	if (offset != IOAPIC_MMIO_IOWIN)
		return;
	uint32_t r = io->ioregsel;
	if (r == IOAPIC_REG_ID)
		io->id = (uint8_t)((value >> IOAPIC_ID_SHIFT) & 0xf);
	else if (r >= IOAPIC_REG_REDTBL_BASE && r < IOAPIC_REG_REDTBL_BASE + 2 * VIOAPIC_PINS)
		write_rte(io, r, value, msgs, n);
}

bool vioapic_set_line(struct vioapic *io, unsigned pin, bool asserted, struct vioapic_msg *msg)
{
	if (pin >= VIOAPIC_PINS)
		return false;
	bool was = io->line >> pin & 1;
	io->line = asserted ? io->line | 1u << pin : io->line & ~(1u << pin);
	uint64_t e = io->rte[pin];
	if (vioapic_rte_level(e))
		return try_level(io, pin, msg);
	if (!asserted || was || (e & IOAPIC_RTE_MASKED))
		return false; /* edge pins send on a rising edge only; a masked edge is lost */
	*msg = message(io, pin);
	return true;
}

void vioapic_eoi(struct vioapic *io, uint8_t vector, struct vioapic_msg msgs[VIOAPIC_MAX_MSGS], unsigned *n)
{
	*n = 0;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		if (!vioapic_rte_level(e) || (e & IOAPIC_RTE_VECTOR_MASK) != vector || !(e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		if (try_level(io, pin, &msgs[*n]))
			(*n)++;
	}
}
