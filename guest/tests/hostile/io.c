/*
 * io.c: attacks through the guest's I/O APIC and its console (docs/hostile-suite.md): entries aimed at every
 * physical and logical destination in every delivery mode, driven by HC_IOAPIC_LINE (only its own vCPUs can
 * match: the exact number of arrivals is known), its registers beyond the table; and console output full of
 * escape sequences and control characters, which reach the operator's terminal only as the console lets them.
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/exit/hypercall.h"
#include "vmm/partition/guest_layout.h"

#define VEC_IO 0x60
#define PIN 9
#define LEVEL_STORM 500
#define IOAPIC_REG_LAST 0xff
#define XAPIC_LDR_BIT0 (1u << 24)
#define DESTS 256

static void route(unsigned pin, uint32_t low, uint32_t dest)
{
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(pin), dest << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(pin), low);
}

static void edge(unsigned pin)
{
	vmcall(HC_IOAPIC_LINE, pin, 1, 0);
	vmcall(HC_IOAPIC_LINE, pin, 0, 0);
}

/* Whether an I/O APIC message to dest (8 bits, xAPIC format) reaches vCPU 0: its ID 0, logical ID bit 0. */
static bool io_hits_me(uint32_t dest, bool logical)
{
	if (dest == 0xff)
		return true;
	return logical ? (dest & 1) != 0 : dest == h.me;
}

static uint32_t dm(uint32_t mode) { return mode << IOAPIC_RTE_DELIVERY_SHIFT; }

/* Fixed and lowest priority to every destination, physical and logical: arrivals exactly where it matches. */
static void every_destination(void)
{
	uint32_t want = 0;

	irq_reset();
	for (unsigned logical = 0; logical < 2; logical++)
		for (uint32_t dest = 0; dest < DESTS; dest++)
			for (unsigned lowest = 0; lowest < 2; lowest++) {
				uint32_t low = VEC_IO | dm(lowest ? IOAPIC_DM_LOWEST : IOAPIC_DM_FIXED) |
				               (logical ? IOAPIC_RTE_DEST_LOGICAL : 0);
				route(PIN, low, dest);
				edge(PIN);
				if (io_hits_me(dest, logical))
					await_irq(VEC_IO, ++want);
			}
	settle_irqs();
	expect_eq("fixed and lowest priority to all 256 destinations, physical and logical: one each that names it",
	          irq_count(0, VEC_IO), want);
	expect_eq("(that is, 2 * 2 physical: its ID and 0xff; 2 * 128 logical: bit 0)", want, 2 * 2 + 2 * 128);
}

/*
 * NMI and INIT to every destination but its own (an INIT to vCPU 0 resets the guest: attack init-bsp). An NMI for
 * itself is injected at the entry after the HC_IOAPIC_LINE that raised it, before its next instruction.
 */
static void nmi_init_elsewhere(void)
{
	uint32_t nmi_want = 0;

	irq_reset();
	for (uint32_t dest = 0; dest < DESTS; dest++) {
		route(PIN, dm(IOAPIC_DM_NMI), dest);
		edge(PIN);
		nmi_want += io_hits_me(dest, false);
		if (io_hits_me(dest, false))
			continue;
		route(PIN, dm(IOAPIC_DM_INIT), dest);
		edge(PIN);
	}
	settle_irqs();
	expect_eq("NMI entries to every destination: an NMI for each that names it", irq_count(0, APIC_NMI_VECTOR),
	          nmi_want);
}

/* SMI, ExtINT and the reserved modes: never delivered, said once per pin and entry. */
static void undeliverable(void)
{
	static const uint32_t modes[] = {IOAPIC_DM_SMI, 3, 6, IOAPIC_DM_EXTINT};

	irq_reset();
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (uint32_t dest = 0; dest < 4; dest++) {
			route(PIN, VEC_IO | dm(modes[m]), dest == 3 ? 0xff : dest);
			for (unsigned i = 0; i < 8; i++)
				edge(PIN);
		}
	settle_irqs();
	expect_eq("SMI, ExtINT and the reserved modes: nothing arrives", irq_count(0, VEC_IO) + irq_count(0, 2), 0);
}

/*
 * A level-triggered storm: every pin routed to itself, asserted, its line never quieted by the handler, so each
 * EOI finds the lines high and sends the vector again (82093AA datasheet, 3.2.4: remote IRR). Only its own
 * core is busy; after LEVEL_STORM deliveries the handler lowers the lines, and the storm ends at that EOI.
 */
