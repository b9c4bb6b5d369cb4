/* exits.c: VM-exit handling: one handler per exit reason, dispatched from a table. */
#include "vmm/exit/exits.h"

#include "arch/x86/cpu.h"
#include "apicv/apicv.h"
#include "apicv/mode.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "arch/x86/lapic.h"
#include "vmm/lib/log.h"
#include "vmm/lib/cost_hist.h"
#include "vmm/lib/fmt.h"
#include "vmm/partition/guest.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/panic.h"
#include "vmm/core/percpu.h"
#include "vmm/lib/spinlock.h"
#include "vmm/lib/string.h"
#include "vmm/irq/irq.h"

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define CPUID_1_ECX_XSAVE (1u << 26)

/* Stop the guest with a full report of this exit: the unrecoverable path of every handler. */
static enum exit_action stop_with_dump(struct vcpu *v, const struct exit_info *e, const char *why)
{
	char reason[96];

	hv_snprintf(reason, sizeof(reason), "%s", why);
	console_printf_raw("*** guest %s, vCPU %u on CPU %u: %s\n", v->guest->name, v->index, v->cpu, why);
	console_printf_raw("    exit reason %u (%s), qualification %#llx, instruction length %u\n", e->reason,
	                   exit_reason_name(e->reason), (unsigned long long)e->qualification, e->instruction_len);
	vmx_dump_guest_state(&v->regs);
	guest_stop(v->guest, reason, 0);
	return EXIT_STOPPED;
}

static enum exit_action handle_unexpected(struct vcpu *v, const struct exit_info *e)
{
	char why[80];

	hv_snprintf(why, sizeof(why), "unhandled VM exit %s", exit_reason_name(e->reason));
	return stop_with_dump(v, e, why);
}

static enum exit_action handle_exception_nmi(struct vcpu *v, const struct exit_info *e)
{
	if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		if (panic_in_progress())
			panic_park(); /* another core panicked and stops this one (panic.c) */
		pr_warn("vmx: NMI while in guest %s: not from a panic (the only NMI the hypervisor sends); ignored",
		        v->guest->name);
		return EXIT_RESUME;
	}
	return handle_unexpected(v, e); /* the exception bitmap is empty: no exception should exit */
}

/*
 * With "acknowledge interrupt on exit" the interrupt is already taken from the
 * local APIC and its vector is in the exit information (SDM Vol. 3, 28.2.2):
 * run the hypervisor's handler for it, which ends it with an EOI.
 */
static enum exit_action handle_external_interrupt(struct vcpu *v, const struct exit_info *e)
{
	unsigned vector = e->intr_info & INTR_INFO_VECTOR_MASK;

	if (vector == LAPIC_SPURIOUS_VECTOR || trap_run_handler(vector))
		return EXIT_RESUME;
	pr_warn("vmx: unexpected host interrupt, vector %u, while in guest %s: ended and ignored", vector,
	        v->guest->name);
	lapic_eoi();
	return EXIT_RESUME;
}

static enum exit_action handle_triple_fault(struct vcpu *v, const struct exit_info *e)
{
	return stop_with_dump(v, e, "triple fault (shutdown)");
}

static enum exit_action handle_init_sipi(struct vcpu *v, const struct exit_info *e)
{
	pr_warn("vmx: guest %s: unexpected %s on CPU %u; ignored", v->guest->name, exit_reason_name(e->reason), v->cpu);
	return EXIT_RESUME;
}

static enum exit_action handle_hlt(struct vcpu *v, const struct exit_info *e)
{
	vmx_skip_instruction(e);
	v->state = VCPU_HALTED;
	v->wake_tsc = 0;
	if (v->wake_after_us) {
		v->wake_tsc = tsc_deadline_us(v->wake_after_us);
		v->wake_after_us = 0;
	}
	return EXIT_RESUME;
}

/* INVD would drop the hypervisor's dirty lines too: write them back instead (SDM Vol. 2, INVD). */
static enum exit_action handle_invd(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	__asm__ volatile("wbinvd" ::: "memory");
	vmx_skip_instruction(e);
	return EXIT_RESUME;
}

static enum exit_action inject_ud(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	vmx_inject_exception(X86_EXC_UD, false, 0);
	return EXIT_RESUME;
}

