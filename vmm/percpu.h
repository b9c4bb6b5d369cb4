/* percpu.h: per-CPU state, reached through this_cpu() and per_cpu(id) only. */
#ifndef VMM_PERCPU_H
#define VMM_PERCPU_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/desc.h"

#define HV_MAX_CPUS 64
#define HV_STACK_SIZE (16 * 1024)
#define HV_IST_STACK_SIZE (8 * 1024)

/*
 * Owned by its CPU. Other CPUs read only cpu_id, apic_id and the stack
 * bounds (for post-mortem dumps); nothing here is written remotely yet.
 */
struct percpu {
	struct percpu *self; /* must stay first: this_cpu() loads it from %gs:0 */
	uint32_t cpu_id;     /* dense index, 0 = boot CPU */
	uint32_t apic_id;
	uint64_t stack_bottom; /* the CPU's main hypervisor stack */
	uint64_t stack_top;
	uint64_t ist_top[IST_COUNT];
	struct cpu_tables tables;
};
_Static_assert(offsetof(struct percpu, self) == 0, "this_cpu() reads %gs:0");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

struct percpu *per_cpu(uint32_t cpu_id);

/* Point GS at the boot CPU's area; call first thing, before any log line. */
void percpu_init_bsp_early(void);
/* Give the calling CPU its interrupt stacks and descriptor tables, and load them
 * (the boot CPU's are static; other CPUs' come from the page allocator). */
void percpu_setup_tables(struct percpu *p);

#endif
