/* sources: vmm/mm/memmap.c */
/* test_memmap.c: memmap_build, memmap_carve, memmap_limit_usable and the summaries. */
#include "test/unit/unit.h"

#include "vmm/mm/memmap.h"

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull

enum {
	U = BOOT_MEM_USABLE,
	R = BOOT_MEM_RESERVED,
	AR = BOOT_MEM_ACPI_RECLAIM,
	NVS = BOOT_MEM_ACPI_NVS,
	BAD = BOOT_MEM_BAD,
	FW = BOOT_MEM_FIRMWARE,
	PM = BOOT_MEM_PERSISTENT,
};

/* An expected output range as [start, end). */
struct span {
	uint64_t start, end;
	uint32_t type;
};

static struct memmap map;

static struct boot_mem_range rng(uint64_t base, uint64_t length, uint32_t type)
{
	return (struct boot_mem_range){.base = base, .length = length, .type = type};
}

static void dump(const struct memmap *m)
{
	for (uint32_t i = 0; i < m->count; i++)
		print_message("  [%#llx, %#llx) type %u\n", (unsigned long long)m->r[i].base,
		              (unsigned long long)(m->r[i].base + m->r[i].length), m->r[i].type);
}

static void expect_map_(int line, const struct memmap *m, const struct span *want, uint32_t n)
{
	bool ok = m->count == n;

	for (uint32_t i = 0; ok && i < n; i++)
		ok = m->r[i].base == want[i].start && m->r[i].length == want[i].end - want[i].start &&
		     m->r[i].type == want[i].type;
	if (!ok) {
		print_error("line %d: map differs (%u ranges, want %u); got:\n", line, m->count, n);
		dump(m);
		print_error("want:\n");
		for (uint32_t i = 0; i < n; i++)
			print_error("  [%#llx, %#llx) type %u\n", (unsigned long long)want[i].start,
			            (unsigned long long)want[i].end, want[i].type);
		fail();
	}
}
#define EXPECT_MAP(m, ...)                                           \
	do {                                                         \
		const struct span want_[] = {__VA_ARGS__};           \
		expect_map_(__LINE__, (m), want_, ARRAY_LEN(want_)); \
	} while (0)
#define EXPECT_EMPTY(m) assert_int_equal((m)->count, 0)

/* What every built map must satisfy. */
static void check_invariants(const struct memmap *m)
{
	assert_in_range(m->count, 0, MEMMAP_MAX);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct boot_mem_range *r = &m->r[i];
		assert_true(r->length > 0);
		assert_true(r->base + r->length > r->base || r->base + r->length == 0);
		if (r->type == BOOT_MEM_USABLE) {
			assert_int_equal(r->base % PAGE_SIZE, 0);
			assert_int_equal(r->length % PAGE_SIZE, 0);
		}
		if (i) {
			const struct boot_mem_range *p = &m->r[i - 1];
			assert_true(p->base + p->length <= r->base);                        /* sorted, no overlap */
			assert_false(p->base + p->length == r->base && p->type == r->type); /* merged */
		}
	}
}

static void test_sorts_unsorted_input(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {
	        rng(0x100000, 0x7f00000, U),
	        rng(0xf0000, 0x10000, R),
	        rng(0, 0x9fc00, U),
	        rng(0x9fc00, 0x400, R),
	};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0x9fc00, 0xa0000, R}, {0xf0000, 0x100000, R}, {0x100000, 0x8000000, U});
}

static void test_overlap_reserved_splits_usable(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0, 0x10000, U), rng(0x4000, 0x2000, R)};

	assert_int_equal(memmap_build(&map, in, 2), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x4000, U}, {0x4000, 0x6000, R}, {0x6000, 0x10000, U});

	/* Input order does not matter. */
	const struct boot_mem_range rev[] = {in[1], in[0]};
	assert_int_equal(memmap_build(&map, rev, 2), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x4000, U}, {0x4000, 0x6000, R}, {0x6000, 0x10000, U});
}

