/* trap.c: exception reports and interrupt dispatch. */
#include "arch/x86/trap.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/ksyms.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"

static irq_handler_t irq_handlers[IDT_VECTORS];

static const char *const exception_names[X86_EXC_COUNT] = {
        [X86_EXC_DE] = "#DE divide error",
        [X86_EXC_DB] = "#DB debug",
        [X86_EXC_NMI] = "NMI",
        [X86_EXC_BP] = "#BP breakpoint",
        [X86_EXC_OF] = "#OF overflow",
        [X86_EXC_BR] = "#BR bound range exceeded",
        [X86_EXC_UD] = "#UD invalid opcode",
        [X86_EXC_NM] = "#NM device not available",
        [X86_EXC_DF] = "#DF double fault",
        [X86_EXC_TS] = "#TS invalid TSS",
        [X86_EXC_NP] = "#NP segment not present",
        [X86_EXC_SS] = "#SS stack-segment fault",
        [X86_EXC_GP] = "#GP general protection",
        [X86_EXC_PF] = "#PF page fault",
        [X86_EXC_MF] = "#MF x87 floating-point error",
        [X86_EXC_AC] = "#AC alignment check",
        [X86_EXC_MC] = "#MC machine check",
        [X86_EXC_XM] = "#XM SIMD floating-point",
        [X86_EXC_VE] = "#VE virtualization exception",
        [X86_EXC_CP] = "#CP control protection",
};

/* #PF error code bits (SDM Vol. 3, Figure 4-12). */
#define PF_ERR_P (1u << 0)
#define PF_ERR_W (1u << 1)
#define PF_ERR_U (1u << 2)
#define PF_ERR_RSVD (1u << 3)
#define PF_ERR_I (1u << 4)

void trap_set_handler(unsigned vector, irq_handler_t fn)
{
	if (vector < X86_EXC_COUNT || vector >= IDT_VECTORS || irq_handlers[vector])
		panic("trap_set_handler: vector %u is reserved or taken", vector);
	irq_handlers[vector] = fn;
}

static void dump_symbolized(const char *label, uint64_t addr)
{
	char sym[96];

	ksyms_format(addr, sym, sizeof(sym));
	console_printf_raw("  %s %016llx %s\n", label, (unsigned long long)addr, sym);
}

const char *trap_exception_name(unsigned vector) { return vector < X86_EXC_COUNT ? exception_names[vector] : 0; }

void trap_dump_backtrace(uint64_t rbp, uint64_t lo, uint64_t hi)
{
	console_printf_raw("  backtrace:\n");
	for (int depth = 0; depth < 32 && rbp; depth++) {
		/*
		 * With known bounds, stay inside them (an AP's stack is in the
		 * identity map, low). Without, accept any kernel-half frame. Frames
		 * are 8-aligned either way.
		 */
		if (rbp & 7)
			break;
		if (hi ? rbp < lo || rbp + 16 > hi : rbp < 0xffff800000000000ull)
			break;
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (!ret)
			break;
		char sym[96];
		ksyms_format(ret, sym, sizeof(sym));
		console_printf_raw("    #%-2d %016llx %s\n", depth, (unsigned long long)ret, sym);
		rbp = frame[0];
	}
}

void trap_dump(const struct trap_frame *f)
{
	const char *name = trap_exception_name((unsigned)f->vector);

	console_printf_raw("  vector %llu (%s), error code %#llx\n", (unsigned long long)f->vector,
	                   name ? name : "interrupt", (unsigned long long)f->error_code);
	if (f->vector == X86_EXC_PF)
		console_printf_raw("  page fault: %s, %s access, %s mode%s%s\n",
		                   f->error_code & PF_ERR_P ? "protection violation" : "page not present",
		                   f->error_code & PF_ERR_I   ? "instruction fetch"
		                   : f->error_code & PF_ERR_W ? "write"
		                                              : "read",
		                   f->error_code & PF_ERR_U ? "user" : "supervisor",
		                   f->error_code & PF_ERR_RSVD ? ", reserved bit set" : "", "");
	dump_symbolized("RIP", f->rip);
	console_printf_raw("  CS  %04llx  SS %04llx  RFLAGS %016llx  RSP %016llx\n", (unsigned long long)f->cs,
	                   (unsigned long long)f->ss, (unsigned long long)f->rflags, (unsigned long long)f->rsp);
	console_printf_raw("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)f->rax,
	                   (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	console_printf_raw("  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)f->rsi,
	                   (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
	console_printf_raw("  R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)f->r9,
	                   (unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
	console_printf_raw("  R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)f->r13,
	                   (unsigned long long)f->r14, (unsigned long long)f->r15);
	console_printf_raw("  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n", (unsigned long long)read_cr0(),
	                   (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
	                   (unsigned long long)read_cr4());
	console_printf_raw("  EFER %016llx GS.base %016llx\n", (unsigned long long)rdmsr(MSR_EFER),
	                   (unsigned long long)rdmsr(MSR_GS_BASE));
}

bool trap_run_handler(unsigned vector)
{
	struct trap_frame f = {.vector = vector};

	if (vector < X86_EXC_COUNT || vector >= IDT_VECTORS || !irq_handlers[vector])
		return false;
	irq_handlers[vector](&f);
	return true;
}

/* The {instruction, resume} pairs the *_safe wrappers of cpu.h leave (linker.ld). */
struct extable_entry {
	uint64_t insn, resume;
};
extern const struct extable_entry __extable_start[], __extable_end[];

/* A #GP or #UD at an instruction that expects one: go on where it says, as if it had failed. */
static bool extable_resume(struct trap_frame *f)
{
	if (f->vector != X86_EXC_GP && f->vector != X86_EXC_UD)
		return false;
	size_t n = ((uintptr_t)__extable_end - (uintptr_t)__extable_start) / sizeof(struct extable_entry);

	for (size_t i = 0; i < n; i++) {
		if (__extable_start[i].insn == f->rip) {
			f->rip = __extable_start[i].resume;
			return true;
		}
	}
	return false;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector >= X86_EXC_COUNT && irq_handlers[f->vector]) {
		irq_handlers[f->vector](f);
		return;
	}
	if (f->vector >= X86_EXC_COUNT) {
		pr_warn("unexpected interrupt, vector %llu: ignored", (unsigned long long)f->vector);
		return;
	}
	if (extable_resume(f))
		return;
	trap_fatal(f);
}
