/* trace.h: each CPU's last VM exits in a ring, for the shell's trace command and the post-mortem dump. */
#ifndef VMM_CORE_TRACE_H
#define VMM_CORE_TRACE_H

#include <stdint.h>

#define TRACE_ENTRIES 64 /* a power of two: the ring index is a mask of the count */
/* What a reader gets at most: the slot after the newest may be half rewritten by the next exit. */
#define TRACE_KEEP (TRACE_ENTRIES - 1)

/* One VM exit. */
struct trace_rec {
	uint64_t tsc;           /* at the exit */
	uint64_t qualification; /* EXIT_QUALIFICATION */
	uint64_t guest_rip;     /* GUEST_RIP at the exit */
	uint32_t reason;        /* basic exit reason */
	uint32_t injected;      /* VM_ENTRY_INTR_INFO_FIELD of the entry that followed: injected only if valid */
};

/*
 * Written only by its own CPU, read by any (the shell on CPU 0, a panic on
 * another): a record is complete before count moves past it, and a reader
 * drops what the writer may have overwritten while it copied (trace_snapshot).
 */
struct trace_ring {
	struct trace_rec rec[TRACE_ENTRIES];
	uint64_t count; /* records ever written */
};

/* The owner: one record per exit, then the event the next entry injects (into the newest record). */
void trace_record(struct trace_ring *t, uint64_t tsc, uint32_t reason, uint64_t qualification, uint64_t guest_rip);
void trace_note_entry(struct trace_ring *t, uint32_t entry_intr_info);

/*
 * Anyone: copy up to k (at most TRACE_KEEP) of the newest records into out, newest first; returns
 * how many are whole. *total gets how many exits the ring has seen. The
 * newest record's injected field may be one entry late: it is written after.
 */
unsigned trace_snapshot(const struct trace_ring *t, struct trace_rec *out, unsigned k, uint64_t *total);

#endif
