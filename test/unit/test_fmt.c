/* sources: vmm/lib/fmt.c vmm/lib/string.c */
/* test_fmt.c: hv_snprintf/hv_vsnprintf against the C library's vsnprintf. */
#include "test/unit/unit.h"

#include <limits.h>

#include "vmm/lib/fmt.h"

static int mismatches;

/*
 * Format with both the C library and hv_vsnprintf and compare the return
 * values and every byte up to and including the terminator. No format
 * attribute on purpose: the table below uses flag combinations gcc would warn
 * about, and each argument is passed with the type its conversion expects.
 */
static void cmp_fmt(int line, const char *fmt, ...)
{
	char want[600], got[600];
	va_list ap, aq;

	memset(want, 'W', sizeof(want));
	memset(got, 'G', sizeof(got));
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n_want = vsnprintf(want, sizeof(want), fmt, ap);
	int n_got = hv_vsnprintf(got, sizeof(got), fmt, aq);
	va_end(aq);
	va_end(ap);
	if (n_want != n_got || n_want < 0 || memcmp(want, got, (size_t)n_want + 1) != 0) {
		print_error("line %d: format \"%s\": libc %d \"%s\", hv %d \"%s\"\n", line, fmt, n_want, want, n_got,
		            got);
		mismatches++;
	}
}
#define CMP(...) cmp_fmt(__LINE__, __VA_ARGS__)

static int setup(void **state)
{
	(void)state;
	mismatches = 0;
	return 0;
}

static void test_signed_decimal(void **state)
{
	(void)state;
	const int vals[] = {0, 1, -1, 7, -7, 42, 12345, -12345, INT_MAX, INT_MIN};
	const char *fmts[] = {"%d",     "%i",   "%5d",   "%-5d|", "%05d",  "%+d",     "% d",    "%+ d",  "% +d",
	                      "%.3d",   "%.0d", "%5.0d", "%.0i",  "%8.3d", "%-8.3d|", "%08.3d", "%+05d", "% 05d",
	                      "%-05d|", "%1d",  "%+.0d", "% .0d", "%012d", "%+12.5i", "%-+7d|"};

	for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
		for (size_t v = 0; v < ARRAY_LEN(vals); v++)
			CMP(fmts[f], vals[v]);
	assert_int_equal(mismatches, 0);
}

