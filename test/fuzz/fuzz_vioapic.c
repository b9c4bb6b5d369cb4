/* sources: lapic/vioapic.c vmm/lib/string.c */
/* fuzz_vioapic.c: libFuzzer harness: a guest's I/O APIC driven by register accesses, pin changes and EOIs. */
#include "test/fuzz/fuzz.h"

#include "lapic/vioapic.h"

/*
 * Input: u8 the I/O APIC's ID (mod 16), then operations until the input
 * ends, each an opcode byte and its fields:
 *   0 write: u8 offset selector, u32 value (IOREGSEL, IOWIN, EOI or any offset in the page)
 *   1 read:  u8 offset selector
 *   2 select: u8 register (IOREGSEL, then the write of op 0 and read of op 1 hit it)
 *   3 line:  u8 pin (a few beyond the 24), u8 asserted
 *   4 EOI:   u8 vector, as a local APIC broadcasts it
 *   5 EOI of the oldest level message delivered and not yet EOIed (what a guest's handler does)
 *
 * Checked after each: every message names a pin below 24, once per
 * operation, with the vector, delivery mode, destination and trigger of
 * that pin's entry as it is now, and a level message has left remote IRR
 * set; an edge message comes only from a rising, unmasked line. Remote IRR
 * only on level entries; delivery status never set (delivery is at once);
 * no level message owed (entry unmasked, line asserted, remote IRR clear);
 * line and sent bits only for the 24 pins. Reads: IOREGSEL as written
 * (8 bits), the version register's fixed value, an entry's halves as they
 * are; a write of an entry's low half keeps its read-only bits.
 */

#define OFFSETS 6
static const uint64_t offsets[OFFSETS] = {IOAPIC_MMIO_IOREGSEL, IOAPIC_MMIO_IOWIN, IOAPIC_MMIO_EOI, 0x20, 0x14, 0xff0};

static void check_msgs(const struct vioapic *io, const struct vioapic_msg *m, unsigned n)
{
	uint32_t pins = 0;

	FZ_CHECK(n <= VIOAPIC_MAX_MSGS, "%u messages", n);
	for (unsigned i = 0; i < n; i++) {
		FZ_CHECK(m[i].pin < VIOAPIC_PINS && !(pins >> m[i].pin & 1), "message %u: pin %u (again?)", i,
		         m[i].pin);
		pins |= 1u << m[i].pin;
		uint64_t e = io->rte[m[i].pin];
		FZ_CHECK(m[i].vector == (e & IOAPIC_RTE_VECTOR_MASK) &&
		                 m[i].delivery_mode == ((e & IOAPIC_RTE_DELIVERY_MASK) >> IOAPIC_RTE_DELIVERY_SHIFT) &&
		                 m[i].dest == (uint8_t)(e >> IOAPIC_RTE_DEST_SHIFT) &&
		                 m[i].dest_logical == !!(e & IOAPIC_RTE_DEST_LOGICAL) &&
		                 m[i].level == vioapic_rte_level(e),
		         "pin %u: message differs from its entry %#llx", m[i].pin, (unsigned long long)e);
		FZ_CHECK(!(e & IOAPIC_RTE_MASKED), "pin %u: message from a masked entry", m[i].pin);
		FZ_CHECK(!m[i].level || (e & IOAPIC_RTE_REMOTE_IRR), "pin %u: level message, remote IRR clear",
		         m[i].pin);
	}
}

static void check_state(const struct vioapic *io)
{
	FZ_CHECK(io->ioregsel <= 0xff, "IOREGSEL %#x", io->ioregsel);
	FZ_CHECK((io->line >> VIOAPIC_PINS) == 0 && (io->sent >> VIOAPIC_PINS) == 0, "line %#x sent %#x", io->line,
	         io->sent);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];
		FZ_CHECK(!(e & IOAPIC_RTE_DELIVERY_STATUS), "pin %u: delivery status set", pin);
		FZ_CHECK(!(e & IOAPIC_RTE_REMOTE_IRR) || vioapic_rte_level(e), "pin %u: remote IRR on an edge entry",
		         pin);
		FZ_CHECK(!(vioapic_rte_level(e) && !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
		           (io->line >> pin & 1)),
		         "pin %u: asserted level pin, unmasked, remote IRR clear, yet no message owed is sent", pin);
	}
}

/* Level messages delivered, in order, for op 5's EOI. */
static uint8_t pending[256];
static unsigned npending;

static void delivered(const struct vioapic_msg *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (m[i].level && npending < sizeof(pending))
			pending[npending++] = m[i].vector;
}

