/*
 * cpustate.c: the processor state the hypervisor emulates, against the SDM:
 * MOV to CR0 and CR4 and WRMSR EFER (what #GPs, PAE paging, IA-32e mode
 * entered and left with one MOV, 64-bit mode's rules), every exiting
 * instruction in an STI and a MOV-SS shadow, a single-step trap after an
 * emulated instruction, and XSETBV over every XCR0 the CPU could hold.
 * Options: mode=xapic|x2apic (the APIC the shadow checks use).
 *
 * A CR0 write exits only when it changes a bit the hypervisor owns (NE, which
 * VMX forces to 1): the checks flip NE to reach the hypervisor's emulation,
 * and leave it alone to reach the CPU's own; both must agree with the SDM.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define CR0_MP (1u << 1)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_LA57 (1u << 12)
#define CR4_VMXE (1u << 13)
#define CR4_SMXE (1u << 14)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFLAGS_TF (1u << 8)
#define DR6_BS (1u << 14)
#define DR6_INIT 0xffff0ff0u
#define CPUID_1_ECX_PCID (1u << 17)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_7_ECX_LA57 (1u << 16)
#define CPUID_80000001_EDX_NX (1u << 20)
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define SEL_CODE32 0x08 /* the library's own selectors: its IDT's gates keep working */
#define SEL_CODE64 0x18
#define X86_TRAP_DB 1
#define VEC_SHADOW 0x50
#define PIC1_DATA 0x21
#define IOAPIC_IOREGSEL 0xfec00000u

/* ---- Small helpers ---- */

static void do_cr0(void *p) { __asm__ volatile("mov %0, %%cr0" ::"r"(*(uint32_t *)p) : "memory"); }
static void do_cr4(void *p) { __asm__ volatile("mov %0, %%cr4" ::"r"(*(uint32_t *)p) : "memory"); }

static int mov_cr0(uint32_t v) { return guest_catch(do_cr0, &v); }
static int mov_cr4(uint32_t v) { return guest_catch(do_cr4, &v); }

static uint32_t cpuid_reg(uint32_t leaf, unsigned idx)
{
	uint32_t r[4];

	cpuid(leaf, 0, r);
	return r[idx];
}

/* ---- CR0 and CR4 in protected mode, paging off ---- */

static void cr0_checks(void)
{
	uint32_t base = read_cr0() & ~CR0_NE;

	apic_section("CR0");
	expect_eq("the multiboot entry state: PE and ET", read_cr0() & (CR0_PE | CR0_PG), CR0_PE);
	expect_fault("MOV CR0 NE: the hypervisor's emulation takes it", mov_cr0(base | CR0_NE), GUEST_NO_FAULT);
	expect_eq("and it reads back", read_cr0() & CR0_NE, CR0_NE);
	for (int exits = 0; exits < 2; exits++) {
		uint32_t ne = exits ? (read_cr0() & CR0_NE) ^ CR0_NE : read_cr0() & CR0_NE;
		const char *how = exits ? "emulated" : "by the CPU";
		guest_printf("# MOV to CR0 %s\n", how);
		expect_fault("PG without PE: #GP", mov_cr0(CR0_PG | CR0_ET | ne), X86_TRAP_GP);
		expect_fault("NW without CD: #GP", mov_cr0(base | ne | CR0_NW), X86_TRAP_GP);
		expect_fault("CD and NW: taken", mov_cr0(base | ne | CR0_NW | CR0_CD), GUEST_NO_FAULT);
		expect_eq("CD and NW read back", read_cr0() & (CR0_CD | CR0_NW), CR0_CD | CR0_NW);
		expect_fault("and back", mov_cr0(base | (ne ^ CR0_NE) | (1u << 7)), GUEST_NO_FAULT);
		expect_eq("a reserved bit (7) is ignored", read_cr0() & (1u << 7), 0);
		expect_eq("ET stays set", read_cr0() & CR0_ET, CR0_ET);
	}
	mov_cr0(base | CR0_NE);
}

