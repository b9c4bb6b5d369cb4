/* libgcc.c: the 64-bit division helpers gcc calls on i386 (there is no 32-bit libgcc here). */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

/* A 32-bit DIV by zero, in asm: gcc folds the C expression 1 / zero into zero == 1. */
static uint32_t divide_error(void)
{
	uint32_t lo = 1, hi = 0;

	__asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(0u));
	return lo;
}

/* Shift and subtract, one quotient bit per step; a zero divisor raises #DE as the hardware divide would. */
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (d == 0)
		return divide_error();
	if (n >> 32 == 0 && d >> 32 == 0) {
		q = (uint32_t)n / (uint32_t)d;
		r = (uint32_t)n % (uint32_t)d;
	} else {
		for (int bit = 63; bit >= 0; bit--) {
			r = r << 1 | (n >> bit & 1);
			if (r >= d) {
				r -= d;
				q |= 1ull << bit;
			}
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d) { return __udivmoddi4(n, d, 0); }

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r = 0;

	__udivmoddi4(n, d, &r);
	return r;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? -(uint64_t)v : (uint64_t)v; }

/* C11 6.5.5: the quotient truncates toward zero; the remainder takes the dividend's sign. */
int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = __udivmoddi4(magnitude(n), magnitude(d), 0);

	return (int64_t)((n < 0) != (d < 0) ? 0 - q : q); /* wraps, not overflows, for INT64_MIN */
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r = 0;

	__udivmoddi4(magnitude(n), magnitude(d), &r);
	return (int64_t)(n < 0 ? 0 - r : r);
}
