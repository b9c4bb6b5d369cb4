/* uart16550.h: polled driver for a 16550-compatible UART at an I/O port. */
#ifndef ARCH_X86_UART16550_H
#define ARCH_X86_UART16550_H

#include <stdbool.h>
#include <stdint.h>

/* Program 8N1 at the given baud rate with FIFOs on; false if nothing answers at port. */
bool uart16550_init(uint16_t port, uint32_t baud);
void uart16550_putc(uint16_t port, char c);
/* Raise the interrupt line (with MCR.OUT2, set by init) while received data is available, or not. */
void uart16550_rx_irq(uint16_t port, bool on);
/* The next received byte, or -1 when none is waiting. */
int uart16550_getc(uint16_t port);
/* Wait (bounded) until every byte written has left the transmitter. */
void uart16550_flush(uint16_t port);

#endif
