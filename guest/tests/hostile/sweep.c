/*
 * sweep.c: attacks on the instruction-level interface (docs/hostile-suite.md): every MSR index in three ranges
 * read and written (each works or raises #GP, and only the MSRs of docs/guest-platform.md can be read), CPUID
 * leaves across every range (never a fault, the same answer twice), every VMX instruction (#UD: CPUID offers no
 * VMX), and every hypercall with pointers into the holes, across the end of RAM and with huge lengths (HC_EINVAL,
 * nothing written).
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/exit/hypercall.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define MSR_BIT63 (1ull << 63)
#define CPUID_SUBLEAVES 8
#define CANARY 0xa5

/* ---- MSRs ---- */

/* The MSRs docs/guest-platform.md gives a guest (those CPUID hides still #GP): nothing else may be readable. */
static bool documented_msr(uint32_t msr)
{
	static const uint32_t known[] = {0x10,  0x1b,  0x3a,  0x3b,  0x8b,  0xfe, 0x174,
	                                 0x175, 0x176, 0x1a0, 0x277, 0x2ff, 0x6e0};

	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (msr == known[i])
			return true;
	if (msr >= APIC_X2APIC_MSR_FIRST && msr <= APIC_X2APIC_MSR_LAST)
		return in_x2apic();
	return (msr >= 0xc0000080u && msr <= 0xc0000084u) || (msr >= 0xc0000100u && msr <= 0xc0000103u);
}

struct msr_tally {
	uint32_t msrs, readable, undocumented, bad_vector, write_only, unexpected_write_only;
};

/* In x2APIC mode EOI and SELF IPI are write-only (SDM Vol. 3, Table 11-6): the only MSRs a write reaches alone. */
static bool write_only_msr(uint32_t msr)
{
	return in_x2apic() && (msr == APIC_X2APIC_MSR(APIC_REG_EOI) || msr == APIC_X2APIC_MSR(APIC_REG_SELF_IPI));
}

static bool ok_or_gp(int vector) { return vector == GUEST_NO_FAULT || vector == X86_TRAP_GP; }

static void sweep_msr(uint32_t msr, struct msr_tally *t)
{
	uint64_t v = 0;
	int r = rdmsr_safe(msr, &v);

	t->msrs++;
	t->bad_vector += !ok_or_gp(r);
	if (r == GUEST_NO_FAULT) {
		t->readable++;
		if (!documented_msr(msr)) {
			t->undocumented++;
			guest_printf("# hostile: MSR %#x reads %#llx: not a documented MSR\n", msr,
			             (unsigned long long)v);
		}
		if (msr >= APIC_X2APIC_MSR_FIRST && msr <= APIC_X2APIC_MSR_LAST)
			return; /* writing back an ICR sends it again: the icr and flood attacks cover those */
		t->bad_vector += !ok_or_gp(wrmsr_safe(msr, v));
		t->bad_vector += !ok_or_gp(wrmsr_safe(msr, ~0ull));
		t->bad_vector += !ok_or_gp(wrmsr_safe(msr, MSR_BIT63));
		t->bad_vector += !ok_or_gp(wrmsr_safe(msr, v)); /* as it was */
		return;
	}
	int w0 = wrmsr_safe(msr, 0), w1 = wrmsr_safe(msr, ~0ull);
	t->bad_vector += !ok_or_gp(w0) + !ok_or_gp(w1);
	if (w0 != GUEST_NO_FAULT && w1 != GUEST_NO_FAULT)
		return;
	t->write_only++;
	if (!write_only_msr(msr)) {
		t->unexpected_write_only++;
		guest_printf("# hostile: MSR %#x: #GP on read, a write taken\n", msr);
	}
}

static void msr_range(uint32_t first, uint32_t n)
{
	struct msr_tally t = {0};

	for (uint32_t i = 0; i < n; i++)
		sweep_msr(first + i, &t);
	guest_printf("# hostile: MSRs %#x-%#x: %u readable, %u write-only, %u #GP on read and write\n", first,
	             first + n - 1, t.readable, t.write_only, t.msrs - t.readable - t.write_only);
	expect_eqf(t.bad_vector, 0, "MSRs %#x-%#x: every RDMSR and WRMSR works or raises #GP", first, first + n - 1);
	expect_eqf(t.undocumented, 0, "MSRs %#x-%#x: only documented MSRs read", first, first + n - 1);
	expect_eqf(t.unexpected_write_only, 0, "MSRs %#x-%#x: none is write-only but x2APIC EOI and SELF IPI", first,
	           first + n - 1);
}

static void msrs(void)
{
	uint64_t tsc = rdtsc();

	msr_range(0, 0x2000);
	msr_range(0x40000000u, 0x100);
	msr_range(0xc0000000u, 0x2000);
	expect_true("the TSC still runs forward", rdtsc() > tsc);
}