static volatile uint32_t storm_seen;

static void storm_handler(uint8_t v)
{
	(void)v;
	if (++storm_seen == LEVEL_STORM)
		for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
			vmcall(HC_IOAPIC_LINE, pin, 0, 0);
	apic_eoi();
}

static void level_storm(void)
{
	irq_reset();
	storm_seen = 0;
	irq_set_handler(VEC_IO, storm_handler);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		route(pin, VEC_IO | IOAPIC_RTE_LEVEL, h.me);
		vmcall(HC_IOAPIC_LINE, pin, 1, 0);
	}
	await_irq(VEC_IO, LEVEL_STORM);
	settle_irqs();
	expect_eq("24 level pins held high: the vector again at each EOI, until the handler lowered them",
	          irq_count(0, VEC_IO), LEVEL_STORM);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		route(pin, IOAPIC_RTE_MASKED, 0);
	irq_set_handler(VEC_IO, irq_handler_eoi);
}

static void registers(void)
{
	uint32_t version = ioapic_read(suite.ioapic_base, IOAPIC_REG_VERSION), bad = 0;

	ioapic_write(suite.ioapic_base, IOAPIC_REG_VERSION, 0);
	expect_eq("the version register is read-only", ioapic_read(suite.ioapic_base, IOAPIC_REG_VERSION), version);
	for (uint32_t r = IOAPIC_REG_REDTBL_BASE + 2 * VIOAPIC_PINS; r <= IOAPIC_REG_LAST; r++) {
		ioapic_write(suite.ioapic_base, r, 0xffffffffu);
		bad += ioapic_read(suite.ioapic_base, r) != 0;
	}
	expect_eq("registers past the redirection table read 0, writes dropped", bad, 0);
	wr32(GUEST_IOAPIC_BASE + IOAPIC_MMIO_EOI, 0xffffffffu); /* an EOI for vector 0xff: nothing waits for it */
}

static void ioapic(void)
{
	if (in_x2apic()) {
		guest_printf("# hostile: the ioapic attack runs in xAPIC mode (its destinations are xAPIC IDs)\n");
		expect_true("ioapic runs in xAPIC mode", false);
		return;
	}
	apic_write(APIC_REG_DFR, APIC_DFR_MODEL_FLAT);
	apic_write(APIC_REG_LDR, XAPIC_LDR_BIT0);
	irq_set_handler(VEC_IO, irq_handler_eoi);
	registers();
	every_destination();
	nmi_init_elsewhere();
	undeliverable();
	level_storm();
	route(PIN, IOAPIC_RTE_MASKED, 0);
	expect_eq("nothing else arrived", irq_stray(0), 0);
}

/* ---- the console ---- */

static void console(void)
{
	static const char *const lines[] = {
	        "\x1b[2J\x1b[H\x1b[31mcleared the screen, red",
	        "\x1b]0;a window title\x07 and \x1b]8;;http://example.invalid\x1b\\a link\x1b]8;;\x1b\\",
	        "\x1b"
	        "c a full terminal reset (RIS)",
	        "\x1b[6n a cursor position query, \x1b[c a device attributes query",
	        "\x1b[999999999999;999999999999H a huge cursor move, \x1b[?1049h the alternate screen",
	        "back\b\b\b\bspaces, a bell\x07, DEL\x7f, a carriage return\rover the start",
	        "\x9b"
	        "31m an 8-bit CSI, \x9d"
	        "0;t\x9c an 8-bit OSC, \xc3\x28 bad UTF-8, \xff\xfe",
	        "[cpu0] HV PANIC: a line that looks like the hypervisor's own",
	};
	for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		guest_puts(lines[i]);
		guest_putc('\n');
	}
	guest_putc(0);
	guest_puts("a NUL before this\n");
	for (unsigned i = 0; i < 600; i++)
		guest_putc((char)('a' + i % 26)); /* longer than the console's line */
	guest_putc('\n');
	guest_puts("\x1b[0m# hostile: the console attack is over\n");
	expect_true("the console took every byte", true);
}

const struct attack io_attacks[] = {
        {"ioapic", CONTAINED, 1,
         "I/O APIC entries to every destination in every mode: only its own vCPU gets anything, counted exactly",
         ioapic},
        {"console", CONTAINED, 1, "escape sequences and control characters on COM1: the guest goes on", console},
        {0},
};
