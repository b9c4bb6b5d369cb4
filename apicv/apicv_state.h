/* apicv_state.h: what APIC virtualization keeps per vCPU (embedded in struct vcpu). */
#ifndef APICV_APICV_STATE_H
#define APICV_APICV_STATE_H

#include <stdbool.h>
#include <stdint.h>

#define APICV_XAPIC_REGS 64 /* register words 0x000-0x3f0 of the APIC page */

struct apicv_vcpu {
	bool vid;             /* virtual-interrupt delivery is on for it now (apicv_apic_changed) */
	bool eoi_dirty;       /* the EOI-exit bitmap must be computed again before the next entry */
	uint32_t ioapic_seen; /* the guest's ioapic_writes when it was last computed */
	uint64_t eoi_exit[4]; /* EOI_EXIT_BITMAP0-3 as last written */
	/*
	 * The xAPIC registers as the model last left them. An APIC-write exit
	 * comes after the CPU stored the guest's value on the page (SDM Vol. 3,
	 * 30.4.3.2); the model's write rules need the value before it.
	 */
	uint32_t before[APICV_XAPIC_REGS];
};

#endif
