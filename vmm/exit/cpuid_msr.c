/* cpuid_msr.c: the CPUID feature bits a guest may see, the MSRs each implies, and the MSRs a guest may reach. */
#include "vmm/exit/cpuid_msr.h"

#include "vmm/lib/array.h"
#include "vmm/lib/string.h"

#define ANY CPUID_ANY_SUBLEAF
#define BIT(n) (1u << (n))
#define CPUID_LEAF_FEATURES 0x1u
#define CPUID_LEAF_MONITOR 0x5u
#define CPUID_LEAF_THERMAL 0x6u
#define CPUID_LEAF_EXT_FEATURES 0x7u
#define CPUID_LEAF_PERFMON 0xau
#define CPUID_LEAF_TOPOLOGY 0xbu
#define CPUID_LEAF_XSAVE 0xdu
#define XSAVE_LEGACY_AND_HEADER 576u /* the legacy region (512) and the XSAVE header (64): SDM Vol. 1, 13.4 */
#define XSAVE_FIRST_EXTENDED 2u      /* components 0 and 1 live in the legacy region */
#define XSAVE_ECX_ALIGN64 (1u << 1)  /* leaf 0xD.i ECX: aligned to 64 bytes when compacted */
#define CPUID_LEAF_RDT_MONITORING 0xfu
#define CPUID_LEAF_RDT_ALLOCATION 0x10u
#define CPUID_LEAF_SGX 0x12u
#define CPUID_LEAF_PT 0x14u
#define CPUID_LEAF_KEY_LOCKER 0x19u
#define CPUID_LEAF_PCONFIG 0x1bu
#define CPUID_LEAF_ARCH_LBR 0x1cu
#define CPUID_LEAF_TOPOLOGY_V2 0x1fu
#define CPUID_LEAF_HRESET 0x20u
#define CPUID_LEAF_PERFMON_EXT 0x23u
#define CPUID_LEAF_HV_BASE 0x40000000u
#define CPUID_LEAF_HV_FEATURES 0x40000001u
#define CPUID_LEAF_HV_LAST 0x4fffffffu /* "no existing or future CPU" answers in 0x40000000-0x4fffffff (CPUID) */
#define CPUID_LEAF_EXT_BASE 0x80000000u
#define CPUID_LEAF_EXT_FEATURES_1 0x80000001u
#define CPUID_LEAF_EXT_POWER 0x80000007u
#define CPUID_7_MAX_SUBLEAF 2u /* the leaf-7 subleaves the table knows; later ones read 0 */
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_EDX_APIC BIT(9)
#define CPUID_1_EBX_APIC_ID_SHIFT 24
#define CPUID_1_EBX_APIC_ID_MASK (0xffu << CPUID_1_EBX_APIC_ID_SHIFT)
#define CPUID_7_ECX_OSPKE BIT(4)
#define HV_CPUID_INTERFACE 1
#define IA32_PAT_RESET 0x0007040600070406ull /* SDM Vol. 3, 13.12.4 */
#define MTRR_TYPE_UC 0u                      /* memory types an MTRR may hold (SDM Vol. 3, Table 13-8) */
#define MTRR_TYPE_WC 1u
#define MTRR_TYPE_WT 4u
#define MTRR_TYPE_WP 5u
#define MTRR_TYPE_WB 6u

static const char hv_signature[12] = "apicvisor\0\0";

/*
 * Every feature bit the guest may see, and the ones it may not whose MSRs a
 * guest could try (SDM Vol. 2A, CPUID, Tables 3-8 to 3-10; Vol. 4, Table 2-2
 * for the MSRs). In the feature registers below a bit no row offers reads 0:
 * a new feature of a newer CPU stays hidden until a row says it works.
 * Hidden as a class: the PMU and its relatives (architectural perfmon, PDCM,
 * DS/PEBS/BTS, arch LBR, PT) because the hypervisor virtualizes no counters;
 * thermal and power management, machine checks, SMX and VMX (GETSEC and VMX
 * instructions exit to nothing); speculation-control MSRs (not virtualized:
 * the guest sees a CPU without them); features whose VMX control is not set
 * (XSAVES, WAITPKG, PCONFIG, ENQCMD, UINTR) or whose state VM entry and exit
 * do not switch (MPX, CET, PKS, LAM).
 */
