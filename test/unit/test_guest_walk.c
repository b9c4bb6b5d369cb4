/* sources: arch/x86/guest_walk.c */
/* test_guest_walk.c: guest page walks in every paging mode over page tables built in a host buffer. */
#include "test/unit/unit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/paging.h"

#define RAM_SIZE (1u << 20) /* guest-physical [0, 1 MiB) */
#define PAGE 0x1000u
#define RW (PTE_P | PTE_W)

/* Guest RAM and a bump allocator of zeroed table pages in it. */
struct guest {
	uint8_t *ram;
	uint64_t next;
	unsigned reads; /* read_gpa calls */
};

static struct guest g;

static bool read_gpa(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	struct guest *gu = opaque;

	gu->reads++;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, gu->ram + gpa, len);
	return true;
}

static int setup(void **state)
{
	(void)state;
	g.ram = calloc(1, RAM_SIZE);
	g.next = PAGE; /* page 0 stays free, so 0 is never a table */
	g.reads = 0;
	return g.ram ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(g.ram);
	return 0;
}

static uint64_t page(void)
{
	uint64_t p = g.next;

	g.next += PAGE;
	assert_true(g.next <= RAM_SIZE);
	return p;
}

static void set64(uint64_t gpa, uint64_t v) { memcpy(g.ram + gpa, &v, 8); }
static void set32(uint64_t gpa, uint32_t v) { memcpy(g.ram + gpa, &v, 4); }

static struct guest_walk_ctx ctx_with(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
	return (struct guest_walk_ctx){
	        .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer, .read_gpa = read_gpa, .opaque = &g};
}

#define CR0_PAGING (CR0_PE | CR0_PG | CR0_WP)
#define EFER_LONG (EFER_LME | EFER_LMA)

static enum walk_result walk(const struct guest_walk_ctx *c, uint64_t linear, uint64_t *gpa)
{
	return guest_walk(c, linear, false, false, gpa);
}

/* ---- paging off ---- */

static void test_paging_off(void **state)
{
	struct guest_walk_ctx c = ctx_with(CR0_PE, 0, 0, 0);
	uint64_t gpa = 0;
	(void)state;
	assert_int_equal(walk(&c, 0xfee000b0, &gpa), WALK_OK);
	assert_int_equal(gpa, 0xfee000b0);
	assert_int_equal(walk(&c, 0x100001000ull, &gpa), WALK_OK); /* linear addresses are 32 bits */
	assert_int_equal(gpa, 0x1000);
	assert_int_equal(g.reads, 0);
}

/* ---- 32-bit paging (SDM Vol. 3, 4.3) ---- */

/* A PD at CR3 with one PT behind PDE[linear >> 22]; returns the PT. */
static uint64_t map32_table(uint64_t pd, uint32_t linear, uint32_t pde_flags)
{
	uint64_t pt = page();

	set32(pd + (linear >> 22) * 4, (uint32_t)pt | pde_flags);
	return pt;
}

static void test_32bit_4k(void **state)
{
	uint64_t pd = page(), gpa = 0;
	uint64_t pt = map32_table(pd, 0xc0801000, RW);
	struct guest_walk_ctx c = ctx_with(CR0_PAGING, pd | 0x18 /* PWT, PCD */, 0, 0);
	(void)state;
	set32(pt + 1 * 4, 0xfee00000 | RW);
	assert_int_equal(walk(&c, 0xc08010b0, &gpa), WALK_OK);
	assert_int_equal(gpa, 0xfee000b0);
	assert_int_equal(walk(&c, 0xc08020b0, &gpa), WALK_NOT_PRESENT); /* PTE 2 */
	assert_int_equal(walk(&c, 0x000010b0, &gpa), WALK_NOT_PRESENT); /* PDE 0 */
	assert_int_equal(gpa, 0xfee000b0);                              /* unchanged on failure */
}

