/* vmx_caps.h: what this machine's VT-x offers: the capability MSRs, read once per CPU and decoded. */
#ifndef ARCH_X86_VMX_CAPS_H
#define ARCH_X86_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The raw capability MSRs of one CPU (SDM Vol. 3, Appendix A); absent ones read as 0. */
/* clang-format off */
struct vmx_caps_raw {
	uint64_t basic, pinbased, procbased, exit, entry, misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1, vmcs_enum;
	uint64_t procbased2;  /* only if procbased allows secondary controls */
	uint64_t ept_vpid;    /* only if procbased2 allows EPT or VPID */
	uint64_t true_pinbased, true_procbased, true_exit, true_entry; /* only if basic has TRUE_CTLS */
	uint64_t vmfunc;      /* only if procbased2 allows VM functions */
	uint64_t procbased3;  /* only if procbased allows tertiary controls */
};
/* clang-format on */

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

/*
 * Where a capability bit lives. The first five are the 32-bit control words
 * (index into vmx_caps.ctl[]); the rest are 64-bit words. Each comment names
 * the vmx_defs.h prefix of the bits that belong to it.
 */
enum vmx_cap_word {
	VMX_CAP_PIN,      /* pin-based VM-execution controls: PIN_BASED_* (SDM Vol. 3, A.3.1) */
	VMX_CAP_PROC,     /* primary processor-based VM-execution controls: CPU_BASED_* (A.3.2) */
	VMX_CAP_PROC2,    /* secondary processor-based VM-execution controls: SECONDARY_EXEC_* (A.3.3) */
	VMX_CAP_EXIT,     /* VM-exit controls: VM_EXIT_* (A.4) */
	VMX_CAP_ENTRY,    /* VM-entry controls: VM_ENTRY_* (A.5) */
	VMX_CAP_PROC3,    /* tertiary processor-based VM-execution controls: TERTIARY_EXEC_* (A.3.4) */
	VMX_CAP_EPT_VPID, /* IA32_VMX_EPT_VPID_CAP: VMX_EPT_*, VMX_VPID_* (A.10) */
	VMX_CAP_MISC,     /* IA32_VMX_MISC: VMX_MISC_* (A.6) */
};
#define VMX_CTL_WORDS 5 /* VMX_CAP_PIN .. VMX_CAP_ENTRY */

/* CR0 or CR4 in VMX operation (SDM Vol. 3, A.7, A.8): bits fixed to 1 and bits allowed to be 1. */
struct vmx_fixed {
	uint64_t must1; /* IA32_VMX_CRn_FIXED0 */
	uint64_t may1;  /* IA32_VMX_CRn_FIXED1 */
};

/*
 * The capabilities as a VMM may use them. A word that cannot be activated
 * (secondary or tertiary controls not allowed) decodes as all-zero, and so do
 * the EPT/VPID and VM-function capabilities when their controls are not allowed.
 */
struct vmx_caps {
	uint32_t revision;                 /* VMCS revision identifier (IA32_VMX_BASIC 30:0) */
	uint32_t vmcs_size;                /* bytes to allocate for a VMCS region (BASIC 44:32) */
	uint8_t vmcs_mem_type;             /* memory type of the VMCS and the structures it points to (BASIC 53:50) */
	bool phys_addr_32;                 /* those structures must lie below 4 GiB (BASIC 48) */
	bool true_ctls;                    /* the TRUE_* MSRs exist and ctl[] comes from them (BASIC 55) */
	struct vmx_ctl ctl[VMX_CTL_WORDS]; /* indexed by VMX_CAP_PIN .. VMX_CAP_ENTRY */
	uint64_t proc3_may1;               /* tertiary controls: every bit is allowed-1 or not (A.3.4) */
	uint64_t ept_vpid;                 /* IA32_VMX_EPT_VPID_CAP */
	uint64_t vmfunc;                   /* IA32_VMX_VMFUNC: VM functions allowed */
	uint64_t misc;                     /* IA32_VMX_MISC, decoded below */
	struct vmx_fixed cr0, cr4;
	uint8_t preemption_timer_rate; /* the timer counts down once every 2^rate TSC ticks (MISC 4:0) */
	bool activity_hlt, activity_shutdown, activity_wait_sipi; /* guest activity states (MISC 6, 7, 8) */
	uint16_t cr3_targets;                                     /* CR3-target values supported (MISC 24:16) */
};

