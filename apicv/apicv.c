/* apicv.c: APIC virtualization for a vCPU: the VMCS controls and pages of the chosen mode, and their exits. */
#include "apicv/apicv.h"

#include "apicv/mode.h"
#include "apicv/tpr.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "lapic/apic_regs.h"
#include "vmm/console.h"
#include "vmm/cpus.h"
#include "vmm/fmt.h"
#include "vmm/guest.h"
#include "vmm/guest_layout.h"
#include "vmm/hypercall.h"
#include "vmm/mm.h"
#include "vmm/vapic.h"

#define X2APIC_MSR_BASE 0x800
#define X2APIC_MSR(reg) (X2APIC_MSR_BASE + (reg))

/* APIC-access exit qualification (SDM Vol. 3, Table 28-6). */
#define APIC_ACCESS_OFFSET_MASK 0xfffull
#define APIC_ACCESS_TYPE_SHIFT 12
#define APIC_ACCESS_TYPE_MASK 0xfull
enum apic_access_type {
	APIC_ACCESS_LINEAR_READ = 0,
	APIC_ACCESS_LINEAR_WRITE = 1,
	APIC_ACCESS_LINEAR_FETCH = 2,
	APIC_ACCESS_LINEAR_EVENT = 3, /* during event delivery */
	APIC_ACCESS_GUEST_PHYS_EVENT = 10,
	APIC_ACCESS_GUEST_PHYS_FETCH = 15,
};

/* x2APIC-mode MSR bitmap of mode tpr: TPR reads and writes go to VTPR (SDM Vol. 3, 30.5). */
static uint64_t x2apic_tpr_bitmap;

static bool x2apic_virtualizable(void)
{
	return vmx_has_secondary(cpus_vmx_caps(), SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE);
}

bool apicv_bitmaps_init(void)
{
	if (apicv_mode() < VMX_APICV_TPR || !x2apic_virtualizable())
		return true;
	x2apic_tpr_bitmap = vmx_msr_bitmap_clone();
	if (!x2apic_tpr_bitmap)
		return false;
	vmx_msr_passthrough(phys_to_virt(x2apic_tpr_bitmap), X2APIC_MSR(APIC_REG_TPR), true, true);
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

void apicv_apic_mode_changed(struct vcpu *v)
{
	if (apicv_mode() < VMX_APICV_TPR)
		return;
	const uint32_t both = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES | SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE;
	switch (vlapic_mode(&v->lapic)) {
	case VLAPIC_MODE_XAPIC:
		secondary(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES, both);
		vmcs_write64(MSR_BITMAP, vmx_msr_bitmap_shared());
		break;
	case VLAPIC_MODE_X2APIC:
		/* Without "virtualize x2APIC mode" every x2APIC MSR exits to the model; CR8 still uses VTPR. */
		if (x2apic_tpr_bitmap) {
			secondary(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE, both);
			vmcs_write64(MSR_BITMAP, x2apic_tpr_bitmap);
		} else {
			secondary(0, both);
		}
		break;
	case VLAPIC_MODE_DISABLED:
		secondary(0, both);
		vmcs_write64(MSR_BITMAP, vmx_msr_bitmap_shared());
		break;
	}
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
	apicv_apic_mode_changed(v);
}

void apicv_before_entry(struct vcpu *v)
{
	if (apicv_mode() != VMX_APICV_TPR)
		return;
	vmcs_write32(TPR_THRESHOLD,
	             apicv_tpr_threshold(vlapic_highest_irr(&v->lapic), vlapic_reg(&v->lapic, APIC_REG_TPR)));
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
