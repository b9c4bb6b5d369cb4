/* parse.c: unsigned numbers in text (decimal or 0x-hexadecimal), refused above a maximum. */
#include "vmm/lib/parse.h"

#include "vmm/lib/string.h"

#define NOT_A_DIGIT 16 /* above every digit of every base */

static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return NOT_A_DIGIT;
}

bool parse_uint_n(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	/* len > 2: a bare "0x" is no number (its 'x' is no decimal digit either). */
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = digit_value(s[i]);

		/* v * base + d <= max, asked without overflowing (64-bit division: libgcc's on a 32-bit guest) */
		if (d >= base || d > max || v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out) { return parse_uint_n(s, hv_strlen(s), max, out); }
