/* vtsc.h: a vCPU's TSC as its guest sees it: the host's TSC plus the VMCS TSC offset, and IA32_TSC_ADJUST. */
#ifndef VMM_PARTITION_VTSC_H
#define VMM_PARTITION_VTSC_H

#include <stdint.h>

/*
 * With "use TSC offsetting" (SDM Vol. 3, 25.6.5 and 26.3), RDTSC, RDTSCP and
 * RDMSR IA32_TSC in the guest return the host's TSC plus offset (modulo 2^64).
 * A write of IA32_TSC or IA32_TSC_ADJUST moves the offset, as the CPU moves
 * its TSC (SDM Vol. 3, 17.17.3 "Time-Stamp Counter Adjustment"): writing the
 * TSC adds the change to TSC_ADJUST too; writing TSC_ADJUST adds its change to
 * the TSC. Pure arithmetic: the caller passes the host's TSC (`host_now`) and
 * copies `offset` into the VMCS.
 */
struct vtsc {
	uint64_t offset; /* guest TSC = host TSC + offset: the VMCS TSC offset */
	uint64_t adjust; /* IA32_TSC_ADJUST */
};

/* At each start of the guest: no offset (the guest's TSC is the host's), TSC_ADJUST 0 (its reset value). */
void vtsc_reset(struct vtsc *t);
/* The guest's TSC when the host's reads host_now. */
uint64_t vtsc_guest(const struct vtsc *t, uint64_t host_now);
/* WRMSR IA32_TSC: the guest's TSC reads value at host_now; TSC_ADJUST moves by as much. */
void vtsc_write_tsc(struct vtsc *t, uint64_t value, uint64_t host_now);
/* WRMSR IA32_TSC_ADJUST: the TSC moves by the change. */
void vtsc_write_adjust(struct vtsc *t, uint64_t value);

/*
 * IA32_TSC_DEADLINE holds guest TSC values; the local APIC model counts in host
 * TSC ticks. A deadline is converted once, when it is written: a later write of
 * the TSC does not move a deadline already armed. 0 (disarmed) stays 0; a
 * deadline the guest's TSC has already reached becomes host_now (due at once,
 * as the SDM says of a past deadline); one beyond the host TSC's range becomes
 * UINT64_MAX (never).
 */
uint64_t vtsc_deadline_to_host(const struct vtsc *t, uint64_t guest_deadline, uint64_t host_now);
/* The other way, for RDMSR IA32_TSC_DEADLINE: 0 stays 0. */
uint64_t vtsc_deadline_to_guest(const struct vtsc *t, uint64_t host_deadline);

#endif
