/* lapic.h: the host's own local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode behind one interface. */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/apic_regs.h"

/* The spurious vector the hypervisor programs; the IDT handles it silently. */
#define LAPIC_SPURIOUS_VECTOR 0xff

/*
 * Bring up the calling CPU's local APIC: enabled, x2APIC mode when the CPU
 * has it (the boot CPU decides; the others follow), LVTs masked, TPR 0.
 * Returns false (after saying why) if the APIC is missing.
 */
bool lapic_init_cpu(bool bsp);
/* This CPU's xAPIC page as IA32_APIC_BASE says (the MSR read only if CPUID lists an APIC); 0 without an APIC. */
uint64_t lapic_phys_base(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_read(enum apic_reg reg);
void lapic_write(enum apic_reg reg, uint32_t v);
uint32_t lapic_id(void);
void lapic_eoi(void);

/*
 * Send an IPI: icr_low holds delivery mode, vector, level and trigger. In
 * xAPIC mode wait (bounded) for the delivery status to clear; false if it
 * did not (the IPI may not have been sent).
 */
bool lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);

/* Ticks per second of the timer at divide-by-16, measured against the TSC (and kept for lapic_timer_oneshot). */
uint64_t lapic_timer_calibrate(void);
/*
 * Fire `vector` on this core once, about tsc_ticks from now (one-shot mode,
 * divide by 16); 0 ticks disarms. For cores whose VMX has no preemption timer.
 */
void lapic_timer_oneshot(uint8_t vector, uint64_t tsc_ticks);

#endif
