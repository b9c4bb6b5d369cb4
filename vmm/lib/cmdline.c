/* cmdline.c: reading key=value options from the hypervisor command line. */
#include "vmm/lib/cmdline.h"

#include "vmm/lib/parse.h"
#include "vmm/lib/string.h"

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Copy the value starting at p (quoted or not) into val; return the end of the word. */
static const char *copy_value(const char *p, char *val, size_t size)
{
	bool quoted = *p == '"';
	size_t n = 0;

	if (quoted)
		p++;
	for (; *p && (quoted ? *p != '"' : !is_blank(*p)); p++)
		if (val && n + 1 < size)
			val[n++] = *p;
	if (val && size)
		val[n] = '\0';
	if (quoted && *p == '"')
		p++;
	return p;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	size_t klen = hv_strlen(key);
	bool found = false;
	const char *p = cmdline;

	while (p && *p) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		const char *word = p;
		while (*p && !is_blank(*p) && *p != '=')
			p++;
		bool match = (size_t)(p - word) == klen && hv_strncmp(word, key, klen) == 0;
		if (*p == '=') {
			p = copy_value(p + 1, match ? val : NULL, size);
		} else if (match && val && size) {
			val[0] = '\0';
		}
		found |= match;
	}
	return found;
}

bool cmdline_parse_size(const char *s, uint64_t *out)
{
	size_t len = hv_strlen(s);
	unsigned shift = 0;
	uint64_t v;

	/* No suffix letter is a hexadecimal digit, so the last character tells. */
	switch (len ? s[len - 1] : '\0') {
	case 'K':
	case 'k': shift = 10; break;
	case 'M':
	case 'm': shift = 20; break;
	case 'G':
	case 'g': shift = 30; break;
	default: break;
	}
	if (!parse_uint_n(s, shift ? len - 1 : len, UINT64_MAX >> shift, &v))
		return false;
	*out = v << shift;
	return true;
}
