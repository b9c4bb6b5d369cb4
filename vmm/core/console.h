/* console.h: the hypervisor's serial console: its UART, its level, serial input (output calls: vmm/lib/log.h). */
#ifndef VMM_CORE_CONSOLE_H
#define VMM_CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/uart16550.h"
#include "boot/bootinfo.h"
#include "vmm/lib/log.h"

/* Where the console writes: a 16550 at an I/O port or in MMIO, at a baud rate; or nowhere (console=none). */
struct console_cfg {
	bool none;
	struct uart16550 uart;
	uint32_t baud; /* divides UART_BAUD_BASE */
};

/* What is wrong with a console= value. */
enum console_spec_err {
	CONSOLE_SPEC_OK = 0,
	CONSOLE_SPEC_BAD_DEVICE,  /* not com1..com4, a number, mmio:, mmio32: or none */
	CONSOLE_SPEC_BAD_PORT,    /* an I/O port outside 0x1..0xfff8 */
	CONSOLE_SPEC_BAD_ADDRESS, /* no MMIO address, 0, too high, or not 4-byte aligned for mmio32 */
	CONSOLE_SPEC_BAD_BAUD,    /* not a number, 0, or does not divide 115200 into a 16-bit divisor */
};

/* Open the console on the build-time default port; safe before anything else. */
void console_init_early(void);
/*
 * Apply console=, loglevel= from the command line; reports its own errors. An
 * MMIO console waits for console_late_init: its registers need a mapping. One
 * on the local APIC's page or its interrupt-message window, or on the I/O
 * APIC's default page, is refused here already.
 */
void console_apply_cmdline(const char *cmdline);
/*
 * Boot CPU, once paging_init and acpi_init have run and before other CPUs
 * start (the page tables change with no TLB shootdown): switch to a waiting
 * MMIO console, unless the memory map or the MADT says its address is
 * memory or an APIC, and replay on it what was logged before. Later MMIO
 * switches happen at once.
 */
void console_late_init(void);
/*
 * Parse a console= value: com1..com4 | <ioport> | mmio:<addr> | mmio32:<addr>,
 * then optionally ,<baud>; or none. Leaves *out alone unless it returns OK.
 */
enum console_spec_err console_parse_spec(const char *spec, struct console_cfg *out);
/* What a console= error means and what is accepted, for the error line. */
const char *console_spec_strerror(enum console_spec_err e);
/* "port 0x2f8", "mmio32 0xfe032000", "none": the console's name in log lines. */
void console_describe(const struct console_cfg *c, char *buf, size_t size);
struct memmap;
/*
 * The first range of m but reserved ones (RAM, the hypervisor's image, boot
 * modules, ACPI, firmware) that [base, base+len) touches, or NULL: no UART
 * lives there.
 */
const struct boot_mem_range *console_range_memory(const struct memmap *m, uint64_t base, uint64_t len);
/* A physical range where no console UART can be, and what it is, for the error line. */
struct console_range {
	uint64_t base, len;
	const char *what;
};
/* The first of r[0..n) that [base, base+len) overlaps, or NULL. */
const struct console_range *console_range_conflict(uint64_t base, uint64_t len, const struct console_range *r,
                                                   size_t n);
/* Parse a loglevel= value ("error", "warn", "info", "debug" or 0..3). */
bool console_parse_level(const char *s, enum log_level *out);
void console_set_level(enum log_level level);
enum log_level console_level(void);

/*
 * Serial input. The console hands every received byte to one sink (a guest's
 * UART, or later the shell). console_rx_poll reads what the UART holds; it is
 * called from the receive interrupt, or polled where there is none.
 */
typedef void (*console_sink_t)(uint8_t byte);
/* Start receiving into sink; with irq, the UART raises its interrupt line while data waits. */
void console_rx_start(console_sink_t sink, bool irq);
void console_rx_poll(void);
/* The post-mortem: all input to sink, polled, even if the stopped core was in the middle of a read. */
void console_rx_takeover(console_sink_t sink);
/*
 * The ISA IRQ of a port (4 for COM1/COM3, 3 for COM2/COM4), or -1 for any
 * other port; and the console's (-1 for an MMIO console or none, whose input
 * is then polled: vmm/debug/conin.c).
 */
int console_port_isa_irq(uint16_t port);
int console_isa_irq(void);
/* The panic path: drop a lock this or another CPU holds, so the dump gets out. */
void console_break_lock(void);

#endif
