/* cpuid_msr.c: CPUID matches the MSRs, the TSC's MSRs agree, and MSRs hold their reset values at each start. */

/*
 * Every feature offered has working MSRs, every hidden one's raise #GP. The guest keeps its own list of what the
 * platform promises (docs/guest-platform.md), apart from the hypervisor's table: features the platform always offers,
 * features it always hides, and features it may pass from the host. It walks CPUID, and for each feature offered
 * exercises the MSRs the SDM ties to it (Vol. 4, Table 2-2); for each hidden one it expects #GP. An offered bit it does
 * not know is a failure: a new feature needs a look before guests see it. It first checks the MSRs' values at start,
 * and last dirties them all: run with restart=yes, every later start checks that nothing of the previous run was left.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"

#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define BIT(n) (1u << (n))
enum { EAX, EBX, ECX, EDX };

/* MSRs (SDM Vol. 4, Table 2-2), spelled as Linux spells them. */
#define MSR_IA32_P5_MC_TYPE 0x00000001
#define MSR_IA32_MONITOR_FILTER_SIZE 0x00000006
#define MSR_IA32_TSC 0x00000010
#define MSR_IA32_TSC_ADJUST 0x0000003b
#define MSR_IA32_BIOS_SIGN_ID 0x0000008b
#define MSR_IA32_SPEC_CTRL 0x00000048
#define MSR_IA32_PRED_CMD 0x00000049
#define MSR_PPIN_CTL 0x0000004e
#define MSR_IA32_SGXLEPUBKEYHASH0 0x0000008c
#define MSR_IA32_PERFCTR0 0x000000c1
#define MSR_IA32_CORE_CAPS 0x000000cf
#define MSR_IA32_UMWAIT_CONTROL 0x000000e1
#define MSR_IA32_MPERF 0x000000e7
#define MSR_IA32_APERF 0x000000e8
#define MSR_MTRRCAP 0x000000fe
#define MSR_IA32_ARCH_CAPABILITIES 0x0000010a
#define MSR_IA32_FLUSH_CMD 0x0000010b
#define MSR_TSX_FORCE_ABORT 0x0000010f
#define MSR_IA32_MCU_OPT_CTRL 0x00000123
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
#define MSR_IA32_XFD 0x000001c4
#define MSR_IA32_PLATFORM_DCA_CAP 0x000001f8
#define MSR_MTRR_PHYSBASE0 0x00000200
#define MSR_MTRRFIX64K_00000 0x00000250
#define MSR_MTRR_DEF_TYPE 0x000002ff
#define MSR_CORE_PERF_FIXED_CTR0 0x00000309
#define MSR_IA32_PERF_CAPABILITIES 0x00000345
#define MSR_CORE_PERF_FIXED_CTR_CTRL 0x0000038d
#define MSR_CORE_PERF_GLOBAL_STATUS 0x0000038e
#define MSR_CORE_PERF_GLOBAL_CTRL 0x0000038f
#define MSR_IA32_PEBS_ENABLE 0x000003f1
#define MSR_IA32_MC0_CTL 0x00000400
#define MSR_IA32_VMX_PINBASED_CTLS 0x00000481
#define MSR_IA32_PMC0 0x000004c1
#define MSR_IA32_RTIT_CTL 0x00000570
#define MSR_IA32_DS_AREA 0x00000600
#define MSR_IA32_U_CET 0x000006a0
#define MSR_IA32_S_CET 0x000006a2
#define MSR_IA32_PKRS 0x000006e1
#define MSR_PM_ENABLE 0x00000770
#define MSR_IA32_TME_ACTIVATE 0x00000982
#define MSR_IA32_UINTR_RR 0x00000985
#define MSR_IA32_DEBUG_INTERFACE 0x00000c80
#define MSR_IA32_PQR_ASSOC 0x00000c8f
#define MSR_IA32_BNDCFGS 0x00000d90
#define MSR_IA32_PASID 0x00000d93
#define MSR_IA32_XSS 0x00000da0
#define MSR_ARCH_LBR_CTL 0x000014ce
#define MSR_IA32_HW_HRESET_ENABLE 0x000017da
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_VERSION 0x803

#define EFER_NX (1ull << 11)
#define EFER_LME (1ull << 8)
#define PAT_RESET 0x0007040600070406ull /* SDM Vol. 3, 13.12.4 */
#define PAT_TEST 0x0007010600070106ull  /* entries 1 and 5 write-combining */
#define PAT_BAD 0x0007040600070402ull   /* entry 0 type 2: reserved */
#define MISC_FAST_STRING (1ull << 0)
#define MISC_EMON (1ull << 7) /* performance monitoring available */
#define MISC_BTS_UNAVAIL (1ull << 11)
#define MISC_PEBS_UNAVAIL (1ull << 12)
#define MISC_MWAIT (1ull << 18)
#define MISC_LIMIT_CPUID (1ull << 22)
#define MISC_XD_DISABLE (1ull << 34)
#define MISC_RESET (MISC_FAST_STRING | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)
#define MTRR_DEF_E (1ull << 11)
#define MTRR_DEF_FE (1ull << 10)
#define MTRR_TYPE_WB 6
#define MTRR_TYPE_RESERVED 7

/* Times in TSC ticks. */
#define TSC_BOUND (1ull << 26)       /* one exit, many times over */
#define TSC_AHEAD (1ull << 44)       /* a guest TSC far ahead of the host's */
#define TSC_BEHIND (1ull << 20)      /* and one far behind */
#define TSC_DIRTY (1ull << 60)       /* what this run leaves for the next start */
#define TSC_AFTER_RESET (1ull << 56) /* below this at start: the last run's TSC_DIRTY is gone */
#define ADJUST_STEP (1ull << 36)
#define DEADLINE_TICKS (1ull << 22)
#define VEC_TIMER 0xd0

