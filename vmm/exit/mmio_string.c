/* mmio_string.c: MOVS, STOS and LODS with an operand where no device answers or in the firmware area, a page a time. */
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/exits.h"
#include "vmm/exit/mmio.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"

/*
 * What the instructions do (SDM Vol. 1, 7.3.9; Vol. 2, MOVS, STOS, LODS,
 * REP): each iteration moves one element between [seg:rSI] (seg DS unless
 * overridden), [ES:rDI] and rAX, then moves rSI and rDI by the element size,
 * down with RFLAGS.DF; with REP it repeats until rCX, counted down, is 0.
 * The address size (2, 4 or 8 bytes) says how much of rSI, rDI and rCX is
 * used: a 16-bit SI wraps within its 64 KiB, the upper bits staying; a
 * 32-bit result is written as a 32-bit register is, zero-extended. In 64-bit
 * mode segments other than FS and GS have base 0 (Vol. 1, 3.3.7.1).
 *
 * How: an exit emulates the iterations whose elements lie within the page
 * of its first element, on each side, and updates rSI, rDI and rCX as the
 * CPU would after them. While rCX is not 0 the guest enters again at the
 * same instruction (as the CPU leaves it when an interrupt comes between
 * iterations), and the CPU goes on natively until the next access that
 * exits, the next device page. Only the exit that ends the count completes
 * the instruction. An operand in RAM is read or written through the guest's
 * page tables, the translation checked as the CPU would for a supervisor
 * access (guest_walk.h); an iteration that cannot be done (a translation
 * that would fault, an operand on an APIC's registers or outside memory)
 * ends the exit there: the first one stops the guest, a later one leaves it
 * to the CPU, which meets it again. Not modelled: segment limits and access
 * rights (the CPU checked the first element's), and RFLAGS.TF's trap after
 * each iteration: the emulated iterations of one exit end with one trap.
 */

#define PAGE_SIZE 0x1000ull
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define GPR_RAX 0
#define GPR_RCX 1
#define GPR_RSI 6
#define GPR_RDI 7
#define ELEM_CHUNKS 2 /* an element crosses at most one page boundary */

/* One operand's side: where its elements are. */
struct side {
	bool used, write;
	const char *name;  /* "source" or "destination" */
	unsigned reg;      /* GPR_RSI or GPR_RDI */
	uint64_t base;     /* its segment's base */
	uint64_t page;     /* the linear page of this exit's first element */
	uint64_t tlb_page; /* the last linear page translated, */
	uint64_t tlb_gpa;  /* its guest-physical page, */
	bool tlb_valid;    /* if any */
};

/* A piece of one element within one page, and what is there. */
struct chunk {
	uint64_t gpa;
	unsigned offset, len;
	enum mmio_device dev;
};

struct run {
	struct vcpu *v;
	const struct mmio_insn *in;
	struct guest_walk_ctx walk;
	enum cpu_mode mode;
	uint64_t amask;         /* the address size's mask */
	char why[MMIO_WHY_MAX]; /* why the last element could not be done */
};

static uint64_t addr_mask(unsigned addr_size) { return addr_size >= 8 ? ~0ull : (1ull << (8 * addr_size)) - 1; }

static uint64_t seg_base(enum x86_seg seg, enum cpu_mode mode)
{
	if (mode == CPU_MODE_64 && seg != SEG_FS && seg != SEG_GS)
		return 0;
	switch (seg) {
	case SEG_ES: return vmcs_readl(GUEST_ES_BASE);
	case SEG_CS: return vmcs_readl(GUEST_CS_BASE);
	case SEG_SS: return vmcs_readl(GUEST_SS_BASE);
	case SEG_DS: return vmcs_readl(GUEST_DS_BASE);
	case SEG_FS: return vmcs_readl(GUEST_FS_BASE);
	default: return vmcs_readl(GUEST_GS_BASE);
	}
}

/* A linear address: outside 64-bit mode it wraps at 4 GiB (SDM Vol. 3, 3.4). */
static uint64_t wrap(const struct run *r, uint64_t linear)
{
	return r->mode == CPU_MODE_64 ? linear : (uint32_t)linear;
}

