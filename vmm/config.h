/* config.h: the configuration file (hv.conf): syntax, and the directives known so far. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

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
	char msg[128];
};

/* Called once per non-empty line; returns false and fills err to stop parsing. */
typedef bool (*cfg_line_fn)(const struct cfg_line *l, void *ctx, struct cfg_error *err);

/* Tokenize text (len bytes, not NUL-terminated); false with err set on the first error. */
bool cfg_parse(const char *text, size_t len, cfg_line_fn fn, void *ctx, struct cfg_error *err);

/* What the directives known so far set. */
struct hv_config {
	char cmdline[512]; /* hypervisor cmdline="..." */
};

/* Parse and check a whole file; false with err set (line, column, what was expected). */
bool hv_config_parse(const char *text, size_t len, struct hv_config *out, struct cfg_error *err);

#endif