static void cr4_checks(void)
{
	uint32_t cr4 = read_cr4();

	apic_section("CR4");
	expect_fault("VMXE (no VMX in CPUID): #GP", mov_cr4(cr4 | CR4_VMXE), X86_TRAP_GP);
	expect_fault("SMXE (no SMX in CPUID): #GP", mov_cr4(cr4 | CR4_SMXE), X86_TRAP_GP);
	expect_fault("reserved bit 31: #GP", mov_cr4(cr4 | 1u << 31), X86_TRAP_GP);
	expect_fault("PCIDE outside IA-32e mode: #GP", mov_cr4(cr4 | CR4_PCIDE), X86_TRAP_GP);
	if (!(cpuid_reg(7, 2) & CPUID_7_ECX_LA57))
		expect_fault("LA57 (not in CPUID): #GP", mov_cr4(cr4 | CR4_LA57), X86_TRAP_GP);
	expect_eq("none of them stuck", read_cr4() & (CR4_VMXE | CR4_SMXE | 1u << 31 | CR4_PCIDE), 0);
	expect_fault("PSE: taken", mov_cr4(cr4 | CR4_PSE), GUEST_NO_FAULT);
	expect_eq("PSE reads back", read_cr4() & CR4_PSE, CR4_PSE);
	mov_cr4(cr4);
}

static void efer_checks(void)
{
	uint64_t efer = 0;
	bool nx = cpuid_reg(0x80000000u, 0) >= 0x80000001u && (cpuid_reg(0x80000001u, 3) & CPUID_80000001_EDX_NX);

	apic_section("EFER");
	expect_fault("read", rdmsr_safe(MSR_EFER, &efer), GUEST_NO_FAULT);
	expect_fault("reserved bit 1: #GP", wrmsr_safe(MSR_EFER, efer | 1u << 1), X86_TRAP_GP);
	expect_fault("reserved bit 14: #GP", wrmsr_safe(MSR_EFER, efer | 1u << 14), X86_TRAP_GP);
	expect_fault("SCE and LMA: taken", wrmsr_safe(MSR_EFER, efer | EFER_SCE | EFER_LMA), GUEST_NO_FAULT);
	expect_eq("SCE set, LMA ignored (the CPU's)", rdmsr(MSR_EFER) & (EFER_SCE | EFER_LMA), EFER_SCE);
	if (nx) {
		expect_fault("NXE (NX in CPUID): taken", wrmsr_safe(MSR_EFER, efer | EFER_NXE), GUEST_NO_FAULT);
		expect_eq("NXE reads back", rdmsr(MSR_EFER) & EFER_NXE, EFER_NXE);
	}
	wrmsr(MSR_EFER, efer);
}

/* ---- PAE paging (not IA-32e mode): its PDPTEs are loaded by the MOV to CR0 that enables it ---- */

static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
static uint64_t pae_pd[512] __attribute__((aligned(4096)));
static volatile uint32_t through_paging = 0x1234abcd;

