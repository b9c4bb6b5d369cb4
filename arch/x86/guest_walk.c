/* guest_walk.c: guest-linear to guest-physical through the guest's own page tables (SDM Vol. 3, chapter 4). */
#include "arch/x86/guest_walk.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"

/*
 * The walk reads entries through ctx->read_gpa and never writes them: a
 * translation by the CPU would set accessed (and, for a write, dirty) bits
 * (SDM Vol. 3, 4.8), but the hypervisor only peeks at what the guest already
 * did or is about to do, so the guest's tables stay exactly as they were.
 */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define SHIFT_4M 22 /* 32-bit paging: a PDE maps 4 MiB */
#define SHIFT_2M 21 /* PAE and IA-32e: a PDE maps 2 MiB */
#define SHIFT_1G 30 /* IA-32e: a PDPTE maps 1 GiB; PAE: the PDPTE index */
#define SHIFT_PML4 39
#define SHIFT_PML5 48
#define INDEX_MASK_32 0x3ffu  /* 32-bit paging: 10 index bits per level */
#define INDEX_MASK_64 0x1ffu  /* PAE and IA-32e: 9 index bits per level */
#define MAXPHYADDR_DEFAULT 52 /* the architectural limit (SDM Vol. 3, 4.1.4) */
#define MAXPHYADDR_MIN 32

/* 32-bit paging (SDM Vol. 3, 4.3, Tables 4-4 to 4-6). */
#define PTE32_ADDR_MASK 0xfffff000ull
#define PDE32_4M_ADDR_MASK 0xffc00000ull
#define PDE32_4M_PSE36_SHIFT 13 /* bits 20:13 hold physical-address bits 39:32 (PSE-36) */
#define PDE32_4M_PSE36_MASK 0xffull
#define PDE32_4M_RSVD_BIT21 (1ull << 21)
#define PSE36_ADDR_BITS 40 /* PSE-36 reaches at most 40 physical-address bits */

/* PAE paging (SDM Vol. 3, 4.4, Tables 4-7 and 4-8). */
#define CR3_PAE_PDPT_MASK 0xffffffe0ull /* CR3[31:5]: the 32-byte aligned PDPT */
#define PDPTE_PAE_RSVD_LOW 0x1e6ull     /* PDPTE bits 2:1 and 8:5 are reserved */
#define PAE_PDPTE_COUNT 4

/* Large-page entries: bit 12 is PAT, bits 13 up to the page offset are reserved (Tables 4-9, 4-17, 4-19). */
#define LARGE_RSVD_LOW 13

/* What the entries on the way allow, gathered for the check at the end (SDM Vol. 3, 4.6). */
struct walk {
	bool writable; /* R/W = 1 in every entry that has the bit */
	bool xd;       /* XD = 1 in some entry (only when EFER.NXE, else bit 63 is reserved) */
};

/* Bits hi..lo of a 64-bit word; 0 when hi < lo. */
static uint64_t bits(unsigned hi, unsigned lo)
{
	if (hi < lo || lo > 63)
		return 0;
	return (~0ull >> (63 - hi)) & (~0ull << lo);
}

static unsigned maxphyaddr(const struct guest_walk_ctx *ctx)
{
	unsigned m = ctx->maxphyaddr ? ctx->maxphyaddr : MAXPHYADDR_DEFAULT;

	if (m < MAXPHYADDR_MIN)
		return MAXPHYADDR_MIN;
	return m > MAXPHYADDR_DEFAULT ? MAXPHYADDR_DEFAULT : m;
}

static enum walk_result read_entry(const struct guest_walk_ctx *ctx, uint64_t addr, unsigned size, uint64_t *e)
{
	*e = 0; /* a 4-byte entry fills the low half (x86 is little-endian) */
	return ctx->read_gpa(ctx->opaque, addr, e, size) ? WALK_OK : WALK_BAD_GPA;
}

/*
 * Walk tables of 8-byte entries from `table`, whose entries map 2^shift
 * bytes, down to the leaf. rsvd: the reserved bits of every entry on the way
 * (physical-address bits at and above MAXPHYADDR, XD without EFER.NXE).
 */