/* CPUID (SDM Vol. 2A, CPUID). */
#define LEAF_FEATURES 0x1u
#define LEAF_THERMAL 0x6u
#define LEAF_EXT 0x7u
#define LEAF_PERFMON 0xau
#define LEAF_XSAVE 0xdu
#define LEAF_PERFMON_EXT 0x23u
#define LEAF_EXT_BASE 0x80000000u
#define LEAF_EXT_1 0x80000001u
#define LEAF_EXT_POWER 0x80000007u
#define L1_ECX_OSXSAVE BIT(27)
#define L7_ECX_OSPKE BIT(4)
#define CR4_OSXSAVE BIT(18)
#define CR4_PKE BIT(22)

enum want {
	MAY,        /* as the host has it; its MSRs work when offered */
	MUST_OFFER, /* the platform provides it on every host */
	MUST_HIDE,  /* never offered; its MSRs raise #GP */
};

struct feature {
	const char *name;
	uint32_t leaf, sub;
	uint8_t reg, bit, want;
	uint32_t gp_msrs[4]; /* hidden: each raises #GP; 0 ends */
	void (*check)(void); /* offered: exercise its MSRs */
};

static void check_tsc(void);
static void check_apic_base(void);
static void check_sysenter(void);
static void check_mtrr(void);
static void check_pat(void);
static void check_tsc_deadline(void);
static void check_tsc_adjust(void);
static void check_syscall(void);
static void check_nx(void);
static void check_lm(void);
static void check_rdtscp(void);
static void check_rdpid(void);