static void test_unsigned_bases(void **state)
{
	(void)state;
	const unsigned vals[] = {0, 1, 7, 8, 9, 15, 16, 255, 256, 0x7fffffff, 0x80000000u, UINT_MAX};
	const char *fmts[] = {"%u",     "%x",    "%X",      "%o",     "%#x",    "%#X",     "%#o",    "%#.0o",  "%#.0x",
	                      "%.0u",   "%.0x",  "%.0o",    "%#.3o",  "%#10x",  "%#-10x|", "%#010x", "%#010X", "%010o",
	                      "%#010o", "%8.4x", "%-8.4X|", "%08.4o", "%#8.4x", "%#.8o",   "%3u",    "%-3u|",  "%#5o"};

	for (size_t f = 0; f < ARRAY_LEN(fmts); f++)
		for (size_t v = 0; v < ARRAY_LEN(vals); v++)
			CMP(fmts[f], vals[v]);
	assert_int_equal(mismatches, 0);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	/* hh and h: the argument is an int, converted to char/short. */
	CMP("%hhd %hhd %hhd %hhd", 127, 128, -129, 0x1ff);
	CMP("%hhu %hhx %hho %hhX", 256 + 7, 0x1ab, 0777, -1);
	CMP("%hd %hd %hd", 32767, 32768, -32769);
	CMP("%hu %hx %ho", 70000, 0x12345, -1);
	CMP("%ld %li %lu %lx %lo", LONG_MIN, LONG_MAX, ULONG_MAX, ULONG_MAX, ULONG_MAX);
	CMP("%lld %lli", LLONG_MIN, LLONG_MAX);
	CMP("%llu %llx %llX %llo", ULLONG_MAX, ULLONG_MAX, 0xdeadbeefcafef00dULL, ULLONG_MAX);
	CMP("%lld|%+lld|%25lld|%-25lld|%025lld", (long long)INT64_MIN, (long long)INT64_MIN, (long long)INT64_MIN,
	    (long long)INT64_MIN, (long long)INT64_MIN);
	CMP("%#llx %#llo %.30llu", (unsigned long long)INT64_MIN, (unsigned long long)INT64_MIN,
	    (unsigned long long)UINT64_MAX);
	CMP("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)0x1234, (ptrdiff_t)-5);
	CMP("%jd %ju %jx", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX, (uintmax_t)0xabc);
	CMP("%td %tu %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)12, (ptrdiff_t)-1);
	CMP("%td", (ptrdiff_t)-42);
	/* Arguments after a wide one are still picked up in order. */
	CMP("%lld %d %hhd %llu %c", -1LL, 99, 300, 5ULL, 'z');
	assert_int_equal(mismatches, 0);
}

static void test_star_width_and_precision(void **state)
{
	(void)state;
	CMP("%*d|", 6, 42);
	CMP("%*d|", -6, 42); /* a negative width means '-' */
	CMP("%-*d|", 6, -42);
	CMP("%0*d|", 6, -42);
	CMP("%.*d|", 4, 7);
	CMP("%.*d|", -1, 7); /* a negative precision means none */
	CMP("%.*d|", 0, 0);
	CMP("%*.*x|", 10, 6, 0xabc);
	CMP("%-*.*x|", 10, 6, 0xabc);
	CMP("%*.*s|", 8, 3, "abcdef");
	CMP("%.*s|", -3, "abcdef");
	CMP("%0*.*d|", 9, 2, 5);
	CMP("%*c|", 4, 'q');
	CMP("%*s|%*d|%.*u", 3, "x", -4, 1, 3, 9u);
	assert_int_equal(mismatches, 0);
}

static void test_strings_chars_percent(void **state)
{
	(void)state;
	CMP("%s", "");
	CMP("[%s]", "hello");
	CMP("[%10s]", "hello");
	CMP("[%-10s]", "hello");
	CMP("[%.3s]", "hello");
	CMP("[%.0s]", "hello");
	CMP("[%.10s]", "hello");
	CMP("[%8.2s]", "hello");
	CMP("[%-8.2s]", "hello");
	CMP("[%2s]", "hello");
	CMP("%c%c%c", 'a', 'b', 'c');
	CMP("[%5c][%-5c]", 'x', 'y');
	CMP("%c", 200); /* an int converted to unsigned char */
	CMP("100%%");
	CMP("%%d%%%d%%", 5);
	CMP("a%sb%sc", "", "");
	CMP("no conversions at all");
	CMP("");
	assert_int_equal(mismatches, 0);
}

static void test_pointer(void **state)
{
	(void)state;
	int x;
	void *ptrs[] = {&x, (void *)(uintptr_t)1, (void *)(uintptr_t)0xffffffff80001000ULL, (void *)UINTPTR_MAX};

	for (size_t i = 0; i < ARRAY_LEN(ptrs); i++) {
		CMP("%p", ptrs[i]);
		CMP("[%24p]", ptrs[i]);
		CMP("[%-24p]", ptrs[i]);
	}
	/* %p is 0x then lower-case hex, like %#lx for non-null pointers. */
	char buf[64];
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%p", (void *)(uintptr_t)0xabcdef), 8);
	assert_string_equal(buf, "0xabcdef");
	assert_int_equal(mismatches, 0);
}

/* The C library writes "(nil)" for a null %p; ours only has to print a zero. */
static void test_null_pointer(void **state)
{
	(void)state;
	char buf[32];

	int n = hv_snprintf(buf, sizeof(buf), "%p", (void *)NULL);
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strchr(buf, '0'));
	assert_null(strpbrk(buf, "123456789abcdef"));
}

static void test_null_string(void **state)
{
	(void)state;
	char buf[32];
	const char *volatile null = NULL; /* volatile: keep gcc from proving it null */

	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "[%8s]", null), 10);
	assert_string_equal(buf, "[  (null)]");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "[%-7s]", null), 9);
	assert_string_equal(buf, "[(null) ]");
}

/* A NUL from %c is one character of output, as in C. */
static void test_nul_char(void **state)
{
	(void)state;
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b\0", 4);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "[%3c]", 0), 5);
	assert_memory_equal(buf, "[  \0]\0", 6);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "[%-3c]", 0), 5);
	assert_memory_equal(buf, "[\0  ]\0", 6);
}