_Static_assert(EXIT_REASON_MAX <= HC_EXIT_REASONS, "every exit reason fits the hypercall's table");
_Static_assert(HC_APICV_EMULATED == VMX_APICV_EMULATED && HC_APICV_TPR == VMX_APICV_TPR &&
                       HC_APICV_VID == VMX_APICV_VID && HC_APICV_POSTED == VMX_APICV_POSTED,
               "the hypercall names the modes as vmx_caps.h numbers them");

static struct spinlock root_cycles_lock = SPINLOCK_INIT;

/* The APIC-virtualization controls the current VMCS runs with, as HC_APICV_F_* bits. */
static uint32_t apicv_flags(void)
{
	uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL), proc2 = vmcs_read32(SECONDARY_VM_EXEC_CONTROL);
	uint32_t pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL), f = 0;

	f |= proc & CPU_BASED_TPR_SHADOW ? HC_APICV_F_TPR_SHADOW : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES ? HC_APICV_F_APIC_ACCESSES : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE ? HC_APICV_F_X2APIC_MODE : 0;
	f |= proc2 & SECONDARY_EXEC_APIC_REGISTER_VIRT ? HC_APICV_F_REGISTER_VIRT : 0;
	f |= proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY ? HC_APICV_F_INTR_DELIVERY : 0;
	f |= pin & PIN_BASED_POSTED_INTR ? HC_APICV_F_POSTED : 0;
	return f;
}

/* HC_EXIT_STATS: the counts into guest RAM at gpa; HC_EINVAL unless the whole struct fits in RAM there. */
static uint32_t exit_stats(struct vcpu *v, uint64_t gpa, uint32_t size)
{
	struct hc_exit_stats s = {
	        .version = HC_EXIT_STATS_VERSION,
	        .nreasons = HC_EXIT_REASONS,
	        .apicv_mode = apicv_mode(),
	        .apicv_flags = apicv_flags(),
	        .interrupts = v->interrupts,
	        .total = v->exits_total,
	};

	memcpy(s.exits, v->exits, sizeof(v->exits));
	return size >= sizeof(s) && guest_write_ram(v->guest, gpa, &s, sizeof(s)) ? 0 : HC_EINVAL;
}

/* HC_ROOT_CYCLES: the root-mode cost of each exit reason into guest RAM at gpa, as HC_EXIT_STATS. */
static uint32_t root_cycles(struct vcpu *v, uint64_t gpa, uint32_t size)
{
	static struct hc_root_cycles s; /* 3 KiB: not on the stack; one VMCALL per core at a time */

	spin_lock(&root_cycles_lock);
	memset(&s, 0, sizeof(s));
	s.version = HC_ROOT_CYCLES_VERSION;
	s.nreasons = HC_EXIT_REASONS;
	s.tsc_khz = tsc_hz() / 1000;
	for (unsigned r = 0; r < EXIT_REASON_MAX; r++) {
		const struct cost_hist *h = &v->root_cost[r];
		s.reason[r] = (struct hc_root_cost){.count = h->count,
		                                    .total = h->total,
		                                    .median = cost_hist_percentile(h, 500),
		                                    .p99 = cost_hist_percentile(h, 990),
		                                    .max = h->max};
	}
	uint32_t r = size >= sizeof(s) && guest_write_ram(v->guest, gpa, &s, sizeof(s)) ? 0 : HC_EINVAL;
	spin_unlock(&root_cycles_lock);
	return r;
}

static enum exit_action handle_vmcall(struct vcpu *v, const struct exit_info *e)
{
	uint32_t nr = (uint32_t)v->regs.rax;

	switch (nr) {
	case HC_VERSION: v->regs.rax = HC_INTERFACE_VERSION; break;
	case HC_WAKE_AFTER:
		v->wake_after_us = (uint32_t)v->regs.rbx;
		v->regs.rax = 0;
		break;
	case HC_IOAPIC_LINE:
		if ((uint32_t)v->regs.rbx >= VIOAPIC_PINS) {
			v->regs.rax = HC_EINVAL;
			break;
		}
		irq_ioapic_line(v->guest, (uint32_t)v->regs.rbx, (uint32_t)v->regs.rcx != 0);
		v->regs.rax = 0;
		break;
	case HC_EXIT_STATS: v->regs.rax = exit_stats(v, v->regs.rbx & 0xffffffffu, (uint32_t)v->regs.rcx); break;
	case HC_ROOT_CYCLES: v->regs.rax = root_cycles(v, v->regs.rbx & 0xffffffffu, (uint32_t)v->regs.rcx); break;
	default: v->regs.rax = HC_ENOSYS; break;
	}
	vmx_skip_instruction(e);
	return EXIT_RESUME;
}

