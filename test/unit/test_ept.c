/* sources: arch/x86/ept.c */
/* test_ept.c: building EPT maps with a host page allocator: a typical guest, page sizes, refusals, exhaustion. */
#include "test/unit/unit.h"

#include "arch/x86/ept.h"

#define SIZE_4K 0x1000ull
#define SIZE_2M 0x200000ull
#define SIZE_1G 0x40000000ull
#define MAX_PAGES 4096
/* Fake "physical" addresses of table pages: not the pointers, so every access must go through to_virt. */
#define FAKE_PHYS_BASE 0x123400000000ull
#define HOST_BASE 0x80000000ull /* the guest's RAM in host-physical memory, 2 MiB aligned */

/* Host allocator: zeroed aligned pages, at most 'limit' of them. */
struct host_pages {
	void *page[MAX_PAGES];
	unsigned count, limit;
};

static uint64_t host_alloc(void *ctx)
{
	struct host_pages *h = ctx;

	if (h->count == h->limit)
		return 0;
	void *p = aligned_alloc(4096, 4096);
	assert_non_null(p);
	memset(p, 0, 4096);
	h->page[h->count] = p;
	return FAKE_PHYS_BASE + h->count++ * SIZE_4K;
}

static void *host_to_virt(void *ctx, uint64_t phys)
{
	struct host_pages *h = ctx;
	uint64_t i = (phys - FAKE_PHYS_BASE) / SIZE_4K;

	assert_true(phys >= FAKE_PHYS_BASE && phys % SIZE_4K == 0 && i < h->count);
	return h->page[i];
}

static struct host_pages pages;
static struct ept ept;

static void start(unsigned limit)
{
	const struct ept_ops ops = {host_alloc, host_to_virt, &pages};

	pages.limit = limit;
	assert_true(ept_init(&ept, &ops));
	assert_int_equal(ept.pages, 1);
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < pages.count; i++)
		free(pages.page[i]);
	memset(&pages, 0, sizeof(pages));
	return 0;
}

/* gpa must translate to hpa with exactly these leaf flags. */
static void expect_map(uint64_t gpa, uint64_t hpa, uint64_t flags)
{
	uint64_t got = 0, f = 0;

	if (!ept_translate(&ept, gpa, &got, &f))
		fail_msg("gpa %#llx unmapped", (unsigned long long)gpa);
	if (got != hpa || f != flags)
		fail_msg("gpa %#llx: hpa %#llx flags %#llx, expected %#llx %#llx", (unsigned long long)gpa,
		         (unsigned long long)got, (unsigned long long)f, (unsigned long long)hpa,
		         (unsigned long long)flags);
}

static void expect_unmapped(uint64_t gpa)
{
	uint64_t hpa, f;

	if (ept_translate(&ept, gpa, &hpa, &f))
		fail_msg("gpa %#llx mapped to %#llx", (unsigned long long)gpa, (unsigned long long)hpa);
}

#define RAM (EPT_RWX | EPT_MEMTYPE_WB)
#define FIRMWARE (EPT_READ | EPT_EXEC | EPT_MEMTYPE_WB)

static void map_typical_guest(void)
{
	assert_true(ept_map(&ept, 0, HOST_BASE, 0xa0000, RAM));
	assert_true(ept_map(&ept, 0xe0000, HOST_BASE + 0xe0000, 0x20000, FIRMWARE));
	assert_true(ept_map(&ept, 0x100000, HOST_BASE + 0x100000, (64ull << 20) - 0x100000, RAM));
}

