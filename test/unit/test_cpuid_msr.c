/* sources: vmm/exit/cpuid_msr.c vmm/exit/cpuid_platform.c */
/* test_cpuid_msr.c: the feature table: what CPUID offers on synthetic hosts, and that its MSRs and only they work. */
#include "test/unit/unit.h"

#include "vmm/exit/cpuid_msr.h"

#define LEAF_FEATURES 0x1u
#define LEAF_THERMAL 0x6u
#define LEAF_EXT_FEATURES 0x7u
#define LEAF_PERFMON 0xau
#define LEAF_TOPOLOGY 0xbu
#define LEAF_XSAVE 0xdu
#define LEAF_PERFMON_EXT 0x23u
#define LEAF_HV_BASE 0x40000000u
#define LEAF_EXT_BASE 0x80000000u
#define LEAF_EXT_FEATURES_1 0x80000001u
#define MAX_BASIC 0x23u
#define MAX_EXT 0x80000008u

#define L1_ECX_PDCM (1u << 15)
#define L1_ECX_X2APIC (1u << 21)
#define L1_ECX_XSAVE (1u << 26)
#define L1_ECX_OSXSAVE (1u << 27)
#define L1_ECX_HYPERVISOR (1u << 31)
#define L1_EDX_APIC (1u << 9)
#define L1_EDX_DS (1u << 21)
#define L6_EAX_ARAT (1u << 2)
#define L7_EBX_TSC_ADJUST (1u << 1)
#define L7_EBX_INVPCID (1u << 10)
#define L7_ECX_PKU (1u << 3)
#define L7_ECX_OSPKE (1u << 4)
#define L7_ECX_RDPID (1u << 22)
#define L7_EDX_ARCH_LBR (1u << 19)
#define L7_1_EAX_PERFMON_EXT (1u << 8)
#define LD1_EAX_XSAVES (1u << 3)
#define LE1_EDX_RDTSCP (1u << 27)
#define XCR0_OFFERED 0x602e7u     /* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM PKRU TILECFG TILEDATA */
#define PMU_VERSION_4 0x07300404u /* 4 counters of 48 bits, 7 events */

/* The synthetic host: which leaves exist, and what they hold. */
struct fake_host {
	uint32_t max_basic, max_ext, max_leaf7;
	uint32_t fill;        /* every register of every existing leaf, unless set below */
	bool pmu, tsc_adjust; /* with fill 0: a plain host with these two */
	bool xsave_layout;    /* leaf 0xD subleaves 2-31: XSAVE_LAYOUT's offsets and sizes */
};
/* State components' {offset, size}: AVX, opmask, ZMM_Hi256, Hi16_ZMM, PKRU, TILECFG, TILEDATA (Intel's layout). */
static const uint32_t XSAVE_LAYOUT[32][2] = {
        [2] = {576, 256}, [5] = {1088, 64},  [6] = {1152, 512},   [7] = {1664, 1024},
        [9] = {2688, 8},  [17] = {2752, 64}, [18] = {2816, 8192},
};
static struct fake_host host;

static struct cpuid_regs fake_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = {host.fill, host.fill, host.fill, host.fill};

	if (leaf == 0)
		r.eax = host.max_basic;
	else if (leaf == LEAF_EXT_BASE)
		r.eax = host.max_ext;
	else if (leaf == LEAF_EXT_FEATURES && subleaf == 0)
		r.eax = host.max_leaf7;
	if (leaf == LEAF_PERFMON && host.pmu)
		r.eax = PMU_VERSION_4;
	if (leaf == LEAF_FEATURES && host.pmu) {
		r.ecx |= L1_ECX_PDCM;
		r.edx |= L1_EDX_DS;
	}
	if (leaf == LEAF_XSAVE && subleaf >= 2 && subleaf < 32 && host.xsave_layout) {
		r.eax = XSAVE_LAYOUT[subleaf][1];
		r.ebx = XSAVE_LAYOUT[subleaf][0];
	}
	if (leaf == LEAF_EXT_FEATURES && subleaf == 0 && host.tsc_adjust)
		r.ebx |= L7_EBX_TSC_ADJUST;
	return r;
}

static struct cpuid_host h = {.cpuid = fake_cpuid, .rdtscp_ctl = true, .invpcid_ctl = true};
static struct cpuid_offer o;
static struct cpuid_vcpu vcpu = {.apic_id = 3, .apic_enabled = true, .cr4 = CR4_OSXSAVE | CR4_PKE};