static void test_32bit_ps_without_pse_is_a_table(void **state)
{
	uint64_t pd = page(), gpa = 0;
	uint64_t pt = map32_table(pd, 0x00400000, RW | PTE_PS); /* PS is ignored without CR4.PSE */
	struct guest_walk_ctx c = ctx_with(CR0_PAGING, pd, 0, 0);
	(void)state;
	set32(pt, 0x00123000 | RW);
	assert_int_equal(walk(&c, 0x00400abc, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x00123abc);
}

static void test_32bit_4m_and_pse36(void **state)
{
	uint64_t pd = page(), gpa = 0;
	struct guest_walk_ctx c = ctx_with(CR0_PAGING, pd, CR4_PSE, 0);
	(void)state;
	set32(pd + 1 * 4, 0x12c00000 | RW | PTE_PS);
	assert_int_equal(walk(&c, 0x00512345, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x12d12345);
	/* PSE-36: PDE bits 20:13 are physical-address bits 39:32 */
	set32(pd + 2 * 4, 0x12c00000 | (0x85u << 13) | RW | PTE_PS);
	assert_int_equal(walk(&c, 0x00812345, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x8512c12345ull);
	/* bit 21 is always reserved; with MAXPHYADDR 36 so are bits 20:17 */
	set32(pd + 3 * 4, 0x12c00000 | (1u << 21) | RW | PTE_PS);
	assert_int_equal(walk(&c, 0x00c00000, &gpa), WALK_RESERVED);
	c.maxphyaddr = 36;
	set32(pd + 4 * 4, 0x12c00000 | (0xfu << 13) | RW | PTE_PS); /* address bits 35:32 */
	assert_int_equal(walk(&c, 0x01000000, &gpa), WALK_OK);
	assert_int_equal(gpa, 0xf12c00000ull);
	assert_int_equal(walk(&c, 0x00812345, &gpa), WALK_RESERVED); /* bit 39 set, above 36 bits */
}

static void test_32bit_wp(void **state)
{
	uint64_t pd = page(), gpa = 0;
	uint64_t pt = map32_table(pd, 0, PTE_P); /* read-only at the PDE */
	struct guest_walk_ctx c = ctx_with(CR0_PAGING, pd, 0, 0);
	(void)state;
	set32(pt + 5 * 4, 0x7000 | RW);
	assert_int_equal(guest_walk(&c, 0x5000, true, false, &gpa), WALK_PROTECTION);
	assert_int_equal(guest_walk(&c, 0x5000, false, true, &gpa), WALK_OK); /* no XD in 32-bit paging */
	c.cr0 &= ~CR0_WP;                                                     /* supervisor writes allowed */
	assert_int_equal(guest_walk(&c, 0x5000, true, false, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x7000);
}

/* ---- PAE paging (SDM Vol. 3, 4.4) ---- */

struct pae {
	uint64_t pdpt, pd, pt;
	struct guest_walk_ctx c;
};

/* PDPT (32-byte aligned, not page aligned) -> PD for linear [0x40000000, 0x80000000) -> PT for its first 2 MiB. */
static struct pae pae_tables(void)
{
	struct pae p = {.pdpt = page() + 0x20, .pd = page(), .pt = page()};

	set64(p.pdpt + 1 * 8, p.pd | PTE_P);
	set64(p.pd, p.pt | RW);
	p.c = ctx_with(CR0_PAGING, p.pdpt, CR4_PAE, 0);
	return p;
}

static void test_pae_4k_and_2m(void **state)
{
	struct pae p = pae_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(p.pt + 3 * 8, 0x123456000ull | RW); /* above 4 GiB */
	assert_int_equal(walk(&p.c, 0x40003abc, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x123456abcull);
	set64(p.pd + 1 * 8, 0x87600000ull | RW | PTE_PS);
	assert_int_equal(walk(&p.c, 0x402fffff, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x876fffffull);
	assert_int_equal(walk(&p.c, 0x00003000, &gpa), WALK_NOT_PRESENT); /* PDPTE 0 */
	assert_int_equal(walk(&p.c, 0x40400000, &gpa), WALK_NOT_PRESENT); /* PDE 2 */
	assert_int_equal(walk(&p.c, 0x40004000, &gpa), WALK_NOT_PRESENT); /* PTE 4 */
}

static void test_pae_pdpte_reserved(void **state)
{
	struct pae p = pae_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(p.pt, 0x5000 | RW);
	p.c.efer = EFER_NX;
	set64(p.pdpt + 8, p.pd | PTE_P | PTE_W); /* PDPTE bits 2:1 are reserved */
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_RESERVED);
	set64(p.pdpt + 8, p.pd | PTE_P | PTE_NX); /* bit 63 is reserved in a PDPTE even with NXE */
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_RESERVED);
	set64(p.pdpt + 8, p.pd | PTE_P | PTE_PS); /* bit 7 is in 8:5 */
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_RESERVED);
	set64(p.pdpt + 8, p.pd | PTE_P | PTE_PCD | PTE_PWT); /* allowed */
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_OK);
}

static void test_pae_pde_pte_reserved(void **state)
{
	struct pae p = pae_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(p.pt, 0x5000 | RW | PTE_NX);
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_RESERVED); /* XD without EFER.NXE */
	p.c.efer = EFER_NX;
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_OK);
	assert_int_equal(guest_walk(&p.c, 0x40000000, false, true, &gpa), WALK_PROTECTION);
	p.c.maxphyaddr = 36;
	set64(p.pt, (1ull << 40) | 0x5000 | RW); /* bits 62:M */
	assert_int_equal(walk(&p.c, 0x40000000, &gpa), WALK_RESERVED);
	set64(p.pd + 1 * 8, 0x87600000ull | (1ull << 13) | RW | PTE_PS); /* 2 MiB: bits 20:13 */
	assert_int_equal(walk(&p.c, 0x40200000, &gpa), WALK_RESERVED);
	set64(p.pd + 1 * 8, 0x87600000ull | (1ull << 12) | RW | PTE_PS); /* bit 12 is PAT: fine */
	assert_int_equal(walk(&p.c, 0x40200000, &gpa), WALK_OK);
}

