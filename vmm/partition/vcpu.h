/* vcpu.h: a virtual CPU: one per core that runs a guest, owned by that core. */
#ifndef VMM_PARTITION_VCPU_H
#define VMM_PARTITION_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "apicv/apicv.h"
#include "apicv/posted.h"
#include "arch/x86/cr.h"
#include "arch/x86/vmx_exit.h"
#include "arch/x86/vmx_regs.h"
#include "lapic/vlapic.h"
#include "vmm/partition/vtsc.h"

struct guest;
struct cost_hist;

/* The phases of an exit's root-mode cycles (HC_ROOT_PHASES). */
enum root_phase {
	ROOT_PHASE_EXIT,    /* from the VM exit to its handler: SN, the interrupted event, the exit information */
	ROOT_PHASE_HANDLER, /* the handler, or the fast path that took the exit */
	ROOT_PHASE_ENTRY,   /* preparing the next entry (inbox, timer, injection, APICv state), or up to a wait */
	ROOT_PHASES,
};
struct root_phase_sum {
	uint64_t count;               /* exits with their phases recorded */
	uint64_t cycles[ROOT_PHASES]; /* summed, per phase */
};

enum vcpu_state {
	VCPU_RUNNABLE = 0,
	VCPU_HALTED,    /* after HLT, until something is pending for it */
	VCPU_WAIT_SIPI, /* after INIT (and at start for all but vCPU 0), until a SIPI */
	VCPU_STOPPED,   /* its guest ended */
};

/*
 * What must be done before the vCPU's next entry (struct vcpu's hazard), in
 * the NOVA manner: irq_before_entry checks one word and does only what is
 * flagged. A general exit handler may change anything, so exit_dispatch
 * sets every bit before one runs; a fast path (vmm/exit/fastpath.c) sets
 * only what it touched; so do the steps of the entry itself. What other
 * cores post is not a hazard: the inbox says itself whether it holds any.
 */
#define VCPU_HZ_APIC (1u << 0)  /* IRR, ISR, TPR or the mode of its vLAPIC: RVI/SVI, TPR threshold, the page's copy */
#define VCPU_HZ_TIMER (1u << 1) /* its timer's registers: the model's timer runs, whether due or not */
#define VCPU_HZ_EVENT (1u << 2) /* NMIs, injection, interrupt and NMI windows */
#define VCPU_HZ_VMCS (1u << 3)  /* guest state the VMCS does not keep in step itself (EFER.LMA, the entry control) */
#define VCPU_HZ_IRR (1u << 4)   /* only IRR gained vectors (the timer's): RVI again, ISR, TPR and SVI as they were */
#define VCPU_HZ_ALL (VCPU_HZ_APIC | VCPU_HZ_TIMER | VCPU_HZ_EVENT | VCPU_HZ_VMCS | VCPU_HZ_IRR)

/*
 * Owned by the core it runs on (cpu). Other cores touch only its inbox,
 * under the inbox's lock (apicv/posted.h).
 */