static void pae_checks(void)
{
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();

	apic_section("PAE paging");
	for (unsigned i = 0; i < 512; i++)
		pae_pd[i] = (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS; /* the first GiB, identity */
	pae_pdpt[0] = (uint32_t)pae_pd | PTE_P;                         /* a PDPTE has no R/W bit (Table 4-8) */
	__asm__ volatile("mov %0, %%cr3" ::"r"((uint32_t)pae_pdpt) : "memory");
	mov_cr4(cr4 | CR4_PAE);
	expect_fault("PG with NE flipped: emulated, PDPTEs loaded", mov_cr0((cr0 ^ CR0_NE) | CR0_PG), GUEST_NO_FAULT);
	expect_eq("memory reads through PAE paging", through_paging, 0x1234abcd);
	expect_eq("EFER.LMA stays clear", rdmsr(MSR_EFER) & EFER_LMA, 0);
	expect_fault("paging off again (emulated)", mov_cr0(cr0), GUEST_NO_FAULT);
	pae_pdpt[0] |= PTE_W; /* reserved in a PDPTE */
	expect_fault("a PDPTE with a reserved bit: #GP (emulated)", mov_cr0((cr0 ^ CR0_NE) | CR0_PG), X86_TRAP_GP);
	expect_fault("and by the CPU", mov_cr0(cr0 | CR0_PG), X86_TRAP_GP);
	expect_eq("paging stayed off", read_cr0() & CR0_PG, 0);
	mov_cr4(cr4);
}

/* ---- IA-32e mode: entered with one MOV to CR0, 64-bit mode's rules, left from compatibility mode ---- */

static uint64_t lm_pml4[512] __attribute__((aligned(4096)));
static uint64_t lm_pdpt[512] __attribute__((aligned(4096)));
static const uint64_t gdt64[] __attribute__((aligned(8))) = {
        0, 0x00cf9a000000ffffull, /* SEL_CODE32: protected and compatibility mode */
        0x00cf92000000ffffull,    /* data */
        0x00af9a000000ffffull,    /* SEL_CODE64 */
};
static struct {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) gdtr64 = {sizeof(gdt64) - 1, 0}, gdtr_saved;
/* A 64-bit IDT: #GP resumes at resume64 and says so in fault64; any other exception ends the guest (status 100). */
static uint64_t idt64[2 * 32] __attribute__((aligned(16)));
struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) idtr64 = {sizeof(idt64) - 1, 0};
volatile uint32_t resume64, fault64, results64[8], pcid64;
volatile uint64_t save64;
static uint64_t efer_in_compat;

/*
 * 64-bit code: each TRY writes RAX to a control register with resume64 set to
 * right after it, and stores whether it raised #GP (13) or not (0). Then a far
 * return to compatibility mode.
 */
__asm__(".code64\n"
        ".macro TRY cr, slot\n"
        "  movl $1f, resume64(%rip)\n"
        "  movl $0, fault64(%rip)\n"
        "  movq %rax, %cr\\cr\n"
        "1: movl fault64(%rip), %edx\n"
        "  movl %edx, results64+4*\\slot(%rip)\n"
        ".endm\n"
        "gp64:\n"
        "  addq $8, %rsp\n" /* the error code */
        "  movl $13, fault64(%rip)\n"
        "  movq %rax, save64(%rip)\n"
        "  movl resume64(%rip), %eax\n"
        "  movq %rax, (%rsp)\n" /* return there */
        "  movq save64(%rip), %rax\n"
        "  iretq\n"
        "bad64:\n"
        "  movl $100, %eax\n"
        "  outl %eax, $0xf4\n"
        "  hlt\n"
        "checks64:\n"
        "  lidt idtr64(%rip)\n"
        "  movq %cr0, %rbx\n"
        "  movq %cr4, %rsi\n"
        "  movq %rsi, %rax\n"
        "  andq $~0x20, %rax\n"
        "  TRY 4, 0\n" /* CR4.PAE off in IA-32e mode */
        "  movq %rbx, %rax\n"
        "  andl $0x7fffffff, %eax\n"
        "  TRY 0, 1\n" /* PG off in 64-bit mode, by the CPU */
        "  xorq $0x20, %rax\n"
        "  TRY 0, 2\n" /* the same with NE flipped: emulated */
        "  movq %rbx, %rax\n"
        "  btsq $32, %rax\n"
        "  TRY 0, 3\n" /* CR0[63:32] reserved, by the CPU */
        "  xorq $0x20, %rax\n"
        "  TRY 0, 4\n" /* emulated */
        "  movq %rsi, %rax\n"
        "  btsq $32, %rax\n"
        "  TRY 4, 5\n" /* CR4[63:32] reserved */
        "  movq %rbx, %rax\n"
        "  xorq $0x20, %rax\n"
        "  TRY 0, 6\n" /* a legal emulated write in 64-bit mode */
        "  movq %rbx, %rax\n"
        "  TRY 0, 7\n" /* and back */
        "  cmpl $0, pcid64(%rip)\n"
        "  je 2f\n"
        "  movq %rsi, %rax\n"
        "  btsq $17, %rax\n"
        "  movq %rax, %cr4\n" /* PCIDE with PCID 0 current: taken (a #GP would end the guest) */
        "  movq %rsi, %cr4\n"
        "2: pushq $0x08\n"
        "  leaq back_to_compat(%rip), %rax\n"
        "  pushq %rax\n"
        "  lretq\n"
        ".code32\n");