static void test_pae_cached_pdptes(void **state)
{
	struct pae p = pae_tables();
	uint64_t gpa = 0, pdptes[4] = {0, 0, p.pd | PTE_P, 0}; /* the CPU's copy: the PD at index 2 */
	(void)state;
	set64(p.pt + 8, 0x9000 | RW);
	p.c.pdptes = pdptes;
	assert_int_equal(walk(&p.c, 0x40001000, &gpa), WALK_NOT_PRESENT); /* memory says index 1, the CPU not */
	assert_int_equal(walk(&p.c, 0x80001000, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x9000);
}

/* ---- 4-level and 5-level paging (SDM Vol. 3, 4.5) ---- */

struct ia32e {
	uint64_t pml4, pdpt, pd, pt;
	struct guest_walk_ctx c;
};

/* PML4[0] -> PDPT -> PDPT[0] -> PD -> PD[0] -> PT: linear [0, 2 MiB) through 4 KiB pages. */
static struct ia32e ia32e_tables(void)
{
	struct ia32e t = {.pml4 = page(), .pdpt = page(), .pd = page(), .pt = page()};

	set64(t.pml4, t.pdpt | RW);
	set64(t.pdpt, t.pd | RW);
	set64(t.pd, t.pt | RW);
	t.c = ctx_with(CR0_PAGING, t.pml4, CR4_PAE, EFER_LONG | EFER_NX);
	return t;
}

static void test_4level_pages(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(t.pt + 0x1ff * 8, 0xfee00000ull | RW | PTE_PCD);
	assert_int_equal(walk(&t.c, 0x1ff0b0, &gpa), WALK_OK);
	assert_int_equal(gpa, 0xfee000b0);
	set64(t.pd + 1 * 8, 0x40000000ull | RW | PTE_PS); /* 2 MiB */
	assert_int_equal(walk(&t.c, 0x2abcde, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x400abcde);
	set64(t.pdpt + 3 * 8, 0x3c0000000ull | RW | PTE_PS); /* 1 GiB */
	assert_int_equal(walk(&t.c, 0xc1234567ull, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x3c1234567ull);
	/* the upper half: PML4[511] */
	set64(t.pml4 + 511 * 8, t.pdpt | RW);
	assert_int_equal(walk(&t.c, 0xffffff80c0000010ull, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x3c0000010ull);
}

static void test_4level_not_present_each_level(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(t.pt + 8, 0x5000 | RW);
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_OK);
	assert_int_equal(walk(&t.c, 0x2000, &gpa), WALK_NOT_PRESENT);          /* PTE */
	assert_int_equal(walk(&t.c, 0x200000, &gpa), WALK_NOT_PRESENT);        /* PDE */
	assert_int_equal(walk(&t.c, 0x40000000, &gpa), WALK_NOT_PRESENT);      /* PDPTE */
	assert_int_equal(walk(&t.c, 0x8000000000ull, &gpa), WALK_NOT_PRESENT); /* PML4E */
	set64(t.pd + 8, (1ull << 51) | PTE_W);                                 /* P = 0: the other bits do not matter */
	assert_int_equal(walk(&t.c, 0x200000, &gpa), WALK_NOT_PRESENT);
}

static void test_4level_reserved(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(t.pt + 8, 0x5000 | RW);
	set64(t.pml4 + 1 * 8, 0x40000000ull | RW | PTE_PS); /* no pages from a PML4E */
	assert_int_equal(walk(&t.c, 0x8000000000ull, &gpa), WALK_RESERVED);
	set64(t.pdpt + 1 * 8, 0x40000000ull | (1ull << 29) | RW | PTE_PS); /* 1 GiB: bits 29:13 */
	assert_int_equal(walk(&t.c, 0x40000000, &gpa), WALK_RESERVED);
	set64(t.pd + 1 * 8, 0x40000000ull | (1ull << 20) | RW | PTE_PS); /* 2 MiB: bits 20:13 */
	assert_int_equal(walk(&t.c, 0x200000, &gpa), WALK_RESERVED);
	t.c.maxphyaddr = 39;
	set64(t.pt + 8, (1ull << 45) | 0x5000 | RW); /* bits 51:M */
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_RESERVED);
	t.c.maxphyaddr = 0; /* 52: bit 45 is an address bit */
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_OK);
	assert_int_equal(gpa, (1ull << 45) | 0x5000);
	set64(t.pt + 8, (0x7ffull << 52) | 0x5000 | RW); /* 62:52 are ignored (protection keys, software) */
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x5000);
	t.c.efer &= ~EFER_NX; /* now bit 63 is reserved, at any level */
	set64(t.pml4, t.pdpt | RW | PTE_NX);
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_RESERVED);
}