/* ---- CPUID ---- */

struct leaf_tally {
	uint32_t leaves, changed, bad_apic_id;
};

static void sweep_leaf(uint32_t leaf, uint32_t sub, struct leaf_tally *t)
{
	uint32_t a[4], b[4];

	cpuid(leaf, sub, a);
	cpuid(leaf, sub, b);
	t->leaves++;
	t->changed += memcmp(a, b, sizeof(a)) != 0;
	if (leaf == CPUID_LEAF_FEATURES)
		t->bad_apic_id += a[1] >> CPUID_1_EBX_APIC_ID_SHIFT != h.me;
	if (leaf == CPUID_LEAF_X2APIC_TOPOLOGY)
		t->bad_apic_id += a[3] != h.me;
}

/* Above the highest basic or extended leaf: the highest basic leaf's answer (SDM Vol. 2A, CPUID), as filtered. */
static void out_of_range(uint32_t max_basic, uint32_t max_ext)
{
	const uint32_t beyond[] = {max_basic + 1, 0x3fffffffu, 0x50000000u, 0x7fffffffu,
	                           max_ext + 1,   0xc0000000u, 0xffffffffu};
	uint32_t top[4], r[4], differ = 0;

	cpuid(max_basic, 0, top);
	for (unsigned i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		cpuid(beyond[i], 0, r);
		differ += memcmp(r, top, sizeof(r)) != 0;
	}
	expect_eqf(differ, 0, "leaves above the highest (%#x, %#x) answer as leaf %#x does", max_basic, max_ext,
	           max_basic);
}

static void leaves(void)
{
	static const uint32_t odd[] = {0x20000000u, 0x3fffffffu, 0x4fffffffu, 0x7fffffffu, 0x8fffffffu,
	                               0xc0000000u, 0xc0000001u, 0xdeadbeefu, 0xfffffffeu, 0xffffffffu};
	struct leaf_tally t = {0};
	uint32_t r[4], hv[4], max_basic, max_ext;

	cpuid(0, 0, r);
	max_basic = r[0];
	cpuid(0x80000000u, 0, r);
	max_ext = r[0];
	for (uint32_t leaf = 0; leaf <= max_basic + 4; leaf++)
		for (uint32_t sub = 0; sub < CPUID_SUBLEAVES; sub++)
			sweep_leaf(leaf, sub, &t);
	for (uint32_t leaf = CPUID_LEAF_HV_BASE; leaf <= CPUID_LEAF_HV_BASE + 0x100; leaf++)
		sweep_leaf(leaf, 0, &t);
	for (uint32_t leaf = 0x80000000u; leaf <= max_ext + 4; leaf++)
		sweep_leaf(leaf, 0, &t);
	for (unsigned i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		sweep_leaf(odd[i], 0, &t);
	guest_printf("# hostile: %u CPUID leaves and subleaves, highest basic %#x, extended %#x\n", t.leaves, max_basic,
	             max_ext);
	expect_eq("every CPUID leaf answers the same twice", t.changed, 0);
	expect_eq("leaf 1 and 0xb give its own APIC ID", t.bad_apic_id, 0);
	cpuid(CPUID_LEAF_HV_BASE, 0, hv);
	expect_eq("leaf 0x40000000: the hypervisor's signature", memcmp(&hv[1], "apicvisor\0\0\0", 12), 0);
	cpuid(hv[0] + 1, 0, r);
	expect_eq("the leaf after the highest hypervisor leaf reads 0", r[0] | r[1] | r[2] | r[3], 0);
	out_of_range(max_basic, max_ext);
}

/* ---- VMX instructions: #UD ---- */

static uint64_t vmx_region __attribute__((aligned(4096)));
static uint32_t vmx_ptr = GUEST_LEGACY_HOLE_BASE; /* operands that point at no memory: #UD comes first */

#define VMX_CASE(fn, asm_text, ...)                      \
	static void fn(void *p)                          \
	{                                                \
		(void)p;                                 \
		__asm__ volatile(asm_text::__VA_ARGS__); \
	}
VMX_CASE(vmxon_ram, "vmxon %0", "m"(vmx_region))
VMX_CASE(vmxon_hole, "vmxon (%0)", "r"(vmx_ptr))
VMX_CASE(vmclear_ram, "vmclear %0", "m"(vmx_region))
VMX_CASE(vmptrld_hole, "vmptrld (%0)", "r"(vmx_ptr))
VMX_CASE(vmptrst_ram, "vmptrst %0", "m"(vmx_region))
VMX_CASE(vmread_reg, "vmread %0, %%eax", "r"(0x681e) : "eax")
VMX_CASE(vmwrite_reg, "vmwrite %0, %1", "r"(0), "r"(0x681e))
VMX_CASE(vmlaunch_, "vmlaunch")
VMX_CASE(vmresume_, "vmresume")
VMX_CASE(vmxoff_, "vmxoff")
VMX_CASE(invept_hole, "invept (%0), %1", "r"(vmx_ptr), "r"(1))
VMX_CASE(invvpid_ram, "invvpid %0, %1", "m"(vmx_region), "r"(2))
VMX_CASE(vmfunc_, "vmfunc", "a"(0), "c"(0))
VMX_CASE(getsec_, "getsec", "a"(0))
VMX_CASE(monitor_, "monitor", "a"(&vmx_region), "c"(0), "d"(0))
VMX_CASE(mwait_, "mwait", "a"(0), "c"(0))

static void vmx(void)
{
	static const struct {
		const char *name;
		void (*fn)(void *);
	} insns[] = {
	        {"VMXON (region in RAM)", vmxon_ram},
	        {"VMXON (region in the VGA window)", vmxon_hole},
	        {"VMCLEAR", vmclear_ram},
	        {"VMPTRLD (pointer into the VGA window)", vmptrld_hole},
	        {"VMPTRST", vmptrst_ram},
	        {"VMREAD", vmread_reg},
	        {"VMWRITE", vmwrite_reg},
	        {"VMLAUNCH", vmlaunch_},
	        {"VMRESUME", vmresume_},
	        {"VMXOFF", vmxoff_},
	        {"INVEPT (descriptor in the VGA window)", invept_hole},
	        {"INVVPID", invvpid_ram},
	        {"VMFUNC", vmfunc_},
	        {"GETSEC", getsec_},
	        {"MONITOR (hidden in CPUID)", monitor_},
	        {"MWAIT (hidden in CPUID)", mwait_},
	};
	char what[80];

	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		hv_snprintf(what, sizeof(what), "%s: #UD", insns[i].name);
		expect_fault(what, guest_catch(insns[i].fn, 0), X86_TRAP_UD);
	}
}