static void test_typical_guest(void **state)
{
	(void)state;
	start(MAX_PAGES);
	map_typical_guest();
	/* PML4, PDPT, PD, and one page table for the first 2 MiB; the rest in 2 MiB pages. */
	assert_int_equal(ept.pages, 4);
	expect_map(0, HOST_BASE, RAM);
	expect_map(0x7000, HOST_BASE + 0x7000, RAM);
	expect_map(0x9ffff, HOST_BASE + 0x9ffff, RAM);
	expect_unmapped(0xa0000);
	expect_unmapped(0xc0000);
	expect_unmapped(0xdffff);
	expect_map(0xe0000, HOST_BASE + 0xe0000, FIRMWARE);
	expect_map(0xfffff, HOST_BASE + 0xfffff, FIRMWARE);
	expect_map(0x100000, HOST_BASE + 0x100000, RAM);
	expect_map(0x1fffff, HOST_BASE + 0x1fffff, RAM);
	expect_map(0x200000, HOST_BASE + 0x200000, RAM | EPT_LARGE_PAGE);
	expect_map(0x123456, HOST_BASE + 0x123456, RAM);
	expect_map(0x2345678, HOST_BASE + 0x2345678, RAM | EPT_LARGE_PAGE);
	expect_map((64ull << 20) - 1, HOST_BASE + (64ull << 20) - 1, RAM | EPT_LARGE_PAGE);
	expect_unmapped(64ull << 20);
	expect_unmapped(SIZE_1G);
	expect_unmapped(1ull << 39);
	expect_unmapped((1ull << 48) - 1);
	expect_unmapped(1ull << 48);
	expect_unmapped(~0ull);
}

/* Every 4 KiB page of the first 66 MiB, at a varying offset, against the layout. */
static void test_typical_guest_every_page(void **state)
{
	(void)state;
	start(MAX_PAGES);
	map_typical_guest();
	for (uint64_t gpa = 0; gpa < (66ull << 20); gpa += SIZE_4K) {
		uint64_t a = gpa + (gpa >> 12) % SIZE_4K;
		if (gpa < 0xa0000 || (gpa >= 0x100000 && gpa < SIZE_2M))
			expect_map(a, HOST_BASE + a, RAM);
		else if (gpa >= 0xe0000 && gpa < 0x100000)
			expect_map(a, HOST_BASE + a, FIRMWARE);
		else if (gpa >= SIZE_2M && gpa < (64ull << 20))
			expect_map(a, HOST_BASE + a, RAM | EPT_LARGE_PAGE);
		else
			expect_unmapped(a);
	}
}

/* Non-leaf entries carry RWX and nothing else but the next table's address. */
static void test_non_leaf_entries(void **state)
{
	(void)state;
	start(MAX_PAGES);
	map_typical_guest();
	uint64_t *pml4 = host_to_virt(&pages, ept.pml4);
	assert_int_equal(pml4[0] & ~EPT_ADDR_MASK, EPT_RWX);
	uint64_t *pdpt = host_to_virt(&pages, pml4[0] & EPT_ADDR_MASK);
	assert_int_equal(pdpt[0] & ~EPT_ADDR_MASK, EPT_RWX);
	uint64_t *pd = host_to_virt(&pages, pdpt[0] & EPT_ADDR_MASK);
	assert_int_equal(pd[0] & ~EPT_ADDR_MASK, EPT_RWX);
	assert_int_equal(pd[1], (HOST_BASE + SIZE_2M) | RAM | EPT_LARGE_PAGE);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(pml4[i], 0);
}

static void test_eptp(void **state)
{
	(void)state;
	start(MAX_PAGES);
	assert_int_equal(ept_pointer(&ept), ept.pml4 | 0x1e); /* WB (6), walk length 4 - 1 in bits 5:3 */
	assert_int_equal(ept_pointer(&ept) & ~0xfffull, FAKE_PHYS_BASE);
}

static void test_misaligned_host_base_forces_4k(void **state)
{
	(void)state;
	start(MAX_PAGES);
	/* gpa 2 MiB aligned, hpa only 4 KiB aligned: 4 MiB in 1024 small pages, two page tables. */
	assert_true(ept_map(&ept, SIZE_2M, HOST_BASE + SIZE_4K, 2 * SIZE_2M, RAM));
	assert_int_equal(ept.pages, 5);
	expect_map(SIZE_2M, HOST_BASE + SIZE_4K, RAM);
	expect_map(3 * SIZE_2M - 1, HOST_BASE + SIZE_4K + 2 * SIZE_2M - 1, RAM);
	expect_unmapped(3 * SIZE_2M);
	/* The other way round: hpa aligned, gpa not. */
	assert_true(ept_map(&ept, SIZE_1G + SIZE_4K, 2 * HOST_BASE, SIZE_2M, RAM));
	expect_map(SIZE_1G + SIZE_4K, 2 * HOST_BASE, RAM);
	expect_map(SIZE_1G + SIZE_2M, 2 * HOST_BASE + SIZE_2M - SIZE_4K, RAM);
	expect_unmapped(SIZE_1G);
	expect_unmapped(SIZE_1G + SIZE_2M + SIZE_4K);
}

