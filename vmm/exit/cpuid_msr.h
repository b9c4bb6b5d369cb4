/* cpuid_msr.h: the CPUID feature bits a guest may see, the MSRs each implies, and the MSRs a guest may reach. */
#ifndef VMM_EXIT_CPUID_MSR_H
#define VMM_EXIT_CPUID_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_defs.h"

/*
 * One table decides both halves of what a guest finds (docs/guest-platform.md):
 * a CPUID feature bit is offered only where the CPU does the feature in VMX
 * non-root operation or the hypervisor provides it, and then every MSR the SDM
 * ties to it works; a bit the guest may not see is hidden, and its MSRs raise
 * #GP. The CPUID filter (cpuid_guest) and the MSR handler's allow-list
 * (cpuid_msr_present) are both computed from the table, so the two cannot
 * disagree. Pure code: the caller passes the host's CPUID and what VMX allows.
 */

/* MSRs the table names (SDM Vol. 4, Table 2-2), spelled as Linux spells them. */
#define MSR_IA32_P5_MC_TYPE 0x00000001
#define MSR_IA32_MONITOR_FILTER_SIZE 0x00000006
#define MSR_IA32_TSC 0x00000010
#define MSR_IA32_TSC_ADJUST 0x0000003b
#define MSR_IA32_SPEC_CTRL 0x00000048
#define MSR_IA32_PRED_CMD 0x00000049
#define MSR_PPIN_CTL 0x0000004e
#define MSR_PPIN 0x0000004f
#define MSR_IA32_SGXLEPUBKEYHASH0 0x0000008c
#define MSR_IA32_PERFCTR0 0x000000c1
#define MSR_IA32_CORE_CAPS 0x000000cf
#define MSR_IA32_UMWAIT_CONTROL 0x000000e1
#define MSR_IA32_MPERF 0x000000e7
#define MSR_IA32_APERF 0x000000e8
#define MSR_IA32_MTRRCAP 0x000000fe
#define MSR_IA32_ARCH_CAPABILITIES 0x0000010a
#define MSR_IA32_FLUSH_CMD 0x0000010b
#define MSR_TSX_FORCE_ABORT 0x0000010f
#define MSR_IA32_MCU_OPT_CTRL 0x00000123
#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176
#define MSR_IA32_MCG_CAP 0x00000179
#define MSR_IA32_MCG_STATUS 0x0000017a
#define MSR_ARCH_PERFMON_EVENTSEL0 0x00000186
#define MSR_IA32_PERF_STATUS 0x00000198
#define MSR_IA32_PERF_CTL 0x00000199
#define MSR_IA32_THERM_CONTROL 0x0000019a
#define MSR_IA32_THERM_INTERRUPT 0x0000019b
#define MSR_IA32_THERM_STATUS 0x0000019c
#define MSR_IA32_MISC_ENABLE 0x000001a0
#define MSR_IA32_ENERGY_PERF_BIAS 0x000001b0
#define MSR_IA32_PACKAGE_THERM_STATUS 0x000001b1
#define MSR_IA32_PACKAGE_THERM_INTERRUPT 0x000001b2
#define MSR_IA32_XFD 0x000001c4
#define MSR_IA32_XFD_ERR 0x000001c5
#define MSR_IA32_PLATFORM_DCA_CAP 0x000001f8
#define MSR_IA32_MTRR_DEF_TYPE 0x000002ff
#define MSR_CORE_PERF_FIXED_CTR0 0x00000309
#define MSR_IA32_PERF_CAPABILITIES 0x00000345
#define MSR_CORE_PERF_FIXED_CTR_CTRL 0x0000038d
#define MSR_CORE_PERF_GLOBAL_STATUS 0x0000038e
#define MSR_CORE_PERF_GLOBAL_CTRL 0x0000038f
#define MSR_IA32_PEBS_ENABLE 0x000003f1
#define MSR_IA32_MC0_CTL 0x00000400
#define MSR_IA32_PMC0 0x000004c1
#define MSR_IA32_RTIT_CTL 0x00000570
#define MSR_IA32_RTIT_STATUS 0x00000571
#define MSR_IA32_DS_AREA 0x00000600
#define MSR_IA32_U_CET 0x000006a0
#define MSR_IA32_S_CET 0x000006a2
#define MSR_IA32_PL0_SSP 0x000006a4
#define MSR_IA32_TSC_DEADLINE 0x000006e0
#define MSR_IA32_PKRS 0x000006e1
#define MSR_PM_ENABLE 0x00000770
#define MSR_HWP_CAPABILITIES 0x00000771
#define MSR_IA32_TME_ACTIVATE 0x00000982
#define MSR_IA32_UINTR_RR 0x00000985
#define MSR_IA32_DEBUG_INTERFACE 0x00000c80
#define MSR_IA32_QM_EVTSEL 0x00000c8d
#define MSR_IA32_PQR_ASSOC 0x00000c8f
#define MSR_IA32_L3_CBM_BASE 0x00000c90
#define MSR_IA32_BNDCFGS 0x00000d90
#define MSR_IA32_PASID 0x00000d93
#define MSR_IA32_XSS 0x00000da0
#define MSR_ARCH_LBR_CTL 0x000014ce
#define MSR_ARCH_LBR_DEPTH 0x000014cf
#define MSR_IA32_HW_HRESET_ENABLE 0x000017da
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084 /* the SDM's IA32_FMASK */
#define MSR_TSC_AUX 0xc0000103