static void test_overlap_partial(void **state)
{
	(void)state;
	/* A usable range claiming part of a reserved one gets only what is not reserved. */
	const struct boot_mem_range in[] = {rng(0x10000, 0x10000, R), rng(0x8000, 0x10000, U),
	                                    rng(0x18000, 0x10000, U)};

	assert_int_equal(memmap_build(&map, in, 3), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0x8000, 0x10000, U}, {0x10000, 0x20000, R}, {0x20000, 0x28000, U});
}

/* Where two types overlap the more restrictive one wins, in either order. */
static void test_more_restrictive_wins(void **state)
{
	(void)state;
	static const struct {
		uint32_t weak, strong;
	} pairs[] = {
	        {U, AR},
	        {U, NVS},
	        {U, R},
	        {U, BAD},
	        {U, FW},
	        {U, PM},
	        {AR, NVS},
	        {AR, R},
	        {NVS, R},
	        {FW, R},
	        {R, BAD},
	        {AR, FW},
	        {NVS, FW},
	        {U, BOOT_MEM_HV_IMAGE},
	        {U, 0},
	        {U, 99},
	        {NVS, 0x80000000u},
	        {R, BOOT_MEM_LOW},
	        {BAD, BOOT_MEM_HV_MODULE},
	};

	for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
		uint32_t want = pairs[i].strong;
		if (want == 0 || want == 99 || want == 0x80000000u)
			want = R; /* unknown types count as reserved */
		for (int order = 0; order < 2; order++) {
			const struct boot_mem_range a = rng(0x1000, 0x3000, pairs[i].weak);
			const struct boot_mem_range b = rng(0x2000, 0x1000, pairs[i].strong);
			const struct boot_mem_range in[2] = {order ? b : a, order ? a : b};
			assert_int_equal(memmap_build(&map, in, 2), MEMMAP_OK);
			check_invariants(&map);
			if (map.count != 3 || map.r[1].base != 0x2000 || map.r[1].length != 0x1000 ||
			    map.r[1].type != want || map.r[0].type != pairs[i].weak) {
				print_error("weak %u strong %u order %d:\n", pairs[i].weak, pairs[i].strong, order);
				dump(&map);
				fail();
			}
		}
	}
}

static void test_unknown_types_become_reserved(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0x0, 0x1000, 0), rng(0x1000, 0x1000, 8), rng(0x2000, 0x1000, 12),
	                                    rng(0x3000, 0x1000, 0xf0000000u)};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	/* All reserved now, and so merged into one. */
	EXPECT_MAP(&map, {0, 0x4000, R});
}

static void test_adjacent_same_type_merged(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0x3000, 0x800, U),   rng(0x1000, 0x2000, U),
	                                    rng(0, 0x1000, U),       rng(0x10000, 0x1000, R),
	                                    rng(0x11000, 0x1000, R), rng(0x12000, 0x1000, NVS)};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x3000, U}, {0x10000, 0x12000, R}, {0x12000, 0x13000, NVS});
}

static void test_overlapping_same_type_merged(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0, 0x3000, U), rng(0x2000, 0x3000, U), rng(0x1000, 0x1000, U)};

	assert_int_equal(memmap_build(&map, in, 3), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x5000, U});
}

/* Two sub-page usable halves make one whole page: merged before being shrunk. */
static void test_merge_before_page_shrink(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0x1800, 0x800, U), rng(0x1000, 0x800, U)};

	assert_int_equal(memmap_build(&map, in, 2), MEMMAP_OK);
	EXPECT_MAP(&map, {0x1000, 0x2000, U});
}