static void test_tail_in_small_pages(void **state)
{
	(void)state;
	start(MAX_PAGES);
	/* One 2 MiB page, then 12 KiB that cannot fill another. */
	assert_true(ept_map(&ept, 0, HOST_BASE, SIZE_2M + 3 * SIZE_4K, RAM));
	assert_int_equal(ept.pages, 4);
	expect_map(SIZE_2M - 1, HOST_BASE + SIZE_2M - 1, RAM | EPT_LARGE_PAGE);
	expect_map(SIZE_2M + 3 * SIZE_4K - 1, HOST_BASE + SIZE_2M + 3 * SIZE_4K - 1, RAM);
	expect_unmapped(SIZE_2M + 3 * SIZE_4K);
}

static void test_overlap_refused(void **state)
{
	(void)state;
	start(MAX_PAGES);
	assert_true(ept_map(&ept, SIZE_2M, HOST_BASE, SIZE_2M, RAM)); /* one 2 MiB leaf */
	assert_true(ept_map(&ept, 8 * SIZE_2M + SIZE_4K, HOST_BASE, SIZE_4K, RAM));
	uint64_t before = ept.pages;
	/* 4 KiB inside the 2 MiB leaf; the same range; a range straddling its start or its end. */
	assert_false(ept_map(&ept, SIZE_2M + 0x5000, HOST_BASE, SIZE_4K, RAM));
	assert_false(ept_map(&ept, SIZE_2M, HOST_BASE, SIZE_2M, RAM));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_2M + SIZE_4K, RAM));
	assert_false(ept_map(&ept, 2 * SIZE_2M - SIZE_4K, HOST_BASE, 2 * SIZE_4K, RAM));
	/* A 2 MiB range over a page table holding one small page. */
	assert_false(ept_map(&ept, 8 * SIZE_2M, HOST_BASE, SIZE_2M, RAM));
	assert_false(ept_map(&ept, 0, 0, SIZE_1G, RAM));
	/* Refusals leave the map as it was. */
	assert_int_equal(ept.pages, before);
	expect_unmapped(0);
	expect_unmapped(SIZE_2M - SIZE_4K);
	expect_unmapped(2 * SIZE_2M);
	expect_unmapped(8 * SIZE_2M);
	expect_map(SIZE_2M + 0x5000, HOST_BASE + 0x5000, RAM | EPT_LARGE_PAGE);
	/* Neighbours on both sides are fine. */
	assert_true(ept_map(&ept, 0, 0, SIZE_2M, RAM));
	assert_true(ept_map(&ept, 2 * SIZE_2M, 0, SIZE_4K, RAM));
	assert_true(ept_map(&ept, 8 * SIZE_2M, 0, SIZE_4K, RAM));
	assert_true(ept_map(&ept, 8 * SIZE_2M + 2 * SIZE_4K, 0, SIZE_2M - 2 * SIZE_4K, RAM));
}

