/* sources: vmm/mm/palloc.c vmm/lib/string.c */
/* test_palloc.c: the bitmap page allocator, with a randomized run against a model. */
#include "test/unit/unit.h"

#include "vmm/mm/palloc.h"

#define PG 0x1000ull

static struct palloc pa;
static uint64_t bitmap[64]; /* up to 4096 frames */

static void init(uint64_t base_pfn, uint64_t npages)
{
	assert_true(palloc_bitmap_bytes(npages) <= sizeof(bitmap));
	memset(bitmap, 0xa5, sizeof(bitmap)); /* init must clear what it uses */
	palloc_init(&pa, bitmap, base_pfn, npages);
}

static void test_bitmap_bytes(void **state)
{
	(void)state;
	assert_int_equal(palloc_bitmap_bytes(0), 0);
	assert_int_equal(palloc_bitmap_bytes(1), 8);
	assert_int_equal(palloc_bitmap_bytes(64), 8);
	assert_int_equal(palloc_bitmap_bytes(65), 16);
	assert_int_equal(palloc_bitmap_bytes(4096), 512);
	assert_int_equal(palloc_bitmap_bytes(1ull << 20), 1ull << 17);
}

static void test_init_all_used(void **state)
{
	(void)state;
	init(16, 100);
	assert_int_equal(pa.free_pages, 0);
	assert_int_equal(pa.npages, 100);
	assert_int_equal(pa.base_pfn, 16);
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);
	/* Words past the bitmap's size are not touched. */
	assert_int_equal(bitmap[0], 0);
	assert_int_equal(bitmap[1], 0);
	assert_int_equal(bitmap[2], 0xa5a5a5a5a5a5a5a5ull);
}

static void test_add_range_partial_pages(void **state)
{
	(void)state;
	init(0, 64);
	palloc_add_range(&pa, 0x1800, 0x3000); /* [0x1800, 0x4800): whole frames 2 and 3 only */
	assert_int_equal(pa.free_pages, 2);
	uint64_t a = palloc_alloc(&pa, 1, 1), b = palloc_alloc(&pa, 1, 1);
	assert_true((a == 2 * PG && b == 3 * PG) || (a == 3 * PG && b == 2 * PG));
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);

	init(0, 64);
	palloc_add_range(&pa, 0x5001, 0xffe); /* inside one frame: nothing */
	palloc_add_range(&pa, 0x7000, 0xfff); /* one byte short: nothing */
	palloc_add_range(&pa, 0x9000, 0);
	assert_int_equal(pa.free_pages, 0);
	palloc_add_range(&pa, 0xa000, 0x1000); /* exactly one frame */
	assert_int_equal(pa.free_pages, 1);
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0xa000);
}

static void test_add_range_twice_and_clipped(void **state)
{
	(void)state;
	init(16, 16);                       /* frames 16..31 */
	palloc_add_range(&pa, 0, 0x100000); /* clipped to the span */
	assert_int_equal(pa.free_pages, 16);
	palloc_add_range(&pa, 0x10000, 0x4000); /* already free: not counted again */
	assert_int_equal(pa.free_pages, 16);
	for (int i = 0; i < 16; i++) {
		uint64_t p = palloc_alloc(&pa, 1, 1);
		assert_in_range(p, 16 * PG, 31 * PG);
	}
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);
	assert_int_equal(pa.free_pages, 0);

	init(16, 16);
	palloc_add_range(&pa, 0, 0x10000);       /* entirely below the span */
	palloc_add_range(&pa, 0x20000, 0x10000); /* entirely above */
	assert_int_equal(pa.free_pages, 0);
}

static void test_frame0_never_handed_out(void **state)
{
	(void)state;
	init(0, 8);
	palloc_add_range(&pa, 0, 8 * PG);
	assert_int_equal(pa.free_pages, 7);
	for (int i = 0; i < 7; i++)
		assert_int_not_equal(palloc_alloc(&pa, 1, 1), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);
}