static void test_4level_protection(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	set64(t.pt + 1 * 8, 0x5000 | PTE_P); /* read-only */
	set64(t.pt + 2 * 8, 0x6000 | RW | PTE_NX);
	assert_int_equal(guest_walk(&t.c, 0x1000, false, false, &gpa), WALK_OK);
	assert_int_equal(guest_walk(&t.c, 0x1000, true, false, &gpa), WALK_PROTECTION);
	assert_int_equal(guest_walk(&t.c, 0x1000, false, true, &gpa), WALK_OK);
	assert_int_equal(guest_walk(&t.c, 0x2000, true, false, &gpa), WALK_OK);
	assert_int_equal(guest_walk(&t.c, 0x2000, false, true, &gpa), WALK_PROTECTION);
	t.c.cr0 &= ~CR0_WP;
	assert_int_equal(guest_walk(&t.c, 0x1000, true, false, &gpa), WALK_OK);
	/* read-only or XD high up covers everything below */
	t.c.cr0 |= CR0_WP;
	set64(t.pdpt, t.pd | PTE_P | PTE_NX);
	assert_int_equal(guest_walk(&t.c, 0x2000, true, false, &gpa), WALK_PROTECTION);
	assert_int_equal(guest_walk(&t.c, 0x1000, false, true, &gpa), WALK_PROTECTION);
	assert_int_equal(guest_walk(&t.c, 0x1000, false, false, &gpa), WALK_OK);
}

static void test_4level_non_canonical(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	assert_int_equal(walk(&t.c, 0x0000800000000000ull, &gpa), WALK_NON_CANONICAL);
	assert_int_equal(walk(&t.c, 0xffff7fffffffffffull, &gpa), WALK_NON_CANONICAL);
	assert_int_equal(walk(&t.c, 0xffff800000000000ull, &gpa), WALK_NOT_PRESENT); /* canonical, unmapped */
	assert_int_equal(g.reads, 1);
}

static void test_5level(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t pml5 = page(), gpa = 0;
	(void)state;
	set64(t.pt + 8, 0x5000 | RW);
	set64(pml5, t.pml4 | RW);
	set64(pml5 + 0x101 * 8, t.pml4 | RW);
	t.c.cr3 = pml5;
	t.c.cr4 |= CR4_LA57;
	assert_int_equal(walk(&t.c, 0x1234, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x5234);
	/* canonical only with 57 bits; PML5 index 0x101, PML4 index 0 */
	assert_int_equal(walk(&t.c, 0xff01000000001234ull, &gpa), WALK_OK);
	assert_int_equal(gpa, 0x5234);
	assert_int_equal(walk(&t.c, 0x0000010000001234ull, &gpa), WALK_NOT_PRESENT); /* PML5E 0, then PML4E 2 */
	assert_int_equal(walk(&t.c, 0x0100000000000000ull, &gpa), WALK_NON_CANONICAL);
	set64(pml5 + 8, 0x40000000ull | RW | PTE_PS); /* no pages from a PML5E */
	assert_int_equal(walk(&t.c, 0x0001000000000000ull, &gpa), WALK_RESERVED);
}

/* ---- guest-physical reads that fail ---- */

static void test_bad_gpa(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t gpa = 0;
	(void)state;
	t.c.cr3 = 0x40000000; /* root outside guest RAM */
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_BAD_GPA);
	t.c.cr3 = t.pml4;
	set64(t.pd + 8, 0x7ffff000 | RW); /* a PT outside guest RAM */
	assert_int_equal(walk(&t.c, 0x200000, &gpa), WALK_BAD_GPA);
	/* a leaf outside guest RAM is not the walk's concern */
	set64(t.pt + 8, 0x7ffff000 | RW);
	assert_int_equal(walk(&t.c, 0x1000, &gpa), WALK_OK);
	/* 32-bit paging and a PAE PDPT read through the same callback */
	struct guest_walk_ctx c32 = ctx_with(CR0_PAGING, 0xfffff000, 0, 0);
	assert_int_equal(walk(&c32, 0, &gpa), WALK_BAD_GPA);
	struct guest_walk_ctx cpae = ctx_with(CR0_PAGING, 0xffffffe0, CR4_PAE, 0);
	assert_int_equal(walk(&cpae, 0, &gpa), WALK_BAD_GPA);
}