extern char gp64[], bad64[];

static void gate64(unsigned vector, void *entry)
{
	uint32_t a = (uint32_t)entry;

	idt64[2 * vector] = (a & 0xffff) | (uint64_t)SEL_CODE64 << 16 | 0x8eull << 40 | (uint64_t)(a >> 16) << 48;
	idt64[2 * vector + 1] = 0;
}

static void long_mode_enter_check_leave(void)
{
	for (unsigned i = 0; i < 32; i++)
		gate64(i, i == X86_TRAP_GP ? gp64 : bad64);
	idtr64.base = (uint32_t)idt64;
	for (unsigned i = 0; i < 512; i++)
		pae_pd[i] = (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS;
	lm_pdpt[0] = (uint32_t)pae_pd | PTE_P | PTE_W;
	lm_pml4[0] = (uint32_t)lm_pdpt | PTE_P | PTE_W;
	gdtr64.base = (uint32_t)gdt64;
	pcid64 = (cpuid_1_ecx() & CPUID_1_ECX_PCID) != 0;
	/* Linux's way in: PAE, CR3, EFER.LME, then one MOV to CR0 that sets PG and NE (an exit: NE is owned). */
	__asm__ volatile("sgdt %[saved]\n"
	                 "cli\n"
	                 "lgdt %[gdt]\n"
	                 "ljmp $0x08, $1f\n"
	                 "1: movl %%cr4, %%eax\n"
	                 "orl $0x20, %%eax\n"
	                 "movl %%eax, %%cr4\n"
	                 "movl %[pml4], %%cr3\n"
	                 "movl $0xc0000080, %%ecx\n"
	                 "rdmsr\n"
	                 "orl $0x100, %%eax\n"
	                 "wrmsr\n"
	                 "movl %%cr0, %%eax\n"
	                 "andl $~0x20, %%eax\n"
	                 "movl %%eax, %%cr0\n" /* NE off first, so that the next MOV changes it */
	                 "orl $0x80000020, %%eax\n"
	                 "movl %%eax, %%cr0\n" /* PG and NE: IA-32e mode, compatibility mode */
	                 "movl $0xc0000080, %%ecx\n"
	                 "rdmsr\n"
	                 "movl %%eax, %[efer]\n"
	                 "ljmp $0x18, $checks64\n"
	                 "back_to_compat:\n"
	                 "movl %%cr0, %%eax\n" /* compatibility mode: PG off (and NE flipped) leaves IA-32e mode */
	                 "andl $0x7fffffff, %%eax\n"
	                 "xorl $0x20, %%eax\n"
	                 "movl %%eax, %%cr0\n"
	                 "lgdt %[saved]\n" /* the library's GDT again, and its code selector */
	                 "ljmp $0x08, $2f\n"
	                 "2:\n"
	                 : [efer] "=m"(efer_in_compat), [saved] "+m"(gdtr_saved)
	                 : [pml4] "r"((uint32_t)lm_pml4), [gdt] "m"(gdtr64)
	                 : "eax", "ecx", "edx", "ebx", "esi", "memory");
	irq_load(); /* the 256-vector IDT irq_init built (apic_suite_start) */
	uint64_t efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer & ~EFER_LME);
	mov_cr0(read_cr0() | CR0_NE);

	for (unsigned i = 0; i < ARRAY_LEN(results64); i++)
		if (results64[i] == 0)
			results64[i] = (uint32_t)GUEST_NO_FAULT;
	apic_section("IA-32e mode");
	expect_eq("one MOV to CR0 with PG and NE sets EFER.LMA", efer_in_compat & EFER_LMA, EFER_LMA);
	expect_fault("64-bit mode: PAE off, #GP", results64[0], X86_TRAP_GP);
	expect_fault("64-bit mode: PG off, #GP (by the CPU)", results64[1], X86_TRAP_GP);
	expect_fault("64-bit mode: PG off, #GP (emulated)", results64[2], X86_TRAP_GP);
	expect_fault("64-bit mode: CR0 bit 32, #GP (by the CPU)", results64[3], X86_TRAP_GP);
	expect_fault("64-bit mode: CR0 bit 32, #GP (emulated)", results64[4], X86_TRAP_GP);
	expect_fault("64-bit mode: CR4 bit 32, #GP", results64[5], X86_TRAP_GP);
	expect_fault("64-bit mode: a legal emulated MOV to CR0", results64[6], GUEST_NO_FAULT);
	expect_fault("and back", results64[7], GUEST_NO_FAULT);
	expect_eq("left from compatibility mode: EFER.LMA clear", efer & EFER_LMA, 0);
	expect_eq("paging is off", read_cr0() & CR0_PG, 0);
}