static enum walk_result walk_8byte(const struct guest_walk_ctx *ctx, uint64_t table, unsigned shift, uint64_t linear,
                                   uint64_t rsvd, struct walk *w, uint64_t *gpa)
{
	for (;;) {
		uint64_t e;
		enum walk_result r = read_entry(ctx, table + ((linear >> shift) & INDEX_MASK_64) * 8, 8, &e);

		if (r != WALK_OK)
			return r;
		if (!(e & PTE_P))
			return WALK_NOT_PRESENT;
		bool leaf = shift == PAGE_SHIFT || (e & PTE_PS); /* in a PTE, bit 7 is PAT */
		uint64_t bad = rsvd;
		if (shift > SHIFT_1G)
			bad |= PTE_PS; /* no pages from a PML4E or PML5E */
		else if (leaf && shift > PAGE_SHIFT)
			bad |= bits(shift - 1, LARGE_RSVD_LOW);
		if (e & bad)
			return WALK_RESERVED;
		w->writable = w->writable && (e & PTE_W);
		w->xd = w->xd || (e & PTE_NX);
		if (leaf) {
			uint64_t offset = (1ull << shift) - 1;
			*gpa = (e & PTE_ADDR_MASK & ~offset) | (linear & offset);
			return WALK_OK;
		}
		table = e & PTE_ADDR_MASK;
		shift -= 9;
	}
}

/* 32-bit paging: 4 KiB pages, and 4 MiB pages (with PSE-36 high bits) under CR4.PSE (SDM Vol. 3, 4.3). */
static enum walk_result walk_32bit(const struct guest_walk_ctx *ctx, uint32_t linear, struct walk *w, uint64_t *gpa)
{
	uint64_t pde, pte;
	enum walk_result r = read_entry(ctx, (ctx->cr3 & PTE32_ADDR_MASK) + (linear >> SHIFT_4M) * 4, 4, &pde);

	if (r != WALK_OK)
		return r;
	if (!(pde & PTE_P))
		return WALK_NOT_PRESENT;
	w->writable = pde & PTE_W;
	if ((pde & PTE_PS) && (ctx->cr4 & CR4_PSE)) {
		/* Reserved: bit 21, and the PSE-36 bits at or above MAXPHYADDR: 20:(M-19) when M < 40. */
		unsigned m = maxphyaddr(ctx);
		uint64_t rsvd = PDE32_4M_RSVD_BIT21;
		if (m < PSE36_ADDR_BITS)
			rsvd |= bits(20, m - 32 + PDE32_4M_PSE36_SHIFT);
		if (pde & rsvd)
			return WALK_RESERVED;
		uint64_t high = (pde >> PDE32_4M_PSE36_SHIFT) & PDE32_4M_PSE36_MASK;
		*gpa = (pde & PDE32_4M_ADDR_MASK) | (high << 32) | (linear & ((1u << SHIFT_4M) - 1));
		return WALK_OK;
	}
	r = read_entry(ctx, (pde & PTE32_ADDR_MASK) + ((linear >> PAGE_SHIFT) & INDEX_MASK_32) * 4, 4, &pte);
	if (r != WALK_OK)
		return r;
	if (!(pte & PTE_P))
		return WALK_NOT_PRESENT;
	w->writable = w->writable && (pte & PTE_W);
	*gpa = (pte & PTE32_ADDR_MASK) | (linear & (PAGE_SIZE - 1));
	return WALK_OK;
}

/* Bit 63 is XD with EFER.NXE, else reserved (SDM Vol. 3, 4.4.2, 4.5.4). */
static uint64_t xd_rsvd(const struct guest_walk_ctx *ctx) { return (ctx->efer & EFER_NX) ? 0 : PTE_NX; }

/* PAE paging: a PDPTE from the four at CR3, then a PD and a PT; 2 MiB pages (SDM Vol. 3, 4.4). */
static enum walk_result walk_pae(const struct guest_walk_ctx *ctx, uint32_t linear, struct walk *w, uint64_t *gpa)
{
	unsigned i = linear >> SHIFT_1G, m = maxphyaddr(ctx);
	uint64_t pdpte;

