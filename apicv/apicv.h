/* apicv.h: APIC virtualization for a vCPU: the VMCS controls and pages of the chosen mode, and their exits. */
#ifndef APICV_APICV_H
#define APICV_APICV_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/exit/exits.h"
#include "vmm/partition/vcpu.h"

struct guest;
struct vcpu;

/* Boot CPU, after vmx_bitmaps_init and apicv_init: the MSR bitmaps of the x2APIC modes. False if out of memory. */
bool apicv_bitmaps_init(void);

/*
 * A guest being built, in a mode from tpr up: its APIC-access page, mapped
 * in its EPT at the local APIC's address, so that xAPIC accesses reach
 * APIC virtualization instead of an EPT violation (SDM Vol. 3, 30.4).
 */
bool apicv_guest_create(struct guest *g);

/*
 * v's core, its VMCS current, right after vmx_vcpu_setup: the controls of
 * the mode (TPR shadow with the virtual-APIC page, which is the model's
 * register page), then those of the vCPU's APIC mode.
 */
void apicv_vcpu_setup(struct vcpu *v);

/*
 * v's APIC changed: its mode (IA32_APIC_BASE), software enable, ID, LDR or
 * DFR, or an INIT. xAPIC mode virtualizes APIC accesses, x2APIC mode x2APIC
 * MSRs (never both: SDM Vol. 3, 27.2.1.1), a disabled APIC neither; virtual-
 * interrupt delivery runs only while the APIC is enabled; the EOI-exit
 * bitmap is computed again.
 */
void apicv_apic_changed(struct vcpu *v);

/* Does v run with virtual-interrupt delivery now (the CPU delivers; the hypervisor only sets VIRR)? */
static inline bool apicv_vid_active(const struct vcpu *v) { return v->apicv.vid; }

/*
 * Last thing before VM entry, interrupts off, after the injection decision:
 * the TPR threshold (tpr); RVI and SVI from VIRR and VISR, and the EOI-exit
 * bitmap when the routing changed (vid and up).
 */
void apicv_before_entry(struct vcpu *v);

/* The controls the current vCPU runs with, as HC_APICV_F_* bits (vmm/exit/hypercall.h); its VMCS is current. */
uint32_t apicv_flags(void);

/* Exit handlers (SDM Vol. 3, 30.1.2 and 30.4). */
enum exit_action handle_tpr_below_threshold(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_apic_access(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_apic_write(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_eoi_induced(struct vcpu *v, const struct exit_info *e);

#endif
