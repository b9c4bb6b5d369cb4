/* fake_console.h: the console for unit tests of code that prints (the shell's dumps): all of it kept in text. */
#ifndef TEST_UNIT_FAKE_CONSOLE_H
#define TEST_UNIT_FAKE_CONSOLE_H

#include "test/unit/unit.h"

#include "vmm/lib/log.h"

/* What was printed since a test last set text_len to 0, terminated. */
static char text[1 << 17];
static size_t text_len;

/* The console, into text. Defined here, not inline: include this header in one file of a test only. */
void console_printf_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(text + text_len, sizeof(text) - text_len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(text) - text_len);
	text_len += (size_t)n;
}

/* The line of text that starts with prefix (asserted to exist), without its newline. */
static inline const char *line(const char *prefix)
{
	static char buf[1024];
	const char *p = text;

	while (strncmp(p, prefix, strlen(prefix)) != 0) {
		p = strchr(p, '\n');
		if (!p)
			fail_msg("no line starts with \"%s\" in:\n%s", prefix, text);
		p++;
	}
	size_t n = strcspn(p, "\n");
	assert_true(n < sizeof(buf));
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

static inline void has(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" not in:\n%s", needle, haystack);
}

#endif
