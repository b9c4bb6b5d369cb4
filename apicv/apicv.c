/* apicv.c: APIC virtualization for a vCPU: the VMCS controls and pages of the chosen mode, and their exits. */
#include "apicv/apicv.h"

#include "apicv/eoi_bitmap.h"
#include "apicv/mode.h"
#include "apicv/tpr.h"
#include "apicv/vintr.h"
#include "arch/x86/cpu.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "arch/x86/apic_regs.h"
#include "vmm/lib/log.h"
#include "vmm/core/cpus.h"
#include "vmm/lib/fmt.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/exit/hypercall.h"
#include "vmm/mm/mm.h"
#include "vmm/irq/vapic.h"

#define X2APIC_MSR_BASE 0x800
#define X2APIC_MSR(reg) (X2APIC_MSR_BASE + (reg))

/*
 * x2APIC-mode MSR bitmaps (SDM Vol. 3, 30.5). tpr: TPR reads and writes go
 * to VTPR. vid: reads of every register that lives on the page as the SDM
 * lists it, and writes of TPR, EOI and SELF IPI, which the CPU virtualizes.
 * Reads of the current count (its value is the model's arithmetic), EOI and
 * SELF IPI (write-only: #GP) and of reserved registers still exit.
 */
static uint64_t x2apic_tpr_bitmap, x2apic_vid_bitmap;

static const uint8_t vid_readable[] = {
        APIC_REG_ID,           APIC_REG_VERSION,   APIC_REG_TPR,         APIC_REG_PPR,
        APIC_REG_LDR,          APIC_REG_SVR,       APIC_REG_ESR,         APIC_REG_LVT_CMCI,
        APIC_REG_ICR_LOW,      APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PMC,
        APIC_REG_LVT_LINT0,    APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR,   APIC_REG_TIMER_INITIAL,
        APIC_REG_TIMER_DIVIDE,
};

static bool x2apic_virtualizable(void)
{
	return vmx_has_secondary(cpus_vmx_caps(), SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
}

/* APIC-register virtualization comes with vid where the CPU has it (the mode does not require it). */
static bool register_virt(void)
{
	return apicv_mode() >= VMX_APICV_VID && vmx_has_secondary(cpus_vmx_caps(), SECONDARY_EXEC_APIC_REGISTER_VIRT);
}

bool apicv_bitmaps_init(void)
{
	if (apicv_mode() < VMX_APICV_TPR || !x2apic_virtualizable())
		return true;
	x2apic_tpr_bitmap = vmx_msr_bitmap_clone();
	if (!x2apic_tpr_bitmap)
		return false;
	vmx_msr_passthrough(phys_to_virt(x2apic_tpr_bitmap), X2APIC_MSR(APIC_REG_TPR), true, true);
	if (apicv_mode() < VMX_APICV_VID)
		return true;
	x2apic_vid_bitmap = vmx_msr_bitmap_clone();
	if (!x2apic_vid_bitmap)
		return false;
	uint8_t *bm = phys_to_virt(x2apic_vid_bitmap);
	if (register_virt()) {
		for (unsigned i = 0; i < sizeof(vid_readable); i++)
			vmx_msr_passthrough(bm, X2APIC_MSR(vid_readable[i]), true, false);
		for (unsigned i = 0; i < 8; i++) {
			vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_ISR0 + i), true, false);
			vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_TMR0 + i), true, false);
			vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_IRR0 + i), true, false);
		}
	} else {
		vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_TPR), true, false);
	}
	vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_TPR), false, true);
	vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_EOI), false, true);
	vmx_msr_passthrough(bm, X2APIC_MSR(APIC_REG_SELF_IPI), false, true);
	return true;
}

bool apicv_guest_create(struct guest *g)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return true;
	/*
	 * Its own page, not one shared by every guest: a vCPU whose APIC is not
	 * in xAPIC mode reaches the page as memory (virtualization is off then).
	 */
	g->apic_access_page = page_alloc(1);
	return g->apic_access_page && ept_map(&g->ept, GUEST_LAPIC_BASE, g->apic_access_page, PAGE_SIZE,
	                                      EPT_READ | EPT_WRITE | EPT_MEMTYPE_WB);
}