struct vcpu {
	struct guest *guest;
	uint32_t index; /* within the guest: 0 is the first vCPU; also its APIC ID */
	uint32_t cpu;   /* the core that runs it */
	uint16_t vpid;
	uint64_t vmcs; /* physical address of the VMCS region */
	bool launched; /* VMLAUNCH done: VMRESUME from now on */
	enum vcpu_state state;
	uint32_t run_gen; /* its guest's run_gen when it started: another one means its guest stopped since */
	struct guest_regs regs;
	uint64_t wake_tsc;      /* a halted vCPU wakes at this TSC value (0: no timer) */
	uint64_t wake_after_us; /* HC_WAKE_AFTER's time for the next HLT, while wake_armed */
	bool wake_armed;        /* HC_WAKE_AFTER since the last HLT (0 µs too: that HLT ends at once) */
	struct vlapic lapic;    /* its registers live on the page at lapic_page */
	uint64_t lapic_page;
	struct pi_inbox inbox; /* what other cores post to it: PIR (the descriptor at pi_page), level vectors, mail */
	uint64_t pi_page;
	uint8_t nmi_pending; /* NMIs waiting for the guest to take them: 0-2, as the CPU caps them (pi_nmi_pending) */
	bool apic_away;      /* its APIC is not in xAPIC mode at GUEST_LAPIC_BASE (guest_apic_away) */
	bool smi_ipi_said;   /* it sent an SMI IPI since its guest started, and the hypervisor said so */
	uint32_t ept_seen;   /* its guest's ept_gen at its last EPT flush (guest_ept_sync) */
	uint64_t timer_next; /* TSC when the virtual APIC timer is next due (VLAPIC_NEVER: not armed) */
	uint32_t hazard;     /* VCPU_HZ_*: what the next entry must do */
	uint64_t exits_total;
	uint64_t fastpaths; /* exits a fast path took whole (vmm/exit/fastpath.c), counted in exits[] too */
	uint64_t exits[EXIT_REASON_MAX];
	uint64_t interrupts; /* delivered to it by the hypervisor (HC_EXIT_STATS) */
	/*
	 * Root-mode cycles per exit reason (HC_ROOT_CYCLES): from the VM exit to
	 * the next VM entry, or to the start of a wait (halted, wait-for-SIPI).
	 */
	struct cost_hist *root_cost; /* EXIT_REASON_MAX of them, on pages of their own */
	/*
	 * The same cycles in their phases (enum root_phase), per exit reason, as
	 * sums: two TSC readings between the phases and four additions are all
	 * they cost (a histogram per phase cost about 75 instructions an exit,
	 * which every interrupt's latency paid).
	 */
	struct root_phase_sum *root_phase; /* EXIT_REASON_MAX of them, after root_cost */
	uint64_t exit_tsc;                 /* TSC at the last VM exit; 0 once its cost is recorded */
	uint64_t dispatch_tsc;             /* TSC where its handler started */
	uint64_t handled_tsc;              /* TSC where its handler returned and the entry's preparation began */
	uint32_t exit_reason;              /* its basic exit reason */
	struct apicv_vcpu apicv;
	struct cr_caps cr_caps; /* the CR4, EFER and XCR0 bits its CPUID offers (cpuid_cr_caps, at each start) */
	/*
	 * Its XCR0 as XSETBV last set it (vmm/exit/cr.c), for CPUID leaf 0xD.
	 * The core's XCR0 holds the same, but reading it needs CR4.OSXSAVE,
	 * which every VM exit clears again in root mode (HOST_CR4).
	 */
	uint64_t xcr0;
	/* MSRs kept per vCPU, reset at each start of its guest (vmm/exit/msr.c: msr_vcpu_start) */
	struct vtsc tsc;        /* its TSC: the VMCS TSC offset and IA32_TSC_ADJUST */
	uint64_t misc_enable;   /* IA32_MISC_ENABLE */
	uint64_t mtrr_def_type; /* IA32_MTRR_DEF_TYPE */
};

/*
 * The return contract of every handler of a vCPU's VM exit (vmm/exit/, and
 * the APIC accesses of vmm/irq/): EXIT_RESUME to enter the guest again (the
 * handler has advanced RIP or queued an event as needed); EXIT_STOPPED when
 * the handler stopped the guest (it has said why).
 */
enum exit_action {
	EXIT_RESUME = 0,
	EXIT_STOPPED = 1,
};

/* The vCPU the calling core runs, or NULL. */
struct vcpu *this_vcpu(void);

/*
 * Boot CPU, building g: vCPU index of g (also its APIC ID), run by core cpu,
 * with its local APIC (a BSP's for index 0, an AP's else) and its pages for
 * exit accounting. Out of memory is a panic: the guests are built at boot.
 */
void vcpu_create(struct vcpu *v, struct guest *g, uint32_t index, uint32_t cpu);
/*
 * Its APIC in its reset state (xAPIC mode at 0xfee00000, which its guest's
 * APIC-access page follows), nothing posted, no NMI pending, no timer, its
 * SMI IPIs not yet reported: at each start of its guest.
 */
void vcpu_reset(struct vcpu *v);

#endif
