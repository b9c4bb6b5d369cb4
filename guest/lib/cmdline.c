/* cmdline.c: key=value words of the multiboot command line. */
#include "guest/lib/guest.h"

#include "vmm/lib/parse.h"
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

uint32_t cmdline_uint(const char *cmdline, const char *key, uint32_t def)
{
	size_t len;
	const char *v = cmdline_find(cmdline, key, &len);
	uint64_t n;

	if (!v || !parse_uint_n(v, len, UINT32_MAX, &n))
		return def;
	return (uint32_t)n;
}

const char *guest_cmdline(const struct multiboot_info *mbi)
{
	if (!mbi || !(mbi->flags & MBI_FLAG_CMDLINE) || !mbi->cmdline)
		return "";
	return (const char *)mbi->cmdline;
}
