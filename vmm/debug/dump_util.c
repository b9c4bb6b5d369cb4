/* dump_util.c: what the shell's dump_* views share: names of set bits, and lists of vectors (pure). */
#include "vmm/debug/dump_util.h"

#include <stdbool.h>

#include "vmm/lib/log.h"

void dump_flags(uint64_t v, const struct dump_flag *flags, size_t n, const char *sep)
{
	const char *next = "";

	console_printf_raw("[");
	for (size_t i = 0; i < n; i++) {
		if ((v & flags[i].mask) == flags[i].mask) {
			console_printf_raw("%s%s", next, flags[i].name);
			next = sep;
		}
	}
	console_printf_raw("]");
}

static bool vector_set(const uint64_t bits[DUMP_VECTOR_WORDS], unsigned v) { return (bits[v / 64] >> (v % 64)) & 1; }

void dump_vectors(const uint64_t bits[DUMP_VECTOR_WORDS])
{
	bool any = false;

	for (unsigned v = 0; v < DUMP_VECTORS; v++) {
		if (vector_set(bits, v)) {
			console_printf_raw(" 0x%02x", v);
			any = true;
		}
	}
	if (!any)
		console_printf_raw(" none");
}

int dump_highest_vector(const uint64_t bits[DUMP_VECTOR_WORDS])
{
	for (int w = DUMP_VECTOR_WORDS - 1; w >= 0; w--)
		if (bits[w])
			return w * 64 + 63 - __builtin_clzll(bits[w]);
	return -1;
}
