/* uart16550.c: polled driver for a 16550-compatible UART at an I/O port or in MMIO. */
#include "arch/x86/uart16550.h"

#include "arch/x86/cpu.h"
#include "vmm/mm/mm.h"

/* Register indexes (PC16550D datasheet, Table II); the address is base + index * stride. */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40 /* transmitter empty: holding and shift register */
#define UART_SCR_PROBE 0x5a

/* Bounded wait for the transmitter, so a stuck or absent UART never hangs us. */
#define UART_TX_SPIN_LIMIT 100000

/* One register, by its index; MMIO32 registers take whole 32-bit accesses only (upper bits read as 0). */
static uint8_t reg_in(const struct uart16550 *u, unsigned reg)
{
	uint64_t at = u->base + reg * uart16550_stride(u->access);

	switch (u->access) {
	case UART_MMIO8: return *(volatile uint8_t *)phys_to_virt(at);
	case UART_MMIO32: return (uint8_t) * (volatile uint32_t *)phys_to_virt(at);
	case UART_IO: break;
	}
	return inb((uint16_t)at);
}

static void reg_out(const struct uart16550 *u, unsigned reg, uint8_t v)
{
	uint64_t at = u->base + reg * uart16550_stride(u->access);

	switch (u->access) {
	case UART_MMIO8: *(volatile uint8_t *)phys_to_virt(at) = v; return;
	case UART_MMIO32: *(volatile uint32_t *)phys_to_virt(at) = v; return;
	case UART_IO: break;
	}
	outb((uint16_t)at, v);
}

bool uart16550_init(const struct uart16550 *u, uint32_t baud)
{
	/* The scratch register exists on every 16450/16550: a cheap presence test. */
	reg_out(u, UART_SCR, UART_SCR_PROBE);
	if (reg_in(u, UART_SCR) != UART_SCR_PROBE)
		return false;
	/* Callers pass a rate that divides the base; anything else falls back to the base rate. */
	if (baud == 0 || UART_BAUD_BASE % baud || UART_BAUD_BASE / baud > 0xffff)
		baud = UART_BAUD_BASE;
	uint16_t divisor = (uint16_t)(UART_BAUD_BASE / baud);

	reg_out(u, UART_IER, 0);
	reg_out(u, UART_LCR, UART_LCR_DLAB);
	reg_out(u, UART_DLL, divisor & 0xff);
	reg_out(u, UART_DLM, divisor >> 8);
	reg_out(u, UART_LCR, UART_LCR_8N1);
	reg_out(u, UART_FCR, UART_FCR_ENABLE_CLEAR);
	reg_out(u, UART_MCR, UART_MCR_DTR_RTS_OUT2);
	return true;
}

void uart16550_putc(const struct uart16550 *u, char c)
{
	for (int i = 0; i < UART_TX_SPIN_LIMIT; i++)
		if (reg_in(u, UART_LSR) & UART_LSR_THRE)
			break;
	reg_out(u, UART_THR, (uint8_t)c);
}

void uart16550_flush(const struct uart16550 *u)
{
	for (int i = 0; i < UART_TX_SPIN_LIMIT; i++)
		if (reg_in(u, UART_LSR) & UART_LSR_TEMT)
			break;
}

void uart16550_rx_irq(const struct uart16550 *u, bool on) { reg_out(u, UART_IER, on ? UART_IER_ERBFI : 0); }

int uart16550_getc(const struct uart16550 *u)
{
	if (!(reg_in(u, UART_LSR) & UART_LSR_DR))
		return -1;
	return reg_in(u, UART_RBR);
}