/* Set and clear secondary controls; the mode's checks made sure the CPU allows them. */
static void secondary(uint32_t set, uint32_t clear)
{
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, (vmcs_read32(SECONDARY_VM_EXEC_CONTROL) & ~clear) | set);
}

/*
 * Virtual-interrupt delivery runs while the vCPU's APIC is enabled, globally
 * and in software. A software-disabled APIC takes no fixed interrupts
 * (11.4.7.2), but the CPU's self-IPI virtualization does not look at SVR:
 * until SVR enables it, the vCPU is handled as in mode tpr.
 */
static bool vid_wanted(const struct vcpu *v)
{
	return apicv_mode() >= VMX_APICV_VID && vlapic_mode(&v->lapic) != VLAPIC_MODE_DISABLED &&
	       vlapic_sw_enabled(&v->lapic);
}

void apicv_apic_changed(struct vcpu *v)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	const uint32_t both = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
	const uint32_t vid = SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | SECONDARY_EXEC_APIC_REGISTER_VIRT;
	uint64_t bitmap = vmx_msr_bitmap_shared();
	uint32_t set = 0;

	v->apicv.vid = vid_wanted(v);
	if (v->apicv.vid)
		set |= SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | (register_virt() ? SECONDARY_EXEC_APIC_REGISTER_VIRT : 0);
	switch (vlapic_mode(&v->lapic)) {
	case VLAPIC_MODE_XAPIC: set |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES; break;
	case VLAPIC_MODE_X2APIC:
		/*
		 * Without "virtualize x2APIC mode" every x2APIC MSR exits to the model
		 * (CR8 still uses VTPR). Without virtual-interrupt delivery the EOI and
		 * SELF IPI writes must exit too: the tpr bitmap passes only the TPR.
		 */
		if (x2apic_tpr_bitmap) {
			set |= SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
			bitmap = v->apicv.vid ? x2apic_vid_bitmap : x2apic_tpr_bitmap;
		}
		break;
	case VLAPIC_MODE_DISABLED: break;
	}
	secondary(set, both | vid);
	/* Posted-interrupt processing requires virtual-interrupt delivery (SDM Vol. 3, 27.2.1.1). */
	uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) & ~PIN_BASED_POSTED_INTR;
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
	             pin | (v->apicv.vid && apicv_mode() == VMX_APICV_POSTED ? PIN_BASED_POSTED_INTR : 0));
	vmcs_write64(MSR_BITMAP, bitmap);
	v->apicv.eoi_dirty = true; /* its ID, LDR or DFR may have changed: the I/O APIC entries that address it */
}

void apicv_vcpu_setup(struct vcpu *v)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	/* With a TPR shadow, MOV CR8 reads and writes VTPR[7:4] without an exit (SDM Vol. 3, 30.3). */
	uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	proc = (proc | CPU_BASED_TPR_SHADOW) & ~(CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, v->lapic_page); /* the model's page: one source of truth */
	vmcs_write64(APIC_ACCESS_ADDR, v->guest->apic_access_page);
	vmcs_write32(TPR_THRESHOLD, 0);
	if (apicv_mode() >= VMX_APICV_VID)
		vmcs_write16(GUEST_INTR_STATUS, 0);
	if (apicv_mode() == VMX_APICV_POSTED) {
		vmcs_write16(POSTED_INTR_NV, v->inbox.desc->nv);
		vmcs_write64(POSTED_INTR_DESC_ADDR, v->pi_page);
	}
	apicv_apic_changed(v);
}

static void write_eoi_exit_bitmap(struct vcpu *v)
{
	struct guest *g = v->guest;
	uint32_t seen = g->ioapic_writes;

	if (!v->apicv.eoi_dirty && seen == v->apicv.ioapic_seen)
		return;
	spin_lock(&g->lock);
	apicv_eoi_exit_bitmap(&g->ioapic, &v->lapic, v->apicv.eoi_exit);
	spin_unlock(&g->lock);
	v->apicv.ioapic_seen = seen;
	v->apicv.eoi_dirty = false;
	vmcs_write64(EOI_EXIT_BITMAP0, v->apicv.eoi_exit[0]);
	vmcs_write64(EOI_EXIT_BITMAP1, v->apicv.eoi_exit[1]);
	vmcs_write64(EOI_EXIT_BITMAP2, v->apicv.eoi_exit[2]);
	vmcs_write64(EOI_EXIT_BITMAP3, v->apicv.eoi_exit[3]);
}

