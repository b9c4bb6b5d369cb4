/* sources: vmm/lib/string.c */
/* test_string.c: the hv_* string routines. */
#include "test/unit/unit.h"

#include "vmm/lib/string.h"

static int sign(int v) { return (v > 0) - (v < 0); }

static void test_strlen(void **state)
{
	(void)state;
	assert_int_equal(hv_strlen(""), 0);
	assert_int_equal(hv_strlen("a"), 1);
	assert_int_equal(hv_strlen("hello world"), 11);
	assert_int_equal(hv_strlen("ab\0cd"), 2);
}

static void test_strnlen(void **state)
{
	(void)state;
	assert_int_equal(hv_strnlen("hello", 0), 0);
	assert_int_equal(hv_strnlen("hello", 3), 3);
	assert_int_equal(hv_strnlen("hello", 5), 5);
	assert_int_equal(hv_strnlen("hello", 6), 5);
	assert_int_equal(hv_strnlen("hello", SIZE_MAX), 5);
	assert_int_equal(hv_strnlen("", 10), 0);

	/* An unterminated buffer: no byte past max may be read (ASan checks). */
	char *raw = unit_dup("abcd", 4);
	assert_int_equal(hv_strnlen(raw, 4), 4);
	assert_int_equal(hv_strnlen(raw, 2), 2);
	free(raw);
}

static void test_strcmp(void **state)
{
	(void)state;
	assert_int_equal(hv_strcmp("", ""), 0);
	assert_int_equal(hv_strcmp("abc", "abc"), 0);
	assert_int_equal(sign(hv_strcmp("abc", "abd")), -1);
	assert_int_equal(sign(hv_strcmp("abd", "abc")), 1);
	assert_int_equal(sign(hv_strcmp("ab", "abc")), -1);
	assert_int_equal(sign(hv_strcmp("abc", "ab")), 1);
	assert_int_equal(sign(hv_strcmp("", "a")), -1);
	/* Bytes compare as unsigned char, as in the C library. */
	assert_int_equal(sign(hv_strcmp("\x80", "\x7f")), 1);
	assert_int_equal(sign(hv_strcmp("a\xff", "a\x01")), 1);
	assert_int_equal(sign(hv_strcmp("\x7f", "\x80")), -1);
}

static void test_strncmp(void **state)
{
	(void)state;
	assert_int_equal(hv_strncmp("abc", "xyz", 0), 0);
	assert_int_equal(hv_strncmp("abcdef", "abcxyz", 3), 0);
	assert_int_equal(sign(hv_strncmp("abcdef", "abcxyz", 4)), -1);
	assert_int_equal(sign(hv_strncmp("abcxyz", "abcdef", 4)), 1);
	/* Stops at the end of equal strings even when n is larger. */
	assert_int_equal(hv_strncmp("abc", "abc", 100), 0);
	assert_int_equal(sign(hv_strncmp("ab", "abc", 100)), -1);
	assert_int_equal(sign(hv_strncmp("abc", "ab", 3)), 1);
	assert_int_equal(hv_strncmp("abc", "ab", 2), 0);
	assert_int_equal(sign(hv_strncmp("\xe9", "e", 1)), 1);

	/* No byte past the NUL or past n is read (ASan checks the heap copies). */
	char *a = unit_dup("key", 4), *b = unit_dup("key", 4);
	assert_int_equal(hv_strncmp(a, b, 1000), 0);
	free(a);
	free(b);
	a = unit_dup("keyX", 4);
	b = unit_dup("keyY", 4);
	assert_int_equal(hv_strncmp(a, b, 3), 0);
	assert_int_equal(sign(hv_strncmp(a, b, 4)), -1);
	free(a);
	free(b);
}

static void test_strlcpy_fits(void **state)
{
	(void)state;
	char buf[8];

	memset(buf, '#', sizeof(buf));
	assert_int_equal(hv_strlcpy(buf, "abc", sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(buf[4], '#'); /* nothing written past the terminator */

	memset(buf, '#', sizeof(buf));
	assert_int_equal(hv_strlcpy(buf, "1234567", sizeof(buf)), 7); /* exactly size-1 */
	assert_string_equal(buf, "1234567");

	assert_int_equal(hv_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_strlcpy_truncates(void **state)
{
	(void)state;
	const char *src = "hello, world";

	for (size_t size = 1; size <= 6; size++) {
		char *dst = malloc(size); /* exactly size bytes */
		assert_non_null(dst);
		memset(dst, '#', size);
		assert_int_equal(hv_strlcpy(dst, src, size), strlen(src)); /* strlen(src), not what fit */
		assert_int_equal(strlen(dst), size - 1);
		assert_memory_equal(dst, src, size - 1);
		free(dst);
	}
}

static void test_strlcpy_size_zero(void **state)
{
	(void)state;
	char buf[4] = {'x', 'y', 'z', 'w'};

	assert_int_equal(hv_strlcpy(buf, "abc", 0), 3);
	assert_memory_equal(buf, "xyzw", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_strlen),
	        cmocka_unit_test(test_strnlen),
	        cmocka_unit_test(test_strcmp),
	        cmocka_unit_test(test_strncmp),
	        cmocka_unit_test(test_strlcpy_fits),
	        cmocka_unit_test(test_strlcpy_truncates),
	        cmocka_unit_test(test_strlcpy_size_zero),
	};

	return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