static void test_usable_shrunk_to_pages(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {
	        rng(0x1234, 0x5678 - 0x1234, U), /* -> [0x2000, 0x5000) */
	        rng(0x10001, 0xffe, U),          /* inside one page: dropped */
	        rng(0x20800, 0x1000, U),         /* straddles two pages, holds neither: dropped */
	        rng(0x30000, 0xfff, U),          /* one byte short of a page: dropped */
	        rng(0x40000, 0x1000, U),         /* exactly a page */
	        rng(0x50010, 0x20, R),           /* reserved ranges are kept exactly */
	};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0x2000, 0x5000, U}, {0x40000, 0x41000, U}, {0x50010, 0x50030, R});
}

static void test_usable_next_to_subpage_reserved(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0, 0x2800, U), rng(0x2800, 0x800, R), rng(0x3000, 0x2000, U)};

	assert_int_equal(memmap_build(&map, in, 3), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x2000, U}, {0x2800, 0x3000, R}, {0x3000, 0x5000, U});
}

static void test_zero_length_ignored(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0, 0x10000, U), rng(0x5000, 0, R), rng(0x80000, 0, U),
	                                    rng(0x5000, 0, BAD)};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x10000, U});

	const struct boot_mem_range only_empty[] = {rng(0x1000, 0, U), rng(0x2000, 0, R)};
	assert_int_equal(memmap_build(&map, only_empty, 2), MEMMAP_OK);
	EXPECT_EMPTY(&map);
	assert_int_equal(memmap_build(&map, NULL, 0), MEMMAP_OK);
	EXPECT_EMPTY(&map);
}

static void test_wrapping_range_clipped(void **state)
{
	(void)state;
	const uint64_t base = 0xfffffffffff00000ull;
	const struct boot_mem_range in[] = {rng(base, 0x200000, R), rng(0x100000, 0x100000, U)};

	assert_int_equal(memmap_build(&map, in, 2), MEMMAP_OK);
	assert_int_equal(map.count, 2);
	assert_int_equal(map.r[1].base, base);
	assert_int_equal(map.r[1].base + map.r[1].length, UINT64_MAX); /* clipped, no wrap */
	assert_int_equal(map.r[1].type, R);
	assert_int_equal(memmap_top(&map), UINT64_MAX);
	assert_int_equal(memmap_top_memory(&map), 0x200000);

	/* Usable wrapping memory is clipped, then shrunk to whole pages. */
	const struct boot_mem_range u[] = {rng(base, UINT64_MAX, U)};
	assert_int_equal(memmap_build(&map, u, 1), MEMMAP_OK);
	EXPECT_MAP(&map, {base, 0xfffffffffffff000ull, U});
}

static void test_too_many_inputs(void **state)
{
	(void)state;
	static struct boot_mem_range in[MEMMAP_MAX + 1];

	/* MEMMAP_MAX disjoint ranges fit exactly. */
	for (uint32_t i = 0; i <= MEMMAP_MAX; i++)
		in[i] = rng((uint64_t)i * 0x2000, 0x1000, i % 2 ? R : U);
	assert_int_equal(memmap_build(&map, in, MEMMAP_MAX), MEMMAP_OK);
	assert_int_equal(map.count, MEMMAP_MAX);
	check_invariants(&map);
	/* One more is refused. */
	assert_int_equal(memmap_build(&map, in, MEMMAP_MAX + 1), MEMMAP_FULL);
}

/* Few inputs, but overlaps split them into more than MEMMAP_MAX ranges. */
static void test_too_many_outputs(void **state)
{
	(void)state;
	static struct boot_mem_range in[2 * 200];

	for (uint32_t i = 0; i < 200; i++) {
		in[2 * i] = rng((uint64_t)i * 0x10000, 0x8000, U);
		in[2 * i + 1] = rng((uint64_t)i * 0x10000 + 0x2000, 0x1000, R); /* 3 ranges each: 600 */
	}
	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_FULL);
	/* 170 of them (510 ranges) still fit. */
	assert_int_equal(memmap_build(&map, in, 2 * 170), MEMMAP_OK);
	assert_int_equal(map.count, 510);
	check_invariants(&map);
}