/* ---- hypercalls ---- */

static struct hc_exit_stats stats_buf;

/* VMCALL with every register but EAX given: whether they all came back as they went. */
static bool regs_kept(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t *ret)
{
	uint32_t b = a1, c = a2, d = a3, si = 0x5151u, di = 0xd1d1u;

	__asm__ volatile("pushl %%ebp\n movl $0xbbbb, %%ebp\n vmcall\n cmpl $0xbbbb, %%ebp\n popl %%ebp\n"
	                 "je 1f\n movl $0, %%esi\n1:\n"
	                 : "+a"(nr), "+b"(b), "+c"(c), "+d"(d), "+S"(si), "+D"(di)
	                 :
	                 : "memory", "cc");
	*ret = nr;
	return b == a1 && c == a2 && d == a3 && si == 0x5151u && di == 0xd1d1u;
}

/* The largest struct a hypercall writes (HC_EXIT_STATS, HC_ROOT_CYCLES, HC_ROOT_PHASES). */
#define HC_STRUCT_MAX                                                                                  \
	(sizeof(struct hc_root_cycles) > sizeof(struct hc_root_phases) ? sizeof(struct hc_root_cycles) \
	                                                               : sizeof(struct hc_root_phases))

/* A buffer call aimed at gpa with size bytes: HC_EINVAL, and the RAM it would have reached unchanged. */
static void refused_at(uint32_t nr, uint64_t gpa, uint32_t size, const char *where)
{
	uint32_t ret, len = 0, canary_at = 0;

	/* Where part of it is RAM, that part must stay as it was. */
	if (gpa < GUEST_LOW_RAM_END) {
		canary_at = (uint32_t)gpa;
		len = (uint32_t)(GUEST_LOW_RAM_END - gpa);
	} else if (gpa >= GUEST_HIGH_RAM_BASE && gpa < h.ram_end) {
		canary_at = (uint32_t)gpa;
		len = (uint32_t)(h.ram_end - gpa);
	}
	if (len > HC_STRUCT_MAX)
		len = HC_STRUCT_MAX;
	memset((void *)canary_at, CANARY, len);
	bool kept = regs_kept(nr, (uint32_t)gpa, size, 0, &ret);
	expect_eqf(ret, HC_EINVAL, "hypercall %u at %#llx (%s), %u bytes: HC_EINVAL", nr, (unsigned long long)gpa,
	           where, size);
	expect_true("and every other register kept", kept);
	uint32_t changed = 0;
	for (uint32_t i = 0; i < len; i++)
		changed += ((volatile uint8_t *)canary_at)[i] != CANARY;
	if (len)
		expect_eqf(changed, 0, "the %u bytes of RAM it reached: unchanged", len);
}