/* Freeing the failure value 0 must not put frame 0 into the allocator. */
static void test_free_frame0_refused(void **state)
{
	(void)state;
	init(0, 8);
	palloc_add_range(&pa, 0, 8 * PG);
	assert_false(palloc_free(&pa, 0, 1));
	assert_int_equal(pa.free_pages, 7);
	for (int i = 0; i < 7; i++)
		assert_int_not_equal(palloc_alloc(&pa, 1, 1), 0);
}

static void test_alloc_contiguous_and_aligned(void **state)
{
	(void)state;
	init(3, 200); /* frames 3..202: the span itself is not aligned */
	palloc_add_range(&pa, 0, 1 << 20);
	assert_int_equal(pa.free_pages, 200);

	uint64_t a = palloc_alloc(&pa, 5, 1);
	assert_int_not_equal(a, 0);
	assert_int_equal(pa.free_pages, 195);
	uint64_t b = palloc_alloc(&pa, 4, 16);
	assert_int_not_equal(b, 0);
	assert_int_equal(b % (16 * PG), 0);
	assert_true(b >= 3 * PG && b + 4 * PG <= 203 * PG);
	assert_true(b >= a + 5 * PG || b + 4 * PG <= a);
	uint64_t c = palloc_alloc(&pa, 64, 64);
	assert_int_not_equal(c, 0);
	assert_int_equal(c % (64 * PG), 0);
	assert_int_equal(pa.free_pages, 200 - 5 - 4 - 64);
	/* 64-frame aligned runs in 3..202 start at 64, 128 (192 runs past the end): one is left. */
	uint64_t d = palloc_alloc(&pa, 64, 64);
	assert_int_not_equal(d, 0);
	assert_int_not_equal(d, c);
	assert_int_equal(palloc_alloc(&pa, 64, 64), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 256), 0); /* frame 256 is outside */
}

static void test_bad_arguments(void **state)
{
	(void)state;
	init(1, 32);
	palloc_add_range(&pa, PG, 32 * PG);
	assert_int_equal(palloc_alloc(&pa, 0, 1), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 0), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 3), 0); /* not a power of two */
	assert_int_equal(palloc_alloc(&pa, 33, 1), 0);
	assert_int_equal(pa.free_pages, 32);
}

static void test_exhaustion(void **state)
{
	(void)state;
	init(1, 10);
	palloc_add_range(&pa, PG, 10 * PG);
	assert_int_not_equal(palloc_alloc(&pa, 7, 1), 0);
	assert_int_equal(palloc_alloc(&pa, 4, 1), 0);
	assert_int_equal(pa.free_pages, 3);
	assert_int_not_equal(palloc_alloc(&pa, 3, 1), 0);
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);
	assert_int_equal(pa.free_pages, 0);
}

/* Enough free frames in total, but no run long enough. */
static void test_fragmented(void **state)
{
	(void)state;
	init(1, 16);
	for (uint64_t f = 1; f <= 16; f += 2)
		palloc_add_range(&pa, f * PG, PG);
	assert_int_equal(pa.free_pages, 8);
	assert_int_equal(palloc_alloc(&pa, 2, 1), 0);
	assert_int_equal(pa.free_pages, 8);
	assert_int_not_equal(palloc_alloc(&pa, 1, 1), 0);
}

static void test_free_and_realloc(void **state)
{
	(void)state;
	init(1, 4);
	palloc_add_range(&pa, PG, 4 * PG);
	uint64_t a = palloc_alloc(&pa, 4, 1);
	assert_int_equal(a, PG);
	assert_int_equal(palloc_alloc(&pa, 1, 1), 0);
	assert_true(palloc_free(&pa, a + PG, 2));
	assert_int_equal(pa.free_pages, 2);
	assert_int_equal(palloc_alloc(&pa, 2, 1), a + PG);
	assert_true(palloc_free(&pa, a, 4));
	assert_int_equal(pa.free_pages, 4);
	assert_int_equal(palloc_alloc(&pa, 4, 1), a);
}