/* Decode one CPU's raw MSRs. Controls come from the TRUE_* MSRs when BASIC says they exist (A.2). */
void vmx_caps_decode(const struct vmx_caps_raw *raw, struct vmx_caps *out);

/* True if every bit in bits may be 1 (a control) or is set (a capability) in word w. */
bool vmx_caps_has(const struct vmx_caps *c, enum vmx_cap_word w, uint64_t bits);

/* The same, one per word, so a call site shows the word next to the bit's prefix. */
static inline bool vmx_has_pin_based(const struct vmx_caps *c, uint32_t bits)
{
	return vmx_caps_has(c, VMX_CAP_PIN, bits);
}
static inline bool vmx_has_cpu_based(const struct vmx_caps *c, uint32_t bits)
{
	return vmx_caps_has(c, VMX_CAP_PROC, bits);
}
static inline bool vmx_has_secondary(const struct vmx_caps *c, uint32_t bits)
{
	return vmx_caps_has(c, VMX_CAP_PROC2, bits);
}
static inline bool vmx_has_tertiary(const struct vmx_caps *c, uint64_t bits)
{
	return vmx_caps_has(c, VMX_CAP_PROC3, bits);
}
static inline bool vmx_has_exit(const struct vmx_caps *c, uint32_t bits) { return vmx_caps_has(c, VMX_CAP_EXIT, bits); }
static inline bool vmx_has_entry(const struct vmx_caps *c, uint32_t bits)
{
	return vmx_caps_has(c, VMX_CAP_ENTRY, bits);
}
static inline bool vmx_has_ept_vpid(const struct vmx_caps *c, uint64_t bits)
{
	return vmx_caps_has(c, VMX_CAP_EPT_VPID, bits);
}

/*
 * The interrupt-delivery modes, worst to best; each one's controls include the
 * previous one's. The names are the ready line's apicv= values.
 *   tpr:    TPR shadow + virtualize APIC accesses
 *   vid:    tpr + virtual-interrupt delivery (+ external-interrupt exiting, which it requires)
 *   posted: vid + process posted interrupts (+ acknowledge interrupt on exit, which it requires)
 */
enum vmx_apicv_mode { VMX_APICV_EMULATED, VMX_APICV_TPR, VMX_APICV_VID, VMX_APICV_POSTED };

/* "emulated", "tpr", "vid" or "posted". */
const char *vmx_apicv_mode_name(enum vmx_apicv_mode m);

/* The best mode whose controls may all be set together (SDM Vol. 3, 27.2.1.1). */
enum vmx_apicv_mode vmx_caps_apicv_mode(const struct vmx_caps *c);

/* Why that mode, in one sentence starting with its name, e.g. "vid: ... is available but ... is not". */
void vmx_caps_apicv_reason(const struct vmx_caps *c, char *buf, size_t size);

/*
 * What this hypervisor needs to run any guest: secondary controls, EPT with a
 * 4-level walk and write-back paging structures, unrestricted guest, 64-bit
 * host and guest. Writes the names of the missing ones, ", "-separated, into
 * buf ("" if none; a requirement under a missing one is not named) and returns
 * how many are missing.
 */
unsigned vmx_caps_missing(const struct vmx_caps *c, char *buf, size_t size);

/* The decoded report for a person tuning interrupt delivery, a line at a time (lines < 100 chars). */
void vmx_caps_report(const struct vmx_caps *c, vmx_report_line_fn line, void *ctx);

/* True if every MSR is equal; else *first_diff (if not NULL) gets the SDM name of the first that differs. */
bool vmx_caps_equal(const struct vmx_caps_raw *a, const struct vmx_caps_raw *b, const char **first_diff);

#endif