/* QEMU's SeaBIOS e820 map for a 6 GiB q35 guest. */
static const struct boot_mem_range qemu_e820[] = {
        {0x0000000000000000, 0x000000000009fc00, 1, 0}, {0x000000000009fc00, 0x0000000000000400, 2, 0},
        {0x00000000000f0000, 0x0000000000010000, 2, 0}, {0x0000000000100000, 0x000000007fee0000, 1, 0},
        {0x000000007ffe0000, 0x0000000000020000, 2, 0}, {0x00000000b0000000, 0x0000000010000000, 2, 0},
        {0x00000000fed1c000, 0x0000000000004000, 2, 0}, {0x00000000feffc000, 0x0000000000004000, 2, 0},
        {0x00000000fffc0000, 0x0000000000040000, 2, 0}, {0x0000000100000000, 0x0000000100000000, 1, 0},
        {0x000000fd00000000, 0x0000000300000000, 2, 0},
};

static void test_qemu_e820(void **state)
{
	(void)state;
	assert_int_equal(memmap_build(&map, qemu_e820, ARRAY_LEN(qemu_e820)), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0x9fc00, 0xa0000, R}, {0xf0000, 0x100000, R}, {0x100000, 0x7ffe0000, U},
	           {0x7ffe0000, 0x80000000, R}, {0xb0000000, 0xc0000000, R}, {0xfed1c000, 0xfed20000, R},
	           {0xfeffc000, 0xff000000, R}, {0xfffc0000, 0x100000000, R}, {0x100000000, 0x200000000, U},
	           {0xfd00000000, 0x10000000000, R});
	assert_int_equal(memmap_total(&map, U), 0x9f000 + (0x7ffe0000 - 0x100000) + 4 * GIB);
	assert_int_equal(memmap_total(&map, R),
	                 0x400 + 0x10000 + 0x20000 + 0x10000000 + 0x4000 + 0x4000 + 0x40000 + 0x300000000);
	assert_int_equal(memmap_total(&map, NVS), 0);
	assert_int_equal(memmap_top(&map), 0x10000000000);
	assert_int_equal(memmap_top_memory(&map), 0x200000000); /* the reserved hole at 1 TiB is ignored */
}

/* An OVMF-like map: UEFI types converted, many small interleaved pieces, one firmware overlap. */
static const struct boot_mem_range ovmf[] = {
        {0x0, 0x1000, U, 0},
        {0x1000, 0x9f000, U, 0},
        {0x100000, 0x700000, U, 0},
        {0x800000, 0x8000, NVS, 0},
        {0x808000, 0x3000, U, 0},
        {0x80b000, 0x1000, NVS, 0},
        {0x80c000, 0x5000, U, 0},
        {0x811000, 0xef000, NVS, 0},
        {0x900000, 0x700000, U, 0},
        {0x1000000, 0x7dd4c000 - 0x1000000, U, 0},
        {0x7dd4c000, 0x80000, U, 0},
        {0x7ddcc000, 0x7e8ef000 - 0x7ddcc000, U, 0},
        {0x7e8ef000, 0x100000, FW, 0},
        {0x7e9ef000, 0x100000, FW, 0},
        {0x7eaef000, 0x80000, R, 0},
        {0x7eb6f000, 0x10000, AR, 0},
        {0x7eb7f000, 0x80000, NVS, 0},
        {0x7ebff000, 0x7f5d8000 - 0x7ebff000, U, 0},
        {0x7f5d8000, 0x20000, FW, 0},
        {0x7f5f8000, 0x7f8ee000 - 0x7f5f8000, U, 0},
        {0x7f8ee000, 0x4000, R, 0},
        {0x7f8f2000, 0x2000, FW, 0},
        {0x7f8f4000, 0x7fe00000 - 0x7f8f4000, U, 0},
        {0x7fe00000, 0x178000, U, 0},
        {0x7ff78000, 0x80000, NVS, 0},
        {0x7fff8000, 0x8000, R, 0},
        {0xb0000000, 0x10000000, R, 0},
        {0xfed1c000, 0x4000, 12, 0}, /* an unknown type */
        {0xffc00000, 0x400000, R, 0},
        {0x100000000, 0x80000000, U, 0},
        {0xfd00000000, 0x300000000, R, 0},
        {0x7eaef000, 0x81000, R, 0}, /* overlaps the ACPI tables' first page */
        {0x5000, 0, U, 0},
};

