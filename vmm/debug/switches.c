/* switches.c: the debug.* switches on the command line, for exercising the hypervisor's own failure paths. */
#include "vmm/debug/switches.h"

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/fastpath.h"
#include "vmm/exit/if_check.h"
#include "vmm/lib/array.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"

#define EFER_RESERVED_1 (1ull << 1)

/* A non-canonical address faults with #GP; an unmapped canonical one with #PF. */
#define DEBUG_UNMAPPED_ADDR 0xffff900000000000ull
#define DEBUG_NONCANONICAL_ADDR 0x8000000000000000ull

/* noinline keeps each fault in a function of its own, so the dump names it. */
__attribute__((noinline)) static void debug_fault_pf(void) { *(volatile uint64_t *)DEBUG_UNMAPPED_ADDR = 0xdead; }

__attribute__((noinline)) static void debug_fault_gp(void) { *(volatile uint64_t *)DEBUG_NONCANONICAL_ADDR = 0xdead; }

__attribute__((noinline)) static void debug_fault_ud(void) { __asm__ volatile("ud2"); }

__attribute__((noinline)) static void debug_fault_de(void)
{
	volatile unsigned zero = 0;
	__asm__ volatile("divl %0" ::"r"(zero), "a"(1), "d"(0));
}

__attribute__((noinline)) static void debug_fault_panic(void) { panic("debug.fault=panic requested"); }

/* Faults the hypervisor expects (the fix-up of arch/x86/cpu.h, for values a guest chose): refused, not fatal. */
static void debug_fault_fixup(void)
{
	bool x = xsetbv_safe(0, 0);                                       /* XCR0 without x87: #GP (#UD: no OSXSAVE) */
	bool w = wrmsr_safe(MSR_EFER, rdmsr(MSR_EFER) | EFER_RESERVED_1); /* a reserved bit: #GP */

	pr_warn("debug: fault fix-up: XSETBV of XCR0 0 %s, WRMSR of EFER with reserved bit 1 %s; the hypervisor goes "
	        "on",
	        x ? "taken (wrong)" : "refused", w ? "taken (wrong)" : "refused");
}

static const struct {
	const char *name;
	void (*fn)(void);
} faults[] = {
        {"pf", debug_fault_pf}, {"gp", debug_fault_gp},       {"ud", debug_fault_ud},
        {"de", debug_fault_de}, {"panic", debug_fault_panic}, {"fixup", debug_fault_fixup},
};

void debug_switches_apply(const char *cmdline)
{
	char val[16];

	if (cmdline_get(cmdline, "debug.no_preemption_timer", 0, 0)) {
		pr_warn("debug: the VMX-preemption timer stays off: guest timers use the host APIC timer");
		vmx_vcpu_disable_preemption_timer();
	}

	if (cmdline_get(cmdline, "debug.no_fastpath", 0, 0)) {
		pr_warn("debug: no fast paths: every VM exit takes its general handler");
		exit_fastpath_disable();
	}

	if (cmdline_get(cmdline, "debug.trap_df", 0, 0)) {
		pr_warn("debug: a guest's first double fault on a vCPU exits: its last exits and state are shown");
		vmx_vcpu_trap_exceptions(1u << X86_EXC_DF);
	}

	if (cmdline_get(cmdline, "debug.if_check", 0, 0)) {
		pr_warn("debug: each external-interrupt exit under virtual-interrupt delivery checks whether the CPU "
		        "delivered a vector through RFLAGS.IF = 0");
		exit_if_check_enable();
	}

	if (!cmdline_get(cmdline, "debug.fault", val, sizeof(val)))
		return;
	for (unsigned i = 0; i < ARRAY_LEN(faults); i++) {
		if (hv_strcmp(val, faults[i].name) == 0) {
			pr_warn("debug: forcing a '%s' fault in the hypervisor (debug.fault=%s)", val, val);
			faults[i].fn();
			return;
		}
	}
	pr_err("debug.fault=%s: expected pf, gp, ud, de, panic or fixup; ignored", val);
}