/* A host that has every bit of every leaf up to 0x23 and 0x80000008, with both VMX controls. */
static int full_host(void **state)
{
	(void)state;
	host.max_basic = MAX_BASIC;
	host.max_ext = MAX_EXT;
	host.max_leaf7 = 2;
	host.fill = UINT32_MAX;
	host.pmu = host.tsc_adjust = false;
	h.rdtscp_ctl = h.invpcid_ctl = true;
	h.tsc_hz = 0;
	vcpu.vcpus = 4;
	cpuid_offer_init(&o, &h);
	return 0;
}

/* What the guest reads, the host's answer filtered. */
static struct cpuid_regs guest(uint32_t leaf, uint32_t subleaf)
{
	return cpuid_guest(&o, &vcpu, leaf, subleaf, fake_cpuid(leaf, subleaf));
}

static uint32_t reg(struct cpuid_regs r, unsigned which)
{
	const uint32_t v[] = {r.eax, r.ebx, r.ecx, r.edx};

	return v[which];
}

static uint32_t guest_bits(const struct cpuid_feature *f)
{
	return reg(guest(f->leaf, f->subleaf == CPUID_ANY_SUBLEAF ? 0 : f->subleaf), f->reg) & f->mask;
}

/* Is msr implied by a feature the offer has? */
static bool implied_by_offered(uint32_t msr)
{
	for (unsigned i = 0; i < cpuid_nfeatures; i++)
		for (unsigned m = 0; m < CPUID_FEATURE_MSRS && cpuid_features[i].msrs[m]; m++)
			if (cpuid_features[i].msrs[m] == msr && o.feature[i])
				return true;
	return false;
}

/* On a host that has everything, exactly the rows that are not OFFER_NEVER reach the guest. */
static void test_full_host_offers_the_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		uint32_t want = f->rule == OFFER_NEVER ? 0 : f->mask;
		if (guest_bits(f) != want)
			fail_msg("%s: the guest sees %#x, expected %#x", f->name, guest_bits(f), want);
		assert_int_equal(o.feature[i], f->rule != OFFER_NEVER);
	}
}

/* Every feature the guest is offered has its MSRs working: each is on the MSR handler's allow-list. */
static void test_offered_features_have_their_msrs(void **state)
{
	(void)state;
	for (unsigned i = 0; i < cpuid_nfeatures; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];
		for (unsigned m = 0; m < CPUID_FEATURE_MSRS && f->msrs[m]; m++) {
			bool present = cpuid_msr_present(&o, f->msrs[m]);
			if (o.feature[i] && !present)
				fail_msg("%s is offered but its MSR %#x raises #GP", f->name, f->msrs[m]);
			if (!o.feature[i] && present && !implied_by_offered(f->msrs[m]))
				fail_msg("%s is hidden but its MSR %#x works", f->name, f->msrs[m]);
		}
	}
}

/* The table has no loose ends: each MSR row is implied by a feature that can be offered, or is always there. */
static void test_every_msr_row_is_reachable_and_sane(void **state)
{
	(void)state;
	for (unsigned r = 0; r < cpuid_nmsrs; r++) {
		const struct cpuid_msr *g = &cpuid_msrs[r];
		bool implied = false, only_always = true;
		for (unsigned i = 0; i < cpuid_nfeatures; i++)
			for (unsigned m = 0; m < CPUID_FEATURE_MSRS && cpuid_features[i].msrs[m]; m++)
				if (cpuid_features[i].msrs[m] >= g->first && cpuid_features[i].msrs[m] <= g->last &&
				    cpuid_features[i].rule != OFFER_NEVER) {
					implied = true;
					only_always &= cpuid_features[i].rule == OFFER_ALWAYS;
				}
		if (!implied && !g->always)
			fail_msg("%s: no feature implies it", g->name);
		/* irq_owns_msr takes these before the allow-list: they must be there whatever the host has */
		if (g->home == MSR_HOME_LAPIC && !only_always)
			fail_msg("%s: an APIC MSR implied by a host-dependent feature", g->name);
		/* msr_vcpu_start writes these in root mode: a constant that cannot fault */
		if (g->home == MSR_HOME_CPU && (g->first != g->last || g->reset != 0))
			fail_msg("%s: a pass-through MSR must be one MSR with reset value 0", g->name);
		assert_ptr_equal(cpuid_msr_find(g->first), g);
		assert_ptr_equal(cpuid_msr_find(g->last), g);
	}
	assert_null(cpuid_msr_find(MSR_IA32_PERF_CAPABILITIES));
}