/*
 * The CPU keeps RVI and SVI in step with VIRR and VISR while the guest runs;
 * the hypervisor changed VIRR (the inbox, a timer, a device), so it writes
 * both from the page, which is always right. The CPU evaluates RVI against
 * VPPR at entry and delivers without an exit (SDM Vol. 3, 30.2.1).
 */
static void write_intr_status(struct vcpu *v) { vmcs_write16(GUEST_INTR_STATUS, apicv_intr_status(&v->lapic)); }

static void save_registers(struct vcpu *v)
{
	for (unsigned r = 0; r < APICV_XAPIC_REGS; r++)
		v->apicv.before[r] = vlapic_reg(&v->lapic, r);
}

void apicv_before_entry(struct vcpu *v)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	if (!v->apicv.vid) {
		vmcs_write32(TPR_THRESHOLD,
		             apicv_tpr_threshold(vlapic_highest_irr(&v->lapic), vlapic_reg(&v->lapic, APIC_REG_TPR)));
	} else {
		write_eoi_exit_bitmap(v);
		write_intr_status(v);
		if (register_virt() && vlapic_mode(&v->lapic) == VLAPIC_MODE_XAPIC)
			save_registers(v);
	}
}

uint32_t apicv_flags(void)
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

/*
 * APIC-write exit (SDM Vol. 3, 30.4.3.3), trap-like: the guest's value is on
 * the page already. Put the old value back and let the model do the write,
 * with its rules and effects (an IPI for ICR low, the timer, SVR masking).
 * Offset 0x3f0 is an x2APIC SELF IPI with an illegal vector (30.5).
 */
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *e)
{
	unsigned reg = (unsigned)(e->qualification & APIC_ACCESS_OFFSET_MASK) >> 4;
	struct vlapic_effect fx;
	bool x2 = reg == APIC_REG_SELF_IPI;
	uint32_t value = vlapic_reg(&v->lapic, reg);

	if (!x2)
		vlapic_set_reg(&v->lapic, reg, v->apicv.before[reg]);
	if (vlapic_write(&v->lapic, (enum apic_reg)reg, value, x2, rdtsc(), &fx) == VLAPIC_OK)
		vapic_apply(v, &fx);
	return EXIT_RESUME;
}

/* EOI-induced exit (SDM Vol. 3, 30.1.4), trap-like: the CPU retired the vector; the model sends its EOI on. */
enum exit_action handle_eoi_induced(struct vcpu *v, const struct exit_info *e)
{
	struct vlapic_effect fx;

	vlapic_eoi_done(&v->lapic, (uint8_t)(e->qualification & 0xff), &fx);
	vapic_apply(v, &fx);
	return EXIT_RESUME;
}

/* Trap-like: the TPR write is done; the next entry injects what it unmasked (SDM Vol. 3, 30.1.2). */
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	return EXIT_RESUME;
}

/*
 * An xAPIC access that APIC virtualization does not complete itself:
 * fault-like, the instruction has not run (SDM Vol. 3, 30.4). It is the
 * model's, through the same decoder as an EPT violation on the APIC page.
 */
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *e)
{
	uint64_t offset = e->qualification & APIC_ACCESS_OFFSET_MASK;
	unsigned type = (unsigned)(e->qualification >> APIC_ACCESS_TYPE_SHIFT & APIC_ACCESS_TYPE_MASK);
	char why[96];

	if (type == APIC_ACCESS_LINEAR_READ || type == APIC_ACCESS_LINEAR_WRITE)
		return vapic_mmio_at(v, e, vlapic_mmio_base(&v->lapic) + offset);
	hv_snprintf(why, sizeof(why), "an APIC access of type %u at offset %#llx (instruction fetch or event delivery)",
	            type, (unsigned long long)offset);
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}