/* ---- Exits in an STI shadow and a MOV-SS shadow: the interrupt comes right after the instruction ---- */

static volatile uint32_t marker, seen_marker, taken;

static void shadow_handler(uint8_t vector)
{
	seen_marker = marker;
	taken++;
	irq_handler_eoi(vector);
}

/*
 * "sti; <exiting instruction>; marker = 1; cli", or with "mov ss" between
 * sti and the instruction (a MOV-SS shadow over it). PUSHAD and POPAD
 * around it keep every register the instruction uses or changes; the
 * registers it needs are loaded before the STI (setup).
 */
#define XSTR(x) STR(x)
#define STR(x) #x
#define SHADOWED(name, setup, insn)                                                                         \
	static void name(bool mov_ss)                                                                       \
	{                                                                                                   \
		if (mov_ss)                                                                                 \
			__asm__ volatile("pushal\n" setup "\nmovw %%ss, %%bx\nsti\nmovw %%bx, %%ss\n" insn  \
			                 "\nmovl $1, marker\ncli\npopal" ::                                 \
			                         : "memory");                                               \
		else                                                                                        \
			__asm__ volatile("pushal\n" setup "\nsti\n" insn "\nmovl $1, marker\ncli\npopal" :: \
			                         : "memory");                                               \
	}

SHADOWED(sh_cpuid, "xorl %%eax, %%eax\nxorl %%ecx, %%ecx", "cpuid")
SHADOWED(sh_hlt, "", "hlt")
SHADOWED(sh_rdmsr, "movl $" XSTR(MSR_IA32_PAT) ", %%ecx", "rdmsr")
SHADOWED(sh_wrmsr, "movl $" XSTR(MSR_IA32_PAT) ", %%ecx\nrdmsr", "wrmsr")
SHADOWED(sh_vmcall, "movl $" XSTR(HC_VERSION) ", %%eax", "vmcall")
SHADOWED(sh_in, "", "inb $0x21, %%al")
SHADOWED(sh_out, "xorl %%eax, %%eax", "outb %%al, $0x80")
SHADOWED(sh_mmio, "movl $" XSTR(IOAPIC_IOREGSEL) ", %%ecx", "movl (%%ecx), %%eax")
/* NE flipped first (an exit of its own, outside the shadow), then back in the shadow: the write that exits. */
SHADOWED(sh_cr0, "movl %%cr0, %%eax\nxorl $0x20, %%eax\nmovl %%eax, %%cr0\nxorl $0x20, %%eax", "movl %%eax, %%cr0")
SHADOWED(sh_invd, "", "invd")
SHADOWED(sh_xsetbv, "xorl %%ecx, %%ecx\nxgetbv", "xsetbv")

