/* uart16550.c: polled driver for a 16550-compatible UART at an I/O port. */
#include "arch/x86/uart16550.h"

#include "arch/x86/cpu.h"

/* Register offsets (PC16550D datasheet, table 2). */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
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
#define UART_CLOCK_HZ 1843200u

/* Bounded wait for the transmitter, so a stuck or absent UART never hangs us. */
#define UART_TX_SPIN_LIMIT 100000

bool uart16550_init(uint16_t port, uint32_t baud)
{
	/* The scratch register exists on every 16450/16550: a cheap presence test. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	if (baud == 0 || baud > UART_CLOCK_HZ / 16)
		baud = 115200;
	uint16_t divisor = (uint16_t)(UART_CLOCK_HZ / 16 / baud);

	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLM, divisor >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS_OUT2);
	return true;
}

void uart16550_putc(uint16_t port, char c)
{
	for (int i = 0; i < UART_TX_SPIN_LIMIT; i++)
		if (inb(port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(port + UART_THR, (uint8_t)c);
}

void uart16550_flush(uint16_t port)
{
	for (int i = 0; i < UART_TX_SPIN_LIMIT; i++)
		if (inb(port + UART_LSR) & UART_LSR_TEMT)
			break;
}

void uart16550_rx_irq(uint16_t port, bool on) { outb(port + UART_IER, on ? UART_IER_ERBFI : 0); }

int uart16550_getc(uint16_t port)
{
	if (!(inb(port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}
