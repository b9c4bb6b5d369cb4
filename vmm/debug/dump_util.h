/* dump_util.h: what the shell's dump_* views share: names of set bits, and lists of vectors. */
#ifndef VMM_DEBUG_DUMP_UTIL_H
#define VMM_DEBUG_DUMP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define DUMP_VECTORS 256
#define DUMP_VECTOR_WORDS (DUMP_VECTORS / 64)

/* A named bit (or field) of a register, for dump_flags. */
struct dump_flag {
	uint64_t mask;
	const char *name;
};

/* Print "[NAME NAME ...]" for the flags whose mask is wholly set in v, sep between them ("[]" for none). */
void dump_flags(uint64_t v, const struct dump_flag *flags, size_t n, const char *sep);
/* Print the set vectors of a 256-bit bitmap as " 0x31 0x40", or " none". */
void dump_vectors(const uint64_t bits[DUMP_VECTOR_WORDS]);
/* The highest set vector of a 256-bit bitmap, or -1 if none is set. */
int dump_highest_vector(const uint64_t bits[DUMP_VECTOR_WORDS]);

#endif