/* clang-format off */
const struct cpuid_feature cpuid_features[] = {
	/* leaf 1 EDX */
	{"FPU",          1, ANY, CPUID_EDX, BIT(0),  OFFER_HOST},
	{"VME",          1, ANY, CPUID_EDX, BIT(1),  OFFER_HOST},
	{"DE",           1, ANY, CPUID_EDX, BIT(2),  OFFER_HOST},
	{"PSE",          1, ANY, CPUID_EDX, BIT(3),  OFFER_HOST},
	{"TSC",          1, ANY, CPUID_EDX, BIT(4),  OFFER_HOST, {MSR_IA32_TSC}},
	{"MSR",          1, ANY, CPUID_EDX, BIT(5),  OFFER_HOST},
	{"PAE",          1, ANY, CPUID_EDX, BIT(6),  OFFER_HOST},
	{"MCE",          1, ANY, CPUID_EDX, BIT(7),  OFFER_NEVER, {MSR_IA32_P5_MC_TYPE}},
	{"CX8",          1, ANY, CPUID_EDX, BIT(8),  OFFER_HOST},
	{"APIC",         1, ANY, CPUID_EDX, BIT(9),  OFFER_ALWAYS, {MSR_IA32_APICBASE}}, /* follows IA32_APIC_BASE.EN */
	{"SEP",          1, ANY, CPUID_EDX, BIT(11), OFFER_HOST,
	 {MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP}},
	{"MTRR",         1, ANY, CPUID_EDX, BIT(12), OFFER_HOST, {MSR_IA32_MTRRCAP, MSR_IA32_MTRR_DEF_TYPE}},
	{"PGE",          1, ANY, CPUID_EDX, BIT(13), OFFER_HOST},
	{"MCA",          1, ANY, CPUID_EDX, BIT(14), OFFER_NEVER,
	 {MSR_IA32_MCG_CAP, MSR_IA32_MCG_STATUS, MSR_IA32_MC0_CTL}},
	{"CMOV",         1, ANY, CPUID_EDX, BIT(15), OFFER_HOST},
	{"PAT",          1, ANY, CPUID_EDX, BIT(16), OFFER_HOST, {MSR_IA32_PAT}},
	{"PSE36",        1, ANY, CPUID_EDX, BIT(17), OFFER_HOST},
	{"PSN",          1, ANY, CPUID_EDX, BIT(18), OFFER_NEVER},
	{"CLFSH",        1, ANY, CPUID_EDX, BIT(19), OFFER_HOST},
	{"DS",           1, ANY, CPUID_EDX, BIT(21), OFFER_NEVER, {MSR_IA32_DS_AREA, MSR_IA32_PEBS_ENABLE}},
	{"ACPI",         1, ANY, CPUID_EDX, BIT(22), OFFER_NEVER, {MSR_IA32_THERM_CONTROL}},
	{"MMX",          1, ANY, CPUID_EDX, BIT(23), OFFER_HOST},
	{"FXSR",         1, ANY, CPUID_EDX, BIT(24), OFFER_HOST},
	{"SSE",          1, ANY, CPUID_EDX, BIT(25), OFFER_HOST},
	{"SSE2",         1, ANY, CPUID_EDX, BIT(26), OFFER_HOST},
	{"SS",           1, ANY, CPUID_EDX, BIT(27), OFFER_HOST},
	{"HTT",          1, ANY, CPUID_EDX, BIT(28), OFFER_HOST},
	{"TM",           1, ANY, CPUID_EDX, BIT(29), OFFER_NEVER, {MSR_IA32_THERM_INTERRUPT, MSR_IA32_THERM_STATUS}},
	{"PBE",          1, ANY, CPUID_EDX, BIT(31), OFFER_NEVER},
	/* leaf 1 ECX */
	{"SSE3",         1, ANY, CPUID_ECX, BIT(0),  OFFER_HOST},
	{"PCLMULQDQ",    1, ANY, CPUID_ECX, BIT(1),  OFFER_HOST},
	{"DTES64",       1, ANY, CPUID_ECX, BIT(2),  OFFER_NEVER, {MSR_IA32_DS_AREA}},
	{"MONITOR",      1, ANY, CPUID_ECX, BIT(3),  OFFER_NEVER, {MSR_IA32_MONITOR_FILTER_SIZE}},
	{"DS_CPL",       1, ANY, CPUID_ECX, BIT(4),  OFFER_NEVER, {MSR_IA32_DS_AREA}},
	{"VMX",          1, ANY, CPUID_ECX, BIT(5),  OFFER_NEVER, {MSR_IA32_VMX_BASIC, MSR_IA32_VMX_PINBASED_CTLS}},
	{"SMX",          1, ANY, CPUID_ECX, BIT(6),  OFFER_NEVER},
	{"EIST",         1, ANY, CPUID_ECX, BIT(7),  OFFER_NEVER, {MSR_IA32_PERF_STATUS, MSR_IA32_PERF_CTL}},
	{"TM2",          1, ANY, CPUID_ECX, BIT(8),  OFFER_NEVER},
	{"SSSE3",        1, ANY, CPUID_ECX, BIT(9),  OFFER_HOST},
	{"CNXT_ID",      1, ANY, CPUID_ECX, BIT(10), OFFER_NEVER},
	{"SDBG",         1, ANY, CPUID_ECX, BIT(11), OFFER_NEVER, {MSR_IA32_DEBUG_INTERFACE}},
	{"FMA",          1, ANY, CPUID_ECX, BIT(12), OFFER_HOST},
	{"CX16",         1, ANY, CPUID_ECX, BIT(13), OFFER_HOST},
	{"XTPR",         1, ANY, CPUID_ECX, BIT(14), OFFER_NEVER},
	{"PDCM",         1, ANY, CPUID_ECX, BIT(15), OFFER_NEVER, {MSR_IA32_PERF_CAPABILITIES}},
	{"PCID",         1, ANY, CPUID_ECX, BIT(17), OFFER_HOST},
	{"DCA",          1, ANY, CPUID_ECX, BIT(18), OFFER_NEVER, {MSR_IA32_PLATFORM_DCA_CAP}},
	{"SSE4_1",       1, ANY, CPUID_ECX, BIT(19), OFFER_HOST},
	{"SSE4_2",       1, ANY, CPUID_ECX, BIT(20), OFFER_HOST},
	{"X2APIC",       1, ANY, CPUID_ECX, BIT(21), OFFER_ALWAYS,
	 {APIC_X2APIC_MSR(APIC_REG_ID), APIC_X2APIC_MSR(APIC_REG_VERSION)}},
	{"MOVBE",        1, ANY, CPUID_ECX, BIT(22), OFFER_HOST},
	{"POPCNT",       1, ANY, CPUID_ECX, BIT(23), OFFER_HOST},
	{"TSC_DEADLINE", 1, ANY, CPUID_ECX, BIT(24), OFFER_ALWAYS, {MSR_IA32_TSC_DEADLINE}},
	{"AES",          1, ANY, CPUID_ECX, BIT(25), OFFER_HOST},
	{"XSAVE",        1, ANY, CPUID_ECX, BIT(26), OFFER_HOST},
	{"OSXSAVE",      1, ANY, CPUID_ECX, BIT(27), OFFER_HOST}, /* follows the guest's CR4.OSXSAVE */
	{"AVX",          1, ANY, CPUID_ECX, BIT(28), OFFER_HOST},
	{"F16C",         1, ANY, CPUID_ECX, BIT(29), OFFER_HOST},
	{"RDRAND",       1, ANY, CPUID_ECX, BIT(30), OFFER_HOST},
	{"HYPERVISOR",   1, ANY, CPUID_ECX, BIT(31), OFFER_ALWAYS},
	/* leaf 6: thermal and power management, hidden; the virtual APIC timer runs in every state */
	{"DTHERM",       6, ANY, CPUID_EAX, BIT(0),  OFFER_NEVER, {MSR_IA32_THERM_STATUS}},
	{"TURBO",        6, ANY, CPUID_EAX, BIT(1),  OFFER_NEVER},
	{"ARAT",         6, ANY, CPUID_EAX, BIT(2),  OFFER_ALWAYS},
	{"PLN",          6, ANY, CPUID_EAX, BIT(4),  OFFER_NEVER},
	{"ECMD",         6, ANY, CPUID_EAX, BIT(5),  OFFER_NEVER, {MSR_IA32_THERM_CONTROL}},
	{"PTS",          6, ANY, CPUID_EAX, BIT(6),  OFFER_NEVER,
	 {MSR_IA32_PACKAGE_THERM_STATUS, MSR_IA32_PACKAGE_THERM_INTERRUPT}},
	{"HWP",          6, ANY, CPUID_EAX, BIT(7),  OFFER_NEVER, {MSR_PM_ENABLE, MSR_HWP_CAPABILITIES}},
	{"APERFMPERF",   6, ANY, CPUID_ECX, BIT(0),  OFFER_NEVER, {MSR_IA32_MPERF, MSR_IA32_APERF}},
	{"EPB",          6, ANY, CPUID_ECX, BIT(3),  OFFER_NEVER, {MSR_IA32_ENERGY_PERF_BIAS}},
	/* leaf 7 subleaf 0 EBX */
	{"FSGSBASE",     7, 0, CPUID_EBX, BIT(0),  OFFER_HOST},
	{"TSC_ADJUST",   7, 0, CPUID_EBX, BIT(1),  OFFER_ALWAYS, {MSR_IA32_TSC_ADJUST}}, /* vmm/partition/vtsc.h */
	{"SGX",          7, 0, CPUID_EBX, BIT(2),  OFFER_NEVER},
	{"BMI1",         7, 0, CPUID_EBX, BIT(3),  OFFER_HOST},
	{"HLE",          7, 0, CPUID_EBX, BIT(4),  OFFER_HOST},
	{"AVX2",         7, 0, CPUID_EBX, BIT(5),  OFFER_HOST},
	{"FDP_EXCPTN_ONLY", 7, 0, CPUID_EBX, BIT(6), OFFER_HOST},
	{"SMEP",         7, 0, CPUID_EBX, BIT(7),  OFFER_HOST},
	{"BMI2",         7, 0, CPUID_EBX, BIT(8),  OFFER_HOST},
	{"ERMS",         7, 0, CPUID_EBX, BIT(9),  OFFER_HOST},
	{"INVPCID",      7, 0, CPUID_EBX, BIT(10), OFFER_INVPCID_CTL},
	{"RTM",          7, 0, CPUID_EBX, BIT(11), OFFER_HOST},
	{"RDT_M",        7, 0, CPUID_EBX, BIT(12), OFFER_NEVER, {MSR_IA32_QM_EVTSEL, MSR_IA32_PQR_ASSOC}},
	{"ZERO_FCS_FDS", 7, 0, CPUID_EBX, BIT(13), OFFER_HOST},
	{"MPX",          7, 0, CPUID_EBX, BIT(14), OFFER_NEVER, {MSR_IA32_BNDCFGS}},
	{"RDT_A",        7, 0, CPUID_EBX, BIT(15), OFFER_NEVER, {MSR_IA32_PQR_ASSOC, MSR_IA32_L3_CBM_BASE}},
	{"AVX512F",      7, 0, CPUID_EBX, BIT(16), OFFER_HOST},
	{"AVX512DQ",     7, 0, CPUID_EBX, BIT(17), OFFER_HOST},
	{"RDSEED",       7, 0, CPUID_EBX, BIT(18), OFFER_HOST},
	{"ADX",          7, 0, CPUID_EBX, BIT(19), OFFER_HOST},
	{"SMAP",         7, 0, CPUID_EBX, BIT(20), OFFER_HOST},
	{"AVX512IFMA",   7, 0, CPUID_EBX, BIT(21), OFFER_HOST},
	{"CLFLUSHOPT",   7, 0, CPUID_EBX, BIT(23), OFFER_HOST},
	{"CLWB",         7, 0, CPUID_EBX, BIT(24), OFFER_HOST},
	{"INTEL_PT",     7, 0, CPUID_EBX, BIT(25), OFFER_NEVER, {MSR_IA32_RTIT_CTL, MSR_IA32_RTIT_STATUS}},
	{"AVX512PF",     7, 0, CPUID_EBX, BIT(26), OFFER_HOST},
	{"AVX512ER",     7, 0, CPUID_EBX, BIT(27), OFFER_HOST},
	{"AVX512CD",     7, 0, CPUID_EBX, BIT(28), OFFER_HOST},
	{"SHA",          7, 0, CPUID_EBX, BIT(29), OFFER_HOST},
	{"AVX512BW",     7, 0, CPUID_EBX, BIT(30), OFFER_HOST},
	{"AVX512VL",     7, 0, CPUID_EBX, BIT(31), OFFER_HOST},
	/* leaf 7 subleaf 0 ECX */
	{"PREFETCHWT1",  7, 0, CPUID_ECX, BIT(0),  OFFER_HOST},
	{"AVX512VBMI",   7, 0, CPUID_ECX, BIT(1),  OFFER_HOST},
	{"UMIP",         7, 0, CPUID_ECX, BIT(2),  OFFER_HOST},
	{"PKU",          7, 0, CPUID_ECX, BIT(3),  OFFER_HOST},
	{"OSPKE",        7, 0, CPUID_ECX, BIT(4),  OFFER_HOST}, /* follows the guest's CR4.PKE */
	{"WAITPKG",      7, 0, CPUID_ECX, BIT(5),  OFFER_NEVER, {MSR_IA32_UMWAIT_CONTROL}},
	{"AVX512_VBMI2", 7, 0, CPUID_ECX, BIT(6),  OFFER_HOST},
	{"CET_SS",       7, 0, CPUID_ECX, BIT(7),  OFFER_NEVER, {MSR_IA32_U_CET, MSR_IA32_S_CET, MSR_IA32_PL0_SSP}},
	{"GFNI",         7, 0, CPUID_ECX, BIT(8),  OFFER_HOST},
	{"VAES",         7, 0, CPUID_ECX, BIT(9),  OFFER_HOST},
	{"VPCLMULQDQ",   7, 0, CPUID_ECX, BIT(10), OFFER_HOST},
	{"AVX512_VNNI",  7, 0, CPUID_ECX, BIT(11), OFFER_HOST},
	{"AVX512_BITALG", 7, 0, CPUID_ECX, BIT(12), OFFER_HOST},
	{"TME",          7, 0, CPUID_ECX, BIT(13), OFFER_NEVER, {MSR_IA32_TME_ACTIVATE}},
	{"AVX512_VPOPCNTDQ", 7, 0, CPUID_ECX, BIT(14), OFFER_HOST},
	{"LA57",         7, 0, CPUID_ECX, BIT(16), OFFER_HOST},
	{"RDPID",        7, 0, CPUID_ECX, BIT(22), OFFER_RDTSCP_CTL, {MSR_TSC_AUX}},
	{"KEYLOCKER",    7, 0, CPUID_ECX, BIT(23), OFFER_NEVER},
	{"BUS_LOCK_DETECT", 7, 0, CPUID_ECX, BIT(24), OFFER_NEVER},
	{"CLDEMOTE",     7, 0, CPUID_ECX, BIT(25), OFFER_HOST},
	{"MOVDIRI",      7, 0, CPUID_ECX, BIT(27), OFFER_HOST},
	{"MOVDIR64B",    7, 0, CPUID_ECX, BIT(28), OFFER_HOST},
	{"ENQCMD",       7, 0, CPUID_ECX, BIT(29), OFFER_NEVER, {MSR_IA32_PASID}},
	{"SGX_LC",       7, 0, CPUID_ECX, BIT(30), OFFER_NEVER, {MSR_IA32_SGXLEPUBKEYHASH0}},
	{"PKS",          7, 0, CPUID_ECX, BIT(31), OFFER_NEVER, {MSR_IA32_PKRS}},
	/* leaf 7 subleaf 0 EDX */
	{"AVX512_4VNNIW", 7, 0, CPUID_EDX, BIT(2), OFFER_HOST},
	{"AVX512_4FMAPS", 7, 0, CPUID_EDX, BIT(3), OFFER_HOST},
	{"FSRM",         7, 0, CPUID_EDX, BIT(4),  OFFER_HOST},
	{"UINTR",        7, 0, CPUID_EDX, BIT(5),  OFFER_NEVER, {MSR_IA32_UINTR_RR}},
	{"AVX512_VP2INTERSECT", 7, 0, CPUID_EDX, BIT(8), OFFER_HOST},
	{"SRBDS_CTRL",   7, 0, CPUID_EDX, BIT(9),  OFFER_NEVER, {MSR_IA32_MCU_OPT_CTRL}},
	{"MD_CLEAR",     7, 0, CPUID_EDX, BIT(10), OFFER_HOST},
	{"RTM_ALWAYS_ABORT", 7, 0, CPUID_EDX, BIT(11), OFFER_HOST},
	{"TSX_FORCE_ABORT", 7, 0, CPUID_EDX, BIT(13), OFFER_NEVER, {MSR_TSX_FORCE_ABORT}},
	{"SERIALIZE",    7, 0, CPUID_EDX, BIT(14), OFFER_HOST},
	{"HYBRID_CPU",   7, 0, CPUID_EDX, BIT(15), OFFER_HOST},
	{"TSXLDTRK",     7, 0, CPUID_EDX, BIT(16), OFFER_HOST},
	{"PCONFIG",      7, 0, CPUID_EDX, BIT(18), OFFER_NEVER},
	{"ARCH_LBR",     7, 0, CPUID_EDX, BIT(19), OFFER_NEVER, {MSR_ARCH_LBR_CTL, MSR_ARCH_LBR_DEPTH}},
	{"IBT",          7, 0, CPUID_EDX, BIT(20), OFFER_NEVER, {MSR_IA32_U_CET, MSR_IA32_S_CET}},
	{"AMX_BF16",     7, 0, CPUID_EDX, BIT(22), OFFER_HOST},
	{"AVX512_FP16",  7, 0, CPUID_EDX, BIT(23), OFFER_HOST},
	{"AMX_TILE",     7, 0, CPUID_EDX, BIT(24), OFFER_HOST},
	{"AMX_INT8",     7, 0, CPUID_EDX, BIT(25), OFFER_HOST},
	{"SPEC_CTRL",    7, 0, CPUID_EDX, BIT(26), OFFER_NEVER, {MSR_IA32_SPEC_CTRL, MSR_IA32_PRED_CMD}},
	{"INTEL_STIBP",  7, 0, CPUID_EDX, BIT(27), OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	{"FLUSH_L1D",    7, 0, CPUID_EDX, BIT(28), OFFER_NEVER, {MSR_IA32_FLUSH_CMD}},
	{"ARCH_CAPABILITIES", 7, 0, CPUID_EDX, BIT(29), OFFER_NEVER, {MSR_IA32_ARCH_CAPABILITIES}},
	{"CORE_CAPABILITIES", 7, 0, CPUID_EDX, BIT(30), OFFER_NEVER, {MSR_IA32_CORE_CAPS}},
	{"SPEC_CTRL_SSBD", 7, 0, CPUID_EDX, BIT(31), OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	/* leaf 7 subleaf 1 */
	{"AVX_VNNI",     7, 1, CPUID_EAX, BIT(4),  OFFER_HOST},
	{"AVX512_BF16",  7, 1, CPUID_EAX, BIT(5),  OFFER_HOST},
	{"CMPCCXADD",    7, 1, CPUID_EAX, BIT(7),  OFFER_HOST},
	{"ARCH_PERFMON_EXT", 7, 1, CPUID_EAX, BIT(8), OFFER_NEVER}, /* leaf 0x23 */
	{"FZRM",         7, 1, CPUID_EAX, BIT(10), OFFER_HOST},
	{"FSRS",         7, 1, CPUID_EAX, BIT(11), OFFER_HOST},
	{"FSRC",         7, 1, CPUID_EAX, BIT(12), OFFER_HOST},
	{"HRESET",       7, 1, CPUID_EAX, BIT(22), OFFER_NEVER, {MSR_IA32_HW_HRESET_ENABLE}},
	{"AVX_IFMA",     7, 1, CPUID_EAX, BIT(23), OFFER_HOST},
	{"LAM",          7, 1, CPUID_EAX, BIT(26), OFFER_NEVER},
	{"PPIN",         7, 1, CPUID_EBX, BIT(0),  OFFER_NEVER, {MSR_PPIN_CTL, MSR_PPIN}},
	/* leaf 7 subleaf 2: bits of IA32_SPEC_CTRL, hidden with it */
	{"PSFD",         7, 2, CPUID_EDX, BIT(0),  OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	{"IPRED_CTRL",   7, 2, CPUID_EDX, BIT(1),  OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	{"RRSBA_CTRL",   7, 2, CPUID_EDX, BIT(2),  OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	{"BHI_CTRL",     7, 2, CPUID_EDX, BIT(4),  OFFER_NEVER, {MSR_IA32_SPEC_CTRL}},
	/* leaf 0xa: architectural performance monitoring, hidden (the leaf reads 0) */
	{"ARCH_PERFMON", CPUID_LEAF_PERFMON, ANY, CPUID_EAX, 0xffu, OFFER_NEVER,
	 {MSR_ARCH_PERFMON_EVENTSEL0, MSR_IA32_PERFCTR0, MSR_IA32_PMC0, MSR_CORE_PERF_GLOBAL_CTRL}},
	{"ARCH_PERFMON_FIXED", CPUID_LEAF_PERFMON, ANY, CPUID_EDX, 0x1fu, OFFER_NEVER,
	 {MSR_CORE_PERF_FIXED_CTR0, MSR_CORE_PERF_FIXED_CTR_CTRL, MSR_CORE_PERF_GLOBAL_STATUS}},
	/* leaf 0xd subleaf 0: the XCR0 bits, as the features above; MPX's state with MPX */
	{"XSTATE_FP_SSE", CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(0) | BIT(1), OFFER_HOST},
	{"XSTATE_YMM",   CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(2), OFFER_HOST},
	{"XSTATE_BNDREGS_BNDCSR", CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(3) | BIT(4), OFFER_NEVER, {MSR_IA32_BNDCFGS}},
	{"XSTATE_AVX512", CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(5) | BIT(6) | BIT(7), OFFER_HOST},
	{"XSTATE_PKRU",  CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(9), OFFER_HOST},
	{"XSTATE_AMX",   CPUID_LEAF_XSAVE, 0, CPUID_EAX, BIT(17) | BIT(18), OFFER_HOST},
	/* leaf 0xd subleaf 1: XSAVES needs "enable XSAVES/XRSTORS", which is not set (else #UD: SDM Vol. 3, 26.3) */
	{"XSAVEOPT",     CPUID_LEAF_XSAVE, 1, CPUID_EAX, BIT(0), OFFER_HOST},
	{"XSAVEC",       CPUID_LEAF_XSAVE, 1, CPUID_EAX, BIT(1), OFFER_HOST},
	{"XGETBV1",      CPUID_LEAF_XSAVE, 1, CPUID_EAX, BIT(2), OFFER_HOST},
	{"XSAVES",       CPUID_LEAF_XSAVE, 1, CPUID_EAX, BIT(3), OFFER_NEVER, {MSR_IA32_XSS}},
	{"XFD",          CPUID_LEAF_XSAVE, 1, CPUID_EAX, BIT(4), OFFER_NEVER, {MSR_IA32_XFD, MSR_IA32_XFD_ERR}},
	/* extended leaves */
	{"LAHF_LM",      CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_ECX, BIT(0),  OFFER_HOST},
	{"ABM",          CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_ECX, BIT(5),  OFFER_HOST},
	{"3DNOWPREFETCH", CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_ECX, BIT(8), OFFER_HOST},
	{"SYSCALL",      CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX, BIT(11), OFFER_HOST,
	 {MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK}},
	{"NX",           CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX, BIT(20), OFFER_HOST, {MSR_EFER}},
	{"PDPE1GB",      CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX, BIT(26), OFFER_HOST},
	{"RDTSCP",       CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX, BIT(27), OFFER_RDTSCP_CTL, {MSR_TSC_AUX}},
	{"LM",           CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX, BIT(29), OFFER_HOST,
	 {MSR_EFER, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE}},
	{"CONSTANT_TSC", CPUID_LEAF_EXT_POWER, ANY, CPUID_EDX, BIT(8), OFFER_HOST},
};
/* clang-format on */
const unsigned cpuid_nfeatures = ARRAY_LEN(cpuid_features);
_Static_assert(ARRAY_LEN(cpuid_features) <= CPUID_MAX_FEATURES, "struct cpuid_offer: raise CPUID_MAX_FEATURES");

/*
 * Every MSR a guest may reach: a row's MSR is there when the row says always
 * or an offered feature implies it; any other MSR raises #GP. Reset values
 * (SDM Vol. 3, Table 10-1): the TSC and TSC_ADJUST as vtsc_reset leaves them;
 * PAT as 13.12.4 says; DEBUGCTL, EFER and the SYSENTER MSRs 0; the MSRs the
 * table calls undefined (every other one) 0 as well, by this hypervisor's
 * choice. The APIC's MSRs reset with the APIC (lapic/vlapic.c).
 */
/* clang-format off */
const struct cpuid_msr cpuid_msrs[] = {
	{MSR_IA32_TSC,            MSR_IA32_TSC,            "IA32_TSC",             MSR_HOME_VCPU},
	{MSR_IA32_APICBASE,       MSR_IA32_APICBASE,       "IA32_APIC_BASE",       MSR_HOME_LAPIC},
	{MSR_IA32_FEATURE_CONTROL, MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", MSR_HOME_VCPU, true, FEAT_CTL_LOCKED},
	{MSR_IA32_TSC_ADJUST,     MSR_IA32_TSC_ADJUST,     "IA32_TSC_ADJUST",      MSR_HOME_VCPU},
	{MSR_IA32_BIOS_SIGN_ID,   MSR_IA32_BIOS_SIGN_ID,   "IA32_BIOS_SIGN_ID",    MSR_HOME_VCPU, true},
	{MSR_IA32_MTRRCAP,        MSR_IA32_MTRRCAP,        "IA32_MTRRCAP",         MSR_HOME_VCPU},
	{MSR_IA32_SYSENTER_CS,    MSR_IA32_SYSENTER_CS,    "IA32_SYSENTER_CS",     MSR_HOME_VMCS},
	{MSR_IA32_SYSENTER_ESP,   MSR_IA32_SYSENTER_ESP,   "IA32_SYSENTER_ESP",    MSR_HOME_VMCS},
	{MSR_IA32_SYSENTER_EIP,   MSR_IA32_SYSENTER_EIP,   "IA32_SYSENTER_EIP",    MSR_HOME_VMCS},
	{MSR_IA32_MISC_ENABLE,    MSR_IA32_MISC_ENABLE,    "IA32_MISC_ENABLE",     MSR_HOME_VCPU, true, MISC_ENABLE_RESET},
	{MSR_IA32_PAT,            MSR_IA32_PAT,            "IA32_PAT",             MSR_HOME_VMCS, false, IA32_PAT_RESET},
	{MSR_IA32_MTRR_DEF_TYPE,  MSR_IA32_MTRR_DEF_TYPE,  "IA32_MTRR_DEF_TYPE",   MSR_HOME_VCPU},
	{MSR_IA32_TSC_DEADLINE,   MSR_IA32_TSC_DEADLINE,   "IA32_TSC_DEADLINE",    MSR_HOME_LAPIC},
	{APIC_X2APIC_MSR_FIRST,   APIC_X2APIC_MSR_LAST,    "x2APIC registers",     MSR_HOME_LAPIC},
	{MSR_EFER,                MSR_EFER,                "IA32_EFER",            MSR_HOME_VMCS},
	{MSR_STAR,                MSR_STAR,                "IA32_STAR",            MSR_HOME_CPU},
	{MSR_LSTAR,               MSR_LSTAR,               "IA32_LSTAR",           MSR_HOME_CPU},
	{MSR_CSTAR,               MSR_CSTAR,               "IA32_CSTAR",           MSR_HOME_CPU},
	{MSR_SYSCALL_MASK,        MSR_SYSCALL_MASK,        "IA32_FMASK",           MSR_HOME_CPU},
	{MSR_FS_BASE,             MSR_FS_BASE,             "IA32_FS_BASE",         MSR_HOME_VMCS},
	{MSR_GS_BASE,             MSR_GS_BASE,             "IA32_GS_BASE",         MSR_HOME_VMCS},
	{MSR_KERNEL_GS_BASE,      MSR_KERNEL_GS_BASE,      "IA32_KERNEL_GS_BASE",  MSR_HOME_CPU},
	{MSR_TSC_AUX,             MSR_TSC_AUX,             "IA32_TSC_AUX",         MSR_HOME_CPU},
};
/* clang-format on */
const unsigned cpuid_nmsrs = ARRAY_LEN(cpuid_msrs);
_Static_assert(ARRAY_LEN(cpuid_msrs) <= CPUID_MAX_MSRS, "struct cpuid_offer: raise CPUID_MAX_MSRS");

/* The registers whose bits are features: a bit no offered row names reads 0 there. */
struct cpuid_reg_id {
	uint32_t leaf, subleaf;
	uint8_t reg;
};
#define ALL_REGS(leaf, sub) \
	{leaf, sub, CPUID_EAX}, {leaf, sub, CPUID_EBX}, {leaf, sub, CPUID_ECX}, { leaf, sub, CPUID_EDX }
static const struct cpuid_reg_id feature_regs[] = {
        {CPUID_LEAF_FEATURES, ANY, CPUID_ECX},
        {CPUID_LEAF_FEATURES, ANY, CPUID_EDX},
        ALL_REGS(CPUID_LEAF_THERMAL, ANY),
        {CPUID_LEAF_EXT_FEATURES, 0, CPUID_EBX},
        {CPUID_LEAF_EXT_FEATURES, 0, CPUID_ECX},
        {CPUID_LEAF_EXT_FEATURES, 0, CPUID_EDX},
        ALL_REGS(CPUID_LEAF_EXT_FEATURES, 1),
        ALL_REGS(CPUID_LEAF_EXT_FEATURES, 2),
        {CPUID_LEAF_XSAVE, 0, CPUID_EAX}, /* the XCR0 bits the guest may set */
        {CPUID_LEAF_XSAVE, 0, CPUID_EDX},
        {CPUID_LEAF_XSAVE, 1, CPUID_EAX},
        {CPUID_LEAF_XSAVE, 1, CPUID_ECX}, /* the IA32_XSS bits: none, XSAVES is hidden */
        {CPUID_LEAF_XSAVE, 1, CPUID_EDX},
        {CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_ECX},
        {CPUID_LEAF_EXT_FEATURES_1, ANY, CPUID_EDX},
        {CPUID_LEAF_EXT_POWER, ANY, CPUID_EDX},
};
_Static_assert(ARRAY_LEN(feature_regs) <= CPUID_MAX_FEATURE_REGS, "struct cpuid_offer: raise CPUID_MAX_FEATURE_REGS");

/* Leaves that describe only hidden features: every subleaf reads 0. */
static const uint32_t hidden_leaves[] = {
        CPUID_LEAF_MONITOR,        /* MONITOR/MWAIT */
        CPUID_LEAF_PERFMON,        /* architectural performance monitoring */
        CPUID_LEAF_RDT_MONITORING, /* resource director technology */
        CPUID_LEAF_RDT_ALLOCATION, CPUID_LEAF_SGX,    CPUID_LEAF_PT,          CPUID_LEAF_KEY_LOCKER, CPUID_LEAF_PCONFIG,
        CPUID_LEAF_ARCH_LBR,       CPUID_LEAF_HRESET, CPUID_LEAF_PERFMON_EXT, /* architectural performance monitoring,
                                                                                 extended (PEBS, counters) */
};

static uint32_t *reg_of(struct cpuid_regs *r, unsigned reg)
{
	switch (reg) {
	case CPUID_EAX: return &r->eax;
	case CPUID_EBX: return &r->ebx;
	case CPUID_ECX: return &r->ecx;
	default: return &r->edx;
	}
}

static int feature_reg_index(uint32_t leaf, uint32_t subleaf, unsigned reg)
{
	for (unsigned i = 0; i < ARRAY_LEN(feature_regs); i++)
		if (feature_regs[i].leaf == leaf && feature_regs[i].subleaf == subleaf && feature_regs[i].reg == reg)
			return (int)i;
	return -1;
}

static bool hidden_leaf(uint32_t leaf)
{
	for (unsigned i = 0; i < ARRAY_LEN(hidden_leaves); i++)
		if (hidden_leaves[i] == leaf)
			return true;
	return false;
}

/* Does the host answer this leaf (and subleaf) itself, rather than with its highest basic leaf? */
static bool leaf_exists(const struct cpuid_host *h, uint32_t leaf, uint32_t subleaf)
{
	if (leaf > h->cpuid(leaf & CPUID_LEAF_EXT_BASE, 0).eax)
		return false;
	return leaf != CPUID_LEAF_EXT_FEATURES || subleaf == ANY || subleaf <= h->cpuid(leaf, 0).eax;
}

static bool on_host(const struct cpuid_host *h, const struct cpuid_feature *f)
{
	struct cpuid_regs r;

	if (!leaf_exists(h, f->leaf, f->subleaf))
		return false;
	r = h->cpuid(f->leaf, f->subleaf == ANY ? 0 : f->subleaf);
	return (*reg_of(&r, f->reg) & f->mask) != 0;
}

static bool offered(const struct cpuid_host *h, const struct cpuid_feature *f, bool host_has)
{
	if (hidden_leaf(f->leaf) || !leaf_exists(h, f->leaf, f->subleaf))
		return false;
	switch (f->rule) {
	case OFFER_ALWAYS: return true;
	case OFFER_HOST: return host_has;
	case OFFER_RDTSCP_CTL: return host_has && h->rdtscp_ctl;
	case OFFER_INVPCID_CTL: return host_has && h->invpcid_ctl;
	default: return false;
	}
}

static int msr_row(uint32_t msr)
{
	for (unsigned i = 0; i < cpuid_nmsrs; i++)
		if (msr >= cpuid_msrs[i].first && msr <= cpuid_msrs[i].last)
			return (int)i;
	return -1;
}

/*
 * Where each offered state component ends in the standard XSAVE format:
 * leaf 0xD subleaf i gives its size (EAX) and offset (EBX) (SDM Vol. 1,
 * 13.4.1, and Vol. 2, CPUID). The guest's leaf 0xD.0 EBX then follows from
 * the guest's own XCR0, whatever the host's CPU computed for its own.
 */
static void xsave_sizes_init(struct cpuid_offer *o, const struct cpuid_host *h)
{
	int reg = feature_reg_index(CPUID_LEAF_XSAVE, 0, CPUID_EAX);

	if (reg < 0 || o->host_max_basic < CPUID_LEAF_XSAVE)
		return;
	o->xcr0_offered = o->keep[reg] | o->force[reg];
	for (uint32_t i = XSAVE_FIRST_EXTENDED; i < CPUID_XSAVE_COMPONENTS; i++)
		if (o->xcr0_offered >> i & 1) {
			struct cpuid_regs c = h->cpuid(CPUID_LEAF_XSAVE, i);
			o->xsave_offset[i] = c.ebx;
			o->xsave_size[i] = c.eax;
			if (c.ecx & XSAVE_ECX_ALIGN64)
				o->xsave_align64 |= 1u << i;
		}
}

/* The standard-format XSAVE area for the components in mask: at least the legacy area and the header. */
static uint32_t xsave_size(const struct cpuid_offer *o, uint64_t mask)
{
	uint32_t size = XSAVE_LEGACY_AND_HEADER;

	for (uint32_t i = XSAVE_FIRST_EXTENDED; i < CPUID_XSAVE_COMPONENTS; i++)
		if ((mask >> i & 1) && o->xsave_offset[i] + o->xsave_size[i] > size)
			size = o->xsave_offset[i] + o->xsave_size[i];
	return size;
}

/*
 * The compacted format (XSAVEC) for the components in mask: each enabled
 * one right after the previous, at a 64-byte boundary where its subleaf's
 * ECX[1] asks (SDM Vol. 1, 13.4.3). Leaf 0xD.1 EBX is this for XCR0 | IA32_XSS,
 * and IA32_XSS is 0 here (XSAVES is hidden). Bochs 2.7 answers the standard
 * size there, which Linux 6.1 (compacting with XSAVEC) reports with a warning.
 */
static uint32_t xsave_compacted_size(const struct cpuid_offer *o, uint64_t mask)
{
	uint32_t size = XSAVE_LEGACY_AND_HEADER;

	for (uint32_t i = XSAVE_FIRST_EXTENDED; i < CPUID_XSAVE_COMPONENTS; i++) {
		if (!(mask >> i & 1))
			continue;
		if (o->xsave_align64 >> i & 1)
			size = (size + 63u) & ~63u;
		size += o->xsave_size[i];
	}
	return size;
}

void cpuid_offer_init(struct cpuid_offer *o, const struct cpuid_host *h)
{
	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		bool host_has = on_host(h, f);
		int reg = feature_reg_index(f->leaf, f->subleaf, f->reg);

		o->feature[i] = offered(h, f, host_has) && reg >= 0;
		if (o->feature[i] && f->rule == OFFER_ALWAYS)
			o->force[reg] |= f->mask;
		else if (o->feature[i])
			o->keep[reg] |= f->mask;
		for (unsigned m = 0; m < CPUID_FEATURE_MSRS && f->msrs[m]; m++) {
			int row = msr_row(f->msrs[m]);
			if (row < 0)
				continue;
			o->msr_present[row] |= o->feature[i];
			o->msr_on_host[row] |= host_has;
		}
	}
	for (unsigned i = 0; i < cpuid_nmsrs; i++) {
		o->msr_present[i] |= cpuid_msrs[i].always;
		o->msr_on_host[i] |= cpuid_msrs[i].always;
	}
	cpuid_platform_init(o, h->cpuid(0, 0).eax, h->tsc_hz);
	o->host_max_ext = h->cpuid(CPUID_LEAF_EXT_BASE, 0).eax;
	xsave_sizes_init(o, h);
}

uint32_t cpuid_answering_leaf(const struct cpuid_offer *o, uint32_t leaf)
{
	uint32_t max_basic = cpuid_platform_max_basic(o);

	if (leaf < CPUID_LEAF_HV_BASE)
		return leaf <= max_basic ? leaf : max_basic;
	if (leaf <= CPUID_LEAF_HV_LAST)
		return leaf;
	if (leaf >= CPUID_LEAF_EXT_BASE && leaf <= o->host_max_ext)
		return leaf;
	return max_basic;
}

static struct cpuid_regs hv_leaf(uint32_t leaf)
{
	struct cpuid_regs r = {0, 0, 0, 0};

	if (leaf == CPUID_LEAF_HV_BASE) {
		r.eax = CPUID_LEAF_HV_FEATURES;
		memcpy(&r.ebx, hv_signature, 4);
		memcpy(&r.ecx, hv_signature + 4, 4);
		memcpy(&r.edx, hv_signature + 8, 4);
	} else if (leaf == CPUID_LEAF_HV_FEATURES) {
		r.eax = HV_CPUID_INTERFACE;
	}
	return r;
}

/* The bits that describe the vCPU rather than the CPU: its APIC, its CR4, its APIC ID. */
static void vcpu_bits(const struct cpuid_offer *o, const struct cpuid_vcpu *s, uint32_t leaf, uint32_t subleaf,
                      struct cpuid_regs *r)
{
	switch (leaf) {
	case CPUID_LEAF_XSAVE:
		if (subleaf == 1 && o->xcr0_offered)
			r->ebx = xsave_compacted_size(o, s->xcr0 & o->xcr0_offered);
		if (subleaf != 0 || !o->xcr0_offered)
			break;
		/* EBX: the area XCR0 as the guest set it needs; ECX: the area every offered component needs. */
		r->ebx = xsave_size(o, s->xcr0 & o->xcr0_offered);
		r->ecx = xsave_size(o, o->xcr0_offered);
		break;
	case CPUID_LEAF_FEATURES:
		if (!s->apic_enabled)
			r->edx &= ~CPUID_1_EDX_APIC;
		r->ecx &= ~CPUID_1_ECX_OSXSAVE;
		if ((r->ecx & CPUID_1_ECX_XSAVE) && (s->cr4 & CR4_OSXSAVE))
			r->ecx |= CPUID_1_ECX_OSXSAVE;
		r->ebx = (r->ebx & ~CPUID_1_EBX_APIC_ID_MASK) | (s->apic_id << CPUID_1_EBX_APIC_ID_SHIFT);
		break;
	case CPUID_LEAF_EXT_FEATURES:
		if (subleaf != 0)
			break;
		if (r->eax > CPUID_7_MAX_SUBLEAF)
			r->eax = CPUID_7_MAX_SUBLEAF;
		r->ecx &= ~CPUID_7_ECX_OSPKE;
		if ((r->ecx & CPUID_7_ECX_PKU) && (s->cr4 & CR4_PKE))
			r->ecx |= CPUID_7_ECX_OSPKE;
		break;
	default: break;
	}
}

struct cpuid_regs cpuid_guest(const struct cpuid_offer *o, const struct cpuid_vcpu *s, uint32_t leaf, uint32_t subleaf,
                              struct cpuid_regs host)
{
	struct cpuid_regs r = host;

	if (leaf >= CPUID_LEAF_HV_BASE && leaf < CPUID_LEAF_EXT_BASE)
		return hv_leaf(leaf);
	if (cpuid_platform_leaf(o, s, leaf, subleaf, &r))
		return r;
	/* Past the host's highest basic leaf (the guest's is higher: 0x16) the host repeats that leaf: 0 instead. */
	if (leaf > o->host_max_basic && leaf < CPUID_LEAF_HV_BASE)
		return (struct cpuid_regs){0, 0, 0, 0};
	if (leaf == 0)
		r.eax = cpuid_platform_max_basic(o);
	if (hidden_leaf(leaf) || (leaf == CPUID_LEAF_EXT_FEATURES && subleaf > CPUID_7_MAX_SUBLEAF))
		return (struct cpuid_regs){0, 0, 0, 0};
	for (unsigned i = 0; i < ARRAY_LEN(feature_regs); i++) {
		const struct cpuid_reg_id *id = &feature_regs[i];
		if (id->leaf == leaf && (id->subleaf == ANY || id->subleaf == subleaf)) {
			uint32_t *v = reg_of(&r, id->reg);
			*v = (*v & o->keep[i]) | o->force[i];
		}
	}
	vcpu_bits(o, s, leaf, subleaf, &r);
	return r;
}

const struct cpuid_msr *cpuid_msr_find(uint32_t msr)
{
	int row = msr_row(msr);

	return row < 0 ? NULL : &cpuid_msrs[row];
}

bool cpuid_msr_present(const struct cpuid_offer *o, uint32_t msr)
{
	int row = msr_row(msr);

	return row >= 0 && o->msr_present[row];
}

/*
 * IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2): of the architectural bits, fast
 * strings is the guest's; performance monitoring available (0), BTS and PEBS
 * unavailable (1) are read-only, and writes leave them; every other bit
 * belongs to a feature the guest's CPUID hides (EIST, MONITOR, xTPR, turbo,
 * thermal control) or one this model does not offer (limit CPUID maxval, XD
 * bit disable): reserved, #GP if set.
 */
bool cpuid_misc_enable_write(uint64_t *cur, uint64_t value)
{
	if (value & ~(MISC_ENABLE_WRITABLE | MISC_ENABLE_READ_ONLY))
		return false;
	*cur = (*cur & ~MISC_ENABLE_WRITABLE) | (value & MISC_ENABLE_WRITABLE);
	return true;
}

bool cpuid_mtrr_def_type_valid(uint64_t value)
{
	uint64_t type = value & MTRR_DEF_TYPE_TYPE_MASK;

	if (value & ~(MTRR_DEF_TYPE_TYPE_MASK | MTRR_DEF_TYPE_E))
		return false;
	return type == MTRR_TYPE_UC || type == MTRR_TYPE_WC || type == MTRR_TYPE_WT || type == MTRR_TYPE_WP ||
	       type == MTRR_TYPE_WB;
}
