/* config.c: the configuration file (hv.conf): syntax, and the directives known so far. */
#include "vmm/config.h"

#include "vmm/fmt.h"
#include "vmm/string.h"

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

static bool hv_config_line(const struct cfg_line *l, void *ctx, struct cfg_error *err)
{
	if (word_is(&l->directive, "hypervisor"))
		return hypervisor_line(l, ctx, err);
	return fail(err, l->line, l->directive.col, "unknown directive '%.*s' (expected hypervisor)", &l->directive);
}

bool hv_config_parse(const char *text, size_t len, struct hv_config *out, struct cfg_error *err)
{
	memset(out, 0, sizeof(*out));
	return cfg_parse(text, len, hv_config_line, out, err);
}
