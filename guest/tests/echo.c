/*
 * echo.c: serial input by interrupt: what is typed at the hypervisor's console
 * reaches this guest's COM1, whose received-data interrupt arrives through
 * I/O APIC pin 4 (PC16550D datasheet; docs/guest-platform.md). The guest
 * echoes each line it receives as "echo: <line>".
 * Options: lines=N (default 1): how many lines to take before the summary;
 * wait=hlt (default) or wait=spin: wait for input halted, or spinning with
 * interrupts on (so the host's interrupt arrives while the guest runs);
 * tpr=N (default 0): the task priority it waits with, so that an interrupt of
 * a class at or below N's stays pending (the shell's apic view shows it; the
 * receive vector's class, 5, must stay above it).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"

#include "vmm/lib/string.h"

#define VEC_RX 0x51
#define UART_IRQ 4 /* COM1 is ISA IRQ 4; the MADT has no override for it */
#define UART_RBR (COM1_PORT + 0)
#define UART_IER (COM1_PORT + 1)
#define UART_IIR (COM1_PORT + 2)
#define UART_MCR (COM1_PORT + 4)
#define UART_LSR_PORT (COM1_PORT + UART_LSR)
#define UART_IER_ERBFI 0x01
#define UART_IIR_ID_MASK 0x0f
#define UART_IIR_RDA 0x04
#define UART_MCR_OUT2 0x08
#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define LINE_MAX 128

/* Filled by the interrupt handler, emptied by the main loop with interrupts off. */
static volatile struct {
	char buf[LINE_MAX * 2];
	unsigned len;
	uint32_t interrupts, not_rda, overruns, dropped, late;
} rx;

/*
 * Each interrupt should say "received data available", and everything
 * waiting is taken (PC16550D, Table IV). One that finds nothing pending is
 * legitimate only after a run of this handler that took a byte which came
 * while it ran: that byte raised the edge-triggered line again (an interrupt
 * latched in IRR) and was taken here already. `late` counts those bytes.
 */
static void rx_handler(uint8_t v)
{
	(void)v;
	unsigned taken = 0;
	rx.interrupts++;
	if ((inb(UART_IIR) & UART_IIR_ID_MASK) != UART_IIR_RDA)
		rx.not_rda++;
	for (uint8_t lsr; (lsr = inb(UART_LSR_PORT)) & UART_LSR_DR; taken++) {
		if (lsr & UART_LSR_OE)
			rx.overruns++;
		uint8_t c = inb(UART_RBR);
		if (rx.len < sizeof(rx.buf))
			rx.buf[rx.len++] = (char)c;
		else
			rx.dropped++;
	}
	if (taken > 1)
		rx.late += taken - 1;
	apic_eoi();
}

/* Move what arrived into line; true when a line ended (CR or LF: terminals send CR for Enter). */
static bool take_input(char *line, unsigned *len)
{
	bool ended = false;
	unsigned used = 0;

	cli();
	while (used < rx.len && !ended) {
		char c = rx.buf[used++];
		if (c == '\r' || c == '\n')
			ended = *len > 0; /* an empty line (the LF after a CR) is skipped */
		else if (*len < LINE_MAX - 1)
			line[(*len)++] = c;
	}
	for (unsigned i = used; i < rx.len; i++)
		rx.buf[i - used] = rx.buf[i];
	rx.len -= used;
	return ended;
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	const char *cl = guest_cmdline(mbi);
	unsigned lines = cmdline_uint(cl, "lines", 1);
	size_t wlen;
	const char *wait = cmdline_find(cl, "wait", &wlen);
	bool spin = wait && wlen == 4 && memcmp(wait, "spin", 4) == 0;
	char line[LINE_MAX];
	unsigned len = 0;

	apic_suite_start("echo", "serial input by interrupt", mbi);
	apic_suite_setup();
	irq_set_handler(VEC_RX, rx_handler);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(UART_IRQ), apic_id() << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(UART_IRQ), VEC_RX); /* edge, active high, fixed */
	outb(UART_MCR, inb(UART_MCR) | UART_MCR_OUT2);
	outb(UART_IER, UART_IER_ERBFI);
	uint32_t tpr = cmdline_uint(cl, "tpr", 0);
	if (tpr) {
		apic_write(APIC_REG_TPR, tpr);
		guest_printf("# echo: TPR %#x: vectors up to %#x stay pending\n", tpr, (tpr & 0xf0) | 0xf);
	}
	guest_printf("# echo: ready for %u line(s), waiting %s\n", lines, spin ? "in a PAUSE loop" : "in HLT");
	for (unsigned done = 0; done < lines;) {
		if (take_input(line, &len)) {
			line[len] = '\0';
			guest_printf("echo: %s\n", line);
			len = 0;
			done++;
			continue;
		}
		if (spin) {
			sti();
			while (!rx.len)
				__asm__ volatile("pause" ::: "memory");
		} else {
			__asm__ volatile("sti; hlt" ::
			                         : "memory"); /* the STI shadow: no interrupt slips in before the HLT */
		}
	}
	cli();
	outb(UART_IER, 0);
	guest_printf("# %u receive interrupt(s)\n", rx.interrupts);
	expect_true("the input came by interrupt", rx.interrupts > 0);
	guest_printf("# %u interrupt(s) found nothing pending; %u byte(s) came while the handler ran\n", rx.not_rda,
	             rx.late);
	expect_true("an interrupt finds nothing pending only after the handler took a byte that came later",
	            rx.not_rda <= rx.late);
	expect_eq("no receiver overrun", rx.overruns, 0);
	expect_eq("no byte dropped by the guest", rx.dropped, 0);
	expect_eq("no stray interrupts", irq_stray(0), 0);
	guest_finish();
}
