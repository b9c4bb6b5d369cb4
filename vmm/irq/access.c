/* access.c: a guest's accesses to its local APIC and I/O APIC, as MMIO registers and MSRs, given to the models. */
#include "arch/x86/cpu.h"
#include "lapic/vioapic.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_log.h"
#include "vmm/partition/guest_layout.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_PAGE_SIZE 0x1000ull
#define IOAPIC_PAGE_SIZE 0x1000ull

static bool in_ioapic(uint64_t gpa) { return gpa >= GUEST_IOAPIC_BASE && gpa < GUEST_IOAPIC_BASE + IOAPIC_PAGE_SIZE; }

/* Is gpa in v's local APIC page (in xAPIC mode, at its base)? *offset: where in it. */
static bool in_lapic(const struct vcpu *v, uint64_t gpa, uint64_t *offset)
{
	*offset = gpa - vlapic_mmio_base(&v->lapic);
	return vlapic_mode(&v->lapic) == VLAPIC_MODE_XAPIC && *offset < APIC_PAGE_SIZE;
}

bool irq_apic_mmio_at(const struct vcpu *v, uint64_t gpa)
{
	uint64_t offset;

	return in_lapic(v, gpa, &offset) || in_ioapic(gpa);
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

/* The local APIC first: its page moved onto the I/O APIC's hides that one from its CPU, as on hardware. */
uint32_t irq_apic_mmio_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
	struct vlapic_effect fx = {0};
	uint32_t value = 0;
	uint64_t offset;

	if (in_lapic(v, gpa, &offset)) {
		if (vlapic_mmio_read(&v->lapic, offset, size, rdtsc(), &value, &fx) == VLAPIC_OK)
			irq_apply(v, &fx);
		return value; /* undefined accesses read as 0 (SDM Vol. 3, 11.4.1) */
	}
	return in_ioapic(gpa) && size == 4 ? ioapic_access(v, gpa - GUEST_IOAPIC_BASE, false, 0) : 0;
}

void irq_apic_mmio_write(struct vcpu *v, uint64_t gpa, unsigned size, uint32_t value)
{
	struct vlapic_effect fx = {0};
	uint64_t offset;

	if (in_lapic(v, gpa, &offset)) {
		if (vlapic_mmio_write(&v->lapic, offset, size, value, rdtsc(), &fx) == VLAPIC_OK)
			irq_apply(v, &fx);
	} else if (in_ioapic(gpa) && size == 4) {
		ioapic_access(v, gpa - GUEST_IOAPIC_BASE, true, value);
	}
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
		guest_log(v->guest, GUEST_LOG_APIC_MSR_GP, "irq: guest %s: WRMSR %#x <- %#llx: #GP (%s)",
		          v->guest->name, msr, (unsigned long long)value, vlapic_gp_name(fx.gp));
		return false;
	}
	irq_apply(v, &fx);
	return true;
}