/*
 * A MOV to CR0 or CR4 that touches a bit the hypervisor owns (CR0.NE, CR4.VMXE,
 * ...): the guest gets the value it wrote in the read shadow, the CPU the value
 * with the fixed bits forced (SDM Vol. 3, 26.3 and 25.6.6).
 */
/* CR8 is TPR[7:4] (SDM Vol. 3, 11.8.6.1); bits 63:4 are reserved (#GP). */
static enum exit_action cr8_access(struct vcpu *v, const struct exit_info *e, unsigned type, uint64_t *r)
{
	bool x2 = vlapic_mode(&v->lapic) == VLAPIC_MODE_X2APIC;
	struct vlapic_effect fx = {0};

	if (type == CR_TYPE_MOV_FROM_CR) {
		*r = vlapic_reg(&v->lapic, APIC_REG_TPR) >> 4;
	} else if (*r & ~0xfull) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	} else {
		vlapic_write(&v->lapic, APIC_REG_TPR, *r << 4, x2, rdtsc(), &fx);
	}
	vmx_skip_instruction(e);
	return EXIT_RESUME;
}

static enum exit_action handle_cr_access(struct vcpu *v, const struct exit_info *e)
{
	unsigned cr = e->qualification & CR_QUAL_NUMBER_MASK;
	unsigned type = (e->qualification >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK;
	unsigned reg = (e->qualification >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK;

	if (reg == 4 /* RSP lives in the VMCS: no guest would use it here */)
		return handle_unexpected(v, e);
	if (cr == 8 && (type == CR_TYPE_MOV_TO_CR || type == CR_TYPE_MOV_FROM_CR))
		return cr8_access(v, e, type, guest_gpr(&v->regs, reg));
	if (type != CR_TYPE_MOV_TO_CR || (cr != 0 && cr != 4))
		return handle_unexpected(v, e);
	uint64_t val = *guest_gpr(&v->regs, reg);
	if (cr == 0) {
		uint64_t mask = vmcs_readl(CR0_GUEST_HOST_MASK);
		vmcs_writel(CR0_READ_SHADOW, val);
		vmcs_writel(GUEST_CR0, (val & ~mask) | (vmcs_readl(GUEST_CR0) & mask));
	} else {
		uint64_t mask = vmcs_readl(CR4_GUEST_HOST_MASK);
		vmcs_writel(CR4_READ_SHADOW, val);
		vmcs_writel(GUEST_CR4, (val & ~mask) | (vmcs_readl(GUEST_CR4) & mask));
	}
	vmx_skip_instruction(e);
	return EXIT_RESUME;
}

/* XSETBV: only XCR0, only features the host has, x87 always, AVX only with SSE (SDM Vol. 1, 13.3). */
static enum exit_action handle_xsetbv(struct vcpu *v, const struct exit_info *e)
{
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	struct cpuid_regs d = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;
	bool host_xsave = (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE) != 0;

	if (!host_xsave || (uint32_t)v->regs.rcx != 0 || !(val & XCR0_X87) || (val & ~supported) ||
	    ((val & XCR0_AVX) && !(val & XCR0_SSE))) {
		vmx_inject_exception(X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE); /* XSETBV is legal in root operation only with it */
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	vmx_skip_instruction(e);
	return EXIT_RESUME;
}

static enum exit_action handle_ept_violation(struct vcpu *v, const struct exit_info *e)
{
	if (irq_is_mmio(v, e->guest_physical))
		return irq_mmio(v, e);

	char why[96];
	const char *access = e->qualification & EPT_QUAL_WRITE   ? "write"
	                     : e->qualification & EPT_QUAL_FETCH ? "instruction fetch"
	                                                         : "read";

	hv_snprintf(why, sizeof(why), "%s at guest-physical %#llx, outside its memory or not allowed there", access,
	            (unsigned long long)e->guest_physical);
	if (e->qualification & EPT_QUAL_GLA_VALID)
		console_printf_raw("    guest-linear address %#llx\n", (unsigned long long)e->guest_linear);
	return stop_with_dump(v, e, why);
}

static enum exit_action handle_ept_misconfig(struct vcpu *v, const struct exit_info *e)
{
	pr_err("vmx: EPT misconfiguration at guest-physical %#llx: a hypervisor bug in guest %s's EPT",
	       (unsigned long long)e->guest_physical, v->guest->name);
	return stop_with_dump(v, e, "EPT misconfiguration");
}

/* The window opened, or the timer ran out: irq_before_entry injects what is pending. */
static enum exit_action handle_resume(struct vcpu *v, const struct exit_info *e)
{
	(void)v;
	(void)e;
	return EXIT_RESUME;
}

static enum exit_action handle_invalid_state(struct vcpu *v, const struct exit_info *e)
{
	return stop_with_dump(v, e, "VM entry failed: invalid guest state (SDM Vol. 3, 27.3.1)");
}

static const exit_handler_t handlers[EXIT_REASON_MAX] = {
        [EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
        [EXIT_REASON_EXTERNAL_INTERRUPT] = handle_external_interrupt,
        [EXIT_REASON_TPR_BELOW_THRESHOLD] = handle_tpr_below_threshold,
        [EXIT_REASON_APIC_ACCESS] = handle_apic_access,
        [EXIT_REASON_EOI_INDUCED] = handle_eoi_induced,
        [EXIT_REASON_APIC_WRITE] = handle_apic_write,
        [EXIT_REASON_TRIPLE_FAULT] = handle_triple_fault,
        [EXIT_REASON_INIT_SIGNAL] = handle_init_sipi,
        [EXIT_REASON_SIPI_SIGNAL] = handle_init_sipi,
        [EXIT_REASON_CPUID] = handle_cpuid,
        [EXIT_REASON_HLT] = handle_hlt,
        [EXIT_REASON_INVD] = handle_invd,
        [EXIT_REASON_VMCALL] = handle_vmcall,
        [EXIT_REASON_VMCLEAR] = inject_ud,
        [EXIT_REASON_VMLAUNCH] = inject_ud,
        [EXIT_REASON_VMPTRLD] = inject_ud,
        [EXIT_REASON_VMPTRST] = inject_ud,
        [EXIT_REASON_VMREAD] = inject_ud,
        [EXIT_REASON_VMRESUME] = inject_ud,
        [EXIT_REASON_VMWRITE] = inject_ud,
        [EXIT_REASON_VMOFF] = inject_ud,
        [EXIT_REASON_VMON] = inject_ud,
        [EXIT_REASON_INVEPT] = inject_ud,
        [EXIT_REASON_INVVPID] = inject_ud,
        [EXIT_REASON_VMFUNC] = inject_ud,
        [EXIT_REASON_GETSEC] = inject_ud,
        [EXIT_REASON_MWAIT_INSTRUCTION] = inject_ud,
        [EXIT_REASON_MONITOR_INSTRUCTION] = inject_ud,
        [EXIT_REASON_RDTSCP] = inject_ud,
        [EXIT_REASON_CR_ACCESS] = handle_cr_access,
        [EXIT_REASON_IO_INSTRUCTION] = handle_io,
        [EXIT_REASON_MSR_READ] = handle_rdmsr,
        [EXIT_REASON_MSR_WRITE] = handle_wrmsr,
        [EXIT_REASON_INVALID_STATE] = handle_invalid_state,
        [EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
        [EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
        [EXIT_REASON_XSETBV] = handle_xsetbv,
        [EXIT_REASON_INTERRUPT_WINDOW] = handle_resume,
        [EXIT_REASON_NMI_WINDOW] = handle_resume,
        [EXIT_REASON_PREEMPTION_TIMER] = handle_resume,
};

enum exit_action exit_dispatch(struct vcpu *v)
{
	struct exit_info e;

	vmx_read_exit_info(&e);
	trace_record(&this_cpu()->trace, v->exit_tsc, e.reason, e.qualification, e.guest_rip);
	v->exit_reason = e.reason;
	v->exits_total++;
	if (e.reason >= EXIT_REASON_MAX || !handlers[e.reason]) {
		if (e.reason < EXIT_REASON_MAX)
			v->exits[e.reason]++;
		return handle_unexpected(v, &e);
	}
	v->exits[e.reason]++;
	return handlers[e.reason](v, &e);
}