static void op_write(struct vioapic *io, uint64_t off, uint32_t value, struct vioapic_msg *msgs)
{
	unsigned n = 99;
	uint32_t r = io->ioregsel;
	bool rte = off == IOAPIC_MMIO_IOWIN && r >= IOAPIC_REG_REDTBL_BASE && r < IOAPIC_REG_REDTBL_BASE + 48;
	uint64_t before = rte ? io->rte[(r - IOAPIC_REG_REDTBL_BASE) / 2] : 0;

	vioapic_write(io, off, value, msgs, &n);
	check_msgs(io, msgs, n);
	FZ_CHECK(off == IOAPIC_MMIO_EOI || n <= 1, "a write sent %u messages", n);
	delivered(msgs, n);
	if (rte && !(r & 1)) {
		uint64_t e = io->rte[(r - IOAPIC_REG_REDTBL_BASE) / 2];
		FZ_CHECK((uint32_t)(e & ~IOAPIC_RTE_READONLY) == (value & ~(uint32_t)IOAPIC_RTE_READONLY) &&
		                 !(e & IOAPIC_RTE_DELIVERY_STATUS),
		         "entry low half %#x written, reads %#llx", value, (unsigned long long)e);
		FZ_CHECK((e >> 32) == (before >> 32), "a low-half write changed the high half");
	}
}

static void op_read(struct vioapic *io, uint64_t off)
{
	uint32_t v = vioapic_read(io, off), r = io->ioregsel & 0xff;

	if (off == IOAPIC_MMIO_IOREGSEL)
		FZ_CHECK(v == io->ioregsel, "IOREGSEL reads %#x", v);
	else if (off == IOAPIC_MMIO_IOWIN && r == IOAPIC_REG_VERSION)
		FZ_CHECK(v == (VIOAPIC_VERSION | (VIOAPIC_PINS - 1) << 16), "version reads %#x", v);
	else if (off == IOAPIC_MMIO_IOWIN && r >= IOAPIC_REG_REDTBL_BASE && r < IOAPIC_REG_REDTBL_BASE + 48) {
		uint64_t e = io->rte[(r - IOAPIC_REG_REDTBL_BASE) / 2];
		FZ_CHECK(v == ((r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e), "entry half reads %#x", v);
	} else if (off != IOAPIC_MMIO_IOWIN)
		FZ_CHECK(v == 0, "offset %#llx reads %#x", (unsigned long long)off, v);
}

static void op_line(struct vioapic *io, unsigned pin, bool asserted)
{
	struct vioapic_msg m;
	bool was = pin < VIOAPIC_PINS && (io->line >> pin & 1);

	if (!vioapic_set_line(io, pin, asserted, &m))
		return;
	check_msgs(io, &m, 1);
	FZ_CHECK(m.pin == pin && asserted, "pin %u (%s) sent for pin %u", pin, asserted ? "high" : "low", m.pin);
	FZ_CHECK(m.level || !was, "edge pin %u sent without a rising edge", pin);
	delivered(&m, 1);
}

static void op_eoi(struct vioapic *io, uint8_t vector, struct vioapic_msg *msgs)
{
	unsigned n = 99;

	vioapic_eoi(io, vector, msgs, &n);
	check_msgs(io, msgs, n);
	for (unsigned i = 0; i < n; i++)
		FZ_CHECK(msgs[i].vector == vector && msgs[i].level, "EOI %#x sent vector %#x", vector, msgs[i].vector);
	delivered(msgs, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct vioapic io;
	struct vioapic_msg *msgs = malloc(VIOAPIC_MAX_MSGS * sizeof(*msgs)); /* exactly that many: ASan sees more */

	if (!msgs)
		abort();
	npending = 0;
	vioapic_reset(&io, fz_u8(&f) % 16);
	check_state(&io);
	while (f.n) {
		switch (fz_u8(&f) % 6) {
		case 0: {
			uint64_t off = offsets[fz_u8(&f) % OFFSETS];
			op_write(&io, off, fz_u32(&f), msgs);
			break;
		}
		case 1: op_read(&io, offsets[fz_u8(&f) % OFFSETS]); break;
		case 2: op_write(&io, IOAPIC_MMIO_IOREGSEL, fz_u8(&f), msgs); break;
		case 3: {
			unsigned pin = fz_u8(&f) % (VIOAPIC_PINS + 4);
			op_line(&io, pin, fz_u8(&f) & 1);
			break;
		}
		case 4: op_eoi(&io, fz_u8(&f), msgs); break;
		default:
			if (npending) {
				uint8_t v = pending[0];
				memmove(pending, pending + 1, --npending);
				op_eoi(&io, v, msgs);
			}
			break;
		}
		check_state(&io);
	}
	free(msgs);
	return 0;
}
