/* cmdline.h: reading key=value options from the hypervisor command line. */
#ifndef VMM_LIB_CMDLINE_H
#define VMM_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The command line is words separated by blanks; a word is "key" or
 * "key=value", and a value may be double-quoted to hold blanks. When a key
 * appears more than once the last one wins, so a loader can prepend defaults.
 * Returns true if key is present; val gets its value ("" for a bare key),
 * truncated to size-1 bytes.
 */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/* Parse a size: a number (decimal or 0x hex) with an optional K, M or G suffix. */
bool cmdline_parse_size(const char *s, uint64_t *out);

#endif