/* Features with MSRs, or with a promise either way. */
static const struct feature features[] = {
        {"TSC", LEAF_FEATURES, 0, EDX, 4, MAY, {0}, check_tsc},
        {"MCE", LEAF_FEATURES, 0, EDX, 7, MUST_HIDE, {MSR_IA32_P5_MC_TYPE}},
        {"APIC", LEAF_FEATURES, 0, EDX, 9, MUST_OFFER, {0}, check_apic_base},
        {"SEP", LEAF_FEATURES, 0, EDX, 11, MAY, {0}, check_sysenter},
        {"MTRR", LEAF_FEATURES, 0, EDX, 12, MAY, {0}, check_mtrr},
        {"MCA", LEAF_FEATURES, 0, EDX, 14, MUST_HIDE, {MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS, MSR_IA32_MC0_CTL}},
        {"PAT", LEAF_FEATURES, 0, EDX, 16, MAY, {0}, check_pat},
        {"PSN", LEAF_FEATURES, 0, EDX, 18, MUST_HIDE},
        {"DS", LEAF_FEATURES, 0, EDX, 21, MUST_HIDE, {MSR_IA32_DS_AREA, MSR_IA32_PEBS_ENABLE}},
        {"ACPI", LEAF_FEATURES, 0, EDX, 22, MUST_HIDE, {MSR_IA32_THERM_CONTROL}},
        {"TM", LEAF_FEATURES, 0, EDX, 29, MUST_HIDE, {MSR_IA32_THERM_INTERRUPT, MSR_IA32_THERM_STATUS}},
        {"PBE", LEAF_FEATURES, 0, EDX, 31, MUST_HIDE},
        {"DTES64", LEAF_FEATURES, 0, ECX, 2, MUST_HIDE, {MSR_IA32_DS_AREA}},
        {"MONITOR", LEAF_FEATURES, 0, ECX, 3, MUST_HIDE, {MSR_IA32_MONITOR_FILTER_SIZE}},
        {"DS-CPL", LEAF_FEATURES, 0, ECX, 4, MUST_HIDE, {MSR_IA32_DS_AREA}},
        {"VMX", LEAF_FEATURES, 0, ECX, 5, MUST_HIDE, {MSR_IA32_VMX_BASIC, MSR_IA32_VMX_PINBASED_CTLS}},
        {"SMX", LEAF_FEATURES, 0, ECX, 6, MUST_HIDE},
        {"EIST", LEAF_FEATURES, 0, ECX, 7, MUST_HIDE, {MSR_IA32_PERF_STATUS, MSR_IA32_PERF_CTL}},
        {"TM2", LEAF_FEATURES, 0, ECX, 8, MUST_HIDE},
        {"CNXT-ID", LEAF_FEATURES, 0, ECX, 10, MUST_HIDE},
        {"SDBG", LEAF_FEATURES, 0, ECX, 11, MUST_HIDE, {MSR_IA32_DEBUG_INTERFACE}},
        {"xTPR", LEAF_FEATURES, 0, ECX, 14, MUST_HIDE},
        {"PDCM", LEAF_FEATURES, 0, ECX, 15, MUST_HIDE, {MSR_IA32_PERF_CAPABILITIES}},
        {"DCA", LEAF_FEATURES, 0, ECX, 18, MUST_HIDE, {MSR_IA32_PLATFORM_DCA_CAP}},
        {"x2APIC", LEAF_FEATURES, 0, ECX, 21, MUST_OFFER}, /* checked last: it switches the APIC's mode */
        {"TSC-deadline", LEAF_FEATURES, 0, ECX, 24, MUST_OFFER, {0}, check_tsc_deadline},
        {"hypervisor", LEAF_FEATURES, 0, ECX, 31, MUST_OFFER},
        {"DTS", LEAF_THERMAL, 0, EAX, 0, MUST_HIDE, {MSR_IA32_THERM_STATUS}},
        {"turbo", LEAF_THERMAL, 0, EAX, 1, MUST_HIDE},
        {"ARAT", LEAF_THERMAL, 0, EAX, 2, MUST_OFFER},
        {"PTM", LEAF_THERMAL, 0, EAX, 6, MUST_HIDE, {MSR_IA32_PACKAGE_THERM_STATUS}},
        {"HWP", LEAF_THERMAL, 0, EAX, 7, MUST_HIDE, {MSR_PM_ENABLE}},
        {"APERF/MPERF", LEAF_THERMAL, 0, ECX, 0, MUST_HIDE, {MSR_IA32_MPERF, MSR_IA32_APERF}},
        {"EPB", LEAF_THERMAL, 0, ECX, 3, MUST_HIDE, {MSR_IA32_ENERGY_PERF_BIAS}},
        {"TSC_ADJUST", LEAF_EXT, 0, EBX, 1, MUST_OFFER, {0}, check_tsc_adjust},
        {"SGX", LEAF_EXT, 0, EBX, 2, MUST_HIDE},
        {"RDT-M", LEAF_EXT, 0, EBX, 12, MUST_HIDE, {MSR_IA32_PQR_ASSOC}},
        {"MPX", LEAF_EXT, 0, EBX, 14, MUST_HIDE, {MSR_IA32_BNDCFGS}},
        {"RDT-A", LEAF_EXT, 0, EBX, 15, MUST_HIDE, {MSR_IA32_PQR_ASSOC}},
        {"PT", LEAF_EXT, 0, EBX, 25, MUST_HIDE, {MSR_IA32_RTIT_CTL}},
        {"WAITPKG", LEAF_EXT, 0, ECX, 5, MUST_HIDE, {MSR_IA32_UMWAIT_CONTROL}},
        {"CET_SS", LEAF_EXT, 0, ECX, 7, MUST_HIDE, {MSR_IA32_U_CET, MSR_IA32_S_CET}},
        {"TME", LEAF_EXT, 0, ECX, 13, MUST_HIDE, {MSR_IA32_TME_ACTIVATE}},
        {"RDPID", LEAF_EXT, 0, ECX, 22, MAY, {0}, check_rdpid},
        {"KL", LEAF_EXT, 0, ECX, 23, MUST_HIDE},
        {"ENQCMD", LEAF_EXT, 0, ECX, 29, MUST_HIDE, {MSR_IA32_PASID}},
        {"SGX_LC", LEAF_EXT, 0, ECX, 30, MUST_HIDE, {MSR_IA32_SGXLEPUBKEYHASH0}},
        {"PKS", LEAF_EXT, 0, ECX, 31, MUST_HIDE, {MSR_IA32_PKRS}},
        {"UINTR", LEAF_EXT, 0, EDX, 5, MUST_HIDE, {MSR_IA32_UINTR_RR}},
        {"SRBDS_CTRL", LEAF_EXT, 0, EDX, 9, MUST_HIDE, {MSR_IA32_MCU_OPT_CTRL}},
        {"TSX_FORCE_ABORT", LEAF_EXT, 0, EDX, 13, MUST_HIDE, {MSR_TSX_FORCE_ABORT}},
        {"PCONFIG", LEAF_EXT, 0, EDX, 18, MUST_HIDE},
        {"ARCH_LBR", LEAF_EXT, 0, EDX, 19, MUST_HIDE, {MSR_ARCH_LBR_CTL}},
        {"IBT", LEAF_EXT, 0, EDX, 20, MUST_HIDE, {MSR_IA32_U_CET, MSR_IA32_S_CET}},
        {"IBRS/IBPB", LEAF_EXT, 0, EDX, 26, MUST_HIDE, {MSR_IA32_SPEC_CTRL, MSR_IA32_PRED_CMD}},
        {"STIBP", LEAF_EXT, 0, EDX, 27, MUST_HIDE, {MSR_IA32_SPEC_CTRL}},
        {"L1D_FLUSH", LEAF_EXT, 0, EDX, 28, MUST_HIDE, {MSR_IA32_FLUSH_CMD}},
        {"ARCH_CAPABILITIES", LEAF_EXT, 0, EDX, 29, MUST_HIDE, {MSR_IA32_ARCH_CAPABILITIES}},
        {"CORE_CAPABILITIES", LEAF_EXT, 0, EDX, 30, MUST_HIDE, {MSR_IA32_CORE_CAPS}},
        {"SSBD", LEAF_EXT, 0, EDX, 31, MUST_HIDE, {MSR_IA32_SPEC_CTRL}},
        {"ArchPerfmonExt", LEAF_EXT, 1, EAX, 8, MUST_HIDE},
        {"HRESET", LEAF_EXT, 1, EAX, 22, MUST_HIDE, {MSR_IA32_HW_HRESET_ENABLE}},
        {"LAM", LEAF_EXT, 1, EAX, 26, MUST_HIDE},
        {"PPIN", LEAF_EXT, 1, EBX, 0, MUST_HIDE, {MSR_PPIN_CTL}},
        {"MPX state (XCR0.BNDREGS)", LEAF_XSAVE, 0, EAX, 3, MUST_HIDE, {MSR_IA32_BNDCFGS}},
        {"MPX state (XCR0.BNDCSR)", LEAF_XSAVE, 0, EAX, 4, MUST_HIDE},
        {"XSAVES", LEAF_XSAVE, 1, EAX, 3, MUST_HIDE, {MSR_IA32_XSS}},
        {"XFD", LEAF_XSAVE, 1, EAX, 4, MUST_HIDE, {MSR_IA32_XFD}},
        {"SYSCALL", LEAF_EXT_1, 0, EDX, 11, MAY, {0}, check_syscall},
        {"NX", LEAF_EXT_1, 0, EDX, 20, MAY, {0}, check_nx},
        {"RDTSCP", LEAF_EXT_1, 0, EDX, 27, MAY, {0}, check_rdtscp},
        {"LM", LEAF_EXT_1, 0, EDX, 29, MAY, {0}, check_lm},
};

/*
 * The feature registers, with the features the platform may pass from the
 * host that have no MSRs (instructions, page-table and CR4 bits): any other
 * bit set there must be one of the features above.
 */
