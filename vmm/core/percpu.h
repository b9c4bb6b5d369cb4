/* percpu.h: per-CPU state, reached through this_cpu() and per_cpu(id) only. */
#ifndef VMM_CORE_PERCPU_H
#define VMM_CORE_PERCPU_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/desc.h"
#include "arch/x86/vmx.h"
#include "vmm/core/trace.h"

struct vcpu_snapshot;

#define HV_MAX_CPUS 64
#define HV_STACK_SIZE (16 * 1024)
#define HV_IST_STACK_SIZE (8 * 1024)

/*
 * Owned by its CPU. The boot CPU writes cpu_id, apic_id and the stack bounds
 * before the CPU starts; afterwards other CPUs only read them (and the VMX
 * state, once online is set, for the boot summary). Written across CPUs:
 * online, set once by the CPU itself with release order, and the requests
 * other CPUs make of it (snap_state, panic_asked), each with its protocol.
 */
struct percpu {
	struct percpu *self; /* must stay first: this_cpu() loads it from %gs:0 */
	uint32_t cpu_id;     /* dense index, 0 = boot CPU */
	uint32_t apic_id;
	uint64_t stack_bottom; /* the CPU's main hypervisor stack */
	uint64_t stack_top;
	uint64_t ist_top[IST_COUNT];
	volatile uint32_t online; /* set by the CPU when its bring-up is done */
	enum vmx_cpu_state vmx_state;
	uint64_t vmxon_region;
	struct vmx_caps_raw vmx_raw;
	struct vcpu *vcpu;    /* the vCPU this core runs; set by the boot CPU before go */
	volatile uint32_t go; /* set by the boot CPU: start running vcpu */
	struct cpu_tables tables;
	struct trace_ring trace;        /* its last VM exits: written by this CPU only, read by any */
	uint32_t snap_state;            /* a snapshot another CPU asked for (snapshot.c) */
	struct vcpu_snapshot *snap_out; /* where it goes */
	volatile uint32_t panic_asked;  /* the shell's panic command: panic at the next kick */
	volatile uint32_t parked;       /* stopped by another CPU's panic (panic.c) */
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
/* Point GS at p on the calling CPU (an AP, first thing it does in C). */
void percpu_install(struct percpu *p);
/* Give the calling CPU its interrupt stacks and descriptor tables, and load them
 * (the boot CPU's are static; other CPUs' come from the page allocator). */
void percpu_setup_tables(struct percpu *p);

#endif