static void test_bad_free_changes_nothing(void **state)
{
	(void)state;
	uint64_t snap[1];

	init(8, 32); /* frames 8..39 */
	palloc_add_range(&pa, 8 * PG, 32 * PG);
	uint64_t x = palloc_alloc(&pa, 8, 1);
	assert_int_not_equal(x, 0);
	assert_true(palloc_free(&pa, x + 7 * PG, 1));
	uint64_t before = pa.free_pages;
	memcpy(snap, bitmap, sizeof(snap));

	assert_false(palloc_free(&pa, x + 7 * PG, 1)); /* double free */
	assert_false(palloc_free(&pa, x, 8));          /* its last frame is already free */
	assert_false(palloc_free(&pa, 7 * PG, 1));     /* below the span */
	assert_false(palloc_free(&pa, 40 * PG, 1));    /* above */
	assert_false(palloc_free(&pa, 38 * PG, 4));    /* partly outside */
	assert_false(palloc_free(&pa, x + 0x10, 1));   /* not page aligned */
	assert_false(palloc_free(&pa, 8 * PG, 33));    /* larger than the span */
	assert_false(palloc_free(&pa, UINT64_MAX & ~(PG - 1), 1));
	assert_false(palloc_free(&pa, 8 * PG, UINT64_MAX));
	assert_int_equal(pa.free_pages, before);
	assert_memory_equal(bitmap, snap, sizeof(snap));
	assert_true(palloc_free(&pa, x, 7));
	assert_int_equal(pa.free_pages, before + 7);
}

static void test_hint_wraps_around(void **state)
{
	(void)state;
	init(1, 8); /* frames 1..8, indexes 0..7 */
	palloc_add_range(&pa, PG, 8 * PG);
	uint64_t f[8];
	for (int i = 0; i < 8; i++)
		f[i] = palloc_alloc(&pa, 1, 1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(f[i], (uint64_t)(i + 1) * PG); /* handed out in order */

	/* Everything after the hint is taken: the space before it is found. */
	assert_true(palloc_free(&pa, f[1], 1));
	assert_true(palloc_free(&pa, f[2], 1));
	assert_int_equal(palloc_alloc(&pa, 2, 1), f[1]);
	assert_int_equal(pa.hint, 3);

	/* A run that starts before the hint and ends after it. */
	assert_true(palloc_free(&pa, f[2], 1)); /* index 2 */
	assert_true(palloc_free(&pa, f[3], 1)); /* index 3 */
	assert_true(palloc_free(&pa, f[6], 1)); /* index 6: a lone frame after the hint */
	assert_int_equal(palloc_alloc(&pa, 2, 1), f[2]);
	assert_int_equal(palloc_alloc(&pa, 1, 1), f[6]);
	assert_int_equal(pa.free_pages, 0);
}

/* ---- randomized run against a model ---- */

enum { M_HOLE, M_FREE, M_USED };

struct live {
	uint64_t phys, n;
};

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (rng_state >> 33) % n;
}

static bool model_has_run(const uint8_t *m, uint64_t base_pfn, uint64_t npages, uint64_t n, uint64_t align)
{
	for (uint64_t i = 0; i + n <= npages; i++) {
		if ((base_pfn + i) % align)
			continue;
		uint64_t k = 0;
		while (k < n && m[i + k] == M_FREE)
			k++;
		if (k == n)
			return true;
	}
	return false;
}