struct feature_reg {
	const char *name;
	uint32_t leaf, sub;
	uint8_t reg;
	uint32_t may;
};
static const struct feature_reg feature_regs[] = {
        /* FPU VME DE PSE MSR PAE CX8 PGE CMOV PSE36 CLFSH MMX FXSR SSE SSE2 SS HTT */
        {"1.EDX", LEAF_FEATURES, 0, EDX, 0x1f8aa16fu},
        /* SSE3 PCLMULQDQ SSSE3 FMA CX16 PCID SSE4.1 SSE4.2 MOVBE POPCNT AES XSAVE OSXSAVE AVX F16C RDRAND */
        {"1.ECX", LEAF_FEATURES, 0, ECX, 0x7eda3203u},
        {"6.EAX", LEAF_THERMAL, 0, EAX, 0},
        {"6.EBX", LEAF_THERMAL, 0, EBX, 0},
        {"6.ECX", LEAF_THERMAL, 0, ECX, 0},
        {"6.EDX", LEAF_THERMAL, 0, EDX, 0},
        /* FSGSBASE BMI1 HLE AVX2 FDP_EXCPTN_ONLY SMEP BMI2 ERMS INVPCID RTM ZERO_FCS_FDS AVX512F AVX512DQ RDSEED ADX
         * SMAP AVX512IFMA CLFLUSHOPT CLWB AVX512PF AVX512ER AVX512CD SHA AVX512BW AVX512VL */
        {"7.0.EBX", LEAF_EXT, 0, EBX, 0xfdbf2ff9u},
        /* PREFETCHWT1 AVX512VBMI UMIP PKU OSPKE AVX512_VBMI2 GFNI VAES VPCLMULQDQ AVX512_VNNI AVX512_BITALG
         * AVX512_VPOPCNTDQ LA57 CLDEMOTE MOVDIRI MOVDIR64B */
        {"7.0.ECX", LEAF_EXT, 0, ECX, 0x1a015f5fu},
        /* AVX512_4VNNIW AVX512_4FMAPS FSRM AVX512_VP2INTERSECT MD_CLEAR RTM_ALWAYS_ABORT SERIALIZE HYBRID TSXLDTRK
         * AMX_BF16 AVX512_FP16 AMX_TILE AMX_INT8 */
        {"7.0.EDX", LEAF_EXT, 0, EDX, 0x03c1cd1cu},
        /* AVX_VNNI AVX512_BF16 CMPCCXADD FZRM FSRS FSRC AVX_IFMA */
        {"7.1.EAX", LEAF_EXT, 1, EAX, 0x00801cb0u},
        {"7.1.EBX", LEAF_EXT, 1, EBX, 0},
        {"7.1.ECX", LEAF_EXT, 1, ECX, 0},
        {"7.1.EDX", LEAF_EXT, 1, EDX, 0},
        {"7.2.EDX", LEAF_EXT, 2, EDX, 0},
        /* the XCR0 bits: x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM PKRU TILECFG TILEDATA */
        {"0xd.0.EAX", LEAF_XSAVE, 0, EAX, 0x000602e7u},
        {"0xd.0.EDX", LEAF_XSAVE, 0, EDX, 0},
        /* XSAVEOPT XSAVEC XGETBV1 */
        {"0xd.1.EAX", LEAF_XSAVE, 1, EAX, 0x7u},
        {"0xd.1.ECX", LEAF_XSAVE, 1, ECX, 0}, /* the IA32_XSS bits */
        /* LAHF_LM LZCNT PREFETCHW */
        {"0x80000001.ECX", LEAF_EXT_1, 0, ECX, 0x121u},
        /* 1GB pages */
        {"0x80000001.EDX", LEAF_EXT_1, 0, EDX, 0x04000000u},
        /* invariant TSC */
        {"0x80000007.EDX", LEAF_EXT_POWER, 0, EDX, 0x100u},
};

/* The performance-monitoring MSRs: the PMU is hidden (leaf 0xa reads 0). */
static const uint32_t pmu_msrs[] = {MSR_ARCH_PERFMON_EVENTSEL0,
                                    MSR_IA32_PERFCTR0,
                                    MSR_IA32_PMC0,
                                    MSR_CORE_PERF_FIXED_CTR0,
                                    MSR_CORE_PERF_FIXED_CTR_CTRL,
                                    MSR_CORE_PERF_GLOBAL_STATUS,
                                    MSR_CORE_PERF_GLOBAL_CTRL,
                                    MSR_IA32_PERF_CAPABILITIES,
                                    MSR_IA32_PEBS_ENABLE,
                                    MSR_IA32_DS_AREA};

static uint32_t max_basic, max_ext;
static char what[96];

#define WHAT(...) (hv_snprintf(what, sizeof(what), __VA_ARGS__), what)

static uint32_t cpuid_reg(uint32_t leaf, uint32_t sub, unsigned reg)
{
	uint32_t r[4] = {0, 0, 0, 0};

	if (leaf <= (leaf & LEAF_EXT_BASE ? max_ext : max_basic))
		cpuid(leaf, sub, r);
	return r[reg];
}

static bool offered(const struct feature *f) { return (cpuid_reg(f->leaf, f->sub, f->reg) >> f->bit) & 1; }

static const struct feature *feature_named(const char *name)
{
	for (unsigned i = 0; i < ARRAY_LEN(features); i++)
		if (!hv_strcmp(features[i].name, name))
			return &features[i];
	return NULL;
}

static bool has(const char *name) { return offered(feature_named(name)); }

/* RDMSR that must work: a result line only when it faults. */
static uint64_t rd(uint32_t msr)
{
	uint64_t v = 0;
	int fault = rdmsr_safe(msr, &v);

	if (fault != GUEST_NO_FAULT)
		expect_fault(WHAT("rdmsr %#x", msr), fault, GUEST_NO_FAULT);
	return v;
}

