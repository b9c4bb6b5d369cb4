/* config.c: the configuration file (hv.conf): syntax, and the hypervisor and guest directives. */
#include "vmm/partition/config.h"

#include <stdarg.h>

#include "vmm/lib/array.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

static bool fail(struct cfg_error *err, unsigned line, unsigned col, const char *what, const struct cfg_word *w)
{
	err->line = line;
	err->col = col;
	if (w)
		hv_snprintf(err->msg, sizeof(err->msg), what, (int)(w->len > 40 ? 40 : w->len), w->s);
	else
		hv_snprintf(err->msg, sizeof(err->msg), "%s", what);
	return false;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

/* Tokenize one line [s, s+len) into l; false with err set. */
static bool parse_line(const char *s, size_t len, unsigned lineno, struct cfg_line *l, struct cfg_error *err)
{
	size_t i = 0;
	bool have_directive = false;

	l->line = lineno;
	l->npairs = 0;
	l->directive = (struct cfg_word){0, 0, 0};
	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len || s[i] == '#')
			return true;
		unsigned col = (unsigned)i + 1;
		size_t start = i;
		while (i < len && is_key_char(s[i]))
			i++;
		struct cfg_word w = {s + start, i - start, col};
		if (w.len == 0)
			return fail(err, lineno, col, "expected a name (letters, digits, '_', '-', '.')", 0);
		if (!have_directive) {
			if (i < len && !is_blank(s[i]) && s[i] != '#')
				return fail(err, lineno, (unsigned)i + 1, "expected a blank after the directive name",
				            0);
			l->directive = w;
			have_directive = true;
			continue;
		}
		if (i == len || s[i] != '=')
			return fail(err, lineno, (unsigned)i + 1, "expected '=' after key '%.*s'", &w);
		if (l->npairs == CFG_MAX_KEYS)
			return fail(err, lineno, col, "too many key=value words on one line", 0);
		struct cfg_pair *p = &l->pairs[l->npairs++];
		p->key = w;
		i++;
		if (i < len && s[i] == '"') {
			size_t q = ++i;
			while (i < len && s[i] != '"')
				i++;
			if (i == len)
				return fail(err, lineno, (unsigned)q, "unterminated quoted value", 0);
			p->value = (struct cfg_word){s + q, i - q, (unsigned)q + 1};
			i++;
		} else {
			size_t v = i;
			while (i < len && !is_blank(s[i]) && s[i] != '#' && s[i] != '"')
				i++;
			if (i < len && s[i] == '"')
				return fail(err, lineno, (unsigned)i + 1, "unexpected '\"' inside an unquoted value",
				            0);
			p->value = (struct cfg_word){s + v, i - v, (unsigned)v + 1};
		}
		if (i < len && !is_blank(s[i]) && s[i] != '#')
			return fail(err, lineno, (unsigned)i + 1, "expected a blank after the value", 0);
	}
}

bool cfg_parse(const char *text, size_t len, cfg_line_fn fn, void *ctx, struct cfg_error *err)
{
	struct cfg_line l;
	unsigned lineno = 1;

	for (size_t start = 0; start < len; lineno++) {
		size_t end = start, next;
		while (end < len && text[end] != '\n')
			end++;
		next = end + 1;
		if (end > start && text[end - 1] == '\r')
			end--; /* CRLF: the CR belongs to the line ending */
		for (size_t k = start; k < end; k++)
			if ((unsigned char)text[k] < 0x20 && text[k] != '\t')
				return fail(err, lineno, (unsigned)(k - start) + 1, "control character in the file", 0);
		if (end - start > CFG_MAX_LINE)
			return fail(err, lineno, CFG_MAX_LINE + 1, "line longer than 1024 characters", 0);
		if (!parse_line(text + start, end - start, lineno, &l, err))
			return false;
		if (l.directive.len && !fn(&l, ctx, err))
			return false;
		start = next;
	}
	return true;
}

static bool word_is(const struct cfg_word *w, const char *s)
{
	return w->len == hv_strlen(s) && hv_strncmp(w->s, s, w->len) == 0;
}

static bool hypervisor_line(const struct cfg_line *l, struct hv_config *c, struct cfg_error *err)
{
	for (unsigned i = 0; i < l->npairs; i++) {
		const struct cfg_pair *p = &l->pairs[i];
		if (!word_is(&p->key, "cmdline"))
			return fail(err, l->line, p->key.col, "unknown key '%.*s' for 'hypervisor' (expected cmdline)",
			            &p->key);
		if (p->value.len >= sizeof(c->cmdline))
			return fail(err, l->line, p->value.col, "cmdline longer than 511 characters", 0);
		memcpy(c->cmdline, p->value.s, p->value.len);
		c->cmdline[p->value.len] = '\0';
	}
	return true;
}