static void expect_ovmf(const struct memmap *m)
{
	EXPECT_MAP(m, {0, 0xa0000, U}, {0x100000, 0x800000, U}, {0x800000, 0x808000, NVS}, {0x808000, 0x80b000, U},
	           {0x80b000, 0x80c000, NVS}, {0x80c000, 0x811000, U}, {0x811000, 0x900000, NVS},
	           {0x900000, 0x7e8ef000, U}, {0x7e8ef000, 0x7eaef000, FW}, {0x7eaef000, 0x7eb70000, R},
	           {0x7eb70000, 0x7eb7f000, AR}, {0x7eb7f000, 0x7ebff000, NVS}, {0x7ebff000, 0x7f5d8000, U},
	           {0x7f5d8000, 0x7f5f8000, FW}, {0x7f5f8000, 0x7f8ee000, U}, {0x7f8ee000, 0x7f8f2000, R},
	           {0x7f8f2000, 0x7f8f4000, FW}, {0x7f8f4000, 0x7ff78000, U}, {0x7ff78000, 0x7fff8000, NVS},
	           {0x7fff8000, 0x80000000, R}, {0xb0000000, 0xc0000000, R}, {0xfed1c000, 0xfed20000, R},
	           {0xffc00000, 0x100000000, R}, {0x100000000, 0x180000000, U}, {0xfd00000000, 0x10000000000, R});
}

static uint32_t lcg_state;
static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static void test_ovmf_map_any_order(void **state)
{
	(void)state;
	struct boot_mem_range in[ARRAY_LEN(ovmf)];

	memcpy(in, ovmf, sizeof(in));
	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
	check_invariants(&map);
	expect_ovmf(&map);
	assert_int_equal(memmap_total(&map, AR), 0xf000);
	assert_int_equal(memmap_total(&map, FW), 0x200000 + 0x20000 + 0x2000);
	assert_int_equal(memmap_top_memory(&map), 0x180000000);

	lcg_state = 12345;
	for (int round = 0; round < 50; round++) {
		for (size_t i = ARRAY_LEN(in) - 1; i > 0; i--) { /* Fisher-Yates with a fixed seed */
			size_t j = lcg() % (i + 1);
			struct boot_mem_range t = in[i];
			in[i] = in[j];
			in[j] = t;
		}
		assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
		expect_ovmf(&map);
	}
}

/*
 * Random inputs against a model: over 64 KiB in 256-byte cells, a cell's type
 * is the most restrictive covering it; usable cells stay usable only where
 * their whole page is usable.
 */
static int model_rank(uint32_t t)
{
	switch (t) {
	case U: return 1;
	case AR: return 2;
	case NVS: return 3;
	case R: return 4;
	default: return 0;
	}
}

static uint32_t type_in_map(const struct memmap *m, uint64_t addr)
{
	for (uint32_t i = 0; i < m->count; i++)
		if (addr >= m->r[i].base && addr - m->r[i].base < m->r[i].length)
			return m->r[i].type;
	return 0;
}

