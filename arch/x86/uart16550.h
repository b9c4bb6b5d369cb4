/* uart16550.h: polled driver for a 16550-compatible UART at an I/O port or in MMIO. */
#ifndef ARCH_X86_UART16550_H
#define ARCH_X86_UART16550_H

#include <stdbool.h>
#include <stdint.h>

/*
 * How the eight registers are reached. A PC's COM ports are I/O ports, one
 * per register. A UART in MMIO has its registers one byte apart (UART_MMIO8)
 * or in 32-bit words four bytes apart, taking only 32-bit accesses
 * (UART_MMIO32: Intel LPSS and other DesignWare 8250 UARTs).
 */
enum uart_access {
	UART_IO = 0,
	UART_MMIO8 = 1,
	UART_MMIO32 = 2,
};

struct uart16550 {
	enum uart_access access;
	uint64_t base; /* the I/O port, or the physical address of register 0 (identity-mapped, uncached) */
};

/* The divisor for the standard 1.8432 MHz clock is 115200 / baud (PC16550D datasheet, Table III). */
#define UART_BAUD_BASE 115200u

#define UART_REGS 8

/* Bytes from one register to the next, and the address space all eight span. */
static inline uint32_t uart16550_stride(enum uart_access access) { return access == UART_MMIO32 ? 4 : 1; }
static inline uint32_t uart16550_span(enum uart_access access) { return UART_REGS * uart16550_stride(access); }

/* Program 8N1 at baud (which divides UART_BAUD_BASE) with FIFOs on; false if nothing answers at u. */
bool uart16550_init(const struct uart16550 *u, uint32_t baud);
void uart16550_putc(const struct uart16550 *u, char c);
/* Raise the interrupt line (with MCR.OUT2, set by init) while received data is available, or not. */
void uart16550_rx_irq(const struct uart16550 *u, bool on);
/* The next received byte, or -1 when none is waiting. */
int uart16550_getc(const struct uart16550 *u);
/* Wait (bounded) until every byte written has left the transmitter. */
void uart16550_flush(const struct uart16550 *u);

#endif
