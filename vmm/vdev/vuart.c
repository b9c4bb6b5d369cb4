/* vuart.c: a guest's 16550A UART (COM1): registers, FIFO, and its interrupt line (PC16550D datasheet). */
#include "vmm/vdev/vuart.h"

#include "vmm/lib/string.h"

#define DIVISOR_115200 1

void vuart_reset(struct vuart *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = DIVISOR_115200;
	u->thre_pending = false; /* owed only once ETBEI is enabled */
}

/* The source IIR reports: received data first, then THR empty (PC16550D, Table IV). */
static uint8_t iir(const struct vuart *u)
{
	if ((u->ier & VUART_IER_ERBFI) && u->rx_len)
		return VUART_IIR_RDA;
	if ((u->ier & VUART_IER_ETBEI) && u->thre_pending)
		return VUART_IIR_THRE;
	return VUART_IIR_NONE;
}

bool vuart_irq(const struct vuart *u) { return (u->mcr & VUART_MCR_OUT2) && iir(u) != VUART_IIR_NONE; }

static uint8_t pop_rx(struct vuart *u)
{
	if (!u->rx_len)
		return 0;
	uint8_t b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VUART_RX_FIFO;
	u->rx_len--;
	return b;
}

uint8_t vuart_read(struct vuart *u, enum vuart_reg reg)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (reg) {
	case VUART_RBR_THR: return dlab ? u->dll : pop_rx(u);
	case VUART_IER: return dlab ? u->dlm : u->ier;
	case VUART_IIR_FCR: {
		uint8_t r = iir(u);
		if (r == VUART_IIR_THRE)
			u->thre_pending = false; /* reading IIR with THRE shown clears it */
		return r | ((u->fcr & VUART_FCR_ENABLE) ? VUART_IIR_FIFO_ON : 0);
	}
	case VUART_LCR: return u->lcr;
	case VUART_MCR: return u->mcr;
	case VUART_LSR: return VUART_LSR_THRE | VUART_LSR_TEMT | (u->rx_len ? VUART_LSR_DR : 0);
	case VUART_MSR: return VUART_MSR_IDLE;
	case VUART_SCR: return u->scr;
	}
	return 0xff;
}

bool vuart_write(struct vuart *u, enum vuart_reg reg, uint8_t value, uint8_t *tx)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (reg) {
	case VUART_RBR_THR:
		if (dlab) {
			u->dll = value;
			return false;
		}
		*tx = value;
		/* Output is taken at once: the holding register is empty again, and says so. */
		u->thre_pending = true;
		return true;
	case VUART_IER:
		if (dlab) {
			u->dlm = value;
			return false;
		}
		/* Enabling ETBEI while the holding register is empty raises THRE at once. */
		if ((value & VUART_IER_ETBEI) && !(u->ier & VUART_IER_ETBEI))
			u->thre_pending = true;
		u->ier = value & VUART_IER_MASK;
		return false;
	case VUART_IIR_FCR:
		u->fcr = value;
		if (value & VUART_FCR_CLEAR_RX)
			u->rx_head = u->rx_len = 0;
		return false;
	case VUART_LCR: u->lcr = value; return false;
	case VUART_MCR: u->mcr = value & VUART_MCR_MASK; return false;
	case VUART_SCR: u->scr = value; return false;
	case VUART_LSR:
	case VUART_MSR: return false; /* read-only here */
	}
	return false;
}

bool vuart_input(struct vuart *u, uint8_t byte)
{
	if (u->rx_len == VUART_RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_len) % VUART_RX_FIFO] = byte;
	u->rx_len++;
	return true;
}