static void test_random_against_model(void **state)
{
	(void)state;
	enum { CELL = 256, CELLS = 256, PAGE_CELLS = PAGE_SIZE / CELL };
	static const uint32_t types[] = {U, U, U, AR, NVS, R};
	struct boot_mem_range in[12];
	uint32_t want[CELLS];

	lcg_state = 777;
	for (int round = 0; round < 2000; round++) {
		uint32_t n = lcg() % ARRAY_LEN(in);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t a = lcg() % CELLS, len = lcg() % 48;
			if (a + len > CELLS)
				len = CELLS - a;
			in[i] = rng(a * CELL, len * CELL, types[lcg() % ARRAY_LEN(types)]);
		}
		for (uint32_t c = 0; c < CELLS; c++) {
			want[c] = 0;
			for (uint32_t i = 0; i < n; i++)
				if (c * CELL >= in[i].base && c * CELL < in[i].base + in[i].length &&
				    model_rank(in[i].type) > model_rank(want[c]))
					want[c] = in[i].type;
		}
		for (uint32_t c = 0; c < CELLS; c++) {
			if (want[c] != U)
				continue;
			uint32_t first = c / PAGE_CELLS * PAGE_CELLS;
			for (uint32_t k = first; k < first + PAGE_CELLS; k++)
				if (want[k] != U && want[k] != U + 100)
					want[c] = U + 100; /* part of a page that is not all usable: a hole */
		}
		assert_int_equal(memmap_build(&map, in, n), MEMMAP_OK);
		check_invariants(&map);
		for (uint32_t c = 0; c < CELLS; c++) {
			uint32_t w = want[c] == U + 100 ? 0 : want[c];
			uint32_t got = type_in_map(&map, (uint64_t)c * CELL);
			if (got != w) {
				print_error("round %d cell %#x: type %u, want %u; input:\n", round, c * CELL, got, w);
				for (uint32_t i = 0; i < n; i++)
					print_error("  [%#llx, +%#llx) type %u\n", (unsigned long long)in[i].base,
					            (unsigned long long)in[i].length, in[i].type);
				dump(&map);
				fail();
			}
		}
	}
}

static void build_simple(void)
{
	const struct boot_mem_range in[] = {rng(0, 0x9f000, U), rng(0xf0000, 0x10000, R), rng(0x100000, 0x7f00000, U)};

	assert_int_equal(memmap_build(&map, in, ARRAY_LEN(in)), MEMMAP_OK);
}

static void test_carve_middle_splits(void **state)
{
	(void)state;
	build_simple();
	assert_int_equal(memmap_carve(&map, 0x200000, 0x80000, BOOT_MEM_HV_MODULE), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xf0000, 0x100000, R}, {0x100000, 0x200000, U},
	           {0x200000, 0x280000, BOOT_MEM_HV_MODULE}, {0x280000, 0x8000000, U});
	assert_int_equal(memmap_total(&map, U), 0x9f000 + 0x100000 + 0x8000000 - 0x280000);
}

static void test_carve_unaligned_module(void **state)
{
	(void)state;
	build_simple();
	/* The module is kept exactly; the usable memory around it loses the partial pages. */
	assert_int_equal(memmap_carve(&map, 0x200100, 0x1000, BOOT_MEM_HV_MODULE), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xf0000, 0x100000, R}, {0x100000, 0x200000, U},
	           {0x200100, 0x201100, BOOT_MEM_HV_MODULE}, {0x202000, 0x8000000, U});
}

static void test_carve_over_hole(void **state)
{
	(void)state;
	build_simple();
	assert_int_equal(memmap_carve(&map, 0xa0000, 0x20000, BOOT_MEM_HV_BOOT), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xa0000, 0xc0000, BOOT_MEM_HV_BOOT}, {0xf0000, 0x100000, R},
	           {0x100000, 0x8000000, U});
	/* Past the end of the map too. */
	assert_int_equal(memmap_carve(&map, 0x10000000, 0x1000, BOOT_MEM_HV_IMAGE), MEMMAP_OK);
	assert_int_equal(map.count, 5);
	assert_int_equal(map.r[4].base, 0x10000000);
	assert_int_equal(map.r[4].type, BOOT_MEM_HV_IMAGE);
	assert_int_equal(memmap_top(&map), 0x10001000);
}

