/* cpuid.h: CPUID as a guest sees it: the host's, filtered (docs/guest-platform.md). */
#ifndef VMM_EXIT_CPUID_H
#define VMM_EXIT_CPUID_H

#include <stdint.h>

#include "arch/x86/cpu.h"
#include "arch/x86/cr.h"

struct vcpu;

/* The CR4, EFER and XCR0 bits v may set: those its CPUID offers (arch/x86/cr.h). */
void cpuid_cr_caps(const struct vcpu *v, struct cr_caps *caps);

#endif
