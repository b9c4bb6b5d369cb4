/* parse.h: unsigned numbers in text (decimal or 0x-hexadecimal), refused above a maximum. */
#ifndef VMM_LIB_PARSE_H
#define VMM_LIB_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The one number syntax of the command lines, console= and the shell: decimal
 * digits, or "0x" or "0X" then hexadecimal digits of either case. Nothing
 * else: no sign, no blanks, no octal (a leading 0 is decimal, "010" is 10),
 * no suffix, no empty number ("" and a bare "0x" are refused).
 * Returns true and sets *out if all of s is such a number and its value is at
 * most max; false, with *out untouched, otherwise (overflow included).
 */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);
/* The same over the len characters at s (a word inside a longer string), which need no terminator. */
bool parse_uint_n(const char *s, size_t len, uint64_t max, uint64_t *out);

#endif
