/* sources: arch/x86/guest_walk.c */
/* fuzz_guest_walk.c: libFuzzer harness: a guest's own page tables, walked as the MMIO emulation walks them. */
#include "test/fuzz/fuzz.h"

#include "arch/x86/guest_walk.h"
#include "arch/x86/paging.h"

/*
 * Input: u8 paging controls (bit 0 CR0.PG, 1 CR4.PAE, 2 EFER.LMA and LME,
 * 3 CR4.LA57, 4 CR4.PSE, 5 CR0.WP, 6 EFER.NXE, 7 the four PAE PDPTEs held
 * by the CPU rather than read at CR3), u8 MAXPHYADDR selector, u64 CR3,
 * u64 the linear address, u8 (bit 0 write, bit 1 fetch, bits 7:2 the
 * length of a guest_read_linear), four u64 PDPTEs, then guest RAM from
 * guest-physical address 0 (the rest of the input; a read past it fails,
 * as outside a guest's RAM).
 *
 * Checked: the walk reads only 4- or 8-byte entries at their natural
 * alignment, at most five; a translation keeps the page offset, lies below
 * 2^MAXPHYADDR, is the linear address itself (32 bits) without paging, and
 * is the same walked twice; a write or a fetch allowed implies the read
 * allowed, to the same address. guest_read_linear gives, byte for byte,
 * what a walk of each byte's address and guest RAM there give, and fails
 * only where one of them does.
 */

static const uint8_t *mem;
static size_t mem_size;
static unsigned reads;
static bool counting;

static bool read_gpa(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	(void)opaque;
	if (counting) {
		reads++;
		FZ_CHECK((len == 4 || len == 8) && gpa % len == 0, "entry of %u bytes read at %#llx", len,
		         (unsigned long long)gpa);
	}
	if (gpa > mem_size || len > mem_size - gpa)
		return false;
	memcpy(buf, mem + gpa, len);
	return true;
}

static enum walk_result walk(const struct guest_walk_ctx *ctx, uint64_t linear, bool write, bool fetch, uint64_t *gpa)
{
	reads = 0;
	counting = true;
	enum walk_result r = guest_walk(ctx, linear, write, fetch, gpa);
	counting = false;
	FZ_CHECK(reads <= 5, "%u entries read for one walk", reads);
	FZ_CHECK(r <= WALK_NON_CANONICAL, "result %d", r);
	return r;
}

static void check_walk(const struct guest_walk_ctx *ctx, unsigned m, uint64_t linear, bool write, bool fetch)
{
	uint64_t gpa = 0x5a5a5a5a5a5a5a5aull, again = gpa, read_gpa_ = gpa;
	enum walk_result r = walk(ctx, linear, write, fetch, &gpa);

	if (r != WALK_OK) {
		FZ_CHECK(gpa == 0x5a5a5a5a5a5a5a5aull, "a failed walk (%d) changed *gpa", r);
		return;
	}
	FZ_CHECK((gpa & 0xfff) == (linear & 0xfff), "linear %#llx to %#llx: page offset lost",
	         (unsigned long long)linear, (unsigned long long)gpa);
	FZ_CHECK(m >= 64 || gpa >> m == 0, "linear %#llx to %#llx, above MAXPHYADDR %u", (unsigned long long)linear,
	         (unsigned long long)gpa, m);
	FZ_CHECK((ctx->cr0 & CR0_PG) || gpa == (uint32_t)linear, "no paging: %#llx to %#llx",
	         (unsigned long long)linear, (unsigned long long)gpa);
	FZ_CHECK(walk(ctx, linear, write, fetch, &again) == WALK_OK && again == gpa, "walked twice, differs");
	FZ_CHECK(walk(ctx, linear, false, false, &read_gpa_) == WALK_OK && read_gpa_ == gpa,
	         "allowed to write or fetch, not to read the same");
}

/* guest_read_linear against one walk per byte. */
static void check_read_linear(const struct guest_walk_ctx *ctx, uint64_t linear, unsigned len)
{
	uint8_t buf[64];
	bool ok = guest_read_linear(ctx, linear, buf, len), all = true;

	for (unsigned i = 0; i < len && all; i++) {
		uint64_t gpa;
		uint8_t b;
		all = walk(ctx, linear + i, false, false, &gpa) == WALK_OK && read_gpa(NULL, gpa, &b, 1);
		FZ_CHECK(!all || !ok || buf[i] == b, "byte %u of a read at %#llx: %#x, guest RAM at %#llx has %#x", i,
		         (unsigned long long)linear, buf[i], (unsigned long long)gpa, b);
	}
	FZ_CHECK(ok == all, "a read of %u bytes at %#llx %s, the byte walks %s", len, (unsigned long long)linear,
	         ok ? "succeeded" : "failed", all ? "all succeed" : "do not");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned maxphys[] = {0, 36, 39, 40, 46, 52, 20, 64};
	struct fz f = {data, size};
	uint64_t pdptes[4];

	uint8_t c = fz_u8(&f);
	unsigned sel = maxphys[fz_u8(&f) % 8];
	struct guest_walk_ctx ctx = {
	        .cr0 = ((c & 1) ? CR0_PG : 0) | ((c & 0x20) ? CR0_WP : 0) | 1 /* PE */,
	        .cr4 = ((c & 2) ? CR4_PAE : 0) | ((c & 8) ? CR4_LA57 : 0) | ((c & 0x10) ? CR4_PSE : 0),
	        .efer = ((c & 4) ? EFER_LMA | EFER_LME : 0) | ((c & 0x40) ? EFER_NX : 0),
	        .read_gpa = read_gpa,
	        .maxphyaddr = sel,
	};
	ctx.cr3 = fz_u64(&f);
	uint64_t linear = fz_u64(&f);
	uint8_t how = fz_u8(&f);
	for (unsigned i = 0; i < 4; i++)
		pdptes[i] = fz_u64(&f);
	ctx.pdptes = (c & 0x80) ? pdptes : NULL;
	mem = f.p;
	mem_size = f.n;
	/* What the walk takes as MAXPHYADDR: 0 is 52; it keeps to [32, 52]. */
	unsigned m = sel == 0 ? 52 : sel < 32 ? 32 : sel > 52 ? 52 : sel;

	check_walk(&ctx, m, linear, how & 1, how & 2);
	check_walk(&ctx, m, linear, false, false);
	unsigned len = (how >> 2) % 33;
	if (len)
		check_read_linear(&ctx, linear, len);
	return 0;
}
