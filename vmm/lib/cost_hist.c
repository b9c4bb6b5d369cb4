/* cost_hist.c: a compact histogram of cycle counts (4 buckets per power of two) with percentiles. */
#include "vmm/lib/cost_hist.h"

unsigned cost_hist_bucket(uint64_t value)
{
	if (value < COST_HIST_SUB)
		return (unsigned)value;
	unsigned e = 63u - (unsigned)__builtin_clzll(value); /* 2^e <= value, e >= 2 */
	unsigned sub = (unsigned)(value >> (e - 2)) & (COST_HIST_SUB - 1);
	unsigned b = COST_HIST_SUB * (e - 1) + sub;
	return b < COST_HIST_BUCKETS ? b : COST_HIST_BUCKETS - 1;
}

uint64_t cost_hist_low(unsigned bucket)
{
	if (bucket < COST_HIST_SUB)
		return bucket;
	unsigned e = bucket / COST_HIST_SUB + 1, sub = bucket % COST_HIST_SUB;
	return (1ull << e) + ((uint64_t)sub << (e - 2));
}

void cost_hist_add(struct cost_hist *h, uint64_t value)
{
	h->count++;
	h->total += value;
	if (value > h->max)
		h->max = value;
	h->bucket[cost_hist_bucket(value)]++;
}

uint64_t cost_hist_percentile(const struct cost_hist *h, unsigned per_mille)
{
	if (!h->count)
		return 0;
	/* The rank of the sample asked for, 1-based: ceil(count * per_mille / 1000), at least 1. */
	uint64_t rank = (h->count * per_mille + 999) / 1000, seen = 0;
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < COST_HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			uint64_t lo = cost_hist_low(b);
			uint64_t mid = b < COST_HIST_SUB || b == COST_HIST_BUCKETS - 1
			                       ? lo
			                       : lo + (cost_hist_low(b + 1) - lo) / 2;
			return mid < h->max ? mid : h->max;
		}
	}
	return h->max;
}
