/* cost_hist.h: a compact histogram of cycle counts (4 buckets per power of two) with percentiles. */
#ifndef VMM_LIB_COST_HIST_H
#define VMM_LIB_COST_HIST_H

#include <stdint.h>

/*
 * Bucket b covers [cost_hist_low(b), cost_hist_low(b + 1)): values 0-3 have
 * a bucket each, then every power of two is split in 4, so a value's bucket
 * is at most 25% wide of it. Values from 2^32 on share the last bucket.
 */
#define COST_HIST_SUB 4
#define COST_HIST_BUCKETS (COST_HIST_SUB * 31 + COST_HIST_SUB) /* 4 exact, then 2^2 .. 2^32 */

struct cost_hist {
	uint64_t count, total, max;
	uint32_t bucket[COST_HIST_BUCKETS];
};

unsigned cost_hist_bucket(uint64_t value);
uint64_t cost_hist_low(unsigned bucket);
void cost_hist_add(struct cost_hist *h, uint64_t value);
/*
 * The value below which `per_mille` thousandths of the samples lie (500: the
 * median), as the middle of its bucket, capped by the maximum seen; 0 when
 * there is no sample.
 */
uint64_t cost_hist_percentile(const struct cost_hist *h, unsigned per_mille);

#endif
