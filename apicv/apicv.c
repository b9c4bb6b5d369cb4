/* apicv.c: APIC virtualization for a vCPU: the VMCS controls and pages of the chosen mode, and what its exits need. */
#include "apicv/apicv.h"

#include "apicv/eoi_bitmap.h"
#include "apicv/mode.h"
#include "apicv/tpr.h"
#include "apicv/vintr.h"
#include "arch/x86/apic_regs.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/lib/array.h"
#include "vmm/mm/mm.h"

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

/*
 * The xAPIC registers whose writes the CPU stores on the virtual-APIC page
 * and may then end in an APIC-write exit (SDM Vol. 3, 30.4.3.1 and 30.4.3.2;
 * a write to any other offset is an APIC-access exit that leaves the page
 * alone). Only their values before a write need keeping (apicv_apic_write).
 */
static const uint8_t apic_write_regs[] = {
        APIC_REG_ID,        APIC_REG_TPR,           APIC_REG_EOI,          APIC_REG_LDR,       APIC_REG_DFR,
        APIC_REG_SVR,       APIC_REG_ESR,           APIC_REG_LVT_CMCI,     APIC_REG_ICR_LOW,   APIC_REG_ICR_HIGH,
        APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL,   APIC_REG_LVT_PMC,      APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1,
        APIC_REG_LVT_ERROR, APIC_REG_TIMER_INITIAL, APIC_REG_TIMER_DIVIDE,
};

static bool x2apic_virtualizable(void)
{
	return vmx_has_secondary(apicv_caps(), SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
}

/* APIC-register virtualization comes with vid where the CPU has it (the mode does not require it). */
static bool register_virt(void)
{
	return apicv_mode() >= VMX_APICV_VID && vmx_has_secondary(apicv_caps(), SECONDARY_EXEC_APIC_REGISTER_VIRT);
}

bool apicv_bitmaps_init(void)
{
	if (apicv_mode() < VMX_APICV_TPR || !x2apic_virtualizable())
		return true;
	x2apic_tpr_bitmap = vmx_msr_bitmap_clone();
	if (!x2apic_tpr_bitmap)
		return false;
	vmx_msr_passthrough(phys_to_virt(x2apic_tpr_bitmap), APIC_X2APIC_MSR(APIC_REG_TPR), true, true);
	if (apicv_mode() < VMX_APICV_VID)
		return true;
	x2apic_vid_bitmap = vmx_msr_bitmap_clone();
	if (!x2apic_vid_bitmap)
		return false;
	uint8_t *bm = phys_to_virt(x2apic_vid_bitmap);
	if (register_virt()) {
		for (unsigned i = 0; i < ARRAY_LEN(vid_readable); i++)
			vmx_msr_passthrough(bm, APIC_X2APIC_MSR(vid_readable[i]), true, false);
		for (unsigned i = 0; i < 8; i++) {
			vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_ISR0 + i), true, false);
			vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_TMR0 + i), true, false);
			vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_IRR0 + i), true, false);
		}
	} else {
		vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_TPR), true, false);
	}
	vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_TPR), false, true);
	vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_EOI), false, true);
	vmx_msr_passthrough(bm, APIC_X2APIC_MSR(APIC_REG_SELF_IPI), false, true);
	return true;
}

bool apicv_guest_create(struct ept *ept, uint64_t lapic_base, uint64_t *page)
{
	*page = 0;
	if (apicv_mode() < VMX_APICV_TPR)
		return true;
	/*
	 * Its own page, not one shared by every guest: nothing of one guest is
	 * in another's EPT. The guest maps it only while every vCPU's APIC is in
	 * xAPIC mode at lapic_base (vmm/partition/guest.c: guest_apic_away).
	 */
	*page = page_alloc(1);
	return *page && apicv_guest_map_apic_page(ept, lapic_base, *page, true);
}

bool apicv_guest_map_apic_page(struct ept *ept, uint64_t lapic_base, uint64_t page, bool map)
{
	if (!page)
		return true;
	return map ? ept_map(ept, lapic_base, page, PAGE_SIZE, EPT_READ | EPT_WRITE | EPT_MEMTYPE_WB)
	           : ept_unmap(ept, lapic_base, PAGE_SIZE);
}

void apicv_vcpu_init(struct apicv_vcpu *a, const struct apicv_vcpu_cfg *cfg) { *a = (struct apicv_vcpu){.cfg = *cfg}; }

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
static bool vid_wanted(const struct vlapic *l)
{
	return apicv_mode() >= VMX_APICV_VID && vlapic_mode(l) != VLAPIC_MODE_DISABLED && vlapic_sw_enabled(l);
}

void apicv_apic_changed(struct apicv_vcpu *a)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	const uint32_t both = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
	const uint32_t vid = SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | SECONDARY_EXEC_APIC_REGISTER_VIRT;
	uint64_t bitmap = vmx_msr_bitmap_shared();
	uint32_t set = 0;

	a->vid = vid_wanted(a->cfg.lapic);
	if (a->vid)
		set |= SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY | (register_virt() ? SECONDARY_EXEC_APIC_REGISTER_VIRT : 0);
	switch (vlapic_mode(a->cfg.lapic)) {
	case VLAPIC_MODE_XAPIC: set |= SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES; break;
	case VLAPIC_MODE_X2APIC:
		/*
		 * Without "virtualize x2APIC mode" every x2APIC MSR exits to the model
		 * (CR8 still uses VTPR). Without virtual-interrupt delivery the EOI and
		 * SELF IPI writes must exit too: the tpr bitmap passes only the TPR.
		 */
		if (x2apic_tpr_bitmap) {
			set |= SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
			bitmap = a->vid ? x2apic_vid_bitmap : x2apic_tpr_bitmap;
		}
		break;
	case VLAPIC_MODE_DISABLED: break;
	}
	secondary(set, both | vid);
	/* Posted-interrupt processing requires virtual-interrupt delivery (SDM Vol. 3, 27.2.1.1). */
	uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) & ~PIN_BASED_POSTED_INTR;
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
	             pin | (a->vid && apicv_mode() == VMX_APICV_POSTED ? PIN_BASED_POSTED_INTR : 0));
	vmcs_write64(MSR_BITMAP, bitmap);
	a->eoi_dirty = true; /* its ID, LDR or DFR may have changed: the I/O APIC entries that address it */
}

