/* loadopt.c: the hypervisor command line from what the UEFI shell passes the loader. */
#include "boot/efi/loadopt.h"

#define WORD_MAX 256

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int is_blank16(uint16_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static char to_ascii(uint16_t c)
{
	if (is_blank16(c))
		return ' ';
	return c >= 0x20 && c <= 0x7e ? (char)c : '?';
}

/* s[0..n) equals t[0..m), ignoring case. */
static int same_nocase(const char *s, size_t n, const char *t, size_t m)
{
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != lower(t[i]))
			return 0;
	return 1;
}

static int ends_with_efi(const char *s, size_t n) { return n >= 4 && same_nocase(s + n - 4, 4, ".efi", 4); }

/* The word s[0..n) names this program: "fs0:\EFI\BOOT\BOOTX64.EFI", "bootx64", "x.efi". */
static int is_program_name(const char *s, size_t n, const char *self)
{
	size_t b = n, slen = 0;

	if (ends_with_efi(s, n))
		return 1;
	if (!self)
		return 0;
	while (b > 0 && s[b - 1] != '\\' && s[b - 1] != '/' && s[b - 1] != ':')
		b--;
	while (self[slen])
		slen++;
	if (ends_with_efi(self, slen))
		slen -= 4;
	return slen > 0 && same_nocase(s + b, n - b, self, slen);
}

/* Number of UCS-2 units before the first NUL; -1 if a control character shows binary data. */
static long text_length(const uint16_t *opts, size_t units)
{
	size_t n = 0;
	for (; n < units && opts[n]; n++)
		if (opts[n] < 0x20 && !is_blank16(opts[n]))
			return -1;
	return (long)n;
}

enum loadopt_result loadopt_to_cmdline(const uint16_t *opts, size_t size, const char *self_name, char *out,
                                       size_t out_len)
{
	long len = opts ? text_length(opts, size / 2) : 0;
	size_t i = 0, o = 0, n;
	char word[WORD_MAX];

	out[0] = '\0';
	if (len < 0)
		return LOADOPT_NOT_TEXT;
	n = (size_t)len;
	while (i < n && is_blank16(opts[i]))
		i++;
	size_t w = 0, start = i;
	for (; i < n && !is_blank16(opts[i]); i++)
		if (w < WORD_MAX)
			word[w++] = to_ascii(opts[i]);
	if (!(w < WORD_MAX && is_program_name(word, w, self_name)))
		i = start;
	while (i < n && is_blank16(opts[i]))
		i++;
	for (; i < n && o + 1 < out_len; i++)
		out[o++] = to_ascii(opts[i]);
	int truncated = 0;
	for (; i < n; i++) /* only blanks left over is no truncation */
		truncated |= !is_blank16(opts[i]);
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return truncated ? LOADOPT_TRUNCATED : LOADOPT_OK;
}
