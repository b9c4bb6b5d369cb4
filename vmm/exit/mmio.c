/* mmio.c: a guest's data access where its EPT maps no memory: the instruction decoded, given to what is there. */
#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/insn_decode.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"

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

enum mmio_device {
	MMIO_NONE,   /* nothing: outside the guest's memory, a guest fault */
	MMIO_APIC,   /* its local APIC or its I/O APIC (vmm/irq/access.c) */
	MMIO_ABSENT, /* no device: all ones, writes dropped */
};

static enum mmio_device device_at(const struct vcpu *v, uint64_t gpa)
{
	if (irq_apic_mmio_at(v, gpa))
		return MMIO_APIC;
	for (size_t i = 0; i < ARRAY_LEN(absent); i++)
		if (gpa >= absent[i].base && gpa < absent[i].end)
			return MMIO_ABSENT;
	return MMIO_NONE;
}

bool mmio_claims(const struct vcpu *v, uint64_t gpa) { return device_at(v, gpa) != MMIO_NONE; }

static bool read_guest_ram(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	const struct guest *g = opaque;

	/* Guest RAM and the firmware area, not the hole between them (docs/guest-platform.md). */
	if (gpa >= g->ram.size || len > g->ram.size - gpa ||
	    (gpa < GUEST_FIRMWARE_BASE && gpa + len > GUEST_LOW_RAM_END))
		return false;
	memcpy(buf, g->ram.ram + gpa, len);
	return true;
}

/* The instruction at CS:RIP and the mode it runs in. Returns the bytes fetched (0 on failure). */
static unsigned fetch_instruction(struct vcpu *v, uint8_t *bytes, enum cpu_mode *mode)
{
	const struct guest_walk_ctx ctx = {
	        .cr0 = vmcs_readl(GUEST_CR0),
	        .cr3 = vmcs_readl(GUEST_CR3),
	        .cr4 = vmcs_readl(GUEST_CR4),
	        .efer = vmcs_read64(GUEST_IA32_EFER),
	        .read_gpa = read_guest_ram,
	        .opaque = v->guest,
	};
	uint32_t ar = vmcs_read32(GUEST_CS_AR_BYTES);
	uint64_t linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);

	*mode = (ar & VMX_AR_L) && (ctx.efer & EFER_LMA) ? CPU_MODE_64
	        : (ar & VMX_AR_DB) && (ctx.cr0 & CR0_PE) ? CPU_MODE_32
	                                                 : CPU_MODE_16;
	/* Near the end of a page the next one may be unmapped: try shorter fetches. */
	for (unsigned len = INSN_MAX_LEN; len; len--)
		if (guest_read_linear(&ctx, linear, bytes, len))
			return len;
	return 0;
}

/* Put a value read from MMIO into the instruction's register, as the CPU would (SDM Vol. 1, 3.4.1.1). */
static void load_register(struct vcpu *v, const struct mmio_insn *in, uint64_t value)
{
	uint64_t *r = guest_gpr(&v->regs, (unsigned)in->reg);
	unsigned size = in->reg_size ? in->reg_size : in->size;

	if (in->extend == MMIO_EXT_SIGN && in->size < 8) {
		unsigned shift = 64 - 8 * in->size;
		value = (uint64_t)((int64_t)(value << shift) >> shift);
	}
	if (in->high_byte)
		*r = (*r & ~0xff00ull) | (value & 0xff) << 8;
	else if (size == 1)
		*r = (*r & ~0xffull) | (value & 0xff);
	else if (size == 2)
		*r = (*r & ~0xffffull) | (value & 0xffff);
	else if (size == 4)
		*r = value & 0xffffffffull; /* a 32-bit destination zero-extends in 64-bit mode */
	else
		*r = value;
}

static uint64_t size_mask(unsigned size) { return size == 8 ? ~0ull : (1ull << (8 * size)) - 1; }

static uint64_t store_value(struct vcpu *v, const struct mmio_insn *in)
{
	uint64_t mask = size_mask(in->size);

	if (in->reg < 0)
		return in->imm & mask;
	uint64_t r = *guest_gpr(&v->regs, (unsigned)in->reg);
	return (in->high_byte ? r >> 8 : r) & mask;
}

static enum exit_action mmio_fail(struct vcpu *v, const char *what, uint64_t gpa)
{
	char why[128];

	hv_snprintf(why, sizeof(why), "%s (MMIO at %#llx, RIP %#llx)", what, (unsigned long long)gpa,
	            (unsigned long long)vmcs_readl(GUEST_RIP));
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}

/* The access itself: size bytes read; an absent device reads all ones of that size and ignores writes. */
static uint64_t device_read(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size)
{
	return (dev == MMIO_APIC ? irq_apic_mmio_read(v, gpa, size) : ~0ull) & size_mask(size);
}

static void device_write(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size, uint64_t value)
{
	if (dev == MMIO_APIC)
		irq_apic_mmio_write(v, gpa, size, (uint32_t)value); /* the APICs define 32-bit accesses only */
}

enum exit_action mmio_emulate(struct vcpu *v, const struct exit_info *e, uint64_t gpa)
{
	enum mmio_device dev = device_at(v, gpa);
	const char *name = dev == MMIO_APIC ? "an APIC" : "a no-device range";
	uint8_t bytes[INSN_MAX_LEN];
	enum cpu_mode mode;
	struct mmio_insn in;
	char what[96];

	if (dev == MMIO_NONE)
		return mmio_fail(v, "no device there", gpa);
	unsigned len = fetch_instruction(v, bytes, &mode);
	if (!len || !insn_decode_mmio(bytes, len, mode, &in)) {
		hv_snprintf(what, sizeof(what), "an instruction the hypervisor cannot decode touched %s", name);
		return mmio_fail(v, what, gpa);
	}
	if (in.rmw || in.string != MMIO_STR_NONE || (in.reg == 4 && !in.high_byte)) {
		hv_snprintf(what, sizeof(what), "a read-modify-write, string or RSP access to %s is not emulated",
		            name);
		return mmio_fail(v, what, gpa);
	}
	if (in.write)
		device_write(v, dev, gpa, in.size, store_value(v, &in));
	else
		load_register(v, &in, device_read(v, dev, gpa, in.size));
	vmx_complete_instruction_at(e->guest_rip + in.length);
	return EXIT_RESUME;
}