/* No two rows claim the same bit. */
static void test_rows_do_not_overlap(void **state)
{
	(void)state;
	for (unsigned i = 0; i < cpuid_nfeatures; i++)
		for (unsigned j = i + 1; j < cpuid_nfeatures; j++) {
			const struct cpuid_feature *a = &cpuid_features[i], *b = &cpuid_features[j];
			if (a->leaf == b->leaf && a->subleaf == b->subleaf && a->reg == b->reg && (a->mask & b->mask))
				fail_msg("%s and %s claim the same bit", a->name, b->name);
		}
}

/* Bits the table does not name read 0 in the feature registers; hidden leaves read 0 whole. */
static void test_unknown_bits_and_hidden_leaves_read_zero(void **state)
{
	struct cpuid_regs r;

	(void)state;
	assert_int_equal(guest(LEAF_FEATURES, 0).ecx & (1u << 16), 0); /* reserved */
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ebx & (1u << 22), 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 1).edx, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 1).ecx, 0);
	assert_int_equal(guest(LEAF_XSAVE, 0).eax, XCR0_OFFERED); /* no MPX state, no unknown component */
	assert_int_equal(guest(LEAF_XSAVE, 0).edx, 0);
	assert_int_equal(guest(LEAF_XSAVE, 1).ecx, 0); /* no IA32_XSS bits */
	assert_int_equal(guest(LEAF_XSAVE, 1).edx, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES_1, 0).edx & 1u, 0);
	r = guest(LEAF_THERMAL, 0);
	assert_int_equal(r.eax, L6_EAX_ARAT);
	assert_int_equal(r.ebx | r.ecx | r.edx, 0);
	static const uint32_t zero[] = {0x5,  LEAF_PERFMON,    0xf, 0x10, 0x12, 0x14, 0x19, 0x1b, 0x1c,
	                                0x20, LEAF_PERFMON_EXT};
	for (unsigned i = 0; i < ARRAY_LEN(zero); i++)
		for (uint32_t sub = 0; sub < 3; sub++) {
			r = guest(zero[i], sub);
			if (r.eax | r.ebx | r.ecx | r.edx)
				fail_msg("leaf %#x.%u is not hidden", zero[i], sub);
		}
	/* informational leaves pass: the cache descriptors, the brand string */
	assert_int_equal(guest(0x4, 0).eax, UINT32_MAX);
	assert_int_equal(guest(0x80000002, 0).ebx, UINT32_MAX);
}

/* A host with a PMU and TSC_ADJUST: the PMU is hidden (leaf 0xa, PDCM, DS) and its MSRs raise #GP; TSC_ADJUST works. */
static void test_pmu_hidden_tsc_adjust_offered(void **state)
{
	static const uint32_t pmu_msrs[] = {MSR_ARCH_PERFMON_EVENTSEL0,
	                                    MSR_IA32_PERFCTR0,
	                                    MSR_IA32_PMC0,
	                                    MSR_CORE_PERF_GLOBAL_CTRL,
	                                    MSR_CORE_PERF_GLOBAL_STATUS,
	                                    MSR_CORE_PERF_FIXED_CTR0,
	                                    MSR_CORE_PERF_FIXED_CTR_CTRL,
	                                    MSR_IA32_PERF_CAPABILITIES,
	                                    MSR_IA32_DS_AREA,
	                                    MSR_IA32_PEBS_ENABLE,
	                                    MSR_ARCH_LBR_CTL};
	struct cpuid_regs r;

	(void)state;
	host = (struct fake_host){.max_basic = MAX_BASIC, .max_ext = MAX_EXT, .pmu = true, .tsc_adjust = true};
	cpuid_offer_init(&o, &h);
	r = fake_cpuid(LEAF_PERFMON, 0);
	assert_int_equal(r.eax, PMU_VERSION_4); /* the host has one */
	r = guest(LEAF_PERFMON, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	assert_int_equal(guest(LEAF_FEATURES, 0).ecx & L1_ECX_PDCM, 0);
	assert_int_equal(guest(LEAF_FEATURES, 0).edx & L1_EDX_DS, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ebx & L7_EBX_TSC_ADJUST, L7_EBX_TSC_ADJUST);
	for (unsigned i = 0; i < ARRAY_LEN(pmu_msrs); i++)
		if (cpuid_msr_present(&o, pmu_msrs[i]))
			fail_msg("PMU MSR %#x works", pmu_msrs[i]);
	assert_true(cpuid_msr_present(&o, MSR_IA32_TSC_ADJUST));
	/* MISC_ENABLE says the same: no performance monitoring, no BTS, no PEBS */
	assert_int_equal(MISC_ENABLE_RESET & MISC_ENABLE_EMON, 0);
	assert_int_equal(MISC_ENABLE_RESET & (MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL),
	                 MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL);
}

/* The hypervisor provides TSC_ADJUST even where the host has none, but not where leaf 7 does not exist. */
static void test_tsc_adjust_needs_only_leaf_7(void **state)
{
	(void)state;
	host = (struct fake_host){.max_basic = MAX_BASIC, .max_ext = MAX_EXT};
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ebx, L7_EBX_TSC_ADJUST);
	assert_true(cpuid_msr_present(&o, MSR_IA32_TSC_ADJUST));
	host.max_basic = LEAF_THERMAL;
	cpuid_offer_init(&o, &h);
	assert_false(cpuid_msr_present(&o, MSR_IA32_TSC_ADJUST));
	assert_int_equal(guest(LEAF_THERMAL, 0).eax, L6_EAX_ARAT);
}

