/* config.h: the configuration file (hv.conf): syntax, and the hypervisor and guest directives. */
#ifndef VMM_PARTITION_CONFIG_H
#define VMM_PARTITION_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

/*
 * Syntax (docs/config.md): one directive per line, then key=value words.
 * Blanks separate words; a value may be double-quoted to hold blanks; '#'
 * outside quotes starts a comment. Example:
 *
 *     hypervisor cmdline="loglevel=debug onpanic=poweroff"
 */
#define CFG_MAX_KEYS 16
#define CFG_MAX_LINE 1024

struct cfg_word {
	const char *s;
	size_t len;
	unsigned col; /* 1-based */
};

struct cfg_pair {
	struct cfg_word key, value; /* value without its quotes */
};

struct cfg_line {
	unsigned line; /* 1-based */
	struct cfg_word directive;
	unsigned npairs;
	struct cfg_pair pairs[CFG_MAX_KEYS];
};

struct cfg_error {
	unsigned line, col;
	char msg[160]; /* room for a 40-character word and the list of keys expected */
};

/* Called once per non-empty line; returns false and fills err to stop parsing. */
typedef bool (*cfg_line_fn)(const struct cfg_line *l, void *ctx, struct cfg_error *err);

/* Tokenize text (len bytes, not NUL-terminated); false with err set on the first error. */
bool cfg_parse(const char *text, size_t len, cfg_line_fn fn, void *ctx, struct cfg_error *err);

/*
 * guest name=<id> image=<path> cpus=<list> [memory=<size>] [cmdline="..."]
 *       [module=<path>]... [initrd=<path>] [restart=yes|no] [console=escaped|raw]
 *       [user_stats=yes|no]
 * Checked here: syntax, limits, unique names, no CPU in two guests. Not here:
 * that the CPUs exist and the files are among the boot modules.
 */
#define CFG_MAX_GUESTS 16
#define CFG_MAX_GUEST_MODULES 8
#define CFG_GUEST_NAME_MAX 32     /* with the NUL */
#define CFG_GUEST_CMDLINE_MAX 256 /* with the NUL */
#define CFG_GUEST_MAX_CPU 63      /* cpus= numbers are 0..63: a bit each in a uint64_t */
#define CFG_GUEST_DEFAULT_MEMORY (32ull << 20)

struct cfg_guest {
	char name[CFG_GUEST_NAME_MAX];       /* letters, digits, '-', '_' */
	char image[BOOT_NAME_MAX];           /* the kernel: a boot module's name */
	uint64_t cpus;                       /* bit n: CPU number n (0..63) */
	uint64_t memory;                     /* bytes: a multiple of 4 KiB in [GUEST_MIN_MEMORY, GUEST_MAX_MEMORY] */
	char cmdline[CFG_GUEST_CMDLINE_MAX]; /* "" when not given */
	unsigned nmodules;
	char modules[CFG_MAX_GUEST_MODULES][BOOT_NAME_MAX]; /* in the order given */
	char initrd[BOOT_NAME_MAX];                         /* a Linux guest's initial RAM disk; "" when not given */
	bool restart;
	bool console_raw; /* console=raw: its COM1 output reaches the console byte for byte, unescaped, unprefixed */
	bool user_stats;  /* user_stats=yes: its user space (CPL 3) may read the exit statistics (hypercall.h) */
	unsigned line;    /* where the guest line is, for later messages */
};

/* What the directives set. */
struct hv_config {
	char cmdline[512]; /* hypervisor cmdline="..." */
	unsigned nguests;
	struct cfg_guest guests[CFG_MAX_GUESTS]; /* in the order of the file */
};

/* Parse and check a whole file; false with err set (line, column, what was expected). */
bool hv_config_parse(const char *text, size_t len, struct hv_config *out, struct cfg_error *err);

#endif
