/* mmio.c: a guest's data access where its EPT maps no memory (or only reads): the instruction decoded, carried out. */
#include "vmm/exit/mmio.h"

#include "arch/x86/alu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"

#define GPR_RSP 4

/*
 * Where no device answers a guest: reads return all ones and writes are
 * dropped, as on a PC without that device (docs/guest-platform.md). The
 * local APIC's range is here for the vCPUs whose APIC is not at that address
 * (disabled, in x2APIC mode, moved); a vCPU's own xAPIC page comes first.
 */
static const struct absent_range {
	uint64_t base, end;
} absent[] = {
        {GUEST_LEGACY_HOLE_BASE, GUEST_LEGACY_HOLE_END},
        {GUEST_LAPIC_RANGE_BASE, GUEST_LAPIC_RANGE_END},
};

/*
 * Memory first, as the EPT maps it: an APIC base moved into RAM or the
 * firmware area is not trapped there (vmm/irq/route.c says so), so the ROM's
 * writes must not reach it either.
 */
enum mmio_device mmio_device_at(const struct vcpu *v, uint64_t gpa)
{
	if (gpa < GUEST_LOW_RAM_END || (gpa >= GUEST_HIGH_RAM_BASE && gpa < v->guest->ram.size))
		return MMIO_RAM;
	if (gpa >= GUEST_FIRMWARE_BASE && gpa < GUEST_FIRMWARE_END)
		return MMIO_ROM;
	if (irq_apic_mmio_at(v, gpa))
		return MMIO_APIC;
	for (size_t i = 0; i < ARRAY_LEN(absent); i++)
		if (gpa >= absent[i].base && gpa < absent[i].end)
			return MMIO_ABSENT;
	return MMIO_NONE;
}

/* The EPT maps RAM, so an access there never exits: only the ROM's writes and the devices' accesses do. */
bool mmio_claims(const struct vcpu *v, uint64_t gpa)
{
	enum mmio_device dev = mmio_device_at(v, gpa);

	return dev != MMIO_NONE && dev != MMIO_RAM;
}

static bool read_guest_ram(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	return guest_read_ram(opaque, gpa, buf, len);
}

void mmio_walk_ctx(struct vcpu *v, struct guest_walk_ctx *ctx)
{
	*ctx = (struct guest_walk_ctx){
	        .cr0 = vmcs_readl(GUEST_CR0),
	        .cr3 = vmcs_readl(GUEST_CR3),
	        .cr4 = vmcs_readl(GUEST_CR4),
	        .efer = vmcs_read64(GUEST_IA32_EFER),
	        .read_gpa = read_guest_ram,
	        .opaque = v->guest,
	};
}

/* The instruction at CS:RIP and the mode it runs in. Returns the bytes fetched (0 on failure). */
static unsigned fetch_instruction(struct vcpu *v, uint8_t *bytes, enum cpu_mode *mode)
{
	struct guest_walk_ctx ctx;
	uint32_t ar = vmcs_read32(GUEST_CS_AR_BYTES);
	uint64_t linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);

	mmio_walk_ctx(v, &ctx);
	*mode = (ar & VMX_AR_L) && (ctx.efer & EFER_LMA) ? CPU_MODE_64
	        : (ar & VMX_AR_DB) && (ctx.cr0 & CR0_PE) ? CPU_MODE_32
	                                                 : CPU_MODE_16;
	/* Near the end of a page the next one may be unmapped: try shorter fetches. */
	for (unsigned len = INSN_MAX_LEN; len; len--)
		if (guest_read_linear(&ctx, linear, bytes, len))
			return len;
	return 0;
}

uint64_t mmio_gpr(struct vcpu *v, unsigned n) { return n == GPR_RSP ? vmcs_readl(GUEST_RSP) : *guest_gpr(&v->regs, n); }

static void set_gpr(struct vcpu *v, unsigned n, uint64_t value)
{
	if (n == GPR_RSP)
		vmcs_writel(GUEST_RSP, value);
	else
		*guest_gpr(&v->regs, n) = value;
}

void mmio_load_gpr(struct vcpu *v, unsigned n, unsigned size, bool high_byte, uint64_t value)
{
	uint64_t r = mmio_gpr(v, n);

	if (high_byte)
		r = (r & ~0xff00ull) | (value & 0xff) << 8;
	else if (size == 1)
		r = (r & ~0xffull) | (value & 0xff);
	else if (size == 2)
		r = (r & ~0xffffull) | (value & 0xffff);
	else if (size == 4)
		r = value & 0xffffffffull; /* a 32-bit destination zero-extends in 64-bit mode */
	else
		r = value;
	set_gpr(v, n, r);
}