/* IA32_MISC_ENABLE as the guest sees it (SDM Vol. 4, Table 2-2). */
#define MISC_ENABLE_FAST_STRING (1ull << 0)   /* R/W: kept per vCPU; the host's fast strings are not changed */
#define MISC_ENABLE_EMON (1ull << 7)          /* RO: performance monitoring available: 0, the PMU is hidden */
#define MISC_ENABLE_BTS_UNAVAIL (1ull << 11)  /* RO: 1, no branch trace store (CPUID DS hidden) */
#define MISC_ENABLE_PEBS_UNAVAIL (1ull << 12) /* RO: 1, no PEBS */
#define MISC_ENABLE_WRITABLE MISC_ENABLE_FAST_STRING
#define MISC_ENABLE_READ_ONLY (MISC_ENABLE_EMON | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)
#define MISC_ENABLE_RESET (MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)

/* IA32_MTRR_DEF_TYPE (SDM Vol. 3, 13.11.2.1); IA32_MTRRCAP reads 0: no variable or fixed ranges, no WC. */
#define MTRR_DEF_TYPE_TYPE_MASK 0xffull
#define MTRR_DEF_TYPE_FE (1ull << 10) /* fixed ranges enabled: reserved here, MTRRCAP.FIX is 0 */
#define MTRR_DEF_TYPE_E (1ull << 11)

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };
#define CPUID_ANY_SUBLEAF UINT32_MAX /* a leaf without subleaves, or every subleaf of one */

/* When a feature reaches the guest. */
enum cpuid_rule {
	OFFER_HOST,        /* as the host has it: the CPU does it in VMX non-root operation */
	OFFER_ALWAYS,      /* always (where its leaf exists): the hypervisor provides it */
	OFFER_RDTSCP_CTL,  /* as the host has it, if "enable RDTSCP" can be set (else #UD: SDM Vol. 3, 26.3) */
	OFFER_INVPCID_CTL, /* as the host has it, if "enable INVPCID" can be set (else #UD: SDM Vol. 3, 26.3) */
	OFFER_NEVER,       /* hidden: not virtualized; its MSRs raise #GP */
};

#define CPUID_FEATURE_MSRS 4
struct cpuid_feature {
	const char *name;
	uint32_t leaf, subleaf;
	uint8_t reg;                       /* enum cpuid_reg */
	uint32_t mask;                     /* its bit (or field) in that register */
	uint8_t rule;                      /* enum cpuid_rule */
	uint32_t msrs[CPUID_FEATURE_MSRS]; /* the MSRs it implies (SDM Vol. 4, Table 2-2); 0 ends the list */
};
extern const struct cpuid_feature cpuid_features[];
extern const unsigned cpuid_nfeatures;

/* Where the value of an MSR the guest may reach lives. */
enum cpuid_msr_home {
	MSR_HOME_CPU,   /* the core's own MSR, passed through (arch/x86/vmx_vcpu.c); reset on its core at each start */
	MSR_HOME_VMCS,  /* a guest-state field of the VMCS, loaded at entry and saved at exit */
	MSR_HOME_VCPU,  /* a value the hypervisor keeps per vCPU (vmm/exit/msr.c, vmm/partition/vtsc.h) */
	MSR_HOME_LAPIC, /* the local APIC model (vmm/irq/access.c) */
};

struct cpuid_msr {
	uint32_t first, last; /* one MSR, or a range (the x2APIC registers) */
	const char *name;
	uint8_t home;   /* enum cpuid_msr_home */
	bool always;    /* present whatever CPUID offers (architectural in every Intel 64 processor) */
	uint64_t reset; /* at each start of the guest (SDM Vol. 3, 10.1.1 and Table 10-1) */
};
extern const struct cpuid_msr cpuid_msrs[];
extern const unsigned cpuid_nmsrs;

/* The host as the table sees it: its CPUID, and the VMX controls that decide some features. */
struct cpuid_host {
	struct cpuid_regs (*cpuid)(uint32_t leaf, uint32_t subleaf);
	bool rdtscp_ctl;  /* "enable RDTSCP" may be 1: RDTSCP and RDPID work in the guest */
	bool invpcid_ctl; /* "enable INVPCID" may be 1 */
	uint64_t tsc_hz;  /* the TSC rate measured at boot: leaves 0x15 and 0x16 tell it */
};

