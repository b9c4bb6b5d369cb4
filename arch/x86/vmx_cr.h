/* vmx_cr.h: a vCPU's CR0, CR4 and EFER in its VMCS: the guest's view behind the read shadows, IA-32e mode, the PDPTEs.
 */
#ifndef ARCH_X86_VMX_CR_H
#define ARCH_X86_VMX_CR_H

#include <stdint.h>

#include "arch/x86/cr.h"
#include "arch/x86/vmx_caps.h"

/*
 * The one way the hypervisor reads or changes a guest's CR0, CR4 and EFER
 * (MOV to CR, LMSW, CLTS, WRMSR EFER, reset, INIT and SIPI), with the
 * legality rules of arch/x86/cr.c. The bits the hypervisor owns (set in the
 * guest/host masks, SDM Vol. 3, 25.6.6) read from the shadows; the CPU runs
 * with them forced to what VMX requires. All calls act on the current VMCS.
 */

/*
 * At setup, before any other call: own the bits VMX fixes (CR0.NE, CR4.VMXE;
 * not CR0.PE and PG, the guest's with unrestricted guest, 27.3.1.1) and every
 * CR4 bit the guest may not set (cr4_allowed: cr_caps_from_cpuid of the CPUID
 * it sees), so that setting one exits and can be refused with #GP.
 */
void vmx_cr_setup(const struct vmx_caps *caps, uint64_t cr4_allowed);
/* The guest's control registers as the guest sees them. */
void vmx_cr_read(struct cr_state *s);
/* Make s the guest's: read shadows, the CPU's values with the owned bits forced, EFER, the IA-32e mode entry control.
 */
void vmx_cr_write(const struct cr_state *s);
/* PAE paging's four PDPTEs, as loaded from CR3 (SDM Vol. 3, 4.4.1); VM entry loads them from the VMCS (27.3.2.4). */
void vmx_cr_set_pdptes(const uint64_t pdpte[4]);
/* Invalidate the guest's TLB entries (its VPID's, global ones too), as a MOV to CR would (4.10.4.1, 29.4.3). */
void vmx_cr_flush_tlb(const struct vmx_caps *caps);

#endif
