/* conf_scan.c: finding the files hv.conf names, with the hypervisor's own tokenizer (cfg_parse). */
#include "boot/efi/conf_scan.h"

#include "vmm/lib/string.h"

/* What the walk over the lines has collected so far. */
struct conf_walk {
	struct conf_path *out;
	uint32_t max, count;
	enum conf_err e;
};

static bool is_file_key(const struct cfg_word *k)
{
	return (k->len == 5 && hv_strncmp(k->s, "image", 5) == 0) ||
	       (k->len == 6 && hv_strncmp(k->s, "module", 6) == 0) ||
	       (k->len == 6 && hv_strncmp(k->s, "initrd", 6) == 0);
}

static enum conf_err check_path(const struct cfg_word *v)
{
	if (v->len == 0)
		return CONF_ERR_EMPTY;
	if (v->len >= BOOT_NAME_MAX)
		return CONF_ERR_TOO_LONG;
	if (v->s[0] == '/' || v->s[0] == '\\')
		return CONF_ERR_ABSOLUTE;
	for (size_t i = 0; i < v->len; i++)
		if ((unsigned char)v->s[i] < 0x20 || (unsigned char)v->s[i] > 0x7e)
			return CONF_ERR_CHAR;
	return CONF_OK;
}

static bool walk_fail(struct conf_walk *w, enum conf_err e, unsigned line, unsigned col, struct cfg_error *err)
{
	w->e = e;
	err->line = line;
	err->col = col;
	hv_strlcpy(err->msg, conf_strerror(e), sizeof(err->msg));
	return false;
}

/* cfg_parse's callback: every image=/module=/initrd= value of the line, checked, into w->out[]. */
static bool walk_line(const struct cfg_line *l, void *ctx, struct cfg_error *err)
{
	struct conf_walk *w = ctx;

	for (unsigned i = 0; i < l->npairs; i++) {
		const struct cfg_pair *p = &l->pairs[i];
		if (!is_file_key(&p->key))
			continue;
		enum conf_err e = check_path(&p->value);
		if (e != CONF_OK)
			return walk_fail(w, e, l->line, p->value.col, err);
		if (w->count == w->max)
			return walk_fail(w, CONF_ERR_TOO_MANY, l->line, p->key.col, err);
		struct conf_path *cp = &w->out[w->count++];
		memcpy(cp->path, p->value.s, p->value.len);
		cp->path[p->value.len] = '\0';
		cp->line = l->line;
		cp->col = p->value.col;
	}
	return true;
}

enum conf_err conf_scan(const char *text, size_t len, struct conf_path *out, uint32_t max, uint32_t *count,
                        struct cfg_error *err)
{
	struct conf_walk w = {out, max, 0, CONF_OK};

	*err = (struct cfg_error){0};
	bool ok = cfg_parse(text, len, walk_line, &w, err);
	*count = w.count;
	if (!ok && w.e == CONF_OK)
		return CONF_ERR_SYNTAX;
	return w.e;
}

const char *conf_strerror(enum conf_err e)
{
	switch (e) {
	case CONF_OK: return "no error";
	case CONF_ERR_SYNTAX: return "syntax error";
	case CONF_ERR_TOO_MANY: return "too many image=/module=/initrd= files for the boot module table";
	case CONF_ERR_TOO_LONG: return "file path too long";
	case CONF_ERR_EMPTY: return "empty file path";
	case CONF_ERR_ABSOLUTE: return "file path must be relative to \\apicvisor";
	case CONF_ERR_CHAR: return "file path has a character outside printable ASCII";
	}
	return "unknown error";
}

int conf_volume_path(const char *dir, const char *path, uint16_t *out, size_t out_len)
{
	size_t n = 0;

	for (const char *s = dir; *s; s++) {
		if (n + 1 >= out_len)
			return 0;
		out[n++] = (uint16_t)(unsigned char)*s;
	}
	if (n + 1 >= out_len)
		return 0;
	out[n++] = '\\';
	for (const char *s = path; *s; s++) {
		if (n + 1 >= out_len)
			return 0;
		out[n++] = *s == '/' ? '\\' : (uint16_t)(unsigned char)*s;
	}
	out[n] = 0;
	return 1;
}
