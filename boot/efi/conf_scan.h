/* conf_scan.h: finding the files hv.conf names (pure: no firmware, no efi.h). */
#ifndef BOOT_EFI_CONF_SCAN_H
#define BOOT_EFI_CONF_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "vmm/partition/config.h"

/* A file named by image=PATH, module=PATH or initrd=PATH, as written (forward slashes). */
struct conf_path {
	char path[BOOT_NAME_MAX];
	uint32_t line; /* 1-based line of the config where it was named */
	uint32_t col;  /* 1-based column of the value */
};

enum conf_err {
	CONF_OK,
	CONF_ERR_SYNTAX, /* cfg_parse refused the file: the hypervisor would too */
	CONF_ERR_TOO_MANY,
	CONF_ERR_TOO_LONG,
	CONF_ERR_EMPTY,
	CONF_ERR_ABSOLUTE,
	CONF_ERR_CHAR,
};

/*
 * Scans config text [text, text+len) with the hypervisor's own tokenizer
 * (cfg_parse, vmm/partition/config.h) and collects the values of the keys image and
 * module on any directive line, in file order, into out[0..*count) (at most
 * max). Checks each path: not empty, relative, printable ASCII, shorter than
 * BOOT_NAME_MAX. Directives themselves are the hypervisor's to check. On an
 * error, err holds its line, column and message (for path errors, the column
 * of the value and conf_strerror()'s text).
 */
enum conf_err conf_scan(const char *text, size_t len, struct conf_path *out, uint32_t max, uint32_t *count,
                        struct cfg_error *err);
const char *conf_strerror(enum conf_err e);

/*
 * Builds the volume path of a config path: dir, a backslash, then path with
 * '/' turned into '\'. Writes UCS-2 into out (out_len units, NUL included).
 * Returns 0 if it does not fit. dir is ASCII, e.g. "\\apicvisor".
 */
int conf_volume_path(const char *dir, const char *path, uint16_t *out, size_t out_len);

#endif