void apicv_vcpu_setup(struct apicv_vcpu *a)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	/* With a TPR shadow, MOV CR8 reads and writes VTPR[7:4] without an exit (SDM Vol. 3, 30.3). */
	uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	proc = (proc | CPU_BASED_TPR_SHADOW) & ~(CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, a->cfg.virtual_apic_page); /* the model's page: one source of truth */
	vmcs_write64(APIC_ACCESS_ADDR, a->cfg.apic_access_page);
	vmcs_write32(TPR_THRESHOLD, 0);
	a->tpr_threshold = 0;
	if (apicv_mode() >= VMX_APICV_VID)
		vmcs_write16(GUEST_INTR_STATUS, 0);
	if (apicv_mode() == VMX_APICV_POSTED) {
		vmcs_write16(POSTED_INTR_NV, a->cfg.notify_vector);
		vmcs_write64(POSTED_INTR_DESC_ADDR, a->cfg.pi_desc_page);
	}
	apicv_apic_changed(a);
}

static void write_eoi_exit_bitmap(struct apicv_vcpu *a)
{
	const struct apicv_ioapic *io = &a->cfg.ioapic;
	uint32_t seen = *io->writes;

	if (!a->eoi_dirty && seen == a->ioapic_seen)
		return;
	spin_lock(io->lock);
	apicv_eoi_exit_bitmap(io->model, a->cfg.lapic, a->eoi_exit);
	spin_unlock(io->lock);
	a->ioapic_seen = seen;
	a->eoi_dirty = false;
	vmcs_write64(EOI_EXIT_BITMAP0, a->eoi_exit[0]);
	vmcs_write64(EOI_EXIT_BITMAP1, a->eoi_exit[1]);
	vmcs_write64(EOI_EXIT_BITMAP2, a->eoi_exit[2]);
	vmcs_write64(EOI_EXIT_BITMAP3, a->eoi_exit[3]);
}

/*
 * The CPU keeps RVI and SVI in step with VIRR and VISR while the guest runs;
 * the hypervisor changed VIRR (the inbox, a timer, a device), so it writes
 * both from the page, which is always right. The CPU evaluates RVI against
 * VPPR at entry and delivers without an exit (SDM Vol. 3, 30.2.1).
 */
static void write_intr_status(struct vlapic *l) { vmcs_write16(GUEST_INTR_STATUS, apicv_intr_status(l)); }

static void save_registers(struct apicv_vcpu *a)
{
	for (unsigned i = 0; i < ARRAY_LEN(apic_write_regs); i++)
		a->before[apic_write_regs[i]] = vlapic_reg(a->cfg.lapic, apic_write_regs[i]);
}

/*
 * The TPR threshold from the vector held back and VTPR, which the guest may
 * have changed without an exit (MOV to CR8, the TPR through the page): read
 * every time.
 */
static void write_tpr_threshold(struct apicv_vcpu *a, int held_back)
{
	if (held_back < 0 && !a->tpr_threshold)
		return; /* nothing to watch, and no TPR write exits */
	uint32_t threshold = apicv_tpr_threshold(held_back, vlapic_reg(a->cfg.lapic, APIC_REG_TPR));
	if (threshold != a->tpr_threshold) {
		vmcs_write32(TPR_THRESHOLD, threshold);
		a->tpr_threshold = threshold;
	}
}

/*
 * Only IRR grew, by the hypervisor's hand: RVI is the highest IRR vector
 * (30.1.1); VISR, hence SVI, and PPR are as the CPU keeps them, in step.
 */
static void raise_rvi(struct vlapic *l)
{
	int rvi = vlapic_highest_irr(l);
	uint16_t status = vmcs_read16(GUEST_INTR_STATUS);

	vmcs_write16(GUEST_INTR_STATUS, (uint16_t)((status & ~GUEST_INTR_STATUS_RVI_MASK) | (rvi < 0 ? 0 : rvi)));
}

void apicv_before_entry(struct apicv_vcpu *a, bool apic_changed, bool irr_raised, int held_back)
{
	struct vlapic *l = a->cfg.lapic;

	if (apicv_mode() < VMX_APICV_TPR)
		return;
	if (!a->vid) {
		write_tpr_threshold(a, held_back);
		return;
	}
	write_eoi_exit_bitmap(a);
	if (!apic_changed) {
		if (irr_raised)
			raise_rvi(l);
		return;
	}
	write_intr_status(l);
	if (register_virt() && vlapic_mode(l) == VLAPIC_MODE_XAPIC)
		save_registers(a);
}

bool apicv_apic_write(struct apicv_vcpu *a, uint64_t qualification, uint64_t now, struct vlapic_effect *fx)
{
	unsigned reg = (unsigned)(qualification & APIC_ACCESS_OFFSET_MASK) >> 4;
	bool x2 = reg == APIC_REG_SELF_IPI;
	uint32_t value = vlapic_reg(a->cfg.lapic, reg);

	if (!x2)
		vlapic_set_reg(a->cfg.lapic, reg, a->before[reg]);
	return vlapic_write(a->cfg.lapic, (enum apic_reg)reg, value, x2, now, fx) == VLAPIC_OK;
}
