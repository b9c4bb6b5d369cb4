/* apicv.h: APIC virtualization for a vCPU: the VMCS controls and pages of the chosen mode, and what its exits need. */
#ifndef APICV_APICV_H
#define APICV_APICV_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/ept.h"
#include "lapic/vioapic.h"
#include "lapic/vlapic.h"
#include "vmm/lib/spinlock.h"

/*
 * apicv/ knows a vCPU only through what it is handed here: its model, its
 * pages and its guest's I/O APIC. The vCPU (vmm/partition/vcpu.h) embeds
 * struct apicv_vcpu; vmm/ calls apicv/, never the reverse.
 */

#define APICV_XAPIC_REGS 64 /* register words 0x000-0x3f0 of the APIC page */

/* The guest's I/O APIC, as the EOI-exit bitmap reads it. */
struct apicv_ioapic {
	const struct vioapic *model;
	struct spinlock *lock;           /* guards model */
	const volatile uint32_t *writes; /* bumped by every write to the model: its routing may have changed */
};

/* What a vCPU hands APIC virtualization once, when it is created. */
struct apicv_vcpu_cfg {
	struct vlapic *lapic;       /* its model; the model's register page is the virtual-APIC page */
	uint64_t virtual_apic_page; /* that page's physical address */
	uint64_t apic_access_page;  /* its guest's (apicv_guest_create); 0 in mode emulated */
	uint64_t pi_desc_page;      /* its posted-interrupt descriptor, at the start of this page */
	uint8_t notify_vector;      /* the vector posters notify its core with */
	struct apicv_ioapic ioapic;
};

/* What APIC virtualization keeps per vCPU. */
struct apicv_vcpu {
	struct apicv_vcpu_cfg cfg;
	bool vid;               /* virtual-interrupt delivery is on for it now (apicv_apic_changed) */
	bool eoi_dirty;         /* the EOI-exit bitmap must be computed again before the next entry */
	uint32_t ioapic_seen;   /* *cfg.ioapic.writes when it was last computed */
	uint64_t eoi_exit[4];   /* EOI_EXIT_BITMAP0-3 as last written */
	uint32_t tpr_threshold; /* TPR_THRESHOLD as last written */
	/*
	 * The xAPIC registers as the model last left them, by register: those
	 * whose writes may end in an APIC-write exit (apicv.c, apic_write_regs).
	 * Such an exit comes after the CPU stored the guest's value on the page
	 * (SDM Vol. 3, 30.4.3.2); the model's write rules need the value before it.
	 */
	uint32_t before[APICV_XAPIC_REGS];
};

/* Boot CPU, after vmx_bitmaps_init and apicv_init: the MSR bitmaps of the x2APIC modes. False if out of memory. */
bool apicv_bitmaps_init(void);

/*
 * A guest being built, in a mode from tpr up: its APIC-access page, mapped
 * in its EPT at the local APIC's address lapic_base, so that xAPIC accesses
 * reach APIC virtualization instead of an EPT violation (SDM Vol. 3, 30.4).
 * *page stays 0 in mode emulated. False if out of memory.
 */
bool apicv_guest_create(struct ept *ept, uint64_t lapic_base, uint64_t *page);
/*
 * Map (map) or remove (!map) that page at lapic_base in the guest's EPT;
 * nothing to do for page 0 (mode emulated). After a removal, the CPUs that
 * run the guest must flush their EPT translations before they enter again.
 * False if the EPT refused (see ept_map, ept_unmap).
 */
bool apicv_guest_map_apic_page(struct ept *ept, uint64_t lapic_base, uint64_t page, bool map);

/* A vCPU being created: remember what it hands in (no VMCS yet). */
void apicv_vcpu_init(struct apicv_vcpu *a, const struct apicv_vcpu_cfg *cfg);

/*
 * The vCPU's core, its VMCS current, right after vmx_vcpu_setup: the
 * controls of the mode (TPR shadow with the virtual-APIC page, which is the
 * model's register page), then those of the vCPU's APIC mode.
 */
void apicv_vcpu_setup(struct apicv_vcpu *a);

/*
 * The vCPU's APIC changed: its mode (IA32_APIC_BASE), software enable, ID,
 * LDR or DFR, or an INIT. xAPIC mode virtualizes APIC accesses, x2APIC mode
 * x2APIC MSRs (never both: SDM Vol. 3, 27.2.1.1), a disabled APIC neither;
 * virtual-interrupt delivery runs only while the APIC is enabled; the
 * EOI-exit bitmap is computed again. Its VMCS is current.
 */
void apicv_apic_changed(struct apicv_vcpu *a);

/* Does the vCPU run with virtual-interrupt delivery now (the CPU delivers; the hypervisor only sets VIRR)? */
static inline bool apicv_vid_active(const struct apicv_vcpu *a) { return a->vid; }

/*
 * Last thing before VM entry, interrupts off, after the injection decision:
 * the TPR threshold (tpr); RVI and SVI from VIRR and VISR, and the EOI-exit
 * bitmap when the routing changed (vid and up). apic_changed: the
 * hypervisor may have changed the model's IRR, ISR, TPR or mode since the
 * last entry (VCPU_HZ_APIC); if not, what the CPU keeps in step itself
 * (RVI, SVI) is left alone. irr_raised: it only added vectors to IRR
 * (VCPU_HZ_IRR): RVI is found again, SVI stays as the CPU left it.
 * held_back: without vid, the highest IRR vector this entry does not
 * deliver, which a TPR write could let through (-1: none), as the injection
 * decision found it; the TPR threshold watches it, with no scan of its own.
 */
void apicv_before_entry(struct apicv_vcpu *a, bool apic_changed, bool irr_raised, int held_back);

/*
 * An APIC-write exit (SDM Vol. 3, 30.4.3.3), trap-like: the guest's value is
 * on the page already. Put the value before it back and let the model do the
 * write, with its rules: false if the model refused it, else *fx says what the
 * write asks of the hypervisor (an IPI for ICR low, the timer, an EOI).
 * Offset 0x3f0 is an x2APIC SELF IPI with an illegal vector (30.5).
 */
bool apicv_apic_write(struct apicv_vcpu *a, uint64_t qualification, uint64_t now, struct vlapic_effect *fx);

#endif