static uint64_t element_linear(struct run *r, const struct side *s)
{
	return wrap(r, s->base + (mmio_gpr(r->v, s->reg) & r->amask));
}

/* The register as wide as the address size, moved by delta (SDM Vol. 1, 3.4.1.1 for how each width is written). */
static void advance(struct run *r, unsigned reg, int64_t delta)
{
	uint64_t old = mmio_gpr(r->v, reg), moved = old + (uint64_t)delta;
	unsigned size = r->in->addr_size;

	mmio_load_gpr(r->v, reg, size, false, size == 8 ? moved : moved & r->amask);
}

static const char *walk_why(enum walk_result w)
{
	switch (w) {
	case WALK_NOT_PRESENT: return "not present";
	case WALK_RESERVED: return "a reserved bit set";
	case WALK_PROTECTION: return "not writable";
	case WALK_BAD_GPA: return "page tables outside RAM";
	case WALK_NON_CANONICAL: return "not canonical";
	default: return "";
	}
}

static bool translate(struct run *r, struct side *s, uint64_t linear, uint64_t *gpa)
{
	uint64_t page = linear & PAGE_MASK;

	if (!s->tlb_valid || s->tlb_page != page) {
		enum walk_result w = guest_walk(&r->walk, page, s->write, false, &s->tlb_gpa);
		if (w != WALK_OK) {
			hv_snprintf(r->why, sizeof(r->why),
			            "a string instruction's %s at linear %#llx would fault (%s; a #PF or #GP the "
			            "hypervisor does not inject)",
			            s->name, (unsigned long long)linear, walk_why(w));
			return false;
		}
		s->tlb_page = page;
		s->tlb_valid = true;
	}
	*gpa = s->tlb_gpa | (linear & ~PAGE_MASK);
	return true;
}

/*
 * Where the element at linear lies, page by page, and what is there; false
 * (r->why says why) if any of it cannot be done: then nothing is touched.
 */
static bool locate(struct run *r, struct side *s, uint64_t linear, struct chunk *c, unsigned *n)
{
	unsigned done = 0, size = r->in->size;

	for (*n = 0; done < size; (*n)++) {
		uint64_t lin = wrap(r, linear + done), room = PAGE_SIZE - (lin & ~PAGE_MASK);
		struct chunk *k = &c[*n];

		k->offset = done;
		k->len = room < size - done ? (unsigned)room : size - done;
		if (!translate(r, s, lin, &k->gpa))
			return false;
		k->dev = mmio_device_at(r->v, k->gpa);
		if (k->dev == MMIO_APIC || k->dev == MMIO_NONE) {
			hv_snprintf(r->why, sizeof(r->why), "a string instruction's %s at guest-physical %#llx: %s",
			            s->name, (unsigned long long)k->gpa,
			            k->dev == MMIO_APIC ? "an APIC's registers are not memory, not emulated"
			                                : "no device there");
			return false;
		}
		done += k->len;
	}
	return true;
}

/* Read or write one element: RAM as memory, the firmware area as ROM, no device as all ones that drop writes. */
static bool access_element(struct run *r, struct side *s, uint64_t linear, uint8_t *buf)
{
	struct chunk c[ELEM_CHUNKS];
	struct guest *g = r->v->guest;
	unsigned n;

	if (!locate(r, s, linear, c, &n))
		return false;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = buf + c[i].offset;
		if (s->write) {
			if (c[i].dev == MMIO_RAM) /* the ROM and no device drop it */
				guest_write_ram(g, c[i].gpa, p, c[i].len);
		} else if (c[i].dev == MMIO_ABSENT || !guest_read_ram(g, c[i].gpa, p, c[i].len)) {
			memset(p, 0xff, c[i].len);
		}
	}
	return true;
}

/* Does the next element stay in the page this exit began with? */
static bool in_first_page(struct run *r, const struct side *s, uint64_t linear)
{
	return !s->used ||
	       ((linear & PAGE_MASK) == s->page && (wrap(r, linear + r->in->size - 1) & PAGE_MASK) == s->page);
}

