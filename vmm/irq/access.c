/* access.c: a guest's accesses to its local APIC and I/O APIC: decoded MMIO and the APIC MSRs, given to the models. */
#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/insn_decode.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/vioapic.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_PAGE_SIZE 0x1000ull
#define IOAPIC_PAGE_SIZE 0x1000ull
#define MAX_INSN_LEN 15

bool irq_is_mmio(const struct vcpu *v, uint64_t gpa)
{
	uint64_t base = vlapic_mmio_base(&v->lapic);

	return (vlapic_mode(&v->lapic) == VLAPIC_MODE_XAPIC && gpa >= base && gpa < base + APIC_PAGE_SIZE) ||
	       (gpa >= GUEST_IOAPIC_BASE && gpa < GUEST_IOAPIC_BASE + IOAPIC_PAGE_SIZE);
}

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
	for (unsigned len = MAX_INSN_LEN; len; len--)
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

static uint64_t store_value(struct vcpu *v, const struct mmio_insn *in)
{
	uint64_t mask = in->size == 8 ? ~0ull : (1ull << (8 * in->size)) - 1;

	if (in->reg < 0)
		return in->imm & mask;
	uint64_t r = *guest_gpr(&v->regs, (unsigned)in->reg);
	return (in->high_byte ? r >> 8 : r) & mask;
}

static enum exit_action mmio_fail(struct vcpu *v, const char *what, uint64_t gpa)
{
	char why[96];

	hv_snprintf(why, sizeof(why), "%s (MMIO at %#llx, RIP %#llx)", what, (unsigned long long)gpa,
	            (unsigned long long)vmcs_readl(GUEST_RIP));
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}

/* One access to the I/O APIC page; its messages go to the local APICs after the lock is dropped. */
static uint32_t ioapic_access(struct vcpu *v, uint64_t offset, bool write, uint32_t value)
{
	struct vioapic_msg msgs[VIOAPIC_MAX_MSGS];
	unsigned n = 0;
	uint32_t r = 0;

	spin_lock(&v->guest->lock);
	if (write) {
		vioapic_write(&v->guest->ioapic, offset, value, msgs, &n);
		v->guest->ioapic_writes++;
	} else
		r = vioapic_read(&v->guest->ioapic, offset);
	spin_unlock(&v->guest->lock);
	irq_route_ioapic(v->guest, msgs, n);
	return r;
}

enum exit_action irq_mmio(struct vcpu *v, const struct exit_info *e) { return irq_mmio_at(v, e, e->guest_physical); }

enum exit_action irq_mmio_at(struct vcpu *v, const struct exit_info *e, uint64_t gpa)
{
	uint8_t bytes[MAX_INSN_LEN];
	enum cpu_mode mode;
	struct mmio_insn in;
	struct vlapic_effect fx = {0};
	bool lapic = gpa < GUEST_IOAPIC_BASE || gpa >= GUEST_IOAPIC_BASE + IOAPIC_PAGE_SIZE;
	uint64_t offset = gpa - (lapic ? vlapic_mmio_base(&v->lapic) : GUEST_IOAPIC_BASE);

	unsigned len = fetch_instruction(v, bytes, &mode);
	if (!len || !insn_decode_mmio(bytes, len, mode, &in))
		return mmio_fail(v, "an instruction the hypervisor cannot decode touched an APIC", gpa);
	if (in.rmw || (in.reg == 4 && !in.high_byte))
		return mmio_fail(v, "a read-modify-write or RSP access to an APIC is not emulated", gpa);
	if (in.write) {
		uint32_t value = (uint32_t)store_value(v, &in);
		if (lapic && vlapic_mmio_write(&v->lapic, offset, in.size, value, rdtsc(), &fx) == VLAPIC_OK)
			irq_apply(v, &fx);
		else if (!lapic && in.size == 4)
			ioapic_access(v, offset, true, value);
	} else {
		uint32_t value = 0;
		if (lapic && vlapic_mmio_read(&v->lapic, offset, in.size, rdtsc(), &value, &fx) == VLAPIC_OK)
			irq_apply(v, &fx);
		else if (!lapic && in.size == 4)
			value = ioapic_access(v, offset, false, 0);
		load_register(v, &in, value); /* undefined accesses read as 0 (SDM Vol. 3, 11.4.1) */
	}
	vmx_complete_instruction_at(e->guest_rip + in.length);
	return EXIT_RESUME;
}

/* MSRs: the APIC base, the x2APIC registers and the TSC deadline. */

bool irq_owns_msr(uint32_t msr)
{
	return msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE || vlapic_is_x2apic_msr(msr);
}

bool irq_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	struct vlapic_effect fx = {0};
	enum vlapic_result r;

	if (msr == MSR_IA32_APICBASE) {
		*value = v->lapic.apic_base_msr;
		return true;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* The model keeps host TSC values; the guest's TSC is the host's plus its offset (vtsc.h). */
		r = vlapic_read_tsc_deadline(&v->lapic, value, &fx);
		*value = vtsc_deadline_to_guest(&v->tsc, *value);
	} else
		r = vlapic_msr_read(&v->lapic, msr, rdtsc(), value, &fx);
	if (r != VLAPIC_OK)
		return false;
	irq_apply(v, &fx);
	return true;
}

bool irq_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vlapic_effect fx = {0};
	enum vlapic_result r;

	if (msr == MSR_IA32_APICBASE)
		r = vlapic_write_apic_base(&v->lapic, value, &fx);
	else if (msr == MSR_IA32_TSC_DEADLINE) {
		uint64_t now = rdtsc();
		r = vlapic_write_tsc_deadline(&v->lapic, vtsc_deadline_to_host(&v->tsc, value, now), now, &fx);
	} else
		r = vlapic_msr_write(&v->lapic, msr, value, rdtsc(), &fx);
	if (r != VLAPIC_OK) {
		pr_debug("irq: guest %s: WRMSR %#x <- %#llx: #GP (%s)", v->guest->name, msr, (unsigned long long)value,
		         vlapic_gp_name(fx.gp));
		return false;
	}
	irq_apply(v, &fx);
	return true;
}
