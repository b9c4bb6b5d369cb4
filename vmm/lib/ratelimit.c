/* ratelimit.c: a burst of log lines, then at most one per interval, and a count of the rest (pure: time given). */
#include "vmm/lib/ratelimit.h"

/* Give back one token per whole interval since rl->last; a full bucket restarts its clock at now. */
static void refill(struct ratelimit *rl, const struct ratelimit_policy *p, uint64_t now)
{
	uint64_t back = now < rl->last ? 0 : p->interval ? (now - rl->last) / p->interval : UINT64_MAX;

	if (back >= rl->spent) {
		rl->spent = 0;
		rl->last = now;
	} else {
		rl->spent -= (uint32_t)back;
		rl->last += back * p->interval;
	}
}

bool ratelimit_allow(struct ratelimit *rl, const struct ratelimit_policy *p, uint64_t now, uint64_t *suppressed)
{
	refill(rl, p, now);
	if (rl->spent >= p->burst) {
		if (rl->suppressed != UINT64_MAX)
			rl->suppressed++;
		return false;
	}
	rl->spent++;
	*suppressed = ratelimit_take_suppressed(rl);
	return true;
}

uint64_t ratelimit_take_suppressed(struct ratelimit *rl)
{
	uint64_t n = rl->suppressed;

	rl->suppressed = 0;
	return n;
}
