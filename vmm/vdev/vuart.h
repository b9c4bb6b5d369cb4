/* vuart.h: a guest's 16550A UART (COM1): registers, FIFO, and its interrupt line (PC16550D datasheet). */
#ifndef VMM_VDEV_VUART_H
#define VMM_VDEV_VUART_H

#include <stdbool.h>
#include <stdint.h>

/* Register offsets from the base port (PC16550D datasheet, Table II). */
enum vuart_reg {
	VUART_RBR_THR = 0, /* DLL with LCR.DLAB */
	VUART_IER = 1,     /* DLM with LCR.DLAB */
	VUART_IIR_FCR = 2,
	VUART_LCR = 3,
	VUART_MCR = 4,
	VUART_LSR = 5,
	VUART_MSR = 6,
	VUART_SCR = 7,
};

#define VUART_IER_ERBFI (1u << 0) /* received data available */
#define VUART_IER_ETBEI (1u << 1) /* transmitter holding register empty */
#define VUART_IER_MASK 0x0fu
#define VUART_IIR_NONE 0x01u
#define VUART_IIR_THRE 0x02u
#define VUART_IIR_RDA 0x04u
#define VUART_IIR_FIFO_ON 0xc0u
#define VUART_FCR_ENABLE (1u << 0)
#define VUART_FCR_CLEAR_RX (1u << 1)
#define VUART_LCR_DLAB (1u << 7)
#define VUART_MCR_OUT2 (1u << 3) /* on PCs it gates the UART's interrupt onto the ISA line */
#define VUART_MCR_MASK 0x1fu
#define VUART_LSR_DR (1u << 0)
#define VUART_LSR_THRE (1u << 5)
#define VUART_LSR_TEMT (1u << 6)
#define VUART_MSR_IDLE 0xb0u /* DCD, DSR, CTS asserted: a terminal is always there */
#define VUART_RX_FIFO 64

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending; /* the THR-empty interrupt is owed (cleared by reading IIR with it shown, or a THR write) */
	uint8_t rx[VUART_RX_FIFO];
	unsigned rx_head, rx_len;
};

void vuart_reset(struct vuart *u);
uint8_t vuart_read(struct vuart *u, enum vuart_reg reg);
/* Returns true with *tx set when the guest sent a byte (a THR write). */
bool vuart_write(struct vuart *u, enum vuart_reg reg, uint8_t value, uint8_t *tx);
/* A byte arrives from the terminal; false when the receive FIFO is full (the byte is lost). */
bool vuart_input(struct vuart *u, uint8_t byte);
/* The interrupt output as the ISA line sees it: a pending, enabled source and MCR.OUT2. */
bool vuart_irq(const struct vuart *u);

#endif
