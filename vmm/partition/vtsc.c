/* vtsc.c: a vCPU's TSC as its guest sees it: the host's TSC plus the VMCS TSC offset, and IA32_TSC_ADJUST. */
#include "vmm/partition/vtsc.h"

void vtsc_reset(struct vtsc *t) { *t = (struct vtsc){0}; }

uint64_t vtsc_guest(const struct vtsc *t, uint64_t host_now) { return host_now + t->offset; }

void vtsc_write_tsc(struct vtsc *t, uint64_t value, uint64_t host_now)
{
	uint64_t delta = value - vtsc_guest(t, host_now);

	t->offset += delta;
	t->adjust += delta;
}

void vtsc_write_adjust(struct vtsc *t, uint64_t value)
{
	t->offset += value - t->adjust;
	t->adjust = value;
}

uint64_t vtsc_deadline_to_host(const struct vtsc *t, uint64_t guest_deadline, uint64_t host_now)
{
	uint64_t guest_now = vtsc_guest(t, host_now);

	if (!guest_deadline)
		return 0;
	/* The timer fires once the TSC is at or past the deadline (SDM Vol. 3, 11.5.4.1): due now. */
	if (guest_deadline <= guest_now)
		return host_now ? host_now : 1;
	uint64_t ahead = guest_deadline - guest_now;
	return ahead > UINT64_MAX - host_now ? UINT64_MAX : host_now + ahead;
}

uint64_t vtsc_deadline_to_guest(const struct vtsc *t, uint64_t host_deadline)
{
	return host_deadline ? host_deadline + t->offset : 0;
}
