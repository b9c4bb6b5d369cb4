/* vmx_caps.h: what this machine's VT-x offers: the capability MSRs, read once per CPU and decoded. */
#ifndef ARCH_X86_VMX_CAPS_H
#define ARCH_X86_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The raw capability MSRs of one CPU (SDM Vol. 3, Appendix A); absent ones read as 0. */
struct vmx_caps_raw {
	uint64_t basic, pinbased, procbased, exit, entry, misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	uint64_t procbased2;  /* only if procbased allows secondary controls */
	uint64_t ept_vpid;    /* only if procbased2 allows EPT or VPID */
	uint64_t true_pinbased, true_procbased, true_exit, true_entry; /* only if basic has TRUE_CTLS */
	uint64_t vmfunc;      /* only if procbased2 allows VM functions */
	uint64_t procbased3;  /* only if procbased allows tertiary controls */
};

/* One control word: bits that must be 1 (allowed-0 settings) and bits that may be 1 (allowed-1). */
struct vmx_ctl {
	uint32_t must1;
	uint32_t may1;
};

/* Read every capability MSR that exists on this CPU. Precondition: CPUID says VMX. */
void vmx_caps_read(struct vmx_caps_raw *raw);

/* Reports are produced a line at a time through this callback (console or test buffer). */
typedef void (*vmx_report_line_fn)(void *ctx, const char *line);

/* One line per capability MSR with its name, index and raw value. */
void vmx_caps_format_raw(const struct vmx_caps_raw *raw, vmx_report_line_fn line, void *ctx);

#endif
