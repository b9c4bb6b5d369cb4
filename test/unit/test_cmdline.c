/* sources: vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/string.c */
/* test_cmdline.c: cmdline_get and cmdline_parse_size. */
#include "test/unit/unit.h"

#include "vmm/lib/cmdline.h"

/* cmdline_get into a fresh buffer poisoned with '#'. */
static char val[64];
static bool get(const char *cmdline, const char *key)
{
	memset(val, '#', sizeof(val));
	return cmdline_get(cmdline, key, val, sizeof(val));
}

static void test_key_value(void **state)
{
	(void)state;
	const char *c = "loglevel=debug console=com2,9600 onpanic=poweroff";

	assert_true(get(c, "loglevel"));
	assert_string_equal(val, "debug");
	assert_true(get(c, "console"));
	assert_string_equal(val, "com2,9600");
	assert_true(get(c, "onpanic"));
	assert_string_equal(val, "poweroff");
	assert_false(get(c, "mem"));
}

static void test_bare_key(void **state)
{
	(void)state;
	assert_true(get("quiet", "quiet"));
	assert_string_equal(val, "");
	assert_true(get("a=1 nosmp b=2", "nosmp"));
	assert_string_equal(val, "");
	assert_true(get("a=1 b=", "b")); /* key= with nothing after it */
	assert_string_equal(val, "");
}

static void test_blanks(void **state)
{
	(void)state;
	const char *c = "  \t a=1\tb=2\n\r c=3   ";

	assert_true(get(c, "a"));
	assert_string_equal(val, "1");
	assert_true(get(c, "b"));
	assert_string_equal(val, "2");
	assert_true(get(c, "c"));
	assert_string_equal(val, "3");
}

static void test_quoted(void **state)
{
	(void)state;
	const char *c = "title=\"my hyper visor\" next=1 empty=\"\" tail=\"unterminated value";

	assert_true(get(c, "title"));
	assert_string_equal(val, "my hyper visor");
	assert_true(get(c, "next"));
	assert_string_equal(val, "1");
	assert_true(get(c, "empty"));
	assert_string_equal(val, "");
	assert_true(get(c, "tail"));
	assert_string_equal(val, "unterminated value");
}

/* What is inside a quoted value is not a key of its own. */
static void test_key_inside_quotes_not_matched(void **state)
{
	(void)state;
	const char *c = "opts=\"loglevel=debug mem=1G\" x=1";

	assert_false(get(c, "loglevel"));
	assert_false(get(c, "mem"));
	assert_true(get(c, "x"));
	assert_string_equal(val, "1");
}

static void test_value_with_equals(void **state)
{
	(void)state;
	assert_true(get("root=UUID=1234-5678", "root"));
	assert_string_equal(val, "UUID=1234-5678");
	assert_false(get("root=UUID=1234-5678", "UUID"));
}

static void test_last_wins(void **state)
{
	(void)state;
	assert_true(get("loglevel=info console=com1 loglevel=debug", "loglevel"));
	assert_string_equal(val, "debug");
	assert_true(get("a=\"one two\" a=three", "a"));
	assert_string_equal(val, "three");
	assert_true(get("a=long-first-value a=s", "a")); /* a shorter last value is not mixed with the first */
	assert_string_equal(val, "s");
	assert_true(get("a=1 a", "a")); /* a bare key last: value "" */
	assert_string_equal(val, "");
	assert_true(get("a a=2", "a"));
	assert_string_equal(val, "2");
}

static void test_prefixes_do_not_match(void **state)
{
	(void)state;
	assert_false(get("loglevelx=1", "loglevel"));
	assert_false(get("loglevelx", "loglevel"));
	assert_false(get("log=1", "loglevel"));
	assert_false(get("loglevel=1", "log"));
	assert_false(get("xloglevel=1", "loglevel"));
	assert_true(get("loglevelx=1 loglevel=2 loglevel_y=3", "loglevel"));
	assert_string_equal(val, "2");
	/* A matching key later does not take a non-matching one's value. */
	assert_true(get("loglevel=2 loglevelx=9", "loglevel"));
	assert_string_equal(val, "2");
}

