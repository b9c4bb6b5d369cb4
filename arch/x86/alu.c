/* alu.c: the integer ALU instructions on one operand size, and the RFLAGS they leave, as the SDM defines them (pure).
 */
#include "arch/x86/alu.h"

#define AF_BIT 4 /* AF: the carry out of, or borrow into, bit 3 (SDM Vol. 1, 3.4.3.1) */

static uint64_t size_mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

/* The most significant bit of the operand size: where CF, OF and SF are read. */
static uint64_t sign_bit(unsigned size) { return 1ull << (8 * (size >= 8 ? 8 : size) - 1); }

/* PF: set when the result's low byte has an even number of 1 bits. */
static bool parity_even(uint64_t r) { return (__builtin_popcountll(r & 0xff) & 1) == 0; }

struct flags {
	bool cf, pf, af, zf, sf, of;
};

/* ZF, SF and PF from a result. */
static void result_flags(struct flags *f, uint64_t r, unsigned size)
{
	f->zf = r == 0;
	f->sf = (r & sign_bit(size)) != 0;
	f->pf = parity_even(r);
}

/*
 * dst + src + carry: the carry out of the top bit is set where both inputs
 * had it, or either had it and the result lost it; overflow where both
 * inputs had one sign and the result the other.
 */
static uint64_t add(uint64_t d, uint64_t s, bool carry, unsigned size, struct flags *f)
{
	uint64_t r = (d + s + carry) & size_mask(size), top = sign_bit(size);

	f->cf = (((d & s) | ((d | s) & ~r)) & top) != 0;
	f->of = (((d ^ r) & (s ^ r)) & top) != 0;
	f->af = ((d ^ s ^ r) >> AF_BIT) & 1;
	result_flags(f, r, size);
	return r;
}

/* dst - src - borrow: a borrow into the top bit, and overflow where the inputs' signs differ and the result's is src's.
 */
static uint64_t sub(uint64_t d, uint64_t s, bool borrow, unsigned size, struct flags *f)
{
	uint64_t r = (d - s - borrow) & size_mask(size), top = sign_bit(size);

	f->cf = (((~d & s) | ((~d | s) & r)) & top) != 0;
	f->of = (((d ^ s) & (d ^ r)) & top) != 0;
	f->af = ((d ^ s ^ r) >> AF_BIT) & 1;
	result_flags(f, r, size);
	return r;
}

/* AND, OR, XOR, TEST: CF and OF cleared, SF, ZF and PF from the result; AF undefined, cleared. */
static uint64_t logic(uint64_t r, unsigned size, struct flags *f)
{
	*f = (struct flags){0};
	result_flags(f, r, size);
	return r;
}

static uint64_t to_rflags(const struct flags *f)
{
	return (f->cf ? RFLAGS_CF : 0) | (f->pf ? RFLAGS_PF : 0) | (f->af ? RFLAGS_AF : 0) | (f->zf ? RFLAGS_ZF : 0) |
	       (f->sf ? RFLAGS_SF : 0) | (f->of ? RFLAGS_OF : 0);
}

uint64_t alu_run(enum alu_op op, unsigned size, uint64_t dst, uint64_t src, uint64_t *rflags)
{
	uint64_t mask = size_mask(size), d = dst & mask, s = src & mask, r;
	bool cf = (*rflags & RFLAGS_CF) != 0;
	struct flags f;

	switch (op) {
	case ALU_ADD: r = add(d, s, false, size, &f); break;
	case ALU_ADC: r = add(d, s, cf, size, &f); break;
	case ALU_SUB:
	case ALU_CMP: r = sub(d, s, false, size, &f); break;
	case ALU_SBB: r = sub(d, s, cf, size, &f); break;
	case ALU_OR: r = logic(d | s, size, &f); break;
	case ALU_AND:
	case ALU_TEST: r = logic(d & s, size, &f); break;
	case ALU_XOR: r = logic(d ^ s, size, &f); break;
	case ALU_INC: /* CF is not affected (SDM Vol. 2, INC, DEC) */
		r = add(d, 1, false, size, &f);
		f.cf = cf;
		break;
	case ALU_DEC:
		r = sub(d, 1, false, size, &f);
		f.cf = cf;
		break;
	case ALU_NEG: r = sub(0, d, false, size, &f); break; /* CF = (operand != 0): the borrow of 0 - d */
	case ALU_NOT: return ~d & mask;                      /* no flag affected */
	default: return d;
	}
	*rflags = (*rflags & ~RFLAGS_STATUS) | to_rflags(&f);
	return r;
}
