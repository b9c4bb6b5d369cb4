/* sources: */
/* test_libc_mem.c: the hypervisor's memcpy, memmove and memset against the C library's, at every alignment. */
#include "test/unit/unit.h"

/* The hypervisor's own, under other names beside the C library's. */
#define memcpy hv_memcpy
#define memmove hv_memmove
#define memset hv_memset
#define memcmp hv_memcmp
#include "vmm/lib/libc_mem.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp

#define BUF 96

static unsigned char want[BUF], got[BUF], src[BUF];

static void fill(void)
{
	for (unsigned i = 0; i < BUF; i++) {
		src[i] = (unsigned char)(i * 7 + 1);
		want[i] = got[i] = (unsigned char)(0xa0 + i);
	}
}

/* Every destination and source offset and length within the buffers: bytes outside the range untouched. */
static void test_memcpy_and_memset(void **state)
{
	(void)state;
	for (unsigned off = 0; off < 16; off++)
		for (unsigned soff = 0; soff < 16; soff++)
			for (unsigned n = 0; n + off < BUF && n + soff < BUF; n++) {
				fill();
				memcpy(want + off, src + soff, n);
				assert_ptr_equal(hv_memcpy(got + off, src + soff, n), got + off);
				assert_memory_equal(want, got, BUF);
				memset(want + off, 0x5c, n);
				assert_ptr_equal(hv_memset(got + off, 0x15c, n), got + off); /* c is taken as a byte */
				assert_memory_equal(want, got, BUF);
			}
}

/* Overlaps either way, at every alignment: as if through a buffer between. */
static void test_memmove_overlaps(void **state)
{
	(void)state;
	for (unsigned d = 0; d < 24; d++)
		for (unsigned s = 0; s < 24; s++)
			for (unsigned n = 0; n + (d > s ? d : s) < BUF; n++) {
				fill();
				memcpy(want, got, BUF);
				memmove(want + d, want + s, n);
				assert_ptr_equal(hv_memmove(got + d, got + s, n), got + d);
				assert_memory_equal(want, got, BUF);
			}
}

static void test_memcmp(void **state)
{
	(void)state;
	fill();
	assert_int_equal(hv_memcmp(src, src, BUF), 0);
	memcpy(got, src, BUF);
	got[40]++;
	assert_true(hv_memcmp(src, got, BUF) < 0 && hv_memcmp(got, src, BUF) > 0);
	assert_int_equal(hv_memcmp(src, got, 40), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_memcpy_and_memset),
	        cmocka_unit_test(test_memmove_overlaps),
	        cmocka_unit_test(test_memcmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