static const struct {
	const char *name;
	void (*run)(bool mov_ss);
	bool needs_xsave;
} shadowed[] = {
        {"CPUID", sh_cpuid},
        {"HLT", sh_hlt},
        {"RDMSR", sh_rdmsr},
        {"WRMSR", sh_wrmsr},
        {"VMCALL", sh_vmcall},
        {"IN", sh_in},
        {"OUT", sh_out},
        {"MMIO read (I/O APIC)", sh_mmio},
        {"MOV to CR0", sh_cr0},
        {"INVD", sh_invd},
        {"XSETBV", sh_xsetbv, true},
};

static void shadow_check(unsigned i, bool mov_ss)
{
	char what[96];

	__asm__ volatile("cli" ::: "memory");
	marker = 0;
	seen_marker = 0xff;
	taken = 0;
	apic_self_ipi(VEC_SHADOW);
	for (unsigned spin = 0; spin < 1000 && !apic_vector_bit(APIC_REG_IRR0, VEC_SHADOW); spin++)
		cpu_relax();
	shadowed[i].run(mov_ss);
	hv_snprintf(what, sizeof(what), "%s in a%s shadow: the interrupt comes right after it", shadowed[i].name,
	            mov_ss ? " MOV-SS" : "n STI");
	expect_true(what, taken == 1 && seen_marker == 0);
	if (taken != 1 || seen_marker != 0)
		guest_printf("# taken %u, marker when it came %u\n", taken, seen_marker);
}

static void shadow_checks(bool xsave)
{
	apic_section("interrupt shadows");
	irq_set_handler(VEC_SHADOW, shadow_handler);
	for (unsigned i = 0; i < ARRAY_LEN(shadowed); i++) {
		if (shadowed[i].needs_xsave && !xsave)
			continue;
		for (int mov_ss = 0; mov_ss < 2; mov_ss++)
			shadow_check(i, mov_ss);
	}
}

/* ---- A single-step trap after an emulated instruction: right after it, with DR6.BS ---- */

extern char after_cpuid[], after_in[];

static void step_cpuid(void *p)
{
	(void)p;
	__asm__ volatile("pushfl\n orl $0x100, (%%esp)\n popfl\n"
	                 "cpuid\n"
	                 "after_cpuid: nop\n nop\n"
	                 "pushfl\n andl $~0x100, (%%esp)\n popfl" ::"a"(0),
	                 "c"(0)
	                 : "ebx", "edx", "memory");
}

static void step_in(void *p)
{
	(void)p;
	__asm__ volatile("pushfl\n orl $0x100, (%%esp)\n popfl\n"
	                 "inb $0x21, %%al\n"
	                 "after_in: nop\n nop\n"
	                 "pushfl\n andl $~0x100, (%%esp)\n popfl" ::
	                         : "eax", "memory");
}