/* The virtual local APIC is always there: x2APIC, TSC-deadline, the hypervisor bit, on a host without them. */
static void test_virtual_apic_always_offered(void **state)
{
	struct cpuid_regs r;

	(void)state;
	host = (struct fake_host){.max_basic = MAX_BASIC, .max_ext = MAX_EXT};
	cpuid_offer_init(&o, &h);
	r = guest(LEAF_FEATURES, 0);
	assert_int_equal(r.ecx & (L1_ECX_X2APIC | L1_ECX_HYPERVISOR), L1_ECX_X2APIC | L1_ECX_HYPERVISOR);
	assert_int_equal(r.edx, L1_EDX_APIC);
	assert_true(cpuid_msr_present(&o, MSR_IA32_TSC_DEADLINE));
	assert_true(cpuid_msr_present(&o, MSR_IA32_APICBASE));
	assert_true(cpuid_msr_present(&o, APIC_X2APIC_MSR_LAST));
	assert_false(cpuid_msr_present(&o, MSR_STAR)); /* no SYSCALL on this host */
	assert_false(o.msr_on_host[cpuid_msr_find(MSR_STAR) - cpuid_msrs]);
}

/* RDTSCP and RDPID #UD without "enable RDTSCP": hidden then, and TSC_AUX with them, though the core has it. */
static void test_rdtscp_follows_its_control(void **state)
{
	const unsigned aux = (unsigned)(cpuid_msr_find(MSR_TSC_AUX) - cpuid_msrs);

	(void)state;
	assert_true(cpuid_msr_present(&o, MSR_TSC_AUX));
	h.rdtscp_ctl = false;
	h.invpcid_ctl = false;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(LEAF_EXT_FEATURES_1, 0).edx & LE1_EDX_RDTSCP, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ecx & L7_ECX_RDPID, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ebx & L7_EBX_INVPCID, 0);
	assert_false(cpuid_msr_present(&o, MSR_TSC_AUX));
	assert_true(o.msr_on_host[aux]); /* still reset at each start: it is passed through */
}

/* Bits that follow the vCPU: the APIC's enable, CR4.OSXSAVE and CR4.PKE, the APIC ID. */
static void test_vcpu_bits(void **state)
{
	(void)state;
	assert_int_equal(guest(LEAF_FEATURES, 0).ecx & L1_ECX_OSXSAVE, L1_ECX_OSXSAVE);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ecx & L7_ECX_OSPKE, L7_ECX_OSPKE);
	assert_int_equal(guest(LEAF_FEATURES, 0).ebx >> 24, 3);
	assert_int_equal(guest(LEAF_TOPOLOGY, 0).edx, 3);
	vcpu.cr4 = 0;
	vcpu.apic_enabled = false;
	assert_int_equal(guest(LEAF_FEATURES, 0).ecx & L1_ECX_OSXSAVE, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).ecx & L7_ECX_OSPKE, 0);
	assert_int_equal(guest(LEAF_FEATURES, 0).edx & L1_EDX_APIC, 0);
	assert_true(cpuid_msr_present(&o, MSR_IA32_APICBASE)); /* to enable it again */
	vcpu.cr4 = CR4_OSXSAVE | CR4_PKE;
	vcpu.apic_enabled = true;
	/* OSXSAVE needs XSAVE */
	host.fill = UINT32_MAX & ~L1_ECX_XSAVE;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(LEAF_FEATURES, 0).ecx & (L1_ECX_XSAVE | L1_ECX_OSXSAVE), 0);
}