	if (ctx->pdptes) {
		pdpte = ctx->pdptes[i % PAE_PDPTE_COUNT];
	} else {
		enum walk_result r = read_entry(ctx, (ctx->cr3 & CR3_PAE_PDPT_MASK) + i * 8, 8, &pdpte);
		if (r != WALK_OK)
			return r;
	}
	if (!(pdpte & PTE_P))
		return WALK_NOT_PRESENT;
	/* A PDPTE has no R/W or XD bit: bits 2:1, 8:5 and 63:M are reserved (Table 4-8). */
	if (pdpte & (PDPTE_PAE_RSVD_LOW | bits(63, m)))
		return WALK_RESERVED;
	/* PDEs and PTEs: bits 62:M reserved (Tables 4-9 to 4-11). */
	return walk_8byte(ctx, pdpte & PTE_ADDR_MASK, SHIFT_2M, linear, bits(62, m) | xd_rsvd(ctx), w, gpa);
}

/* 4-level and 5-level paging: 1 GiB and 2 MiB pages; the address must be canonical (SDM Vol. 3, 4.5). */
static enum walk_result walk_ia32e(const struct guest_walk_ctx *ctx, uint64_t linear, struct walk *w, uint64_t *gpa)
{
	unsigned top = (ctx->cr4 & CR4_LA57) ? SHIFT_PML5 : SHIFT_PML4, m = maxphyaddr(ctx);
	uint64_t sign = linear >> (top + 8); /* bits 63 down to the highest translated bit */

	if (sign != 0 && sign != ~0ull >> (top + 8))
		return WALK_NON_CANONICAL;
	/* Bits 51:M of every entry are reserved (Tables 4-14 to 4-20); CR3[M-1:12] is the root. */
	uint64_t root = ctx->cr3 & PTE_ADDR_MASK & ~bits(63, m);
	return walk_8byte(ctx, root, top, linear, bits(51, m) | xd_rsvd(ctx), w, gpa);
}

/* Supervisor access rights (SDM Vol. 3, 4.6.1): writes need R/W everywhere only with CR0.WP. */
static enum walk_result check_access(const struct guest_walk_ctx *ctx, const struct walk *w, bool write, bool fetch)
{
	if (write && !w->writable && (ctx->cr0 & CR0_WP))
		return WALK_PROTECTION;
	if (fetch && w->xd)
		return WALK_PROTECTION;
	return WALK_OK;
}

enum walk_result guest_walk(const struct guest_walk_ctx *ctx, uint64_t linear, bool write, bool fetch, uint64_t *gpa)
{
	struct walk w = {.writable = true, .xd = false};
	uint64_t pa = 0;
	enum walk_result r;

	if (!(ctx->cr0 & CR0_PG)) {
		*gpa = (uint32_t)linear; /* no paging: linear addresses are 32 bits and map one to one */
		return WALK_OK;
	}
	if (!(ctx->cr4 & CR4_PAE))
		r = walk_32bit(ctx, (uint32_t)linear, &w, &pa);
	else if (!(ctx->efer & EFER_LMA))
		r = walk_pae(ctx, (uint32_t)linear, &w, &pa);
	else
		r = walk_ia32e(ctx, linear, &w, &pa);
	if (r == WALK_OK)
		r = check_access(ctx, &w, write, fetch);
	if (r == WALK_OK)
		*gpa = pa;
	return r;
}

bool guest_read_linear(const struct guest_walk_ctx *ctx, uint64_t linear, void *buf, unsigned len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t gpa, room = PAGE_SIZE - (linear & (PAGE_SIZE - 1));
		unsigned chunk = room < len ? (unsigned)room : len;

		if (guest_walk(ctx, linear, false, false, &gpa) != WALK_OK ||
		    !ctx->read_gpa(ctx->opaque, gpa, p, chunk))
			return false;
		p += chunk;
		len -= chunk;
		linear += chunk; /* in 32-bit modes guest_walk wraps it at 4 GiB, as the CPU does */
	}
	return true;
}
