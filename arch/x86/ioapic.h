/* ioapic.h: the host's I/O APICs: every pin masked except the few the hypervisor itself routes. */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_MAX 8

/*
 * Take the I/O APIC at phys, serving GSIs from gsi_base, and mask every
 * redirection entry (82093AA datasheet, 3.2.4): firmware may leave entries
 * unmasked (the PIT on pin 2, say), whose interrupts would otherwise reach a
 * core at a vector the hypervisor does not expect. Returns the number of
 * entries, 0 if the page could not be mapped or too many I/O APICs are listed.
 */
unsigned ioapic_add(uint64_t phys, uint32_t gsi_base);

/*
 * Route a GSI as a fixed interrupt at vector to the local APIC with physical
 * ID dest (an 8-bit destination: no interrupt remapping), then unmask it.
 * False, with nothing changed, if no I/O APIC serves the GSI or dest does
 * not fit.
 */
bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low);

#endif
