/* sources: vmm/lib/sanitize.c vmm/lib/string.c */
/* test_sanitize.c: guest output made visible: each byte's form, whole-byte cuts, and lines with CR and LF. */
#include "test/unit/unit.h"

#include "vmm/lib/sanitize.h"

static const char *form(uint8_t c)
{
	static char buf[SANITIZE_MAX + 1];
	size_t n = sanitize_byte(c, buf);

	assert_true(n >= 1 && n <= SANITIZE_MAX);
	buf[n] = '\0';
	return buf;
}

/* Printable ASCII and tab as they are; C0 in caret notation; DEL ^?; 0x80-0xff as \xNN. */
static void test_each_byte(void **state)
{
	(void)state;
	assert_string_equal(form('a'), "a");
	assert_string_equal(form(' '), " ");
	assert_string_equal(form('~'), "~");
	assert_string_equal(form('^'), "^");
	assert_string_equal(form('\\'), "\\");
	assert_string_equal(form('\t'), "\t");
	assert_string_equal(form(0x1b), "^["); /* ESC */
	assert_string_equal(form(0x07), "^G"); /* BEL */
	assert_string_equal(form('\r'), "^M");
	assert_string_equal(form('\n'), "^J");
	assert_string_equal(form(0x0c), "^L"); /* FF */
	assert_string_equal(form(0x00), "^@");
	assert_string_equal(form(0x1f), "^_");
	assert_string_equal(form(0x7f), "^?");
	assert_string_equal(form(0x80), "\\x80");
	assert_string_equal(form(0x9b), "\\x9b"); /* C1 CSI */
	assert_string_equal(form(0xc3), "\\xc3");
	assert_string_equal(form(0xff), "\\xff");
}

/* No form of any byte holds a byte a terminal acts on: only printable ASCII (and tab for itself). */
static void test_no_control_survives(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		char buf[SANITIZE_MAX];
		size_t n = sanitize_byte((uint8_t)c, buf);
		for (size_t i = 0; i < n; i++) {
			uint8_t b = (uint8_t)buf[i];
			if ((b < 0x20 && b != '\t') || b >= 0x7f || (b == '\t' && c != '\t'))
				fail_msg("byte %#x: its form holds %#x", c, b);
		}
		if (n == 1)
			assert_true((c >= 0x20 && c < 0x7f) || c == '\t');
	}
}

static void test_string(void **state)
{
	(void)state;
	static const uint8_t in[] = {'o', 'k', 0x1b, 'c', 0x1b, ']', '0', ';', 't', 0x07, 0xc3, 0xa9};
	char out[64];

	assert_int_equal(sanitize(out, sizeof(out), in, sizeof(in)), sizeof(in));
	assert_string_equal(out, "ok^[c^[]0;t^G\\xc3\\xa9");
	assert_int_equal(sanitize(out, sizeof(out), in, 0), 0);
	assert_string_equal(out, "");
}

/* A byte's form is never cut: what does not fit whole is left, and the count says where it stopped. */
static void test_string_cut(void **state)
{
	(void)state;
	static const uint8_t in[] = {'a', 0x1b, 0xff};
	char out[8];

	memset(out, 'Z', sizeof(out));
	assert_int_equal(sanitize(out, 3, in, sizeof(in)), 1); /* "a" and the NUL; ^[ would need 2 more */
	assert_string_equal(out, "a");
	assert_int_equal(sanitize(out, 4, in, sizeof(in)), 2);
	assert_string_equal(out, "a^[");
	assert_int_equal(sanitize(out, 7, in, sizeof(in)), 2); /* \xff needs 4: 3+4 > 6 */
	assert_int_equal(sanitize(out, 8, in, sizeof(in)), 3);
	assert_string_equal(out, "a^[\\xff");
	assert_int_equal(sanitize(out, 1, in, sizeof(in)), 0);
	assert_string_equal(out, "");
}

/* What a line collector emitted, one string per line. */
static struct {
	char lines[8][SANITIZE_LINE_MAX];
	int n;
} got;

static void collect(void *ctx, const char *line)
{
	assert_ptr_equal(ctx, &got);
	assert_true(got.n < (int)ARRAY_LEN(got.lines));
	assert_true(strlen(line) < SANITIZE_LINE_MAX);
	strcpy(got.lines[got.n++], line);
}

static void feed(struct sanitize_line *l, const void *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sanitize_line_feed(l, ((const uint8_t *)s)[i], collect, &got);
}

#define FEED(l, lit) feed(l, lit, sizeof(lit) - 1)

/* CR LF and LF end a line; a CR anywhere else is shown; ESC, BEL and the rest are made visible. */
static void test_lines(void **state)
{
	(void)state;
	struct sanitize_line l = {0};

	memset(&got, 0, sizeof(got));
	FEED(&l, "plain\n");
	FEED(&l, "crlf\r\n");
	FEED(&l, "\x1b"
	         "c\x1b]0;pwned\x07\n");
	FEED(&l, "\r[cpu1] guest benign: exited with status 1\n");
	FEED(&l, "a\r\rb\r\r\n");
	FEED(&l, "\n");
	assert_int_equal(got.n, 6);
	assert_string_equal(got.lines[0], "plain");
	assert_string_equal(got.lines[1], "crlf");
	assert_string_equal(got.lines[2], "^[c^[]0;pwned^G");
	assert_string_equal(got.lines[3], "^M[cpu1] guest benign: exited with status 1");
	assert_string_equal(got.lines[4], "a^M^Mb^M"); /* the last CR before LF is the line end */
	assert_string_equal(got.lines[5], "");
	FEED(&l, "pending\r");
	assert_int_equal(got.n, 6); /* no line end yet */
	assert_true(l.cr);
}

/* A long line is cut at SANITIZE_LINE_MAX - 1 characters, never inside a byte's form. */
static void test_long_lines(void **state)
{
	(void)state;
	struct sanitize_line l = {0};
	char plain[SANITIZE_LINE_MAX + 10];

	memset(&got, 0, sizeof(got));
	memset(plain, 'x', sizeof(plain));
	feed(&l, plain, SANITIZE_LINE_MAX - 1);
	assert_int_equal(got.n, 1); /* full: out at once, as before */
	assert_int_equal(strlen(got.lines[0]), SANITIZE_LINE_MAX - 1);
	FEED(&l, "\n");
	assert_int_equal(got.n, 2);
	assert_string_equal(got.lines[1], "");

	memset(&got, 0, sizeof(got));
	feed(&l, plain, SANITIZE_LINE_MAX - 3); /* 197 characters: a 4-character form no longer fits */
	FEED(&l, "\xff\n");
	assert_int_equal(got.n, 2);
	assert_int_equal(strlen(got.lines[0]), SANITIZE_LINE_MAX - 3);
	assert_string_equal(got.lines[1], "\\xff");

	memset(&got, 0, sizeof(got));
	uint8_t esc[100];
	memset(esc, 0x1b, sizeof(esc));
	feed(&l, esc, sizeof(esc)); /* 200 characters shown: one full line of 99 forms, one left */
	FEED(&l, "\n");
	assert_int_equal(got.n, 2);
	assert_int_equal(strlen(got.lines[0]), 198);
	assert_string_equal(got.lines[1], "^[");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_each_byte), cmocka_unit_test(test_no_control_survives),
	        cmocka_unit_test(test_string),    cmocka_unit_test(test_string_cut),
	        cmocka_unit_test(test_lines),     cmocka_unit_test(test_long_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