static void random_run(uint64_t seed, uint64_t base_pfn, uint64_t npages)
{
	static uint8_t model[4096];
	static struct live live[4096];
	uint64_t nlive = 0, model_free = 0;

	rng_state = seed;
	init(base_pfn, npages);
	memset(model, M_HOLE, sizeof(model));
	/* Usable ranges with holes between them and ragged (sub-page) edges. */
	for (uint64_t pfn = base_pfn; pfn < base_pfn + npages;) {
		uint64_t len = 1 + rnd(npages / 4), gap = rnd(npages / 16 + 1);
		uint64_t lead = rnd(2) ? 0x800 : 0, trail = rnd(2) ? 0x800 : 0;
		uint64_t base = pfn * PG - (pfn ? lead : 0);
		palloc_add_range(&pa, base, len * PG + (pfn ? lead : 0) + trail);
		for (uint64_t k = pfn; k < pfn + len && k < base_pfn + npages; k++)
			if (k != 0 && model[k - base_pfn] == M_HOLE) {
				model[k - base_pfn] = M_FREE;
				model_free++;
			}
		pfn += len + gap;
	}
	assert_int_equal(pa.free_pages, model_free);

	for (int step = 0; step < 20000; step++) {
		uint64_t op = rnd(10);
		if (op < 6) {
			uint64_t n = 1 + rnd(rnd(4) ? 4 : 40), align = 1ull << rnd(5);
			uint64_t p = palloc_alloc(&pa, n, align);
			if (p == 0) {
				if (model_has_run(model, base_pfn, npages, n, align)) {
					print_error("step %d: alloc(%llu, %llu) failed with room\n", step,
					            (unsigned long long)n, (unsigned long long)align);
					fail();
				}
				continue;
			}
			assert_int_equal(p % PG, 0);
			assert_int_equal((p / PG) % align, 0);
			assert_true(p / PG >= base_pfn && p / PG + n <= base_pfn + npages);
			for (uint64_t k = 0; k < n; k++) {
				/* Inside an added range, and not part of a live allocation. */
				if (model[p / PG - base_pfn + k] != M_FREE) {
					print_error("step %d: frame %#llx handed out in state %d\n", step,
					            (unsigned long long)(p / PG + k), model[p / PG - base_pfn + k]);
					fail();
				}
				model[p / PG - base_pfn + k] = M_USED;
			}
			model_free -= n;
			live[nlive++] = (struct live){p, n};
		} else if (op < 9 && nlive) {
			uint64_t i = rnd(nlive);
			assert_true(palloc_free(&pa, live[i].phys, live[i].n));
			for (uint64_t k = 0; k < live[i].n; k++)
				model[live[i].phys / PG - base_pfn + k] = M_FREE;
			model_free += live[i].n;
			/* Freeing it again fails and changes nothing. */
			uint64_t before = pa.free_pages;
			assert_false(palloc_free(&pa, live[i].phys, live[i].n));
			assert_int_equal(pa.free_pages, before);
			live[i] = live[--nlive];
		} else if (nlive) {
			/* Free a live allocation together with the frame after it: refused unless that one is in use.
			 */
			uint64_t i = rnd(nlive);
			uint64_t next = live[i].phys / PG + live[i].n - base_pfn;
			if (next < npages && model[next] == M_FREE) {
				uint64_t before = pa.free_pages;
				assert_false(palloc_free(&pa, live[i].phys, live[i].n + 1));
				assert_int_equal(pa.free_pages, before);
			}
		}
		assert_int_equal(pa.free_pages, model_free);
	}
	/* Give everything back: the allocator is as it started. */
	while (nlive) {
		nlive--;
		assert_true(palloc_free(&pa, live[nlive].phys, live[nlive].n));
	}
	for (uint64_t i = 0; i < npages; i++)
		assert_int_equal(model[i] != M_HOLE, bitmap[i / 64] >> (i % 64) & 1);
	assert_true(pa.free_pages > 0);
}

static void test_random_vs_model(void **state)
{
	(void)state;
	random_run(1, 256, 1000);
	random_run(2, 0, 512);   /* frame 0 in the span */
	random_run(3, 77, 4096); /* an odd base: alignment is of physical frames */
	random_run(4, 1, 64);    /* tight: allocations fail often */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bitmap_bytes),
	        cmocka_unit_test(test_init_all_used),
	        cmocka_unit_test(test_add_range_partial_pages),
	        cmocka_unit_test(test_add_range_twice_and_clipped),
	        cmocka_unit_test(test_frame0_never_handed_out),
	        cmocka_unit_test(test_free_frame0_refused),
	        cmocka_unit_test(test_alloc_contiguous_and_aligned),
	        cmocka_unit_test(test_bad_arguments),
	        cmocka_unit_test(test_exhaustion),
	        cmocka_unit_test(test_fragmented),
	        cmocka_unit_test(test_free_and_realloc),
	        cmocka_unit_test(test_bad_free_changes_nothing),
	        cmocka_unit_test(test_hint_wraps_around),
	        cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests_name("palloc", tests, NULL, NULL);
}
