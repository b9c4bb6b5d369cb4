/* ioapic.h: the host's I/O APICs: the hypervisor routes no device interrupts, so it masks them all. */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Mask every redirection entry of the I/O APIC at phys (82093AA datasheet,
 * 3.2.4): firmware may leave entries unmasked (the PIT on pin 2, say), whose
 * interrupts would otherwise reach a core at a vector the hypervisor does not
 * expect. Returns the number of entries, 0 if the page could not be mapped.
 */
unsigned ioapic_mask_all(uint64_t phys);

#endif