/* ---- guest_read_linear ---- */

static void test_read_across_page_boundary(void **state)
{
	struct ia32e t = ia32e_tables();
	uint64_t a = page(), b = page(); /* linear pages 1 and 2 on physical pages b, a: not contiguous */
	uint8_t buf[16];
	(void)state;
	set64(t.pt + 1 * 8, b | RW);
	set64(t.pt + 2 * 8, a | RW);
	memcpy(g.ram + b + PAGE - 5, "\x0f\xb6\x03\x8b\x43", 5); /* movzx eax, byte [rbx]; mov eax, [rbx+0x20] */
	memcpy(g.ram + a, "\x20\x90\x90", 3);
	assert_true(guest_read_linear(&t.c, 0x2000 - 5, buf, 8));
	assert_memory_equal(buf, "\x0f\xb6\x03\x8b\x43\x20\x90\x90", 8);
	assert_true(guest_read_linear(&t.c, 0x1000, buf, 0));
	/* the second page not present, or not guest RAM */
	assert_false(guest_read_linear(&t.c, 0x3000 - 5, buf, 8));
	set64(t.pt + 3 * 8, 0x7ffff000 | RW);
	assert_false(guest_read_linear(&t.c, 0x3000 - 5, buf, 8));
	assert_true(guest_read_linear(&t.c, 0x3000 - 5, buf, 5)); /* the first page alone is fine */
}

static void test_read_wraps_at_4g_in_32bit_paging(void **state)
{
	uint64_t pd = page(), gpa = 0;
	uint64_t lo = page(), hi = page();
	uint64_t pt_hi = map32_table(pd, 0xfffff000, RW), pt_lo = map32_table(pd, 0, RW);
	struct guest_walk_ctx c = ctx_with(CR0_PAGING, pd, 0, 0);
	uint8_t buf[4];
	(void)state;
	set32(pt_hi + 1023 * 4, (uint32_t)hi | RW);
	set32(pt_lo, (uint32_t)lo | RW);
	memcpy(g.ram + hi + PAGE - 2, "ab", 2);
	memcpy(g.ram + lo, "cd", 2);
	assert_true(guest_read_linear(&c, 0xfffffffe, buf, 4));
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(walk(&c, 0xfffffffe, &gpa), WALK_OK);
	assert_int_equal(gpa, hi + PAGE - 2);
}

#define WALK_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        WALK_TEST(test_paging_off),
	        WALK_TEST(test_32bit_4k),
	        WALK_TEST(test_32bit_ps_without_pse_is_a_table),
	        WALK_TEST(test_32bit_4m_and_pse36),
	        WALK_TEST(test_32bit_wp),
	        WALK_TEST(test_pae_4k_and_2m),
	        WALK_TEST(test_pae_pdpte_reserved),
	        WALK_TEST(test_pae_pde_pte_reserved),
	        WALK_TEST(test_pae_cached_pdptes),
	        WALK_TEST(test_4level_pages),
	        WALK_TEST(test_4level_not_present_each_level),
	        WALK_TEST(test_4level_reserved),
	        WALK_TEST(test_4level_protection),
	        WALK_TEST(test_4level_non_canonical),
	        WALK_TEST(test_5level),
	        WALK_TEST(test_bad_gpa),
	        WALK_TEST(test_read_across_page_boundary),
	        WALK_TEST(test_read_wraps_at_4g_in_32bit_paging),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
