/* conf_scan.h: finding the files hv.conf names (pure: no firmware, no efi.h). */
#ifndef BOOT_EFI_CONF_SCAN_H
#define BOOT_EFI_CONF_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

/* A file named by image=PATH or module=PATH, as written (forward slashes). */
struct conf_path {
	char path[BOOT_NAME_MAX];
	uint32_t line; /* 1-based line of the config where it was named */
};

enum conf_err {
	CONF_OK,
	CONF_ERR_TOO_MANY,
	CONF_ERR_TOO_LONG,
	CONF_ERR_EMPTY,
	CONF_ERR_QUOTE,
	CONF_ERR_ABSOLUTE,
	CONF_ERR_CHAR,
};

/*
 * Scans config text [text, text+len) for words image=PATH and module=PATH.
 * Words are separated by blanks (space, tab, CR, LF, NUL); a double quote
 * starts and ends a quoted part in which blanks and '#' are plain text; '#'
 * outside quotes starts a comment to the end of the line. Quotes are removed
 * from the value. Fills out[0..*count) (at most max). On error, *err_line is
 * the 1-based line at fault.
 */
enum conf_err conf_scan(const char *text, size_t len, struct conf_path *out, uint32_t max, uint32_t *count,
                        uint32_t *err_line);
const char *conf_strerror(enum conf_err e);

/*
 * Builds the volume path of a config path: dir, a backslash, then path with
 * '/' turned into '\'. Writes UCS-2 into out (out_len units, NUL included).
 * Returns 0 if it does not fit. dir is ASCII, e.g. "\\apicvisor".
 */
int conf_volume_path(const char *dir, const char *path, uint16_t *out, size_t out_len);

#endif
