/* sources: vmm/lib/parse.c vmm/lib/string.c */
/* test_parse.c: parse_uint and parse_uint_n: decimal, hexadecimal, the maximum, overflow, refusals; the shell's use. */
#include "test/unit/unit.h"

#include "vmm/debug/shell_impl.h"
#include "vmm/lib/parse.h"

#define UNTOUCHED 0x5a5a5a5aull

struct parse_case {
	const char *s;
	uint64_t max;
	bool ok;
	uint64_t v;
};

static void check(const struct parse_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = UNTOUCHED;
		bool ok = parse_uint(c[i].s, c[i].max, &v);

		if (ok != c[i].ok || v != (ok ? c[i].v : UNTOUCHED)) {
			print_error("\"%s\" max %#llx: got %d %#llx, want %d %#llx\n", c[i].s,
			            (unsigned long long)c[i].max, ok, (unsigned long long)v, c[i].ok,
			            (unsigned long long)c[i].v);
			fail();
		}
	}
}

static void test_decimal(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	        {"0", UINT64_MAX, true, 0},       {"7", UINT64_MAX, true, 7},
	        {"4096", UINT64_MAX, true, 4096}, {"010", UINT64_MAX, true, 10}, /* no octal */
	        {"0009", UINT64_MAX, true, 9},    {"18446744073709551615", UINT64_MAX, true, UINT64_MAX},
	};

	check(cases, ARRAY_LEN(cases));
}

static void test_hexadecimal(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	        {"0x0", UINT64_MAX, true, 0},
	        {"0x1000", UINT64_MAX, true, 0x1000},
	        {"0XfF", UINT64_MAX, true, 255},
	        {"0xDeadBeef", UINT64_MAX, true, 0xdeadbeef},
	        {"0x00000000000000001", UINT64_MAX, true, 1}, /* leading zeros are no overflow */
	        {"0xffffffffffffffff", UINT64_MAX, true, UINT64_MAX},
	};

	check(cases, ARRAY_LEN(cases));
}

/* A value equal to max is taken; one above it is not, in either base and at any max. */
static void test_max_boundary(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	        {"255", 255, true, 255},
	        {"256", 255, false, 0},
	        {"0xff", 255, true, 255},
	        {"0x100", 255, false, 0},
	        {"0", 0, true, 0},
	        {"1", 0, false, 0},
	        {"9", 8, false, 0},
	        {"0xa", 9, false, 0},
	        {"4294967295", UINT32_MAX, true, UINT32_MAX},
	        {"4294967296", UINT32_MAX, false, 0},
	        {"0x100000000", UINT32_MAX, false, 0},
	        {"115200", 115200, true, 115200},
	        {"115201", 115200, false, 0},
	        {"1152000", 115200, false, 0},
	        {"18446744073709551614", UINT64_MAX - 1, true, UINT64_MAX - 1},
	        {"18446744073709551615", UINT64_MAX - 1, false, 0},
	};

	check(cases, ARRAY_LEN(cases));
}

static void test_overflow(void **state)
{
	(void)state;
	static const struct parse_case cases[] = {
	        {"18446744073709551616", UINT64_MAX, false, 0}, /* 2^64 */
	        {"18446744073709551620", UINT64_MAX, false, 0},  {"99999999999999999999", UINT64_MAX, false, 0},
	        {"184467440737095516150", UINT64_MAX, false, 0}, {"0x10000000000000000", UINT64_MAX, false, 0},
	        {"0xfffffffffffffffff", UINT64_MAX, false, 0},
	};

	check(cases, ARRAY_LEN(cases));
}

static void test_empty_and_junk(void **state)
{
	(void)state;
	static const char *const junk[] = {"",   "0x", "0X", "x1",   "0xg",   "ff",  "12a",   "-1", "+1",
	                                   " 1", "1 ", "1K", "0x1 ", "0x0x1", "1.5", "0b101", "1e3"};

	for (size_t i = 0; i < ARRAY_LEN(junk); i++) {
		uint64_t v = UNTOUCHED;

		if (parse_uint(junk[i], UINT64_MAX, &v) || v != UNTOUCHED) {
			print_error("\"%s\": taken as %#llx\n", junk[i], (unsigned long long)v);
			fail();
		}
	}
}

/* parse_uint_n reads exactly len characters: what follows is not looked at. */
static void test_length_bounded(void **state)
{
	(void)state;
	uint64_t v = UNTOUCHED;

	assert_true(parse_uint_n("1234,9600", 4, UINT64_MAX, &v));
	assert_int_equal(v, 1234);
	assert_true(parse_uint_n("0x2f8,9600", 5, UINT64_MAX, &v));
	assert_int_equal(v, 0x2f8);
	assert_true(parse_uint_n("0x2f8", 4, UINT64_MAX, &v)); /* "0x2f" */
	assert_int_equal(v, 0x2f);
	assert_true(parse_uint_n("0x", 1, UINT64_MAX, &v)); /* "0" */
	assert_int_equal(v, 0);

	v = UNTOUCHED;
	assert_false(parse_uint_n("123", 0, UINT64_MAX, &v));
	assert_false(parse_uint_n("0x12", 2, UINT64_MAX, &v)); /* a bare "0x" */
	assert_false(parse_uint_n("12,", 3, UINT64_MAX, &v));
	assert_false(parse_uint_n("1\0"
	                          "2",
	                          3, UINT64_MAX, &v)); /* a terminator inside len is junk */
	assert_false(parse_uint_n("300,1", 3, 255, &v));
	assert_int_equal(v, UNTOUCHED);

	/* An unterminated buffer: no byte past len may be read (ASan checks). */
	char *raw = unit_dup("0x1f", 4);
	assert_true(parse_uint_n(raw, 4, UINT64_MAX, &v));
	assert_int_equal(v, 0x1f);
	free(raw);
	raw = unit_dup("9", 1);
	assert_true(parse_uint_n(raw, 1, UINT64_MAX, &v));
	assert_int_equal(v, 9);
	free(raw);
}

/* The shell's numbers (CPUs, vectors, counts, guests): whole words that fit 64 bits. Before the shared parser, a
 * number past 2^64 wrapped around, so "18446744073709551632" named CPU 16. */
static void test_shell_parse_num(void **state)
{
	(void)state;
	uint64_t v = UNTOUCHED;

	assert_true(shell_parse_num("0x40", &v));
	assert_int_equal(v, 0x40);
	assert_true(shell_parse_num("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);

	v = UNTOUCHED;
	assert_false(shell_parse_num("18446744073709551616", &v));
	assert_false(shell_parse_num("18446744073709551632", &v)); /* 2^64 + 16 */
	assert_false(shell_parse_num("0x10000000000000040", &v));
	assert_false(shell_parse_num("0x", &v));
	assert_false(shell_parse_num("", &v));
	assert_false(shell_parse_num("1x", &v));
	assert_int_equal(v, UNTOUCHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decimal),         cmocka_unit_test(test_hexadecimal),
	        cmocka_unit_test(test_max_boundary),    cmocka_unit_test(test_overflow),
	        cmocka_unit_test(test_empty_and_junk),  cmocka_unit_test(test_length_bounded),
	        cmocka_unit_test(test_shell_parse_num),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