/* ---- guest ---- */

/* A word quoted in a message: at most 40 characters of it. */
#define WORD(w) (int)((w)->len > 40 ? 40 : (w)->len), (w)->s

__attribute__((format(printf, 4, 5))) static bool failf(struct cfg_error *err, unsigned line, unsigned col,
                                                        const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	hv_vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

static void copy_value(char *dst, const struct cfg_word *w)
{
	memcpy(dst, w->s, w->len);
	dst[w->len] = '\0';
}

/* What a key handler works on: the line, the whole configuration so far, the guest being built. */
struct guest_ctx {
	const struct cfg_line *l;
	const struct hv_config *c;
	struct cfg_guest *g;
	struct cfg_error *err;
};

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * The tags of the hypervisor's own console lines: [cpuN] (its log), [console]
 * and [shell]. A guest's lines carry its name as their tag, so a guest with
 * one of these names could print lines that pass for the hypervisor's.
 */
static bool is_reserved_name(const struct cfg_word *v)
{
	size_t i = 3;

	if (v->len > i && hv_strncmp(v->s, "cpu", i) == 0) {
		while (i < v->len && v->s[i] >= '0' && v->s[i] <= '9')
			i++;
		if (i == v->len)
			return true; /* cpu followed by digits only */
	}
	return word_is(v, "console") || word_is(v, "shell");
}

static bool guest_name(struct guest_ctx *x, const struct cfg_pair *p)
{
	const struct cfg_word *v = &p->value;

	if (v->len == 0)
		return failf(x->err, x->l->line, v->col, "empty name (expected letters, digits, '-', '_')");
	if (v->len >= CFG_GUEST_NAME_MAX)
		return failf(x->err, x->l->line, v->col, "name longer than %d characters", CFG_GUEST_NAME_MAX - 1);
	for (size_t i = 0; i < v->len; i++)
		if (!is_name_char(v->s[i]))
			return failf(x->err, x->l->line, v->col + (unsigned)i,
			             "invalid character '%c' in name (expected letters, digits, '-', '_')", v->s[i]);
	if (is_reserved_name(v))
		return failf(x->err, x->l->line, v->col,
		             "guest name '%.*s' is reserved: the hypervisor's own lines are tagged [cpuN], [console], "
		             "[shell]",
		             WORD(v));
	for (unsigned i = 0; i < x->c->nguests; i++) {
		const struct cfg_guest *o = &x->c->guests[i];
		if (hv_strlen(o->name) == v->len && hv_strncmp(o->name, v->s, v->len) == 0)
			return failf(x->err, x->l->line, v->col, "guest name '%s' already used on line %u", o->name,
			             o->line);
	}
	copy_value(x->g->name, v);
	return true;
}

/* image=, module= and initrd=: a file the boot loader loaded, by its name. */
static bool check_path(struct guest_ctx *x, const struct cfg_pair *p)
{
	if (p->value.len == 0)
		return failf(x->err, x->l->line, p->value.col, "empty %.*s path", WORD(&p->key));
	if (p->value.len >= BOOT_NAME_MAX)
		return failf(x->err, x->l->line, p->value.col, "%.*s path longer than %d characters", WORD(&p->key),
		             BOOT_NAME_MAX - 1);
	return true;
}

static bool guest_image(struct guest_ctx *x, const struct cfg_pair *p)
{
	if (!check_path(x, p))
		return false;
	copy_value(x->g->image, &p->value);
	return true;
}

static bool guest_module(struct guest_ctx *x, const struct cfg_pair *p)
{
	if (x->g->nmodules == CFG_MAX_GUEST_MODULES)
		return failf(x->err, x->l->line, p->key.col, "more than %d modules for one guest",
		             CFG_MAX_GUEST_MODULES);
	if (!check_path(x, p))
		return false;
	copy_value(x->g->modules[x->g->nmodules++], &p->value);
	return true;
}

static bool guest_initrd(struct guest_ctx *x, const struct cfg_pair *p)
{
	if (!check_path(x, p))
		return false;
	copy_value(x->g->initrd, &p->value);
	return true;
}

/* A CPU number at s[*i]: digits, 0..63; *i moves past them. */
static bool cpu_number(struct guest_ctx *x, const struct cfg_word *v, size_t *i, unsigned *out)
{
	size_t start = *i;
	unsigned n = 0;

	while (*i < v->len && v->s[*i] >= '0' && v->s[*i] <= '9') {
		if (n <= CFG_GUEST_MAX_CPU)
			n = n * 10 + (unsigned)(v->s[*i] - '0');
		(*i)++;
	}
	unsigned col = v->col + (unsigned)start;
	if (*i == start && (start == v->len || v->s[start] == ','))
		return failf(x->err, x->l->line, col, "empty item in cpus (expected e.g. 0,2-3)");
	if (*i == start)
		return failf(x->err, x->l->line, col, "expected a CPU number (0-63) in cpus");
	if (n > CFG_GUEST_MAX_CPU) {
		struct cfg_word num = {v->s + start, *i - start, col};
		return failf(x->err, x->l->line, col, "CPU %.*s out of range (expected 0-63)", WORD(&num));
	}
	*out = n;
	return true;
}

/* Add CPUs lo..hi (the item at column col) to the guest, unless listed or owned already. */
static bool add_cpus(struct guest_ctx *x, unsigned lo, unsigned hi, unsigned col)
{
	for (unsigned cpu = lo; cpu <= hi; cpu++) {
		uint64_t bit = 1ull << cpu;
		if (x->g->cpus & bit)
			return failf(x->err, x->l->line, col, "CPU %u listed twice in cpus", cpu);
		for (unsigned i = 0; i < x->c->nguests; i++)
			if (x->c->guests[i].cpus & bit)
				return failf(x->err, x->l->line, col, "CPU %u already belongs to guest '%s' (line %u)",
				             cpu, x->c->guests[i].name, x->c->guests[i].line);
		x->g->cpus |= bit;
	}
	return true;
}

/* cpus=0,2-3: items separated by ',', each a number or an ascending range. */
static bool guest_cpus(struct guest_ctx *x, const struct cfg_pair *p)
{
	const struct cfg_word *v = &p->value;
	size_t i = 0;

	for (;;) {
		size_t item = i;
		unsigned lo, hi;
		if (!cpu_number(x, v, &i, &lo))
			return false;
		hi = lo;
		if (i < v->len && v->s[i] == '-') {
			i++;
			if (i == v->len || v->s[i] == ',')
				return failf(x->err, x->l->line, v->col + (unsigned)i,
				             "expected a CPU number (0-63) after '-' in cpus");
			if (!cpu_number(x, v, &i, &hi))
				return false;
			if (hi < lo)
				return failf(x->err, x->l->line, v->col + (unsigned)item,
				             "range %u-%u in cpus is descending (expected low-high)", lo, hi);
		}
		if (!add_cpus(x, lo, hi, v->col + (unsigned)item))
			return false;
		if (i == v->len)
			return true;
		if (v->s[i] != ',')
			return failf(x->err, x->l->line, v->col + (unsigned)i,
			             "expected ',' or '-' after a CPU number in cpus");
		i++;
	}
}

static bool guest_memory(struct guest_ctx *x, const struct cfg_pair *p)
{
	const struct cfg_word *v = &p->value;
	char buf[24];
	uint64_t size;

	if (v->len >= sizeof(buf))
		return failf(x->err, x->l->line, v->col, "expected a size for memory such as 64M, not '%.*s'", WORD(v));
	copy_value(buf, v);
	if (!cmdline_parse_size(buf, &size))
		return failf(x->err, x->l->line, v->col, "expected a size for memory such as 64M, not '%s'", buf);
	if (size < GUEST_MIN_MEMORY)
		return failf(x->err, x->l->line, v->col, "memory %s is below the minimum of %lluM", buf,
		             (unsigned long long)(GUEST_MIN_MEMORY >> 20));
	if (size > GUEST_MAX_MEMORY)
		return failf(x->err, x->l->line, v->col, "memory %s is above the maximum of %lluM", buf,
		             (unsigned long long)(GUEST_MAX_MEMORY >> 20));
	if (size % 4096)
		return failf(x->err, x->l->line, v->col, "memory %s is not a multiple of 4K", buf);
	x->g->memory = size;
	return true;
}

static bool guest_cmdline(struct guest_ctx *x, const struct cfg_pair *p)
{
	if (p->value.len >= CFG_GUEST_CMDLINE_MAX)
		return failf(x->err, x->l->line, p->value.col, "cmdline longer than %d characters",
		             CFG_GUEST_CMDLINE_MAX - 1);
	copy_value(x->g->cmdline, &p->value);
	return true;
}

/* A key with two words: *out is whether the value is `on`; anything else is an error naming both. */
static bool two_words(struct guest_ctx *x, const struct cfg_pair *p, const char *key, const char *on, const char *off,
                      bool *out)
{
	if (word_is(&p->value, on) || word_is(&p->value, off)) {
		*out = word_is(&p->value, on);
		return true;
	}
	return failf(x->err, x->l->line, p->value.col, "expected %s or %s for %s, not '%.*s'", on, off, key,
	             WORD(&p->value));
}

static bool guest_restart(struct guest_ctx *x, const struct cfg_pair *p)
{
	return two_words(x, p, "restart", "yes", "no", &x->g->restart);
}

/* console=escaped (the default) or raw: what a guest writes to its COM1 is trusted with the terminal or not. */
static bool guest_console(struct guest_ctx *x, const struct cfg_pair *p)
{
	return two_words(x, p, "console", "raw", "escaped", &x->g->console_raw);
}

/* user_stats=yes: the guest's user space may make the statistics hypercalls (docs/hypercalls.md); no by default. */
static bool guest_user_stats(struct guest_ctx *x, const struct cfg_pair *p)
{
	return two_words(x, p, "user_stats", "yes", "no", &x->g->user_stats);
}

enum guest_key {
	GK_NAME,
	GK_IMAGE,
	GK_CPUS,
	GK_MEMORY,
	GK_CMDLINE,
	GK_MODULE,
	GK_INITRD,
	GK_RESTART,
	GK_CONSOLE,
	GK_USER_STATS,
	GK_COUNT
};

static const struct {
	const char *key;
	bool (*set)(struct guest_ctx *x, const struct cfg_pair *p);
	bool repeats;
} guest_keys[GK_COUNT] = {
        [GK_NAME] = {"name", guest_name, false},          [GK_IMAGE] = {"image", guest_image, false},
        [GK_CPUS] = {"cpus", guest_cpus, false},          [GK_MEMORY] = {"memory", guest_memory, false},
        [GK_CMDLINE] = {"cmdline", guest_cmdline, false}, [GK_MODULE] = {"module", guest_module, true},
        [GK_INITRD] = {"initrd", guest_initrd, false},    [GK_RESTART] = {"restart", guest_restart, false},
        [GK_CONSOLE] = {"console", guest_console, false}, [GK_USER_STATS] = {"user_stats", guest_user_stats, false},
};

/* The required keys, in the order their absence is reported. */
static const struct {
	enum guest_key key;
	const char *what;
} guest_required[] = {{GK_NAME, "name=<id>"}, {GK_IMAGE, "image=<path>"}, {GK_CPUS, "cpus=<list>"}};

static bool guest_line(const struct cfg_line *l, struct hv_config *c, struct cfg_error *err)
{
	const struct cfg_pair *seen[GK_COUNT] = {0};

	if (c->nguests == CFG_MAX_GUESTS)
		return failf(err, l->line, l->directive.col, "more than %d guests", CFG_MAX_GUESTS);
	struct cfg_guest *g = &c->guests[c->nguests];
	struct guest_ctx x = {l, c, g, err};
	memset(g, 0, sizeof(*g));
	g->memory = CFG_GUEST_DEFAULT_MEMORY;
	g->line = l->line;
	for (unsigned i = 0; i < l->npairs; i++) {
		const struct cfg_pair *p = &l->pairs[i];
		unsigned k = 0;
		while (k < GK_COUNT && !word_is(&p->key, guest_keys[k].key))
			k++;
		if (k == GK_COUNT)
			return failf(err, l->line, p->key.col,
			             "unknown key '%.*s' for 'guest' (expected name, image, cpus, memory, cmdline, "
			             "module, initrd, restart, console, user_stats)",
			             WORD(&p->key));
		if (seen[k] && !guest_keys[k].repeats)
			return failf(err, l->line, p->key.col, "key '%s' given twice (first at column %u)",
			             guest_keys[k].key, seen[k]->key.col);
		seen[k] = p;
		if (!guest_keys[k].set(&x, p))
			return false;
	}
	for (size_t i = 0; i < ARRAY_LEN(guest_required); i++)
		if (!seen[guest_required[i].key])
			return failf(err, l->line, l->directive.col, "missing %s for 'guest'", guest_required[i].what);
	c->nguests++;
	return true;
}

static bool hv_config_line(const struct cfg_line *l, void *ctx, struct cfg_error *err)
{
	if (word_is(&l->directive, "hypervisor"))
		return hypervisor_line(l, ctx, err);
	if (word_is(&l->directive, "guest"))
		return guest_line(l, ctx, err);
	return fail(err, l->line, l->directive.col, "unknown directive '%.*s' (expected hypervisor or guest)",
	            &l->directive);
}

bool hv_config_parse(const char *text, size_t len, struct hv_config *out, struct cfg_error *err)
{
	memset(out, 0, sizeof(*out));
	return cfg_parse(text, len, hv_config_line, out, err);
}