/* Leaf 7 has the subleaves the table knows; the hypervisor's own leaves. */
static void test_leaf_7_subleaves_and_hypervisor_leaves(void **state)
{
	struct cpuid_regs r;

	(void)state;
	host.max_leaf7 = 5;
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).eax, 2);
	r = guest(LEAF_EXT_FEATURES, 3);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 1).eax & L7_1_EAX_PERFMON_EXT, 0);
	assert_int_equal(guest(LEAF_EXT_FEATURES, 0).edx & L7_EDX_ARCH_LBR, 0);
	assert_int_equal(guest(LEAF_XSAVE, 1).eax & LD1_EAX_XSAVES, 0);
	r = guest(LEAF_HV_BASE, 0);
	assert_int_equal(r.eax, LEAF_HV_BASE + 1);
	assert_memory_equal(&r.ebx, "apic", 4);
	assert_memory_equal(&r.ecx, "viso", 4);
	assert_memory_equal(&r.edx, "r\0\0\0", 4);
	assert_int_equal(guest(LEAF_HV_BASE + 1, 0).eax, 1);
	r = guest(LEAF_HV_BASE + 2, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/* Leaves 0x15 and 0x16 tell the TSC rate: crystal * EBX / EAX is it, to the kHz, and the max leaf reaches them. */
/* Above the highest basic or extended leaf, the guest's highest basic leaf answers, filtered (SDM Vol. 2A, CPUID). */
static void test_out_of_range_leaves(void **state)
{
	(void)state;
	assert_int_equal(cpuid_answering_leaf(&o, MAX_BASIC), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, 0), 0);
	assert_int_equal(cpuid_answering_leaf(&o, MAX_BASIC + 1), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, 0x3fffffffu), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, LEAF_HV_BASE), LEAF_HV_BASE);
	assert_int_equal(cpuid_answering_leaf(&o, 0x4fffffffu), 0x4fffffffu); /* the hypervisor's range: read 0 */
	assert_int_equal(cpuid_answering_leaf(&o, 0x50000000u), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, LEAF_EXT_BASE), LEAF_EXT_BASE);
	assert_int_equal(cpuid_answering_leaf(&o, MAX_EXT), MAX_EXT);
	assert_int_equal(cpuid_answering_leaf(&o, MAX_EXT + 1), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, 0xc0000000u), MAX_BASIC);
	assert_int_equal(cpuid_answering_leaf(&o, UINT32_MAX), MAX_BASIC);
	/* The host's highest leaf here is the hidden PMU leaf 0x23: its answer is filtered, not the host's. */
	struct cpuid_regs r = guest(cpuid_answering_leaf(&o, 0xc0000000u), 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	/* With a measured TSC rate on a host below 0x16, leaf 0x16 is the guest's highest: it answers above it. */
	host.max_basic = 0xd;
	h.tsc_hz = 2100000000ull;
	cpuid_offer_init(&o, &h);
	assert_int_equal(cpuid_answering_leaf(&o, 0x17), 0x16);
	assert_int_equal(cpuid_answering_leaf(&o, 0x10), 0x10); /* below the highest: its own (zeros) */
	assert_int_equal(cpuid_answering_leaf(&o, MAX_EXT + 1), 0x16);
	h.tsc_hz = 0;
}