static void test_truncation(void **state)
{
	(void)state;
	char small[5];

	memset(small, '#', sizeof(small));
	assert_true(cmdline_get("name=abcdefgh", "name", small, sizeof(small)));
	assert_string_equal(small, "abcd");

	memset(small, '#', sizeof(small));
	assert_true(cmdline_get("name=\"ab cdefgh\"", "name", small, 3));
	assert_string_equal(small, "ab");
	assert_int_equal(small[3], '#');

	memset(small, '#', sizeof(small));
	assert_true(cmdline_get("name=abcdefgh", "name", small, 1));
	assert_int_equal(small[0], '\0');
	assert_int_equal(small[1], '#');

	/* size 0: presence only, nothing written. */
	memset(small, '#', sizeof(small));
	assert_true(cmdline_get("name=abcdefgh", "name", small, 0));
	assert_true(cmdline_get("name", "name", small, 0));
	assert_memory_equal(small, "#####", 5);
}

static void test_truncation_heap(void **state)
{
	(void)state;
	char *buf = malloc(4); /* exactly 4 bytes: ASan checks the bound */

	assert_non_null(buf);
	assert_true(cmdline_get("k=0123456789", "k", buf, 4));
	assert_string_equal(buf, "012");
	free(buf);
}

static void test_null_and_empty(void **state)
{
	(void)state;
	assert_false(get(NULL, "loglevel"));
	assert_false(get("", "loglevel"));
	assert_false(get("   \t  ", "loglevel"));
	assert_false(cmdline_get("", "x", NULL, 0));
}

static void test_parse_size(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool ok;
		uint64_t v;
	} cases[] = {
	        {"0", true, 0},
	        {"4096", true, 4096},
	        {"0x1000", true, 0x1000},
	        {"0XfF", true, 255},
	        {"1K", true, 1024},
	        {"1k", true, 1024},
	        {"16M", true, 16ull << 20},
	        {"16m", true, 16ull << 20},
	        {"2G", true, 2ull << 30},
	        {"0x10M", true, 16ull << 20},
	        {"18446744073709551615", true, UINT64_MAX},
	        {"0xffffffffffffffff", true, UINT64_MAX},
	        {"17179869183G", true, 17179869183ull << 30},
	        {"18446744073709551616", false, 0},
	        {"0x10000000000000000", false, 0},
	        {"17179869184G", false, 0}, /* 2^64 */
	        {"", false, 0},
	        {"K", false, 0},
	        {"0x", false, 0},
	        {"0xg", false, 0},
	        {"12Q", false, 0},
	        {"1KB", false, 0},
	        {"-1", false, 0},
	        {" 1", false, 0},
	        {"1 ", false, 0},
	        {"1T", false, 0},
	        {"ff", false, 0},
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint64_t v = 0x5a5a5a5a;
		bool ok = cmdline_parse_size(cases[i].s, &v);
		if (ok != cases[i].ok || (ok && v != cases[i].v)) {
			print_error("\"%s\": got %d %llu, want %d %llu\n", cases[i].s, ok, (unsigned long long)v,
			            cases[i].ok, (unsigned long long)cases[i].v);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_key_value),
	        cmocka_unit_test(test_bare_key),
	        cmocka_unit_test(test_blanks),
	        cmocka_unit_test(test_quoted),
	        cmocka_unit_test(test_key_inside_quotes_not_matched),
	        cmocka_unit_test(test_value_with_equals),
	        cmocka_unit_test(test_last_wins),
	        cmocka_unit_test(test_prefixes_do_not_match),
	        cmocka_unit_test(test_truncation),
	        cmocka_unit_test(test_truncation_heap),
	        cmocka_unit_test(test_null_and_empty),
	        cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
