/* loadopt.h: the hypervisor command line from the loader's LoadOptions (pure: no efi.h). */
#ifndef BOOT_EFI_LOADOPT_H
#define BOOT_EFI_LOADOPT_H

#include <stddef.h>
#include <stdint.h>

enum loadopt_result {
	LOADOPT_OK,
	LOADOPT_TRUNCATED, /* text, cut to fit out */
	LOADOPT_NOT_TEXT,  /* binary data (a boot entry's optional data): out is "" */
};

/*
 * Converts the UCS-2 LoadOptions [opts, opts+size bytes) to an ASCII command
 * line in out (out_len bytes, NUL included): stops at the first NUL, turns
 * tabs, CR and LF into spaces and non-ASCII characters into '?', trims blanks.
 * A leading program name is dropped: a first word that ends in ".efi" or
 * whose file name (after the last '\', '/' or ':') is self_name, with or
 * without ".efi", ignoring case. self_name may be NULL or "".
 */
enum loadopt_result loadopt_to_cmdline(const uint16_t *opts, size_t size, const char *self_name, char *out,
                                       size_t out_len);

#endif