/* Read, write val, read it back, put the old value back. */
static void roundtrip(const char *name, uint32_t msr, uint64_t val)
{
	uint64_t old = 0, back = 0;
	int fault = rdmsr_safe(msr, &old);

	if (fault == GUEST_NO_FAULT)
		fault = wrmsr_safe(msr, val);
	if (fault == GUEST_NO_FAULT)
		fault = rdmsr_safe(msr, &back);
	if (fault != GUEST_NO_FAULT)
		expect_fault(WHAT("%s: read, write %#llx, read back", name, (unsigned long long)val), fault,
		             GUEST_NO_FAULT);
	else
		expect_eq(WHAT("%s: reads back %#llx written", name, (unsigned long long)val), back, val);
	wrmsr_safe(msr, old);
}

/* Feature name is hidden: RDMSR and WRMSR of each of msrs[0..n) (0 ends) raise #GP; one result line. */
static void expect_gp(const char *name, const uint32_t *msrs, unsigned n)
{
	char line[96];
	uint64_t v;

	for (unsigned i = 0; i < n && msrs[i]; i++) {
		int fault = rdmsr_safe(msrs[i], &v);
		bool read = fault == X86_TRAP_GP;
		if (read)
			fault = wrmsr_safe(msrs[i], 0);
		if (fault != X86_TRAP_GP) {
			hv_snprintf(line, sizeof(line), "%s: %s %#x raises #GP", name, read ? "wrmsr" : "rdmsr",
			            msrs[i]);
			expect_fault(line, fault, X86_TRAP_GP);
			return;
		}
	}
	hv_snprintf(line, sizeof(line), "%s hidden: its MSRs raise #GP", name);
	expect_true(line, true);
}

/* The MSRs at start: reset values, whatever the last run left (SDM Vol. 3, Table 10-1; docs/guest-platform.md). */
static void check_reset_values(void)
{
	static const struct {
		const char *name, *feature; /* the feature that must be offered for the MSR to exist (NULL: always) */
		uint32_t msr;
		uint64_t reset;
	} msrs[] = {
	        {"IA32_SYSENTER_CS", "SEP", MSR_IA32_SYSENTER_CS, 0},
	        {"IA32_SYSENTER_ESP", "SEP", MSR_IA32_SYSENTER_ESP, 0},
	        {"IA32_SYSENTER_EIP", "SEP", MSR_IA32_SYSENTER_EIP, 0},
	        {"IA32_PAT", "PAT", MSR_IA32_PAT, PAT_RESET},
	        {"IA32_MTRR_DEF_TYPE", "MTRR", MSR_MTRR_DEF_TYPE, 0},
	        {"IA32_MISC_ENABLE", NULL, MSR_IA32_MISC_ENABLE, MISC_RESET},
	        {"IA32_TSC_ADJUST", "TSC_ADJUST", MSR_IA32_TSC_ADJUST, 0},
	        {"IA32_TSC_DEADLINE", "TSC-deadline", MSR_IA32_TSC_DEADLINE, 0},
	        {"IA32_APIC_BASE", "APIC", MSR_IA32_APICBASE, GUEST_LAPIC_BASE | APICBASE_ENABLE | APICBASE_BSP},
	        {"IA32_EFER", "LM", MSR_EFER, 0},
	        {"IA32_STAR", "SYSCALL", MSR_STAR, 0},
	        {"IA32_LSTAR", "SYSCALL", MSR_LSTAR, 0},
	        {"IA32_CSTAR", "SYSCALL", MSR_CSTAR, 0},
	        {"IA32_FMASK", "SYSCALL", MSR_SYSCALL_MASK, 0},
	        {"IA32_FS_BASE", "LM", MSR_FS_BASE, 0},
	        {"IA32_GS_BASE", "LM", MSR_GS_BASE, 0},
	        {"IA32_KERNEL_GS_BASE", "LM", MSR_KERNEL_GS_BASE, 0},
	        {"IA32_TSC_AUX", "RDTSCP", MSR_TSC_AUX, 0},
	};
	uint64_t v;

	guest_printf("# MSRs at start\n");
	for (unsigned i = 0; i < ARRAY_LEN(msrs); i++) {
		if (msrs[i].feature && !has(msrs[i].feature)) {
			guest_printf("# %s: %s not offered\n", msrs[i].name, msrs[i].feature);
			continue;
		}
		expect_eq(WHAT("%s at start is its reset value", msrs[i].name), rd(msrs[i].msr), msrs[i].reset);
	}
	v = rdtsc();
	guest_printf("# TSC at start: %#llx\n", (unsigned long long)v);
	expect_true("TSC at start: not what the last run wrote (the TSC offset was reset)", v < TSC_AFTER_RESET);
}

static void read_max_leaves(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	max_basic = r[0];
	cpuid(LEAF_EXT_BASE, 0, r);
	max_ext = r[0];
	guest_printf("# CPUID: highest leaves %#x and %#x\n", max_basic, max_ext);
}

/* Every offered bit is one the platform may offer; each promise holds; each feature's MSRs work or #GP. */
static void check_cpuid(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(feature_regs); i++) {
		const struct feature_reg *fr = &feature_regs[i];
		uint32_t v = cpuid_reg(fr->leaf, fr->sub, fr->reg), known = fr->may;
		for (unsigned j = 0; j < ARRAY_LEN(features); j++)
			if (features[j].leaf == fr->leaf && features[j].sub == fr->sub && features[j].reg == fr->reg &&
			    features[j].want != MUST_HIDE)
				known |= BIT(features[j].bit);
		guest_printf("# CPUID %s = %#x\n", fr->name, v);
		expect_eq(WHAT("CPUID %s: no bit this platform does not promise", fr->name), v & ~known, 0);
	}
	for (unsigned i = 0; i < ARRAY_LEN(features); i++) {
		const struct feature *f = &features[i];
		if (f->want == MUST_OFFER)
			expect_true(WHAT("%s offered", f->name), offered(f));
		if (f->want == MUST_HIDE && (offered(f) || !f->gp_msrs[0]))
			expect_true(WHAT("%s hidden", f->name), !offered(f));
		else if (f->want == MUST_HIDE)
			expect_gp(f->name, f->gp_msrs, ARRAY_LEN(f->gp_msrs)); /* not offered: one line for both */
		if (f->check && offered(f)) {
			guest_printf("# %s offered: its MSRs\n", f->name);
			f->check();
		} else if (f->check) {
			guest_printf("# %s not offered here\n", f->name);
		}
	}
}

