/* conf_scan.c: finding the files hv.conf names, so that the loader can bring them along. */
#include "boot/efi/conf_scan.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0'; }

/* A word with its quotes removed; raw_len counts the bytes it took in the text. */
struct word {
	char text[BOOT_NAME_MAX + 8];
	size_t len;     /* bytes in text (may exceed the buffer: then too_long) */
	size_t key_len; /* unquoted bytes before the first quote */
	int too_long;
	int open_quote;
};

/* Reads one word starting at text[i] (not blank, not '#'); returns the index after it. */
static size_t read_word(const char *text, size_t len, size_t i, struct word *w)
{
	int quoted = 0;

	*w = (struct word){0};
	w->key_len = (size_t)-1;
	for (; i < len && (quoted || (!is_blank(text[i]) && text[i] != '#')); i++) {
		if (text[i] == '"') {
			if (w->key_len == (size_t)-1)
				w->key_len = w->len;
			quoted = !quoted;
			continue;
		}
		if (quoted && text[i] == '\n')
			break; /* a quote does not run past its line */
		if (w->len < sizeof(w->text) - 1)
			w->text[w->len] = text[i];
		else
			w->too_long = 1;
		w->len++;
	}
	if (w->key_len == (size_t)-1)
		w->key_len = w->len;
	w->open_quote = quoted;
	w->text[w->len < sizeof(w->text) ? w->len : sizeof(w->text) - 1] = '\0';
	return i;
}

/* The value of a word image=... or module=..., or NULL for any other word. */
static const char *file_value(const struct word *w)
{
	static const char *const keys[] = {"image=", "module=", 0};

	for (int k = 0; keys[k]; k++) {
		size_t n = 0;
		while (keys[k][n] && n < w->len && w->text[n] == keys[k][n])
			n++;
		if (!keys[k][n] && w->key_len >= n)
			return w->text + n;
	}
	return 0;
}

static enum conf_err check_value(const struct word *w, const char *v)
{
	if (w->open_quote)
		return CONF_ERR_QUOTE;
	if (w->too_long || w->len - (size_t)(v - w->text) >= BOOT_NAME_MAX)
		return CONF_ERR_TOO_LONG;
	if (!*v)
		return CONF_ERR_EMPTY;
	if (*v == '/' || *v == '\\')
		return CONF_ERR_ABSOLUTE;
	for (const char *p = v; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return CONF_ERR_CHAR;
	return CONF_OK;
}

static void copy_str(char *dst, const char *src)
{
	while ((*dst++ = *src++))
		;
}

enum conf_err conf_scan(const char *text, size_t len, struct conf_path *out, uint32_t max, uint32_t *count,
                        uint32_t *err_line)
{
	uint32_t line = 1;
	size_t i = 0;

	*count = 0;
	*err_line = 0;
	while (i < len) {
		if (text[i] == '\n')
			line++;
		if (is_blank(text[i])) {
			i++;
			continue;
		}
		if (text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		struct word w;
		i = read_word(text, len, i, &w);
		const char *v = file_value(&w);
		if (!v)
			continue;
		enum conf_err e = check_value(&w, v);
		if (e == CONF_OK && *count == max)
			e = CONF_ERR_TOO_MANY;
		if (e != CONF_OK) {
			*err_line = line;
			return e;
		}
		copy_str(out[*count].path, v);
		out[(*count)++].line = line;
	}
	return CONF_OK;
}

const char *conf_strerror(enum conf_err e)
{
	switch (e) {
	case CONF_OK: return "no error";
	case CONF_ERR_TOO_MANY: return "too many image=/module= files for the boot module table";
	case CONF_ERR_TOO_LONG: return "file path too long";
	case CONF_ERR_EMPTY: return "empty file path";
	case CONF_ERR_QUOTE: return "unterminated double quote";
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