static void test_bad_arguments_refused(void **state)
{
	(void)state;
	start(MAX_PAGES);
	assert_false(ept_map(&ept, 0x800, HOST_BASE, SIZE_4K, RAM));
	assert_false(ept_map(&ept, 0, HOST_BASE + 0x10, SIZE_4K, RAM));
	assert_false(ept_map(&ept, 0, HOST_BASE, 0x1800, RAM));
	assert_false(ept_map(&ept, 0, HOST_BASE, 0, RAM));
	/* Beyond the 48-bit guest-physical space, or wrapping around. */
	assert_false(ept_map(&ept, 1ull << 48, HOST_BASE, SIZE_4K, RAM));
	assert_false(ept_map(&ept, (1ull << 48) - SIZE_4K, HOST_BASE, 2 * SIZE_4K, RAM));
	assert_false(ept_map(&ept, SIZE_4K, HOST_BASE, ~0xfffull, RAM));
	assert_false(ept_map(&ept, 0, 1ull << 52, SIZE_4K, RAM));
	assert_false(ept_map(&ept, 0, 1ull << 53, SIZE_4K, RAM));
	assert_false(ept_map(&ept, 0, (1ull << 52) - SIZE_4K, 2 * SIZE_4K, RAM));
	/* Flags: none, write without read, execute only, a reserved memory type, stray bits. */
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, 0));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, EPT_WRITE | EPT_MEMTYPE_WB));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, EPT_EXEC | EPT_MEMTYPE_WB));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, EPT_RWX | (2ull << EPT_MEMTYPE_SHIFT)));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, EPT_RWX | (7ull << EPT_MEMTYPE_SHIFT)));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, RAM | EPT_LARGE_PAGE));
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_4K, RAM | (1ull << 12)));
	assert_int_equal(ept.pages, 1);
	expect_unmapped(0);
	/* The top of the 48-bit space is reachable. */
	assert_true(ept_map(&ept, (1ull << 48) - SIZE_2M, HOST_BASE, SIZE_2M, RAM));
	expect_map((1ull << 48) - 1, HOST_BASE + SIZE_2M - 1, RAM | EPT_LARGE_PAGE);
	assert_true(ept_map(&ept, 0, (1ull << 52) - SIZE_4K, SIZE_4K, RAM));
	expect_map(0x123, (1ull << 52) - SIZE_4K + 0x123, RAM);
}