#define CPUID_MAX_FEATURES 256
#define CPUID_MAX_FEATURE_REGS 64
#define CPUID_MAX_MSRS 32

/* What the guests' CPUID offers on one machine: computed once from the host (cpuid_offer_init). */
/* State components 0-31 of XCR0 (SDM Vol. 1, 13.1): the XSAVE area's size follows the enabled ones. */
#define CPUID_XSAVE_COMPONENTS 32u

struct cpuid_offer {
	bool feature[CPUID_MAX_FEATURES];       /* cpuid_features[i] is offered */
	uint32_t keep[CPUID_MAX_FEATURE_REGS];  /* per feature register: the host bits that pass */
	uint32_t force[CPUID_MAX_FEATURE_REGS]; /* per feature register: the bits always set */
	bool msr_present[CPUID_MAX_MSRS];       /* cpuid_msrs[i] may be used */
	bool msr_on_host[CPUID_MAX_MSRS];       /* cpuid_msrs[i] exists on the host CPU */
	uint32_t host_max_basic;                /* the host's leaf 0 EAX */
	uint32_t host_max_ext;                  /* the host's leaf 0x80000000 EAX: the guest's too */
	uint32_t tsc_crystal_hz;                /* leaf 0x15 ECX; 0: the rate is unknown, leaves 0x15/0x16 not made */
	uint32_t tsc_ratio;                     /* leaf 0x15 EBX (EAX is 1) */
	uint32_t tsc_mhz;                       /* leaf 0x16 EAX and EBX */
	uint32_t xcr0_offered;                  /* leaf 0xD EAX: the XCR0 bits a guest may set (31:0) */
	uint32_t xsave_offset[CPUID_XSAVE_COMPONENTS]; /* per offered state component >= 2: where it is (standard
	                                                  format) */
	uint32_t xsave_size[CPUID_XSAVE_COMPONENTS];   /* and its size */
	uint32_t xsave_align64;                        /* the components aligned to 64 bytes in the compacted format */
};

void cpuid_offer_init(struct cpuid_offer *o, const struct cpuid_host *h);

/* The vCPU state some CPUID bits follow. */
struct cpuid_vcpu {
	uint32_t apic_id;  /* the vCPU's index in its guest */
	bool apic_enabled; /* IA32_APIC_BASE.EN: CPUID.1:EDX.APIC follows it */
	uint64_t cr4;      /* CR4 as the guest reads it: OSXSAVE and OSPKE follow it */
	uint32_t vcpus;    /* the guest's vCPU count: the cores of leaves 0xB and 0x1F */
	uint64_t xcr0;     /* the guest's XCR0: leaf 0xD's EBX is the XSAVE area it needs */
};

/*
 * The leaf whose answer a CPUID of leaf gets: leaf itself, or, for a leaf above the highest basic leaf (below the
 * hypervisor's range, or in 0x50000000-0x7fffffff) or above the highest extended leaf, the guest's highest basic
 * leaf (SDM Vol. 2A, CPUID). The caller asks the host and cpuid_guest for that leaf, so that what a guest reads
 * there is filtered like the rest, never the host's own highest leaf.
 */
uint32_t cpuid_answering_leaf(const struct cpuid_offer *o, uint32_t leaf);

/* CPUID as the guest sees it, from what the host answered for the same leaf and subleaf. */
struct cpuid_regs cpuid_guest(const struct cpuid_offer *o, const struct cpuid_vcpu *s, uint32_t leaf, uint32_t subleaf,
                              struct cpuid_regs host);

/* cpuid_platform.c: the leaves of the platform (TSC rate, topology), set up by cpuid_offer_init. */
void cpuid_platform_init(struct cpuid_offer *o, uint32_t host_max_basic, uint64_t tsc_hz);
/* The guest's highest basic leaf: the host's, at least 0x16 when the TSC rate is known. */
uint32_t cpuid_platform_max_basic(const struct cpuid_offer *o);
/* Leaves 0xB, 0x1F, 0x15 and 0x16 as the platform makes them: true and *r set, or false for any other. */
bool cpuid_platform_leaf(const struct cpuid_offer *o, const struct cpuid_vcpu *s, uint32_t leaf, uint32_t subleaf,
                         struct cpuid_regs *r);

/* The table's row for msr, or NULL: an MSR no row names raises #GP. */
const struct cpuid_msr *cpuid_msr_find(uint32_t msr);
/* May the guest use msr: its row is always there, or an offered feature implies it. */
bool cpuid_msr_present(const struct cpuid_offer *o, uint32_t msr);

/* WRMSR IA32_MISC_ENABLE: false (#GP) if a reserved bit is set; else *cur takes the writable bits. */
bool cpuid_misc_enable_write(uint64_t *cur, uint64_t value);
/* WRMSR IA32_MTRR_DEF_TYPE: a defined memory type, E, nothing else (SDM Vol. 3, 13.11.2.1, Table 13-8). */
bool cpuid_mtrr_def_type_valid(uint64_t value);

#endif