/* One iteration: source to destination, through rAX for STOS and LODS. */
static bool iterate(struct run *r, struct side *src, struct side *dst, uint64_t src_lin, uint64_t dst_lin)
{
	uint8_t buf[8];
	uint64_t rax = mmio_gpr(r->v, GPR_RAX);

	if (src->used && !access_element(r, src, src_lin, buf))
		return false;
	if (!src->used)
		memcpy(buf, &rax, sizeof(buf));
	if (dst->used && !access_element(r, dst, dst_lin, buf))
		return false;
	if (!dst->used) {
		uint64_t v = 0;
		memcpy(&v, buf, r->in->size);
		mmio_load_gpr(r->v, GPR_RAX, r->in->size, false, v);
	}
	return true;
}

/*
 * The exit's access must be the first element's, on the side that exited:
 * a write is the destination's, a read the source's (SDM Vol. 3, Table
 * 28-7). Anything else means the operands were not where the registers say
 * (a segment limit, say), and nothing is emulated.
 */
static bool exit_is_first_element(struct run *r, struct side *s, uint64_t linear, uint64_t gpa)
{
	struct chunk c[ELEM_CHUNKS];
	unsigned n;

	if (!locate(r, s, linear, c, &n))
		return false;
	for (unsigned i = 0; i < n; i++)
		if ((c[i].gpa & PAGE_MASK) == (gpa & PAGE_MASK))
			return true;
	hv_snprintf(r->why, sizeof(r->why), "a string instruction's %s at linear %#llx is not where the access exited",
	            s->name, (unsigned long long)linear);
	return false;
}

static void side_init(struct side *s, bool used, bool write, unsigned reg, uint64_t base)
{
	*s = (struct side){
	        .used = used, .write = write, .name = write ? "destination" : "source", .reg = reg, .base = base};
}

enum exit_action mmio_string(struct vcpu *v, const struct exit_info *e, uint64_t gpa, const struct mmio_insn *in,
                             enum cpu_mode mode)
{
	struct run r = {.v = v, .in = in, .mode = mode, .amask = addr_mask(in->addr_size)};
	int64_t step = (vmcs_readl(GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)in->size : (int64_t)in->size;
	uint64_t count = in->rep ? v->regs.rcx & r.amask : 1, n;
	struct side src, dst;

	if (mmio_device_at(v, gpa) == MMIO_APIC)
		return mmio_fail(v, "a string instruction on an APIC's registers is not emulated (they are not memory)",
		                 gpa);
	if ((vmcs_read32(GUEST_SS_AR_BYTES) & VMX_AR_DPL_MASK) == VMX_AR_DPL_MASK && (vmcs_readl(GUEST_CR0) & CR0_PG))
		return mmio_fail(v, "a string instruction at CPL 3 is not emulated (the walk checks supervisor access)",
		                 gpa);
	mmio_walk_ctx(v, &r.walk);
	side_init(&src, in->string != MMIO_STR_STOS, false, GPR_RSI, seg_base(in->seg, mode));
	side_init(&dst, in->string != MMIO_STR_LODS, true, GPR_RDI, seg_base(SEG_ES, mode));
	src.page = element_linear(&r, &src) & PAGE_MASK;
	dst.page = element_linear(&r, &dst) & PAGE_MASK;
	struct side *exited = ((e->qualification & EPT_QUAL_WRITE) && dst.used) || !src.used ? &dst : &src;
	if (count && !exit_is_first_element(&r, exited, element_linear(&r, exited), gpa))
		return mmio_fail(v, r.why, gpa);
	for (n = 0; n < count; n++) {
		uint64_t sl = element_linear(&r, &src), dl = element_linear(&r, &dst);
		if (n && (!in_first_page(&r, &src, sl) || !in_first_page(&r, &dst, dl)))
			break;
		if (!iterate(&r, &src, &dst, sl, dl))
			break;
		if (src.used)
			advance(&r, GPR_RSI, step);
		if (dst.used)
			advance(&r, GPR_RDI, step);
	}
	if (count && !n)
		return mmio_fail(v, r.why, gpa);
	if (in->rep)
		advance(&r, GPR_RCX, -(int64_t)n);
	if (n == count)
		vmx_complete_instruction_at(e->guest_rip + in->length);
	return EXIT_RESUME;
}