static void test_carve_across_types(void **state)
{
	(void)state;
	build_simple();
	/* Low memory: whatever was below 1 MiB (usable, reserved, hole) becomes one range. */
	assert_int_equal(memmap_carve(&map, 0, MIB, BOOT_MEM_LOW), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x100000, BOOT_MEM_LOW}, {0x100000, 0x8000000, U});
	/* The image straddling usable memory and a reserved range takes both. */
	build_simple();
	assert_int_equal(memmap_carve(&map, 0xff000, 0x3000, BOOT_MEM_HV_IMAGE), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xf0000, 0xff000, R}, {0xff000, 0x102000, BOOT_MEM_HV_IMAGE},
	           {0x102000, 0x8000000, U});
}

static void test_carve_zero_length_and_full(void **state)
{
	(void)state;
	build_simple();
	assert_int_equal(memmap_carve(&map, 0x200000, 0, BOOT_MEM_HV_MODULE), MEMMAP_OK);
	assert_int_equal(map.count, 3);

	static struct boot_mem_range in[MEMMAP_MAX];
	for (uint32_t i = 0; i < MEMMAP_MAX; i++)
		in[i] = rng((uint64_t)i * 0x2000, 0x1000, i % 2 ? R : U);
	assert_int_equal(memmap_build(&map, in, MEMMAP_MAX), MEMMAP_OK);
	assert_int_equal(memmap_carve(&map, 0x10000000, 0x1000, BOOT_MEM_HV_MODULE), MEMMAP_FULL);
}

static void test_limit_usable(void **state)
{
	(void)state;
	assert_int_equal(memmap_build(&map, qemu_e820, ARRAY_LEN(qemu_e820)), MEMMAP_OK);
	uint64_t total = memmap_total(&map, U);

	assert_int_equal(memmap_limit_usable(&map, GIB), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0x9fc00, 0xa0000, R}, {0xf0000, 0x100000, R}, {0x100000, GIB, U},
	           {GIB, 0x7ffe0000, BOOT_MEM_UNUSED}, {0x7ffe0000, 0x80000000, R}, {0xb0000000, 0xc0000000, R},
	           {0xfed1c000, 0xfed20000, R}, {0xfeffc000, 0xff000000, R}, {0xfffc0000, 0x100000000, R},
	           {0x100000000, 0x200000000, BOOT_MEM_UNUSED}, {0xfd00000000, 0x10000000000, R});
	assert_int_equal(memmap_total(&map, U) + memmap_total(&map, BOOT_MEM_UNUSED), total);
	assert_int_equal(memmap_top_memory(&map), 0x200000000); /* unused memory still counts as memory */
}

static void test_limit_usable_edges(void **state)
{
	(void)state;
	build_simple();
	/* A limit above everything changes nothing. */
	assert_int_equal(memmap_limit_usable(&map, 16 * GIB), MEMMAP_OK);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xf0000, 0x100000, R}, {0x100000, 0x8000000, U});
	/* A limit inside a page: no usable byte at or above it remains. */
	assert_int_equal(memmap_limit_usable(&map, 0x400800), MEMMAP_OK);
	check_invariants(&map);
	EXPECT_MAP(&map, {0, 0x9f000, U}, {0xf0000, 0x100000, R}, {0x100000, 0x400000, U},
	           {0x400800, 0x8000000, BOOT_MEM_UNUSED});
	/* Limit 0: nothing usable at all; other types untouched. */
	build_simple();
	assert_int_equal(memmap_carve(&map, 0x200000, 0x1000, BOOT_MEM_HV_IMAGE), MEMMAP_OK);
	assert_int_equal(memmap_limit_usable(&map, 0), MEMMAP_OK);
	assert_int_equal(memmap_total(&map, U), 0);
	assert_int_equal(memmap_total(&map, BOOT_MEM_HV_IMAGE), 0x1000);
	assert_int_equal(memmap_total(&map, R), 0x10000);
}

