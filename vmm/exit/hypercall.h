/* hypercall.h: the VMCALL interface guests use (docs/hypercalls.md). */
#ifndef VMM_EXIT_HYPERCALL_H
#define VMM_EXIT_HYPERCALL_H

/*
 * A guest executes VMCALL with the call number in EAX and arguments in EBX,
 * ECX, EDX; the result comes back in EAX (and further values where a call
 * says so). An unknown number returns HC_ENOSYS. Other registers are kept.
 */
#define HC_VERSION 0x0     /* EAX <- HC_INTERFACE_VERSION */
#define HC_WAKE_AFTER 0x1  /* EBX = microseconds: the next HLT ends no later than that */
#define HC_IOAPIC_LINE 0x2 /* EBX = I/O APIC pin, ECX = 1 assert / 0 deassert: the test device's line */
#define HC_EXIT_STATS 0x3  /* EBX = guest-physical address, ECX = bytes: a struct hc_exit_stats is written there */
#define HC_ROOT_CYCLES 0x4 /* EBX = guest-physical address, ECX = bytes: a struct hc_root_cycles is written there */
#define HC_START_COUNT \
	0x5 /* EAX <- the guest's starts before this one: 0 at the first, 1 after one reboot or restart */
#define HC_ROOT_PHASES 0x6 /* EBX = guest-physical address, ECX = bytes: a struct hc_root_phases is written there */
#define HC_INTERFACE_VERSION 1
#define HC_ENOSYS 0xffffffffu
#define HC_EINVAL 0xfffffffeu
#define HC_EPERM 0xfffffffdu /* called from CPL > 0, which the call (or the guest's configuration) does not allow */

#include <stdbool.h>
#include <stdint.h>

/*
 * Who may call: CPL 0 may make every call. CPL 1-3 (user space) gets HC_EPERM,
 * except HC_VERSION, HC_EXIT_STATS, HC_ROOT_CYCLES and HC_ROOT_PHASES in a guest whose hv.conf
 * line says user_stats=yes (a benchmark's own process reads them; off by default:
 * the counts tell one process what other processes and the kernel do).
 */
bool hc_permitted(uint32_t nr, unsigned cpl, bool user_stats);

/*
 * HC_EXIT_STATS: the calling vCPU's VM exits since its guest (re)started,
 * this VMCALL included, and the interrupts the hypervisor delivered to it.
 * exits[] is indexed by basic exit reason (SDM Vol. 3, Appendix C).
 */
#define HC_EXIT_STATS_VERSION 1
#define HC_EXIT_REASONS 80
#define HC_APICV_EMULATED 0 /* apicv_mode: as the ready line's apicv= names them */
#define HC_APICV_TPR 1
#define HC_APICV_VID 2
#define HC_APICV_POSTED 3
/* apicv_flags: the APIC virtualization controls the vCPU runs with now (SDM Vol. 3, 25.6.2). */
#define HC_APICV_F_TPR_SHADOW (1u << 0)
#define HC_APICV_F_APIC_ACCESSES (1u << 1) /* virtualize APIC accesses (xAPIC mode) */
#define HC_APICV_F_X2APIC_MODE (1u << 2)   /* virtualize x2APIC mode */
#define HC_APICV_F_REGISTER_VIRT (1u << 3) /* APIC-register virtualization */
#define HC_APICV_F_INTR_DELIVERY (1u << 4) /* virtual-interrupt delivery */
#define HC_APICV_F_POSTED (1u << 5)        /* process posted interrupts */
struct hc_exit_stats {
	uint32_t version;     /* HC_EXIT_STATS_VERSION */
	uint32_t nreasons;    /* HC_EXIT_REASONS */
	uint32_t apicv_mode;  /* HC_APICV_*: the interrupt-delivery mode the vCPU runs in */
	uint32_t apicv_flags; /* HC_APICV_F_* */
	uint64_t interrupts;  /* injected by the hypervisor, or handed to virtual-interrupt delivery */
	uint64_t total;       /* every exit */
	uint64_t exits[HC_EXIT_REASONS];
};
_Static_assert(sizeof(struct hc_exit_stats) == 32 + 8 * HC_EXIT_REASONS, "no padding: guests of any width agree");

/*
 * HC_ROOT_CYCLES: what the calling vCPU's exits cost in VMX root operation,
 * per basic exit reason, since its guest (re)started: TSC cycles from the VM
 * exit to the next VM entry, or to the start of a wait when the exit halted
 * the vCPU (waiting is not handling). The exit of this VMCALL is not in it
 * yet. Percentiles come from a histogram with 4 buckets per power of two:
 * within 12.5% of the true value (vmm/lib/cost_hist.h).
 */
#define HC_ROOT_CYCLES_VERSION 1
struct hc_root_cost {
	uint64_t count;
	uint64_t total;  /* cycles, summed */
	uint64_t median; /* cycles */
	uint64_t p99;
	uint64_t max;
};
struct hc_root_cycles {
	uint32_t version;  /* HC_ROOT_CYCLES_VERSION */
	uint32_t nreasons; /* HC_EXIT_REASONS */
	uint64_t tsc_khz;  /* the TSC rate the hypervisor measured at boot */
	struct hc_root_cost reason[HC_EXIT_REASONS];
};
_Static_assert(sizeof(struct hc_root_cycles) == 16 + 40 * HC_EXIT_REASONS, "no padding: guests of any width agree");

/*
 * HC_ROOT_PHASES: the cycles of HC_ROOT_CYCLES in three phases, per basic
 * exit reason: from the VM exit to the handler, the handler (or the fast
 * path that took the exit), and from the handler to the next entry (or to
 * the start of a wait). Sums, cheap enough to keep on: total / count is a
 * phase's mean.
 */
#define HC_ROOT_PHASES_VERSION 1
#define HC_ROOT_PHASE_EXIT 0
#define HC_ROOT_PHASE_HANDLER 1
#define HC_ROOT_PHASE_ENTRY 2
#define HC_ROOT_NPHASES 3
struct hc_root_phase {
	uint64_t total[HC_ROOT_NPHASES]; /* cycles, summed, per phase */
};
struct hc_root_phases {
	uint32_t version;                /* HC_ROOT_PHASES_VERSION */
	uint32_t nreasons;               /* HC_EXIT_REASONS */
	uint64_t count[HC_EXIT_REASONS]; /* exits with their phases recorded */
	struct hc_root_phase reason[HC_EXIT_REASONS];
};
_Static_assert(sizeof(struct hc_root_phases) == 8 + 32 * HC_EXIT_REASONS, "no padding: guests of any width agree");

#endif