/* The PMU: leaf 0xa and the extended leaf 0x23 read 0, PDCM is clear, and every counter MSR raises #GP. */
static void check_pmu_hidden(void)
{
	static const uint32_t leaves[] = {LEAF_PERFMON, LEAF_PERFMON_EXT};

	for (unsigned i = 0; i < ARRAY_LEN(leaves); i++)
		for (unsigned reg = EAX; reg <= EDX; reg++)
			expect_eq(WHAT("CPUID %#x: register %u reads 0", leaves[i], reg), cpuid_reg(leaves[i], 0, reg),
			          0);
	expect_gp("PMU", pmu_msrs, ARRAY_LEN(pmu_msrs));
	expect_eq("IA32_MISC_ENABLE: no performance monitoring, no BTS, no PEBS",
	          rd(MSR_IA32_MISC_ENABLE) & (MISC_EMON | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL),
	          MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL);
}

/* OSXSAVE follows CR4.OSXSAVE, OSPKE CR4.PKE: both clear here, where the guest set neither. */
static void check_os_bits(void)
{
	expect_eq("CR4.OSXSAVE and CR4.PKE clear", read_cr4() & (CR4_OSXSAVE | CR4_PKE), 0);
	expect_eq("CPUID.1:ECX.OSXSAVE follows CR4 (clear)", cpuid_reg(LEAF_FEATURES, 0, ECX) & L1_ECX_OSXSAVE, 0);
	expect_eq("CPUID.7:ECX.OSPKE follows CR4 (clear)", cpuid_reg(LEAF_EXT, 0, ECX) & L7_ECX_OSPKE, 0);
}

static void check_tsc(void)
{
	uint64_t t0, m, t1;

	t0 = rdtsc();
	m = rd(MSR_IA32_TSC);
	t1 = rdtsc();
	expect_true("RDMSR IA32_TSC lies between two RDTSCs", t0 <= m && m <= t1);
	expect_fault("wrmsr IA32_TSC far ahead", wrmsr_safe(MSR_IA32_TSC, TSC_AHEAD), GUEST_NO_FAULT);
	t0 = rdtsc();
	m = rd(MSR_IA32_TSC);
	expect_true("RDTSC after WRMSR IA32_TSC: the value written, and on",
	            t0 >= TSC_AHEAD && t0 - TSC_AHEAD < TSC_BOUND);
	expect_true("RDMSR IA32_TSC after it: the same clock", m >= t0 && m - t0 < TSC_BOUND);
	expect_fault("wrmsr IA32_TSC far behind", wrmsr_safe(MSR_IA32_TSC, TSC_BEHIND), GUEST_NO_FAULT);
	t0 = rdtsc();
	expect_true("RDTSC after WRMSR IA32_TSC backwards", t0 >= TSC_BEHIND && t0 - TSC_BEHIND < TSC_BOUND);
}

static void check_apic_base(void)
{
	uint64_t v = rd(MSR_IA32_APICBASE);

	expect_fault("IA32_APIC_BASE: writing back the value read", wrmsr_safe(MSR_IA32_APICBASE, v), GUEST_NO_FAULT);
	expect_eq("IA32_APIC_BASE unchanged", rd(MSR_IA32_APICBASE), v);
}