static void test_tsc_rate_leaves(void **state)
{
	struct cpuid_regs r;

	(void)state;
	h.tsc_hz = 2100000123ull;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(0, 0).eax, MAX_BASIC); /* the host's, already above 0x16 */
	r = guest(0x15, 0);
	assert_int_equal(r.eax, 1);
	assert_int_equal(r.ebx, 1);
	assert_int_equal(r.ecx, 2100000000u);
	assert_int_equal(r.edx, 0);
	r = guest(0x16, 0);
	assert_int_equal(r.eax, 2100); /* base MHz */
	assert_int_equal(r.ebx, 2100);
	assert_int_equal(r.ecx, 2100); /* the crystal, the reference clock, in MHz */
	/* A host whose max leaf is below them: the guest's reaches 0x16, leaves between read 0. */
	host.max_basic = 0xd;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(0, 0).eax, 0x16);
	r = guest(0x10, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = guest(0x15, 0);
	assert_int_equal((uint64_t)r.ecx * r.ebx / r.eax, 2100000000u);
	/* Above 4.29 GHz the crystal is a fraction of the rate, and the ratio makes it up. */
	h.tsc_hz = 5000000000ull;
	cpuid_offer_init(&o, &h);
	r = guest(0x15, 0);
	assert_int_equal(r.ebx, 2);
	assert_int_equal(r.ecx, 2500000000u);
	assert_int_equal((uint64_t)r.ecx * r.ebx / r.eax, 5000000000ull);
	assert_int_equal(guest(0x16, 0).eax, 5000);
	/* No rate measured: nothing made up, the max leaf stays the host's. */
	h.tsc_hz = 0;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(0, 0).eax, 0xd);
	r = guest(0x15, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/*
 * Leaf 0xD subleaf 0: EBX is the XSAVE area the guest's own XCR0 needs and
 * ECX the area of every offered component, from the subleaves' offsets and
 * sizes, whatever the host answered for its own XCR0 (SDM Vol. 2, CPUID).
 */
static void test_xsave_size_follows_guest_xcr0(void **state)
{
	(void)state;
	host.xsave_layout = true;
	cpuid_offer_init(&o, &h);
	vcpu.xcr0 = 0x3; /* x87, SSE: the legacy region and the header */
	assert_int_equal(guest(LEAF_XSAVE, 0).ebx, 576);
	vcpu.xcr0 = 0x7; /* and AVX */
	assert_int_equal(guest(LEAF_XSAVE, 0).ebx, 832);
	vcpu.xcr0 = 0xe7; /* and AVX-512: Hi16_ZMM ends last */
	assert_int_equal(guest(LEAF_XSAVE, 0).ebx, 2688);
	vcpu.xcr0 = 0x2e7; /* and PKRU */
	assert_int_equal(guest(LEAF_XSAVE, 0).ebx, 2696);
	assert_int_equal(guest(LEAF_XSAVE, 0).ecx, 2816 + 8192); /* AMX's TILEDATA, offered, ends last */
	vcpu.xcr0 = 0x8 | 0x7;                                   /* a bit not offered (MPX) counts for nothing */
	assert_int_equal(guest(LEAF_XSAVE, 0).ebx, 832);
	/* Subleaf 1 EBX: the compacted size, each enabled component after the last (no alignment asked here). */
	vcpu.xcr0 = 0xe7;
	assert_int_equal(guest(LEAF_XSAVE, 1).ebx, 576 + 256 + 64 + 512 + 1024);
	vcpu.xcr0 = 0x7;
	assert_int_equal(guest(LEAF_XSAVE, 1).ebx, 576 + 256);
	host.xsave_layout = false;
}

/* Leaves 0xB and 0x1F: one thread per core, the guest's vCPUs its cores, x2APIC ID = vCPU index (as the MADT). */
static void test_topology_leaves(void **state)
{
	const uint32_t leaves[] = {LEAF_TOPOLOGY, 0x1f};
	struct cpuid_regs r;

	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(leaves); i++) {
		r = guest(leaves[i], 0);
		assert_int_equal(r.eax, 0);
		assert_int_equal(r.ebx, 1);
		assert_int_equal(r.ecx, 1u << 8 | 0); /* SMT level */
		assert_int_equal(r.edx, 3);
		r = guest(leaves[i], 1);
		assert_int_equal(r.eax, 2); /* 4 vCPUs: IDs 0-3 take 2 bits */
		assert_int_equal(r.ebx, 4);
		assert_int_equal(r.ecx, 2u << 8 | 1); /* core level */
		assert_int_equal(r.edx, 3);
		r = guest(leaves[i], 2);
		assert_int_equal(r.eax | r.ebx, 0);
		assert_int_equal(r.ecx, 2); /* level type 0: invalid, the last */
		assert_int_equal(r.edx, 3);
	}
	vcpu.vcpus = 5;
	assert_int_equal(guest(LEAF_TOPOLOGY, 1).eax, 3);
	vcpu.vcpus = 1;
	assert_int_equal(guest(LEAF_TOPOLOGY, 1).eax, 0);
	assert_int_equal(guest(LEAF_FEATURES, 0).ebx >> 24, 3); /* the initial APIC ID */
	/* A host whose max leaf stops below 0x1f: the guest's does too, and 0x1f is not made. */
	host.max_basic = 0xd;
	cpuid_offer_init(&o, &h);
	assert_int_equal(guest(0x1f, 1).ebx, 0);
	assert_int_equal(guest(LEAF_TOPOLOGY, 1).ebx, 1);
}