static void test_leaf_memory_types(void **state)
{
	const uint64_t uc = EPT_RWX | EPT_MEMTYPE_UC, wt = EPT_READ | (4ull << EPT_MEMTYPE_SHIFT);
	const uint64_t ipat = EPT_RWX | EPT_MEMTYPE_WB | EPT_IGNORE_PAT;
	uint64_t hpa, f;

	(void)state;
	start(MAX_PAGES);
	assert_true(ept_map(&ept, 0, HOST_BASE, SIZE_4K, uc));
	assert_true(ept_map(&ept, SIZE_4K, HOST_BASE, SIZE_4K, wt));
	assert_true(ept_map(&ept, SIZE_2M, HOST_BASE, SIZE_2M, ipat));
	assert_true(ept_map(&ept, 2 * SIZE_2M, HOST_BASE, SIZE_4K, FIRMWARE));
	expect_map(0, HOST_BASE, uc);
	expect_map(SIZE_4K, HOST_BASE, wt);
	expect_map(SIZE_2M, HOST_BASE, ipat | EPT_LARGE_PAGE);
	assert_true(ept_translate(&ept, 2 * SIZE_2M, &hpa, &f));
	assert_int_equal(f & EPT_MEMTYPE_MASK, EPT_MEMTYPE_WB);
	assert_int_equal(f & EPT_RWX, EPT_READ | EPT_EXEC); /* the firmware area is not writable */
	assert_int_equal((f & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT, 6);
}

static void test_allocator_exhausted(void **state)
{
	const struct ept_ops ops = {host_alloc, host_to_virt, &pages};
	struct ept none;

	(void)state;
	pages.limit = 0;
	assert_false(ept_init(&none, &ops));
	/* Root, PDPT and the first PD: 1 GiB of 2 MiB pages, then the PD for the next GiB is missing. */
	start(3);
	assert_false(ept_map(&ept, 0, HOST_BASE, SIZE_1G + SIZE_2M, RAM));
	assert_int_equal(ept.pages, 3);
	expect_unmapped(0); /* the 512 leaves written before the failure are gone */
	expect_unmapped(SIZE_1G - 1);
	assert_true(ept_map(&ept, 0, HOST_BASE, SIZE_1G, RAM)); /* the PD left behind is reused */
	assert_int_equal(ept.pages, 3);
	expect_map(SIZE_1G - 1, HOST_BASE + SIZE_1G - 1, RAM | EPT_LARGE_PAGE);
}

static void test_exhausted_after_page_table(void **state)
{
	(void)state;
	start(4);
	/* A 4 KiB page below 1 GiB needs a page table (4th page), the 2 MiB page above it a new PD: none left. */
	assert_false(ept_map(&ept, SIZE_1G - SIZE_4K, HOST_BASE - SIZE_4K, SIZE_4K + SIZE_2M, RAM));
	assert_int_equal(ept.pages, 4);
	expect_unmapped(SIZE_1G - SIZE_4K);
	/* The empty page table left in the last 2 MiB slot below 1 GiB is filled with small pages. */
	assert_true(ept_map(&ept, SIZE_1G - SIZE_2M, HOST_BASE, SIZE_2M, RAM));
	assert_int_equal(ept.pages, 4);
	expect_map(SIZE_1G - SIZE_2M, HOST_BASE, RAM);
	expect_map(SIZE_1G - 1, HOST_BASE + SIZE_2M - 1, RAM);
	/* Other slots of that PD still get 2 MiB pages. */
	assert_true(ept_map(&ept, 0, HOST_BASE, SIZE_2M, RAM));
	expect_map(0, HOST_BASE, RAM | EPT_LARGE_PAGE);
	assert_int_equal(ept.pages, 4);
}

/* One 4 KiB page out and back in (the APIC-access page); a part of a 2 MiB page is refused, the map unchanged. */
static void test_unmap(void **state)
{
	uint64_t hpa, flags;
	(void)state;
	start(MAX_PAGES);
	assert_true(ept_map(&ept, 0xfee00000, HOST_BASE, SIZE_4K, EPT_READ | EPT_WRITE | EPT_MEMTYPE_WB));
	assert_true(ept_map(&ept, 0xfee01000, HOST_BASE + SIZE_4K, SIZE_4K, EPT_RWX | EPT_MEMTYPE_WB));
	assert_true(ept_unmap(&ept, 0xfee00000, SIZE_4K));
	assert_false(ept_translate(&ept, 0xfee00000, &hpa, &flags));
	assert_true(ept_translate(&ept, 0xfee01000, &hpa, &flags)); /* its neighbour stays */
	assert_int_equal(hpa, HOST_BASE + SIZE_4K);
	assert_true(ept_unmap(&ept, 0xfee00000, SIZE_4K)); /* not mapped: nothing to do */
	assert_true(ept_map(&ept, 0xfee00000, HOST_BASE, SIZE_4K, EPT_READ | EPT_WRITE | EPT_MEMTYPE_WB));
	assert_true(ept_translate(&ept, 0xfee00000, &hpa, &flags));
	assert_int_equal(hpa, HOST_BASE);
	assert_true(ept_map(&ept, 0, HOST_BASE, SIZE_2M, EPT_RWX | EPT_MEMTYPE_WB));
	assert_false(ept_unmap(&ept, SIZE_4K, SIZE_4K)); /* inside a 2 MiB page */
	assert_true(ept_translate(&ept, SIZE_4K, &hpa, &flags));
	assert_false(ept_unmap(&ept, 0xfee00000, 0));
	assert_false(ept_unmap(&ept, 0xfee00800, SIZE_4K));
	assert_false(ept_unmap(&ept, 1ull << 48, SIZE_4K));
	assert_true(ept_translate(&ept, 0xfee00000, &hpa, &flags));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_typical_guest, teardown),
	        cmocka_unit_test_teardown(test_typical_guest_every_page, teardown),
	        cmocka_unit_test_teardown(test_non_leaf_entries, teardown),
	        cmocka_unit_test_teardown(test_eptp, teardown),
	        cmocka_unit_test_teardown(test_misaligned_host_base_forces_4k, teardown),
	        cmocka_unit_test_teardown(test_tail_in_small_pages, teardown),
	        cmocka_unit_test_teardown(test_overlap_refused, teardown),
	        cmocka_unit_test_teardown(test_bad_arguments_refused, teardown),
	        cmocka_unit_test_teardown(test_leaf_memory_types, teardown),
	        cmocka_unit_test_teardown(test_allocator_exhausted, teardown),
	        cmocka_unit_test_teardown(test_exhausted_after_page_table, teardown),
	        cmocka_unit_test_teardown(test_unmap, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