static void buffer_calls(uint32_t nr, uint32_t size)
{
	uint32_t ret;
	static uint8_t big[HC_STRUCT_MAX + 64];

	refused_at(nr, GUEST_LEGACY_HOLE_BASE, size, "the VGA window");
	refused_at(nr, GUEST_LOW_RAM_END - 16, size, "across the end of low RAM");
	refused_at(nr, GUEST_FIRMWARE_BASE, size, "the firmware area");
	refused_at(nr, h.ram_end - 16, size, "across the end of RAM");
	refused_at(nr, h.ram_end, size, "the end of RAM");
	refused_at(nr, GUEST_IOAPIC_BASE, size, "the I/O APIC");
	refused_at(nr, GUEST_LAPIC_BASE, size, "the local APIC");
	refused_at(nr, 0xfffffff0u, size, "the top of 4 GiB");
	refused_at(nr, 0xffffffffu, size, "the last byte of 4 GiB");
	refused_at(nr, (uint32_t)big, size - 1, "RAM, one byte short");
	refused_at(nr, (uint32_t)big, 0, "RAM, no bytes");
	memset(big, CANARY, sizeof(big));
	expect_true("and every other register kept", regs_kept(nr, (uint32_t)big, 0xffffffffu, 0, &ret));
	expect_eqf(ret, 0, "hypercall %u into RAM with ECX 0xffffffff: only the struct is written", nr);
	expect_eqf(big[size], CANARY, "hypercall %u: the byte after the struct is untouched", nr);
}

static void hypercalls(void)
{
	static const uint32_t unknown[] = {7, 8, 0x100, 0x7fffffffu, 0x80000000u, 0xffffffffu};
	uint32_t ret;

	expect_true("HC_VERSION keeps every other register", regs_kept(HC_VERSION, 1, 2, 3, &ret));
	expect_eq("HC_VERSION", ret, HC_INTERFACE_VERSION);
	for (unsigned i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		regs_kept(unknown[i], 0xffffffffu, 0xffffffffu, 0xffffffffu, &ret);
		expect_eqf(ret, HC_ENOSYS, "unknown hypercall %#x: HC_ENOSYS", unknown[i]);
	}
	buffer_calls(HC_EXIT_STATS, sizeof(struct hc_exit_stats));
	buffer_calls(HC_ROOT_CYCLES, sizeof(struct hc_root_cycles));
	buffer_calls(HC_ROOT_PHASES, sizeof(struct hc_root_phases));
	expect_eq("HC_EXIT_STATS into its own RAM", vmcall(HC_EXIT_STATS, (uint32_t)&stats_buf, sizeof(stats_buf), 0),
	          0);
	expect_eq("HC_IOAPIC_LINE pin 24: HC_EINVAL", vmcall(HC_IOAPIC_LINE, 24, 1, 0), HC_EINVAL);
	expect_eq("HC_IOAPIC_LINE pin 0xffffffff: HC_EINVAL", vmcall(HC_IOAPIC_LINE, 0xffffffffu, 1, 0), HC_EINVAL);
	expect_eq("HC_IOAPIC_LINE pin 23, masked: taken", vmcall(HC_IOAPIC_LINE, 23, 0xffffffffu, 0), 0);
	expect_eq("HC_IOAPIC_LINE pin 23 low again", vmcall(HC_IOAPIC_LINE, 23, 0, 0), 0);
	expect_eq("HC_WAKE_AFTER 0xffffffff us", vmcall(HC_WAKE_AFTER, 0xffffffffu, 0, 0), 0);
	expect_eq("HC_WAKE_AFTER 0 replaces it", vmcall(HC_WAKE_AFTER, 0, 0, 0), 0);
	hlt(); /* ends at once: the 0 is what the next HLT uses */
	expect_eq("HC_START_COUNT: its first start", vmcall(HC_START_COUNT, 0xffffffffu, 0, 0), 0);
}

const struct attack sweep_attacks[] = {
        {"msr", CONTAINED, 1,
         "RDMSR and WRMSR of every index in 0-0x1fff, 0x40000000-0x400000ff, 0xc0000000-0xc0001fff: works or #GP",
         msrs},
        {"cpuid", CONTAINED, 1, "CPUID across every range: no fault, the same answer twice, its own APIC ID", leaves},
        {"vmx", CONTAINED, 1,
         "VMXON to VMFUNC, INVEPT, INVVPID, GETSEC, MONITOR and MWAIT, operands into holes: each #UD", vmx},
        {"hypercall", CONTAINED, 1,
         "every hypercall, buffers in holes, across the end of RAM, huge lengths: HC_EINVAL or HC_ENOSYS, no write",
         hypercalls},
        {0},
};
