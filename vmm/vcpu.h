/* vcpu.h: a virtual CPU: one per core that runs a guest, owned by that core. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_exit.h"
#include "arch/x86/vmx_regs.h"

struct guest;

enum vcpu_state {
	VCPU_RUNNABLE = 0,
	VCPU_HALTED,  /* after HLT, until something is pending (vcpu_wake) */
	VCPU_STOPPED, /* its guest ended */
};

/*
 * Owned by the core it runs on (cpu). Other cores touch only wake_request
 * (vcpu_kick), atomically.
 */
struct vcpu {
	struct guest *guest;
	uint32_t index; /* within the guest: 0 is the first vCPU; also its APIC ID */
	uint32_t cpu;   /* the core that runs it */
	uint16_t vpid;
	uint64_t vmcs; /* physical address of the VMCS region */
	bool launched; /* VMLAUNCH done: VMRESUME from now on */
	enum vcpu_state state;
	struct guest_regs regs;
	uint64_t wake_tsc;      /* a halted vCPU wakes at this TSC value (0: no timer) */
	uint64_t wake_after_us; /* armed by HC_WAKE_AFTER for the next HLT */
	volatile uint32_t wake_request;
	uint64_t exits_total;
	uint64_t exits[EXIT_REASON_MAX];
};

/* The vCPU the calling core runs, or NULL. */
struct vcpu *this_vcpu(void);

#endif
