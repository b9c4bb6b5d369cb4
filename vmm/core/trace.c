/* trace.c: the per-CPU ring of the last VM exits: one writer, readers on any CPU. */
#include "vmm/core/trace.h"

#include <stddef.h>

#define TRACE_MASK (TRACE_ENTRIES - 1)
_Static_assert((TRACE_ENTRIES & TRACE_MASK) == 0, "TRACE_ENTRIES is a power of two");

void trace_record(struct trace_ring *t, uint64_t tsc, uint32_t reason, uint64_t qualification, uint64_t guest_rip)
{
	uint64_t n = t->count;
	struct trace_rec *r = &t->rec[n & TRACE_MASK];

	/* Relaxed atomic stores: a reader on another CPU may copy the slot meanwhile (and then drop the copy). */
	__atomic_store_n(&r->tsc, tsc, __ATOMIC_RELAXED);
	__atomic_store_n(&r->qualification, qualification, __ATOMIC_RELAXED);
	__atomic_store_n(&r->guest_rip, guest_rip, __ATOMIC_RELAXED);
	__atomic_store_n(&r->reason, reason, __ATOMIC_RELAXED);
	__atomic_store_n(&r->injected, 0, __ATOMIC_RELAXED);
	/* Release: a reader that sees the new count sees the whole record. */
	__atomic_store_n(&t->count, n + 1, __ATOMIC_RELEASE);
}

void trace_note_entry(struct trace_ring *t, uint32_t entry_intr_info)
{
	uint64_t n = t->count;

	if (n)
		__atomic_store_n(&t->rec[(n - 1) & TRACE_MASK].injected, entry_intr_info, __ATOMIC_RELAXED);
}

unsigned trace_snapshot(const struct trace_ring *t, struct trace_rec *out, unsigned k, uint64_t *total)
{
	uint64_t before = __atomic_load_n(&t->count, __ATOMIC_ACQUIRE), after;
	unsigned n = 0;

	if (k > TRACE_KEEP)
		k = TRACE_KEEP;
	for (unsigned i = 0; i < k && i < before; i++) {
		const struct trace_rec *r = &t->rec[(before - 1 - i) & TRACE_MASK];

		out[i].tsc = __atomic_load_n(&r->tsc, __ATOMIC_RELAXED);
		out[i].qualification = __atomic_load_n(&r->qualification, __ATOMIC_RELAXED);
		out[i].guest_rip = __atomic_load_n(&r->guest_rip, __ATOMIC_RELAXED);
		out[i].reason = __atomic_load_n(&r->reason, __ATOMIC_RELAXED);
		out[i].injected = __atomic_load_n(&r->injected, __ATOMIC_RELAXED);
		n++;
	}
	/*
	 * Record number j (0-based) lives in slot j & MASK until record j + ENTRIES
	 * takes the slot; the writer may be filling record `after` already. So a
	 * copy of record j is whole if j + ENTRIES > after, i.e. j >= after - ENTRIES + 1.
	 */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	after = __atomic_load_n(&t->count, __ATOMIC_RELAXED);
	while (n && before - n + TRACE_ENTRIES <= after) /* the oldest copy, record before - n, was overwritten */
		n--;
	if (total)
		*total = after;
	return n;
}