/* C11 7.21.6.1: '+' and ' ' concern signed conversions only; %u, %x, %o ignore them. */
static void test_plus_space_ignored_for_unsigned(void **state)
{
	(void)state;
	CMP("%+u", 5u);
	CMP("% u", 5u);
	CMP("%+x", 0xffu);
	CMP("% o", 8u);
	CMP("%+5u|", 0u);
	CMP("% 05u|", 12u);
	CMP("%+llu", ULLONG_MAX);
	assert_int_equal(mismatches, 0);
}

static void test_truncation(void **state)
{
	(void)state;
	const char *full = "value=-12345 name=abcdef";

	for (size_t size = 1; size <= strlen(full) + 3; size++) {
		char *buf = malloc(size); /* exactly size bytes: ASan sees any write past them */
		assert_non_null(buf);
		memset(buf, '#', size);
		int n = hv_snprintf(buf, size, "value=%d name=%s", -12345, "abcdef");
		assert_int_equal(n, (int)strlen(full));
		size_t keep = size - 1 < strlen(full) ? size - 1 : strlen(full);
		assert_memory_equal(buf, full, keep);
		assert_int_equal(buf[keep], '\0');
		free(buf);
	}
}

static void test_truncation_inside_padding(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, '#', sizeof(buf));
	assert_int_equal(hv_snprintf(buf, 6, "%20d", 1), 20);
	assert_string_equal(buf, "     ");
	assert_int_equal(buf[6], '#');
	assert_int_equal(hv_snprintf(buf, 4, "%-20s|", "ab"), 21);
	assert_string_equal(buf, "ab ");
	assert_int_equal(hv_snprintf(buf, 5, "%#010x", 0xff), 10);
	assert_string_equal(buf, "0x00");
}

static void test_size_zero_writes_nothing(void **state)
{
	(void)state;
	char buf[4] = {'a', 'b', 'c', 'd'};

	assert_int_equal(hv_snprintf(buf, 0, "hello %d", 1234), 10);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(hv_snprintf(NULL, 0, "%s-%s", "abc", "defg"), 8);
	assert_int_equal(hv_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'b');
}

/*
 * C11 7.21.6.1: with a precision, %s reads no more than that many bytes and
 * the array needs no NUL. The string ends right before an inaccessible page.
 */
static struct {
	const char *s;
	int prec, n;
	char out[16];
} prec_call;

static void run_prec(void *arg)
{
	(void)arg;
	prec_call.n = hv_snprintf(prec_call.out, sizeof(prec_call.out), "[%.*s]", prec_call.prec, prec_call.s);
}

static void test_precision_reads_no_further(void **state)
{
	(void)state;
	char *s = unit_guarded_dup("abc", 3); /* no NUL */

	prec_call.s = s;
	prec_call.prec = 2;
	assert_false(unit_faults(run_prec, NULL));
	assert_string_equal(prec_call.out, "[ab]");
	prec_call.prec = 3;
	bool faulted = unit_faults(run_prec, NULL);
	unit_guarded_free(s, 3);
	if (faulted) {
		print_error("\"%%.3s\" of 3 unterminated bytes read a 4th\n");
		fail();
	}
	assert_int_equal(prec_call.n, 5);
	assert_string_equal(prec_call.out, "[abc]");
}

static int call_v(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int call_v(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vsnprintf(void **state)
{
	(void)state;
	char buf[64];

	assert_int_equal(call_v(buf, sizeof(buf), "%s=%d", "k", 17), 4);
	assert_string_equal(buf, "k=17");
	assert_int_equal(call_v(buf, 3, "%s=%d", "key", -17), 7);
	assert_string_equal(buf, "ke");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_signed_decimal, setup),
	        cmocka_unit_test_setup(test_unsigned_bases, setup),
	        cmocka_unit_test_setup(test_length_modifiers, setup),
	        cmocka_unit_test_setup(test_star_width_and_precision, setup),
	        cmocka_unit_test_setup(test_strings_chars_percent, setup),
	        cmocka_unit_test_setup(test_pointer, setup),
	        cmocka_unit_test(test_null_pointer),
	        cmocka_unit_test(test_null_string),
	        cmocka_unit_test(test_nul_char),
	        cmocka_unit_test_setup(test_plus_space_ignored_for_unsigned, setup),
	        cmocka_unit_test(test_precision_reads_no_further),
	        cmocka_unit_test(test_truncation),
	        cmocka_unit_test(test_truncation_inside_padding),
	        cmocka_unit_test(test_size_zero_writes_nothing),
	        cmocka_unit_test(test_vsnprintf),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
