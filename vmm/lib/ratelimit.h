/* ratelimit.h: a burst of log lines, then at most one per interval, and a count of the rest (pure: time given). */
#ifndef VMM_LIB_RATELIMIT_H
#define VMM_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A token bucket, Linux's printk_ratelimit idea in another shape: burst
 * tokens, one spent per line allowed, one given back per interval (in the
 * caller's unit of time: the hypervisor passes TSC ticks). A line that finds
 * the bucket empty is counted instead; the next line allowed, or the
 * caller's flush, reports that count ("N more suppressed") and clears it.
 */
struct ratelimit_policy {
	uint32_t burst;
	uint64_t interval;
};

/* Zero-initialized: a full bucket, nothing suppressed. */
struct ratelimit {
	uint64_t last;       /* the time the spent tokens are counted back from */
	uint32_t spent;      /* tokens out of the bucket */
	uint64_t suppressed; /* lines refused since the last one allowed (or taken) */
};

/*
 * A line at time now: true if it may be printed, with *suppressed set to the
 * lines refused before it (print that first; the count is then cleared).
 * False if it is refused (and counted). Time that goes backwards gives no
 * token back.
 */
bool ratelimit_allow(struct ratelimit *rl, const struct ratelimit_policy *p, uint64_t now, uint64_t *suppressed);
/* The lines refused and not yet reported, cleared: for a flush when the source goes quiet (a guest stops). */
uint64_t ratelimit_take_suppressed(struct ratelimit *rl);

#endif