static void check_sysenter(void)
{
	roundtrip("IA32_SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x08);
	roundtrip("IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0x00123450);
	roundtrip("IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x00123460);
}

/* No variable or fixed ranges (MTRRCAP 0); the default type is the guest's, EPT decides the real one. */
static void check_mtrr(void)
{
	uint64_t v;

	expect_eq("IA32_MTRRCAP: no variable ranges, no fixed ranges, no WC", rd(MSR_MTRRCAP), 0);
	expect_fault("IA32_MTRRCAP is read-only", wrmsr_safe(MSR_MTRRCAP, 0), X86_TRAP_GP);
	roundtrip("IA32_MTRR_DEF_TYPE", MSR_MTRR_DEF_TYPE, MTRR_DEF_E | MTRR_TYPE_WB);
	expect_fault("IA32_MTRR_DEF_TYPE: reserved type 7 raises #GP",
	             wrmsr_safe(MSR_MTRR_DEF_TYPE, MTRR_DEF_E | MTRR_TYPE_RESERVED), X86_TRAP_GP);
	expect_fault("IA32_MTRR_DEF_TYPE: FE without fixed ranges raises #GP",
	             wrmsr_safe(MSR_MTRR_DEF_TYPE, MTRR_DEF_E | MTRR_DEF_FE | MTRR_TYPE_WB), X86_TRAP_GP);
	expect_fault("IA32_MTRR_PHYSBASE0 (VCNT 0) raises #GP", rdmsr_safe(MSR_MTRR_PHYSBASE0, &v), X86_TRAP_GP);
	expect_fault("IA32_MTRR_FIX64K_00000 (FIX 0) raises #GP", rdmsr_safe(MSR_MTRRFIX64K_00000, &v), X86_TRAP_GP);
}

static void check_pat(void)
{
	roundtrip("IA32_PAT", MSR_IA32_PAT, PAT_TEST);
	expect_fault("IA32_PAT: a reserved memory type raises #GP", wrmsr_safe(MSR_IA32_PAT, PAT_BAD), X86_TRAP_GP);
}

/* IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2): write-back works, fast strings is the guest's, reserved bits #GP. */
static void check_misc_enable(void)
{
	static const struct {
		const char *name;
		uint64_t bit;
	} reserved[] = {{"ENABLE MONITOR FSM", MISC_MWAIT},
	                {"Limit CPUID Maxval", MISC_LIMIT_CPUID},
	                {"XD Bit Disable", MISC_XD_DISABLE}};
	uint64_t v = rd(MSR_IA32_MISC_ENABLE);

	expect_fault("IA32_MISC_ENABLE: writing back the value read", wrmsr_safe(MSR_IA32_MISC_ENABLE, v),
	             GUEST_NO_FAULT);
	roundtrip("IA32_MISC_ENABLE (fast strings off)", MSR_IA32_MISC_ENABLE, v & ~MISC_FAST_STRING);
	expect_fault("IA32_MISC_ENABLE: a write to a read-only bit", wrmsr_safe(MSR_IA32_MISC_ENABLE, v | MISC_EMON),
	             GUEST_NO_FAULT);
	expect_eq("IA32_MISC_ENABLE: read-only bits keep their value", rd(MSR_IA32_MISC_ENABLE), v);
	for (unsigned i = 0; i < ARRAY_LEN(reserved); i++)
		expect_fault(WHAT("IA32_MISC_ENABLE: setting %s raises #GP", reserved[i].name),
		             wrmsr_safe(MSR_IA32_MISC_ENABLE, v | reserved[i].bit), X86_TRAP_GP);
	expect_eq("IA32_MISC_ENABLE unchanged by the refused writes", rd(MSR_IA32_MISC_ENABLE), v);
	expect_eq("IA32_FEATURE_CONTROL: locked, VMX off", rd(MSR_IA32_FEATURE_CONTROL), FEATURE_CONTROL_LOCKED);
	/* The microcode revision as Linux reads it at boot: WRMSR 0, CPUID leaf 1, RDMSR (SDM Vol. 3, 11.11.7.1). */
	uint32_t r[4];
	expect_fault("IA32_BIOS_SIGN_ID: writing 0", wrmsr_safe(MSR_IA32_BIOS_SIGN_ID, 0), GUEST_NO_FAULT);
	cpuid(1, 0, r);
	expect_eq("IA32_BIOS_SIGN_ID: revision 0, no update loaded", rd(MSR_IA32_BIOS_SIGN_ID), 0);
}

/*
 * WRMSR IA32_TSC moves TSC_ADJUST by as much; WRMSR IA32_TSC_ADJUST moves the
 * TSC by its change (SDM Vol. 3, 17.17.3).
 */
static void check_tsc_adjust(void)
{
	uint64_t a0 = rd(MSR_IA32_TSC_ADJUST), t0 = rdtsc(), a1, t1, t2;

	wrmsr_safe(MSR_IA32_TSC, t0 + ADJUST_STEP);
	a1 = rd(MSR_IA32_TSC_ADJUST);
	expect_true("IA32_TSC_ADJUST follows a WRMSR IA32_TSC",
	            a1 - a0 <= ADJUST_STEP && a1 - a0 > ADJUST_STEP - TSC_BOUND);
	t0 = rdtsc();
	expect_fault("wrmsr IA32_TSC_ADJUST", wrmsr_safe(MSR_IA32_TSC_ADJUST, a1 + ADJUST_STEP), GUEST_NO_FAULT);
	t1 = rdtsc();
	expect_eq("IA32_TSC_ADJUST reads back", rd(MSR_IA32_TSC_ADJUST), a1 + ADJUST_STEP);
	expect_true("the TSC moves by the TSC_ADJUST change",
	            t1 - t0 >= ADJUST_STEP && t1 - t0 < ADJUST_STEP + TSC_BOUND);
	wrmsr_safe(MSR_IA32_TSC_ADJUST, a1);
	t2 = rdtsc();
	expect_true("and back", t1 - t2 <= ADJUST_STEP && t1 - t2 > ADJUST_STEP - TSC_BOUND);
}

static struct {
	volatile uint32_t n;
	volatile uint64_t tsc;
} fired;

static void timer_handler(uint8_t vector)
{
	(void)vector;
	fired.tsc = rdtsc();
	fired.n++;
	apic_eoi();
}

/*
 * IA32_TSC_DEADLINE holds guest TSC values: with the guest's TSC far ahead of
 * the host's and far behind it, a deadline reads back as written, fires, and
 * never before the guest's TSC reaches it.
 */
static void check_tsc_deadline(void)
{
	static const struct {
		const char *name;
		uint64_t tsc;
	} clocks[] = {{"ahead of the host's", TSC_AHEAD}, {"behind the host's", TSC_BEHIND}};

	apic_suite_setup();
	irq_set_handler(VEC_TIMER, timer_handler);
	apic_write(APIC_REG_LVT_TIMER, VEC_TIMER | APIC_LVT_TIMER_TSC_DEADLINE);
	__asm__ volatile("mfence" ::: "memory"); /* the LVT write before the MSR write (SDM Vol. 3, 11.5.4.1) */
	for (unsigned i = 0; i < ARRAY_LEN(clocks); i++) {
		uint64_t deadline, v = 0;
		fired.n = 0;
		wrmsr_safe(MSR_IA32_TSC, clocks[i].tsc);
		deadline = rdtsc() + DEADLINE_TICKS;
		expect_fault(WHAT("TSC %s: wrmsr IA32_TSC_DEADLINE", clocks[i].name),
		             wrmsr_safe(MSR_IA32_TSC_DEADLINE, deadline), GUEST_NO_FAULT);
		rdmsr_safe(MSR_IA32_TSC_DEADLINE, &v);
		expect_eq(WHAT("TSC %s: IA32_TSC_DEADLINE reads back the guest's value", clocks[i].name), v, deadline);
		sti();
		irq_wait(0, VEC_TIMER, i + 1, 64 * DEADLINE_TICKS); /* the library counts them all */
		cli();
		expect_eq(WHAT("TSC %s: the deadline fired once", clocks[i].name), fired.n, 1);
		expect_true(WHAT("TSC %s: not before the deadline", clocks[i].name), fired.tsc >= deadline);
		rdmsr_safe(MSR_IA32_TSC_DEADLINE, &v);
		expect_eq(WHAT("TSC %s: IA32_TSC_DEADLINE reads 0 after firing", clocks[i].name), v, 0);
	}
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
}

static void check_syscall(void)
{
	roundtrip("IA32_STAR", MSR_STAR, 0x0023001000000000ull);
	roundtrip("IA32_LSTAR", MSR_LSTAR, 0xffffffff81000000ull);
	roundtrip("IA32_CSTAR", MSR_CSTAR, 0xffffffff81000040ull);
	roundtrip("IA32_FMASK", MSR_SYSCALL_MASK, 0x47700);
	roundtrip("IA32_EFER.SCE", MSR_EFER, EFER_SCE);
}

static void check_nx(void) { roundtrip("IA32_EFER.NXE", MSR_EFER, EFER_NX); }

static void check_lm(void)
{
	roundtrip("IA32_EFER.LME", MSR_EFER, EFER_LME);
	roundtrip("IA32_FS_BASE", MSR_FS_BASE, 0x1000);
	roundtrip("IA32_GS_BASE", MSR_GS_BASE, 0x2000);
	roundtrip("IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0xffff888000000000ull);
}

static void check_rdtscp(void)
{
	uint32_t lo, hi, aux;
	uint64_t t0, t1;

	roundtrip("IA32_TSC_AUX", MSR_TSC_AUX, 0x5a);
	wrmsr_safe(MSR_TSC_AUX, 0x17);
	t0 = rdtsc();
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	t1 = (uint64_t)hi << 32 | lo;
	expect_eq("RDTSCP: ECX is IA32_TSC_AUX", aux, 0x17);
	expect_true("RDTSCP: the same clock as RDTSC (offset included)", t1 >= t0 && t1 - t0 < TSC_BOUND);
	wrmsr_safe(MSR_TSC_AUX, 0);
}

static void check_rdpid(void)
{
	uint32_t id;

	wrmsr_safe(MSR_TSC_AUX, 0x29);
	__asm__ volatile("rdpid %0" : "=r"(id));
	expect_eq("RDPID: IA32_TSC_AUX", id, 0x29);
	wrmsr_safe(MSR_TSC_AUX, 0);
}

/* The x2APIC registers exist in x2APIC mode only (SDM Vol. 3, 11.12.1.2). Last: the APIC stays in x2APIC mode. */
static void check_x2apic(void)
{
	uint64_t v, version = apic_read(APIC_REG_VERSION);

	expect_fault("x2APIC ID MSR in xAPIC mode raises #GP", rdmsr_safe(MSR_X2APIC_ID, &v), X86_TRAP_GP);
	if (!expect_fault("enter x2APIC mode", wrmsr_safe(MSR_IA32_APICBASE, rd(MSR_IA32_APICBASE) | APIC_BASE_EXTD),
	                  GUEST_NO_FAULT))
		return;
	apic_use(GUEST_APIC_X2APIC, GUEST_LAPIC_BASE);
	expect_eq("x2APIC ID MSR: vCPU 0", rd(MSR_X2APIC_ID), 0);
	expect_eq("x2APIC version MSR: the xAPIC version register's value", rd(MSR_X2APIC_VERSION), version);
}

/* Leave every MSR unlike its reset value: the next start must not see any of it. */
static void dirty_msrs(void)
{
	static const struct {
		const char *feature;
		uint32_t msr;
		uint64_t val;
	} dirty[] = {
	        {"SEP", MSR_IA32_SYSENTER_CS, 0x10},
	        {"SEP", MSR_IA32_SYSENTER_ESP, 0x1000},
	        {"SEP", MSR_IA32_SYSENTER_EIP, 0x2000},
	        {"PAT", MSR_IA32_PAT, PAT_TEST},
	        {"MTRR", MSR_MTRR_DEF_TYPE, MTRR_DEF_E | MTRR_TYPE_WB},
	        {NULL, MSR_IA32_MISC_ENABLE, MISC_RESET & ~MISC_FAST_STRING},
	        {"SYSCALL", MSR_STAR, 0x0023001000000000ull},
	        {"SYSCALL", MSR_LSTAR, 0xffffffff81000000ull},
	        {"SYSCALL", MSR_CSTAR, 0xffffffff81000040ull},
	        {"SYSCALL", MSR_SYSCALL_MASK, 0x47700},
	        {"LM", MSR_EFER, EFER_SCE},
	        {"LM", MSR_KERNEL_GS_BASE, 0xffff888000000000ull},
	        {"RDTSCP", MSR_TSC_AUX, 0x5a},
	        {"TSC", MSR_IA32_TSC, TSC_DIRTY},
	        {"TSC_ADJUST", MSR_IA32_TSC_ADJUST, 0x1234},
	        {"LM", MSR_FS_BASE, 0x1000},
	        {"LM", MSR_GS_BASE, 0x2000},
	};
	unsigned n = 0;

	for (unsigned i = 0; i < ARRAY_LEN(dirty); i++)
		if ((!dirty[i].feature || has(dirty[i].feature)) &&
		    wrmsr_safe(dirty[i].msr, dirty[i].val) == GUEST_NO_FAULT)
			n++;
	guest_printf("# left %u MSRs dirty for the next start\n", n);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("cpuid_msr", "CPUID and the MSRs behind it", mbi);
	read_max_leaves();
	check_reset_values();
	check_cpuid();
	check_pmu_hidden();
	check_os_bits();
	check_misc_enable();
	if (has("x2APIC"))
		check_x2apic();
	dirty_msrs();
	guest_finish();
}
