/* cmdline.c: key=value words of the multiboot command line. */
#include "guest/lib/guest.h"

#include "vmm/lib/string.h"

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

const char *cmdline_find(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = hv_strlen(key);
	const char *p = cmdline;

	while (*p) {
		const char *w = p;

		while (*p && !is_blank(*p))
			p++;
		if ((size_t)(p - w) > klen && hv_strncmp(w, key, klen) == 0 && w[klen] == '=') {
			*len = (size_t)(p - w) - klen - 1;
			return w + klen + 1;
		}
		while (is_blank(*p))
			p++;
	}
	return NULL;
}

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
	        : c >= 'a' && c <= 'f' ? c - 'a' + 10
	        : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                               : 99;

	return d < (int)base ? d : -1;
}

uint32_t cmdline_uint(const char *cmdline, const char *key, uint32_t def)
{
	size_t len;
	const char *v = cmdline_find(cmdline, key, &len);
	unsigned base = 10;
	uint32_t n = 0;

	if (!v || len == 0)
		return def;
	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		base = 16, v += 2, len -= 2;
	for (; len; len--, v++) {
		int d = digit(*v, base);

		if (d < 0)
			return def;
		n = n * base + (uint32_t)d;
	}
	return n;
}

const char *guest_cmdline(const struct multiboot_info *mbi)
{
	if (!mbi || !(mbi->flags & MBI_FLAG_CMDLINE) || !mbi->cmdline)
		return "";
	return (const char *)mbi->cmdline;
}