/* Put a value read from MMIO into the instruction's register, as the CPU would (SDM Vol. 1, 3.4.1.1). */
static void load_register(struct vcpu *v, const struct mmio_insn *in, uint64_t value)
{
	if (in->extend == MMIO_EXT_SIGN && in->size < 8) {
		unsigned shift = 64 - 8 * in->size;
		value = (uint64_t)((int64_t)(value << shift) >> shift);
	}
	mmio_load_gpr(v, (unsigned)in->reg, in->reg_size ? in->reg_size : in->size, in->high_byte, value);
}

static uint64_t size_mask(unsigned size) { return size == 8 ? ~0ull : (1ull << (8 * size)) - 1; }

/* The register or immediate operand. */
static uint64_t source_value(struct vcpu *v, const struct mmio_insn *in)
{
	uint64_t mask = size_mask(in->size);

	if (in->reg < 0)
		return in->imm & mask;
	uint64_t r = mmio_gpr(v, (unsigned)in->reg);
	return (in->high_byte ? r >> 8 : r) & mask;
}

#define MMIO_FAIL_FORMAT "%s (MMIO at %#llx, RIP %#llx)"
#define U64_HEX_MAX 16
_Static_assert(MMIO_WHY_MAX - 1 + sizeof(MMIO_FAIL_FORMAT) + 2 * U64_HEX_MAX <= GUEST_STOP_REASON_MAX,
               "a stop reason from mmio_fail fits whole in the guest's stop_reason");

enum exit_action mmio_fail(struct vcpu *v, const char *what, uint64_t gpa)
{
	char why[GUEST_STOP_REASON_MAX];

	hv_snprintf(why, sizeof(why), MMIO_FAIL_FORMAT, what, (unsigned long long)gpa,
	            (unsigned long long)vmcs_readl(GUEST_RIP));
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}

uint64_t mmio_device_read(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size)
{
	uint64_t value = ~0ull;

	if (dev == MMIO_APIC)
		value = irq_apic_mmio_read(v, gpa, size);
	else if (dev == MMIO_ROM && !guest_read_ram(v->guest, gpa, &value, size))
		value = ~0ull; /* past the end of the area: no device there */
	return value & size_mask(size);
}

void mmio_device_write(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size, uint64_t value)
{
	if (dev == MMIO_APIC)
		irq_apic_mmio_write(v, gpa, size, (uint32_t)value); /* the APICs define 32-bit accesses only */
}

/*
 * A read-modify-write: read the device, compute as the CPU would, set the
 * status flags, write the result back unless the instruction only compares
 * (CMP, TEST). On an APIC this is what APIC-register virtualization does in
 * modes tpr and vid (a read, then a write, of the register: SDM Vol. 3,
 * 30.4.3.1), so mode emulated behaves the same; the write then has the
 * model's effects as any write.
 */
static void read_modify_write(struct vcpu *v, enum mmio_device dev, uint64_t gpa, const struct mmio_insn *in)
{
	uint64_t rflags = vmcs_readl(GUEST_RFLAGS);
	uint64_t old = mmio_device_read(v, dev, gpa, in->size);
	uint64_t result = alu_run(in->op, in->size, old, source_value(v, in), &rflags);

	vmcs_writel(GUEST_RFLAGS, rflags);
	if (in->write)
		mmio_device_write(v, dev, gpa, in->size, result);
}

enum exit_action mmio_emulate(struct vcpu *v, const struct exit_info *e, uint64_t gpa)
{
	enum mmio_device dev = mmio_device_at(v, gpa);
	const char *name = dev == MMIO_APIC ? "an APIC" : dev == MMIO_ROM ? "the firmware area" : "a no-device range";
	uint8_t bytes[INSN_MAX_LEN];
	enum cpu_mode mode;
	struct mmio_insn in;
	char what[96];

	if (dev == MMIO_NONE || dev == MMIO_RAM)
		return mmio_fail(v, "no device there", gpa);
	unsigned len = fetch_instruction(v, bytes, &mode);
	if (!len || !insn_decode_mmio(bytes, len, mode, &in)) {
		hv_snprintf(what, sizeof(what), "an instruction the hypervisor cannot decode touched %s", name);
		return mmio_fail(v, what, gpa);
	}
	if (in.string != MMIO_STR_NONE)
		return mmio_string(v, e, gpa, &in, mode);
	if (in.rmw)
		read_modify_write(v, dev, gpa, &in);
	else if (in.write)
		mmio_device_write(v, dev, gpa, in.size, source_value(v, &in));
	else
		load_register(v, &in, mmio_device_read(v, dev, gpa, in.size));
	vmx_complete_instruction_at(e->guest_rip + in.length);
	return EXIT_RESUME;
}
