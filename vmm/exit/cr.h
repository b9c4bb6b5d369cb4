/* cr.h: the guest's control registers, as the rest of the hypervisor reaches them (the handlers are in exits.h). */
#ifndef VMM_EXIT_CR_H
#define VMM_EXIT_CR_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* WRMSR IA32_EFER by the SDM's rules, through the one owner of CR0, CR4 and EFER; false: #GP. v's VMCS is current. */
bool exit_efer_write(struct vcpu *v, uint64_t value);
/*
 * XCR0 back to its reset value on this core and in v->xcr0, before v's guest
 * starts here (the previous one may have changed it).
 */
void exit_xcr0_reset(struct vcpu *v);

#endif