/* IA32_MISC_ENABLE: the value read writes back; fast strings is the guest's; read-only bits stay; others #GP. */
static void test_misc_enable(void **state)
{
	uint64_t v = MISC_ENABLE_RESET;

	(void)state;
	assert_true(cpuid_misc_enable_write(&v, MISC_ENABLE_RESET));
	assert_int_equal(v, MISC_ENABLE_RESET);
	assert_true(cpuid_misc_enable_write(&v, MISC_ENABLE_RESET & ~MISC_ENABLE_FAST_STRING));
	assert_int_equal(v, MISC_ENABLE_RESET & ~MISC_ENABLE_FAST_STRING);
	assert_true(cpuid_misc_enable_write(&v, MISC_ENABLE_EMON | MISC_ENABLE_FAST_STRING)); /* read-only: ignored */
	assert_int_equal(v, MISC_ENABLE_RESET);
	static const unsigned reserved[] = {1, 3, 16, 18, 22, 23, 34, 38, 63};
	for (unsigned i = 0; i < ARRAY_LEN(reserved); i++) {
		assert_false(cpuid_misc_enable_write(&v, MISC_ENABLE_RESET | 1ull << reserved[i]));
		assert_int_equal(v, MISC_ENABLE_RESET);
	}
	assert_true(cpuid_msr_find(MSR_IA32_MISC_ENABLE)->always);
	assert_int_equal(cpuid_msr_find(MSR_IA32_MISC_ENABLE)->reset, MISC_ENABLE_RESET);
}

static void test_mtrr_def_type(void **state)
{
	(void)state;
	assert_true(cpuid_mtrr_def_type_valid(0));
	assert_true(cpuid_mtrr_def_type_valid(6));
	assert_true(cpuid_mtrr_def_type_valid(MTRR_DEF_TYPE_E | 6));
	assert_true(cpuid_mtrr_def_type_valid(MTRR_DEF_TYPE_E | 1));
	for (unsigned t = 2; t < 4; t++)
		assert_false(cpuid_mtrr_def_type_valid(MTRR_DEF_TYPE_E | t));
	assert_false(cpuid_mtrr_def_type_valid(7));
	assert_false(cpuid_mtrr_def_type_valid(0xff));
	assert_false(cpuid_mtrr_def_type_valid(MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E | 6)); /* no fixed ranges */
	assert_false(cpuid_mtrr_def_type_valid(1ull << 12));
	assert_int_equal(cpuid_msr_find(MSR_IA32_MTRR_DEF_TYPE)->reset, 0); /* MTRRs disabled (Table 10-1) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_full_host_offers_the_table, full_host),
	        cmocka_unit_test_setup(test_offered_features_have_their_msrs, full_host),
	        cmocka_unit_test_setup(test_every_msr_row_is_reachable_and_sane, full_host),
	        cmocka_unit_test_setup(test_rows_do_not_overlap, full_host),
	        cmocka_unit_test_setup(test_unknown_bits_and_hidden_leaves_read_zero, full_host),
	        cmocka_unit_test_setup(test_pmu_hidden_tsc_adjust_offered, full_host),
	        cmocka_unit_test_setup(test_tsc_adjust_needs_only_leaf_7, full_host),
	        cmocka_unit_test_setup(test_virtual_apic_always_offered, full_host),
	        cmocka_unit_test_setup(test_rdtscp_follows_its_control, full_host),
	        cmocka_unit_test_setup(test_vcpu_bits, full_host),
	        cmocka_unit_test_setup(test_leaf_7_subleaves_and_hypervisor_leaves, full_host),
	        cmocka_unit_test_setup(test_tsc_rate_leaves, full_host),
	        cmocka_unit_test_setup(test_out_of_range_leaves, full_host),
	        cmocka_unit_test_setup(test_topology_leaves, full_host),
	        cmocka_unit_test_setup(test_xsave_size_follows_guest_xcr0, full_host),
	        cmocka_unit_test_setup(test_misc_enable, full_host),
	        cmocka_unit_test_setup(test_mtrr_def_type, full_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