static void test_top_and_top_memory(void **state)
{
	(void)state;
	const struct boot_mem_range in[] = {rng(0x100000, 0x100000, U), rng(0x300000, 0x1000, NVS),
	                                    rng(0x10000000, 0x1000, R)};

	memset(&map, 0, sizeof(map));
	assert_int_equal(memmap_top(&map), 0);
	assert_int_equal(memmap_top_memory(&map), 0);
	assert_int_equal(memmap_build(&map, in, 3), MEMMAP_OK);
	assert_int_equal(memmap_top(&map), 0x10001000);
	assert_int_equal(memmap_top_memory(&map), 0x301000); /* NVS counts, reserved does not */
	assert_int_equal(memmap_build(&map, in, 1), MEMMAP_OK);
	assert_int_equal(memmap_top(&map), 0x200000);
	assert_int_equal(memmap_top_memory(&map), 0x200000);
	assert_int_equal(memmap_total(&map, U), 0x100000);
	assert_int_equal(memmap_total(&map, R), 0);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(memmap_type_name(U), "usable");
	assert_string_equal(memmap_type_name(R), "reserved");
	assert_string_equal(memmap_type_name(AR), "ACPI tables");
	assert_string_equal(memmap_type_name(NVS), "ACPI NVS");
	assert_string_equal(memmap_type_name(BAD), "bad memory");
	assert_string_equal(memmap_type_name(FW), "firmware runtime");
	assert_string_equal(memmap_type_name(PM), "persistent");
	assert_string_equal(memmap_type_name(BOOT_MEM_HV_IMAGE), "hypervisor image");
	assert_string_equal(memmap_type_name(BOOT_MEM_HV_MODULE), "boot module");
	assert_string_equal(memmap_type_name(BOOT_MEM_HV_BOOT), "hypervisor boot data");
	assert_string_equal(memmap_type_name(BOOT_MEM_LOW), "low memory (kept)");
	assert_string_equal(memmap_type_name(BOOT_MEM_UNUSED), "usable, above mem= (unused)");
	assert_string_equal(memmap_type_name(0), "unknown");
	assert_string_equal(memmap_type_name(8), "unknown");
	assert_string_equal(memmap_type_name(UINT32_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sorts_unsorted_input),
	        cmocka_unit_test(test_overlap_reserved_splits_usable),
	        cmocka_unit_test(test_overlap_partial),
	        cmocka_unit_test(test_more_restrictive_wins),
	        cmocka_unit_test(test_unknown_types_become_reserved),
	        cmocka_unit_test(test_adjacent_same_type_merged),
	        cmocka_unit_test(test_overlapping_same_type_merged),
	        cmocka_unit_test(test_merge_before_page_shrink),
	        cmocka_unit_test(test_usable_shrunk_to_pages),
	        cmocka_unit_test(test_usable_next_to_subpage_reserved),
	        cmocka_unit_test(test_zero_length_ignored),
	        cmocka_unit_test(test_wrapping_range_clipped),
	        cmocka_unit_test(test_too_many_inputs),
	        cmocka_unit_test(test_too_many_outputs),
	        cmocka_unit_test(test_qemu_e820),
	        cmocka_unit_test(test_ovmf_map_any_order),
	        cmocka_unit_test(test_random_against_model),
	        cmocka_unit_test(test_carve_middle_splits),
	        cmocka_unit_test(test_carve_unaligned_module),
	        cmocka_unit_test(test_carve_over_hole),
	        cmocka_unit_test(test_carve_across_types),
	        cmocka_unit_test(test_carve_zero_length_and_full),
	        cmocka_unit_test(test_limit_usable),
	        cmocka_unit_test(test_limit_usable_edges),
	        cmocka_unit_test(test_top_and_top_memory),
	        cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