static uint32_t read_dr6(void)
{
	uint32_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void single_step_checks(void)
{
	static const struct {
		const char *name;
		void (*fn)(void *);
		char *after;
	} steps[] = {{"CPUID", step_cpuid, after_cpuid}, {"IN", step_in, after_in}};

	apic_section("single-step");
	for (unsigned i = 0; i < ARRAY_LEN(steps); i++) {
		char what[80];
		__asm__ volatile("mov %0, %%dr6" ::"r"(DR6_INIT));
		int vector = guest_catch(steps[i].fn, 0);
		hv_snprintf(what, sizeof(what), "TF over %s: #DB", steps[i].name);
		expect_fault(what, vector, X86_TRAP_DB);
		hv_snprintf(what, sizeof(what), "TF over %s: the trap is on it (EIP right after)", steps[i].name);
		expect_eq(what, guest_last_fault.eip, (uint32_t)steps[i].after);
		hv_snprintf(what, sizeof(what), "TF over %s: DR6.BS", steps[i].name);
		expect_eq(what, read_dr6() & DR6_BS, DR6_BS);
	}
}

/* ---- XSETBV over every XCR0 the CPU could hold ---- */

static uint64_t xcr0_value;

static void do_xsetbv(void *p)
{
	uint32_t xcr = *(uint32_t *)p;

	__asm__ volatile("xsetbv" ::"c"(xcr), "a"((uint32_t)xcr0_value), "d"((uint32_t)(xcr0_value >> 32)) : "memory");
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static int xsetbv(uint32_t xcr, uint64_t v)
{
	xcr0_value = v;
	return guest_catch(do_xsetbv, &xcr);
}

/* The SDM's rule (Vol. 1, 13.3), written here again from the manual, as the test's own oracle. */
static bool xcr0_legal(uint64_t v, uint64_t supported)
{
	uint64_t avx512 = v & 0xe0, mpx = v & 0x18, amx = v & 0x60000;

	if (!(v & 1) || (v & ~supported) || ((v & 4) && !(v & 2)))
		return false;
	if (avx512 && (avx512 != 0xe0 || !(v & 4)))
		return false;
	return (mpx == 0 || mpx == 0x18) && (amx == 0 || amx == 0x60000);
}

static void xsetbv_checks(void)
{
	uint64_t supported = (uint64_t)cpuid_reg(0xd, 3) << 32 | cpuid_reg(0xd, 0);
	unsigned bits[64], n = 0, wrong = 0, legal = 0;

	apic_section("XSETBV");
	__asm__ volatile("mov %0, %%cr4" ::"r"(read_cr4() | CR4_OSXSAVE) : "memory");
	for (unsigned b = 0; b < 64; b++)
		if (supported >> b & 1)
			bits[n++] = b;
	guest_printf("# XCR0 bits the CPU supports: %#llx (%u of them)\n", (unsigned long long)supported, n);
	if (n > 12)
		n = 12; /* 4096 combinations are plenty */
	for (uint32_t m = 0; m < (1u << n); m++) {
		uint64_t v = 0;
		for (unsigned i = 0; i < n; i++)
			v |= (uint64_t)(m >> i & 1) << bits[i];
		bool ok = xcr0_legal(v, supported);
		int f = xsetbv(0, v);
		legal += ok;
		if ((ok ? f != GUEST_NO_FAULT : f != X86_TRAP_GP) || (ok && xgetbv0() != v)) {
			guest_printf("# XCR0 %#llx: %s\n", (unsigned long long)v,
			             f == GUEST_NO_FAULT ? "taken" : "#GP");
			wrong++;
		}
	}
	expect_eq("every combination of the supported bits: taken or #GP as the SDM says", wrong, 0);
	guest_printf("# %u of %u combinations legal\n", legal, 1u << n);
	expect_fault("x87 only", xsetbv(0, 1), GUEST_NO_FAULT);
	expect_fault("0x23 (one AVX-512 component, no AVX): #GP", xsetbv(0, 0x23), X86_TRAP_GP);
	expect_fault("0x63: #GP", xsetbv(0, 0x63), X86_TRAP_GP);
	expect_fault("0xa3: #GP", xsetbv(0, 0xa3), X86_TRAP_GP);
	expect_fault("a bit the CPU does not support: #GP", xsetbv(0, 1 | (~supported & -~supported)), X86_TRAP_GP);
	expect_fault("XCR1: #GP", xsetbv(1, 1), X86_TRAP_GP);
	expect_eq("XCR0 after the refusals", xgetbv0(), 1);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	bool xsave;

	apic_suite_start("cpustate", "the CPU state the hypervisor emulates", mbi);
	expect_eq("entered by a multiboot loader", magic, MULTIBOOT_BOOTLOADER_MAGIC);
	apic_suite_enter_mode();
	apic_suite_setup();
	xsave = (cpuid_1_ecx() & CPUID_1_ECX_XSAVE) != 0;
	cr0_checks();
	cr4_checks();
	efer_checks();
	pae_checks();
	long_mode_enter_check_leave();
	single_step_checks();
	if (xsave)
		xsetbv_checks();
	else
		guest_printf("# no XSAVE in CPUID: XSETBV not checked\n");
	shadow_checks(xsave);
	guest_finish();
}
