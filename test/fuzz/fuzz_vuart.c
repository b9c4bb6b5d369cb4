/* sources: vmm/vdev/vuart.c vmm/lib/string.c */
/* fuzz_vuart.c: libFuzzer harness: a guest's 16550A (COM1) driven by a sequence of port accesses and terminal input. */
#include "test/fuzz/fuzz.h"

#include "vmm/vdev/vuart.h"

/*
 * Input: operations until the input ends, each an opcode byte and its fields:
 *   0 read:  u8 register (mod 8)
 *   1 write: u8 register (mod 8), u8 value
 *   2 input: u8 byte from the terminal
 *   3 input: u8 count, that many bytes (a paste)
 *
 * Checked after each: the receive FIFO within its 64 bytes; bytes read from
 * RBR are the bytes input, in order, each once (a shadow queue), a full
 * FIFO refuses a byte and an empty one reads 0; LSR's data-ready bit says
 * whether bytes wait, THRE and TEMT always set; IIR one of none, THR empty
 * or data available, its FIFO bits as FCR enabled them; the interrupt line
 * only with MCR.OUT2, and raised exactly when IIR shows a source; IER,
 * MCR, LCR, SCR and the divisor latch read back as written (IER and MCR to
 * their bits); a THR write sends the byte, no other write sends anything.
 */

struct shadow {
	uint8_t q[VUART_RX_FIFO];
	unsigned head, len;
	uint8_t ier, mcr, lcr, scr, dll, dlm, fcr;
};

static void input(struct vuart *u, struct shadow *s, uint8_t b)
{
	bool took = vuart_input(u, b);

	FZ_CHECK(took == (s->len < VUART_RX_FIFO), "input with %u bytes waiting: %s", s->len,
	         took ? "taken" : "refused");
	if (took)
		s->q[(s->head + s->len++) % VUART_RX_FIFO] = b;
}

static void check_read(struct vuart *u, struct shadow *s, unsigned reg)
{
	bool dlab = s->lcr & VUART_LCR_DLAB;
	bool irq = vuart_irq(u);
	uint8_t v = vuart_read(u, (enum vuart_reg)reg);

	switch (reg) {
	case VUART_RBR_THR:
		if (dlab) {
			FZ_CHECK(v == s->dll, "DLL reads %#x, %#x written", v, s->dll);
		} else if (s->len) {
			FZ_CHECK(v == s->q[s->head], "RBR reads %#x, the oldest byte in is %#x", v, s->q[s->head]);
			s->head = (s->head + 1) % VUART_RX_FIFO;
			s->len--;
		} else {
			FZ_CHECK(v == 0, "RBR reads %#x with nothing received", v);
		}
		break;
	case VUART_IER: FZ_CHECK(v == (dlab ? s->dlm : s->ier), "IER/DLM reads %#x", v); break;
	case VUART_IIR_FCR: {
		uint8_t id = v & 0x0f;
		FZ_CHECK(id == VUART_IIR_NONE || id == VUART_IIR_THRE || id == VUART_IIR_RDA, "IIR %#x", v);
		FZ_CHECK((v & 0xf0) == ((s->fcr & VUART_FCR_ENABLE) ? VUART_IIR_FIFO_ON : 0), "IIR %#x, FCR %#x", v,
		         s->fcr);
		FZ_CHECK(id != VUART_IIR_RDA || (s->len && (s->ier & VUART_IER_ERBFI)), "IIR data available wrongly");
		FZ_CHECK(!(s->mcr & VUART_MCR_OUT2) || irq == (id != VUART_IIR_NONE), "line %d with OUT2 set, IIR %#x",
		         irq, v);
		break;
	}
	case VUART_LCR: FZ_CHECK(v == s->lcr, "LCR reads %#x", v); break;
	case VUART_MCR: FZ_CHECK(v == s->mcr, "MCR reads %#x", v); break;
	case VUART_LSR:
		FZ_CHECK(v == (VUART_LSR_THRE | VUART_LSR_TEMT | (s->len ? VUART_LSR_DR : 0)),
		         "LSR %#x with %u waiting", v, s->len);
		break;
	case VUART_MSR: FZ_CHECK(v == VUART_MSR_IDLE, "MSR %#x", v); break;
	default: FZ_CHECK(v == s->scr, "SCR reads %#x", v); break;
	}
}

static void write_reg(struct vuart *u, struct shadow *s, unsigned reg, uint8_t value)
{
	bool dlab = s->lcr & VUART_LCR_DLAB;
	uint8_t tx = 0x5a;
	bool sent = vuart_write(u, (enum vuart_reg)reg, value, &tx);

	FZ_CHECK(sent == (reg == VUART_RBR_THR && !dlab), "register %u written: sent %d", reg, sent);
	FZ_CHECK(!sent || tx == value, "sent %#x for %#x", tx, value);
	switch (reg) {
	case VUART_RBR_THR:
		if (dlab)
			s->dll = value;
		break;
	case VUART_IER:
		if (dlab)
			s->dlm = value;
		else
			s->ier = value & VUART_IER_MASK;
		break;
	case VUART_IIR_FCR:
		s->fcr = value;
		if (value & VUART_FCR_CLEAR_RX)
			s->len = 0;
		break;
	case VUART_LCR: s->lcr = value; break;
	case VUART_MCR: s->mcr = value & VUART_MCR_MASK; break;
	case VUART_SCR: s->scr = value; break;
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct vuart u;
	struct shadow s = {.dll = 1};

	vuart_reset(&u);
	while (f.n) {
		switch (fz_u8(&f) % 4) {
		case 0: check_read(&u, &s, fz_u8(&f) % 8); break;
		case 1: {
			unsigned reg = fz_u8(&f) % 8;
			write_reg(&u, &s, reg, fz_u8(&f));
			break;
		}
		case 2: input(&u, &s, fz_u8(&f)); break;
		default:
			for (unsigned n = fz_u8(&f); n; n--)
				input(&u, &s, (uint8_t)(n * 37));
			break;
		}
		FZ_CHECK(u.rx_len == s.len && u.rx_len <= VUART_RX_FIFO && u.rx_head < VUART_RX_FIFO,
		         "FIFO: %u bytes from %u, %u expected", u.rx_len, u.rx_head, s.len);
		FZ_CHECK(!vuart_irq(&u) || (u.mcr & VUART_MCR_OUT2), "interrupt line up without OUT2");
	}
	return 0;
}
