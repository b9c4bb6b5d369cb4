/* hypercall.c: the VMCALL interface (docs/hypercalls.md): what a guest may ask of the hypervisor. */
#include "vmm/exit/hypercall.h"

#include "apicv/mode.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/vioapic.h"
#include "vmm/exit/exits.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/cost_hist.h"
#include "vmm/lib/spinlock.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"

_Static_assert(EXIT_REASON_MAX <= HC_EXIT_REASONS, "every exit reason fits the hypercall's table");
_Static_assert(HC_APICV_EMULATED == VMX_APICV_EMULATED && HC_APICV_TPR == VMX_APICV_TPR &&
                       HC_APICV_VID == VMX_APICV_VID && HC_APICV_POSTED == VMX_APICV_POSTED,
               "the hypercall names the modes as vmx_caps.h numbers them");

static struct spinlock root_cycles_lock = SPINLOCK_INIT;

/* The APIC-virtualization controls the current VMCS runs with, as HC_APICV_F_* bits. */
static uint32_t apicv_flags(void)
{
	uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL), proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
	uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL), f = 0;

	f |= proc & CPU_BASED_TPR_SHADOW ? HC_APICV_F_TPR_SHADOW : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES ? HC_APICV_F_APIC_ACCESSES : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE ? HC_APICV_F_X2APIC_MODE : 0;
	f |= proc2 & SECONDARY_EXEC_APIC_REGISTER_VIRT ? HC_APICV_F_REGISTER_VIRT : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY ? HC_APICV_F_INTR_DELIVERY : 0;
	f |= pin & PIN_BASED_POSTED_INTR ? HC_APICV_F_POSTED : 0;
	return f;
}

/* HC_EXIT_STATS: the counts into guest RAM at gpa; HC_EINVAL unless the whole struct fits in RAM there. */
static uint32_t exit_stats(struct vcpu *v, uint64_t gpa, uint32_t size)
{
	struct hc_exit_stats s = {
	        .version = HC_EXIT_STATS_VERSION,
	        .nreasons = HC_EXIT_REASONS,
	        .apicv_mode = apicv_mode(),
	        .apicv_flags = apicv_flags(),
	        .interrupts = v->interrupts,
	        .total = v->exits_total,
	};

	memcpy(s.exits, v->exits, sizeof(v->exits));
	return size >= sizeof(s) && guest_write_ram(v->guest, gpa, &s, sizeof(s)) ? 0 : HC_EINVAL;
}

/* HC_ROOT_CYCLES: the root-mode cost of each exit reason into guest RAM at gpa, as HC_EXIT_STATS. */
static uint32_t root_cycles(struct vcpu *v, uint64_t gpa, uint32_t size)
{
	static struct hc_root_cycles s; /* 3 KiB: not on the stack; one VMCALL per core at a time */

	spin_lock(&root_cycles_lock);
	memset(&s, 0, sizeof(s));
	s.version = HC_ROOT_CYCLES_VERSION;
	s.nreasons = HC_EXIT_REASONS;
	s.tsc_khz = tsc_hz() / 1000;
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		const struct cost_hist *h = &v->root_cost[r];
		s.reason[r] = (struct hc_root_cost){.count = h->count,
		                                    .total = h->total,
		                                    .median = cost_hist_percentile(h, 500),
		                                    .p99 = cost_hist_percentile(h, 990),
		                                    .max = h->max};
	}
	uint32_t r = size >= sizeof(s) && guest_write_ram(v->guest, gpa, &s, sizeof(s)) ? 0 : HC_EINVAL;
	spin_unlock(&root_cycles_lock);
	return r;
}

/* HC_ROOT_PHASES: the phases of each exit reason's root-mode cost into guest RAM at gpa, as HC_EXIT_STATS. */
static uint32_t root_phases(struct vcpu *v, uint64_t gpa, uint32_t size)
{
	static struct hc_root_phases s; /* 2.5 KiB: not on the stack; under the same lock as root_cycles */

	_Static_assert(ROOT_PHASES == HC_ROOT_NPHASES && ROOT_PHASE_EXIT == HC_ROOT_PHASE_EXIT &&
	                       ROOT_PHASE_HANDLER == HC_ROOT_PHASE_HANDLER && ROOT_PHASE_ENTRY == HC_ROOT_PHASE_ENTRY,
	               "the hypercall numbers the phases as vcpu.h does");
	spin_lock(&root_cycles_lock);
	memset(&s, 0, sizeof(s));
	s.version = HC_ROOT_PHASES_VERSION;
	s.nreasons = HC_EXIT_REASONS;
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		s.count[r] = v->root_phase[r].count;
		for (unsigned p = 0; p < ROOT_PHASES; p++)
			s.reason[r].total[p] = v->root_phase[r].cycles[p];
	}
	uint32_t r = size >= sizeof(s) && guest_write_ram(v->guest, gpa, &s, sizeof(s)) ? 0 : HC_EINVAL;
	spin_unlock(&root_cycles_lock);
	return r;
}

/*
 * The caller's privilege: CPL is SS.DPL (SDM Vol. 3, 5.5 and 27.3.1.2, which
 * requires the two to agree in the guest state). VMCALL exits at any CPL in
 * VMX non-root operation (SDM Vol. 3, 26.1.2), so the check is ours to make.
 */
static unsigned guest_cpl(void) { return (vmcs_read32(GUEST_SS_AR_BYTES) & VMX_AR_DPL_MASK) >> VMX_AR_DPL_SHIFT; }

enum exit_action handle_vmcall(struct vcpu *v, const struct exit_info *e)
{
	uint32_t nr = (uint32_t)v->regs.rax;

	if (!hc_permitted(nr, guest_cpl(), v->guest->cfg.user_stats)) {
		v->regs.rax = HC_EPERM;
		vmx_complete_instruction(e);
		return EXIT_RESUME;
	}
	switch (nr) {
	case HC_VERSION: v->regs.rax = HC_INTERFACE_VERSION; break;
	case HC_WAKE_AFTER:
		v->wake_after_us = (uint32_t)v->regs.rbx;
		v->wake_armed = true;
		v->regs.rax = 0;
		break;
	case HC_IOAPIC_LINE:
		if ((uint32_t)v->regs.rbx >= VIOAPIC_PINS) {
			v->regs.rax = HC_EINVAL;
			break;
		}
		irq_ioapic_line(v->guest, (uint32_t)v->regs.rbx, (uint32_t)v->regs.rcx != 0);
		v->regs.rax = 0;
		break;
	case HC_EXIT_STATS: v->regs.rax = exit_stats(v, v->regs.rbx & 0xffffffffu, (uint32_t)v->regs.rcx); break;
	case HC_ROOT_CYCLES: v->regs.rax = root_cycles(v, v->regs.rbx & 0xffffffffu, (uint32_t)v->regs.rcx); break;
	case HC_START_COUNT: v->regs.rax = v->guest->starts; break;
	case HC_ROOT_PHASES: v->regs.rax = root_phases(v, v->regs.rbx & 0xffffffffu, (uint32_t)v->regs.rcx); break;
	default: v->regs.rax = HC_ENOSYS; break;
	}
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}
