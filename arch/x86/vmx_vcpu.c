/* vmx_vcpu.c: one vCPU's VMCS: controls chosen from the capability masks, host and guest state. */
#include "arch/x86/vmx_vcpu.h"

#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/ept.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_cr.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/lib/array.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_TSC_AUX 0xc0000103
#define MSR_IA32_TSC 0x10

#define PAT_RESET_VALUE 0x0007040600070406ull /* SDM Vol. 3, Table 13-12 */
#define DR7_RESET_VALUE 0x400ull
#define RFLAGS_RESERVED_1 (1ull << 1)
#define CR0_ET (1ull << 4)

/* Shared by every vCPU: all I/O ports exit, MSRs exit but for a pass-through list. */
static uint64_t msr_bitmap, io_bitmap_a, io_bitmap_b;

/* MSR bitmap quarters (SDM Vol. 3, 25.6.9): read low, read high, write low, write high. */
void vmx_msr_passthrough(uint8_t *bm, uint32_t msr, bool read, bool write)
{
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0, bit = msr & 0x1fff;

	if (read)
		bm[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
	if (write)
		bm[2048 + base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

bool vmx_bitmaps_init(void)
{
	msr_bitmap = page_alloc(1);
	io_bitmap_a = page_alloc(1);
	io_bitmap_b = page_alloc(1);
	if (!msr_bitmap || !io_bitmap_a || !io_bitmap_b)
		return false;
	memset(phys_to_virt(io_bitmap_a), 0xff, PAGE_SIZE);
	memset(phys_to_virt(io_bitmap_b), 0xff, PAGE_SIZE);
	uint8_t *bm = phys_to_virt(msr_bitmap);
	memset(bm, 0xff, PAGE_SIZE);
	/* State that VMX saves and loads itself, or that the hypervisor never uses. */
	static const uint32_t both[] = {MSR_FS_BASE,
	                                MSR_GS_BASE,
	                                MSR_KERNEL_GS_BASE,
	                                MSR_IA32_SYSENTER_CS,
	                                MSR_IA32_SYSENTER_ESP,
	                                MSR_IA32_SYSENTER_EIP,
	                                MSR_STAR,
	                                MSR_LSTAR,
	                                MSR_CSTAR,
	                                MSR_SYSCALL_MASK,
	                                MSR_TSC_AUX};
	for (unsigned i = 0; i < ARRAY_LEN(both); i++)
		vmx_msr_passthrough(bm, both[i], true, true);
	vmx_msr_passthrough(bm, MSR_IA32_TSC, true, false);
	return true;
}

uint64_t vmx_msr_bitmap_shared(void) { return msr_bitmap; }

uint64_t vmx_msr_bitmap_clone(void)
{
	uint64_t page = page_alloc(1);

	if (page)
		memcpy(phys_to_virt(page), phys_to_virt(msr_bitmap), PAGE_SIZE);
	return page;
}

/* must-be-1 bits, plus wanted (required) and optional bits where allowed; false if a wanted bit is not. */
static bool control(const struct vmx_caps *c, enum vmx_cap_word w, uint32_t want, uint32_t optional, const char *name,
                    uint32_t *out)
{
	const struct vmx_ctl *ctl = &c->ctl[w];
	uint32_t v = ctl->must1 | want | (optional & ctl->may1);

	if (v & ~ctl->may1) {
		pr_err("vmx: %s: this CPU cannot set %#x (allowed-1 %#x)", name, v & ~ctl->may1, ctl->may1);
		return false;
	}
	*out = v;
	return true;
}

static bool use_preemption_timer = true;

void vmx_vcpu_disable_preemption_timer(void) { use_preemption_timer = false; }

static uint32_t exception_bitmap;

void vmx_vcpu_trap_exceptions(uint32_t bitmap) { exception_bitmap = bitmap; }

/* VPIDs only with an INVVPID that can invalidate one VPID's entries: the emulated MOV to CR needs it (vmx_cr.c). */
static bool vpid_usable(const struct vmx_caps *c)
{
	return vmx_has_ept_vpid(c, VMX_VPID_INVVPID) && (vmx_has_ept_vpid(c, VMX_VPID_INVVPID_SINGLE_CONTEXT) ||
	                                                 vmx_has_ept_vpid(c, VMX_VPID_INVVPID_ALL_CONTEXT));
}

static bool setup_controls(const struct vmx_caps *c)
{
	uint32_t pin, proc, proc2, exit, entry;
	bool ok = control(c, VMX_CAP_PIN, PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
	                  PIN_BASED_VIRTUAL_NMIS | (use_preemption_timer ? PIN_BASED_VMX_PREEMPTION_TIMER : 0),
	                  "pin-based controls", &pin) &&
	          control(c, VMX_CAP_PROC,
	                  CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
	                          CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
	                          /* The guest's TSC is the host's plus TSC_OFFSET (SDM Vol. 3, 26.3). */
	                          CPU_BASED_USE_TSC_OFFSETTING |
	                          /* Without a TPR shadow, CR8 would reach the host's own TPR. */
	                          CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
	                          CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
	                  0, "processor-based controls", &proc) &&
	          control(c, VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
	                  (vpid_usable(c) ? SECONDARY_EXEC_ENABLE_VPID : 0) | SECONDARY_EXEC_ENABLE_RDTSCP |
	                          SECONDARY_EXEC_ENABLE_INVPCID,
	                  "secondary controls", &proc2) &&
	          control(c, VMX_CAP_EXIT,
	                  VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_ACK_INTR_ON_EXIT | VM_EXIT_SAVE_IA32_EFER |
	                          VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT,
	                  0, "VM-exit controls", &exit) &&
	          control(c, VMX_CAP_ENTRY, VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT, 0, "VM-entry controls",
	                  &entry);
	if (!ok)
		return false;
	entry &= ~VM_ENTRY_IA32E_MODE; /* the guest starts in 32-bit protected mode */
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write32(VM_EXIT_CONTROLS, exit);
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	vmcs_write32(EXCEPTION_BITMAP, exception_bitmap);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(IO_BITMAP_A, io_bitmap_a);
	vmcs_write64(IO_BITMAP_B, io_bitmap_b);
	vmcs_write64(MSR_BITMAP, msr_bitmap);
	vmcs_write64(TSC_OFFSET, 0);
	return true;
}

/* This core's state to come back to; its GS base is its per-CPU area, set before any VMCS. */
static void setup_host_state(const struct cpu_tables *t)
{
	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_writel(HOST_CR3, read_cr3());
	vmcs_writel(HOST_CR4, read_cr4());
	vmcs_write16(HOST_CS_SELECTOR, GDT_SEL_CODE64);
	vmcs_write16(HOST_SS_SELECTOR, GDT_SEL_DATA);
	vmcs_write16(HOST_DS_SELECTOR, GDT_SEL_DATA);
	vmcs_write16(HOST_ES_SELECTOR, GDT_SEL_DATA);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_SEL_TSS);
	vmcs_writel(HOST_FS_BASE, 0);
	vmcs_writel(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_writel(HOST_TR_BASE, (uint64_t)&t->tss);
	vmcs_writel(HOST_GDTR_BASE, (uint64_t)t->gdt);
	vmcs_writel(HOST_IDTR_BASE, (uint64_t)t->idt);
	vmcs_write32(HOST_IA32_SYSENTER_CS, 0);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, 0);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write64(HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmcs_write64(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_writel(HOST_RIP, (uint64_t)vmx_exit_stub);
}

static void guest_segment(unsigned sel_f, unsigned base_f, unsigned limit_f, unsigned ar_f, uint16_t sel,
                          uint32_t limit, uint32_t ar)
{
	vmcs_write_raw(sel_f, sel);
	vmcs_write_raw(base_f, 0);
	vmcs_write_raw(limit_f, limit);
	vmcs_write_raw(ar_f, ar);
}

/*
 * Flat 32-bit protected mode, paging off: the multiboot entry state
 * (Multiboot 0.6.96, 3.2), and PVH's (pvh.pandoc). Or, with st->long_mode,
 * 64-bit mode as the Linux 64-bit boot protocol asks (boot.rst): CS a 64-bit
 * code segment (L=1 with D=0, SDM Vol. 3, 3.4.5), CR0.PG and PE, CR4.PAE,
 * EFER.LME and LMA, CR3 the identity map; vmx_cr_write sets the "IA-32e mode
 * guest" entry control from EFER.LMA (SDM Vol. 3, 27.2.1.3 and 27.3.1.1).
 */
static void setup_guest_state(const struct vmx_entry_state *st)
{
	const uint32_t code32 = VMX_AR_TYPE_CODE_XR_ACCESSED | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G;
	const uint32_t code64 = VMX_AR_TYPE_CODE_XR_ACCESSED | VMX_AR_S | VMX_AR_P | VMX_AR_L | VMX_AR_G;
	const uint32_t data = VMX_AR_TYPE_DATA_RW_ACCESSED | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G;
	const uint32_t code = st->long_mode ? code64 : code32;

	guest_segment(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES, st->code_sel, ~0u, code);
	guest_segment(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES, st->data_sel, ~0u, data);
	guest_segment(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES, st->data_sel, ~0u, data);
	guest_segment(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES, st->data_sel, ~0u, data);
	guest_segment(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES, st->data_sel, ~0u, data);
	guest_segment(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES, st->data_sel, ~0u, data);
	guest_segment(GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES, 0, 0,
	              VMX_AR_UNUSABLE);
	/*
	 * TR must be a usable busy TSS even when the guest never loaded one; type
	 * 11 is also the 64-bit busy TSS an IA-32e guest needs (SDM Vol. 3, 27.3.1.2).
	 */
	guest_segment(GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES, 0, 0x67,
	              VMX_AR_TYPE_TSS_BUSY_32 | VMX_AR_P);
	vmcs_writel(GUEST_GDTR_BASE, st->long_mode ? st->gdt_base : 0);
	vmcs_write32(GUEST_GDTR_LIMIT, st->long_mode ? st->gdt_limit : 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	if (st->long_mode) {
		vmcs_writel(GUEST_CR3, st->cr3);
		vmx_cr_write(&(struct cr_state){.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG,
		                                .cr3 = st->cr3,
		                                .cr4 = CR4_PAE,
		                                .efer = EFER_LME | EFER_LMA,
		                                .cs_l = true});
	} else {
		vmcs_writel(GUEST_CR3, 0);
		vmx_cr_write(&(struct cr_state){.cr0 = CR0_PE | CR0_ET}); /* CR4 and EFER 0 */
	}
	vmcs_writel(GUEST_DR7, DR7_RESET_VALUE);
	vmcs_writel(GUEST_RSP, st->esp);
	vmcs_writel(GUEST_RIP, st->rip);
	vmcs_writel(GUEST_RFLAGS, RFLAGS_RESERVED_1);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_PAT, PAT_RESET_VALUE);
}

bool vmx_vcpu_setup(uint64_t *vmcs, const struct vmx_vcpu_cfg *cfg, struct guest_regs *regs)
{
	enum vmx_status s;

	if (!*vmcs) {
		*vmcs = page_alloc(1);
		if (!*vmcs) {
			pr_err("vmx: out of memory for a VMCS");
			return false;
		}
	}
	/* The region starts with the revision identifier (SDM Vol. 3, 25.2). */
	*(volatile uint32_t *)phys_to_virt(*vmcs) = cfg->caps->revision;
	if ((s = vmclear(*vmcs)) != VMX_SUCCEED || (s = vmptrld(*vmcs)) != VMX_SUCCEED) {
		vmx_insn_failed("VMCLEAR/VMPTRLD", s);
		return false;
	}
	if (!setup_controls(cfg->caps))
		return false;
	vmx_cr_setup(cfg->caps, cfg->cr4_allowed);
	setup_host_state(cfg->host_tables);
	setup_guest_state(cfg->entry);
	vmcs_write64(EPT_POINTER, cfg->eptp);
	if (vmcs_read32(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, cfg->vpid);
	memset(regs, 0, sizeof(*regs));
	regs->rax = cfg->entry->eax;
	regs->rbx = cfg->entry->ebx;
	regs->rsi = cfg->entry->rsi;
	return true;
}

void vmx_vcpu_sync_before_entry(void)
{
	uint32_t entry = vmcs_read32(VM_ENTRY_CONTROLS);
	bool lma = (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) != 0;
	uint32_t want = lma ? entry | VM_ENTRY_IA32E_MODE : entry & ~VM_ENTRY_IA32E_MODE;

	if (want != entry)
		vmcs_write32(VM_ENTRY_CONTROLS, want);
}

void vmx_inject_exception(uint8_t vector, bool has_error_code, uint32_t error_code)
{
	uint32_t info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	if (has_error_code) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

static void dump_segment(const char *name, unsigned sel, unsigned base, unsigned limit, unsigned ar)
{
	console_printf_raw("    %-4s sel %04llx base %016llx limit %08llx ar %05llx\n", name,
	                   (unsigned long long)vmcs_read_raw(sel), (unsigned long long)vmcs_read_raw(base),
	                   (unsigned long long)vmcs_read_raw(limit), (unsigned long long)vmcs_read_raw(ar));
}

void vmx_dump_guest_state(const struct guest_regs *r)
{
	console_printf_raw("    RIP %016llx RSP %016llx RFLAGS %08llx\n", (unsigned long long)vmcs_readl(GUEST_RIP),
	                   (unsigned long long)vmcs_readl(GUEST_RSP), (unsigned long long)vmcs_readl(GUEST_RFLAGS));
	console_printf_raw("    RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)r->rax,
	                   (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	console_printf_raw("    RSI %016llx RDI %016llx RBP %016llx CR2 %016llx\n", (unsigned long long)r->rsi,
	                   (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->cr2);
	console_printf_raw("    CR0 %016llx (shadow %llx) CR3 %016llx CR4 %016llx (shadow %llx) EFER %llx\n",
	                   (unsigned long long)vmcs_readl(GUEST_CR0), (unsigned long long)vmcs_readl(CR0_READ_SHADOW),
	                   (unsigned long long)vmcs_readl(GUEST_CR3), (unsigned long long)vmcs_readl(GUEST_CR4),
	                   (unsigned long long)vmcs_readl(CR4_READ_SHADOW),
	                   (unsigned long long)vmcs_read64(GUEST_IA32_EFER));
	dump_segment("CS", GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES);
	dump_segment("SS", GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES);
	dump_segment("DS", GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES);
	dump_segment("TR", GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES);
	console_printf_raw(
	        "    GDTR %016llx/%04llx IDTR %016llx/%04llx\n", (unsigned long long)vmcs_readl(GUEST_GDTR_BASE),
	        (unsigned long long)vmcs_read32(GUEST_GDTR_LIMIT), (unsigned long long)vmcs_readl(GUEST_IDTR_BASE),
	        (unsigned long long)vmcs_read32(GUEST_IDTR_LIMIT));
	console_printf_raw("    interruptibility %x activity %x IDT-vectoring info %08x\n",
	                   vmcs_read32(GUEST_INTERRUPTIBILITY_INFO), vmcs_read32(GUEST_ACTIVITY_STATE),
	                   vmcs_read32(IDT_VECTORING_INFO_FIELD));
}

void vmx_requeue_interrupted_event(void)
{
	uint32_t info = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (!(info & INTR_INFO_VALID_MASK))
		return;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & (INTR_INFO_VECTOR_MASK | INTR_INFO_INTR_TYPE_MASK |
	                                               INTR_INFO_DELIVER_CODE_MASK | INTR_INFO_VALID_MASK));
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (intr_info_needs_instruction_length(info)) /* INT1 too: it was left out, and went back with length 0 */
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

void vmx_inject_interrupt(uint8_t vector)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
}

void vmx_inject_nmi(void)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, X86_EXC_NMI | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
}

bool vmx_request_windows(bool irq_window, bool nmi_window)
{
	uint32_t proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);
	bool virtual_nmis = (vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS) != 0;
	uint32_t want = proc & ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);

	if (irq_window)
		want |= CPU_BASED_INTR_WINDOW_EXITING;
	/* NMI-window exiting needs virtual NMIs (SDM Vol. 3, 27.2.1.1); without them the NMI waits for the next exit.
	 */
	if (nmi_window && virtual_nmis)
		want |= CPU_BASED_NMI_WINDOW_EXITING;
	if (want != proc)
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
	return !nmi_window || virtual_nmis;
}

bool vmx_set_preemption_timer(uint64_t tsc_ticks, unsigned rate)
{
	if (!(vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER))
		return false;
	uint64_t v = tsc_ticks >> rate;
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, v > 0xffffffffu ? 0xffffffffu : (uint32_t)v);
	return true;
}

/* Real mode at vector << 12, as a SIPI starts a processor (SDM Vol. 3, 9.4.4.1 and 11.6.1). */
void vmx_vcpu_enter_sipi(uint8_t vector)
{
	const uint32_t code16 = VMX_AR_TYPE_CODE_XR_ACCESSED | VMX_AR_S | VMX_AR_P;
	const uint32_t data16 = VMX_AR_TYPE_DATA_RW_ACCESSED | VMX_AR_S | VMX_AR_P;
	guest_segment(GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES, (uint16_t)(vector << 8),
	              0xffff, code16);
	vmcs_writel(GUEST_CS_BASE, (uint64_t)vector << 12);
	guest_segment(GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES, 0, 0xffff, data16);
	guest_segment(GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES, 0, 0xffff, data16);
	guest_segment(GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES, 0, 0xffff, data16);
	guest_segment(GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES, 0, 0xffff, data16);
	guest_segment(GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES, 0, 0xffff, data16);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	/* CR0 = ET after INIT, CR4 and EFER 0 (SDM Vol. 3, Table 10-1). */
	vmx_cr_write(&(struct cr_state){.cr0 = CR0_ET});
	vmcs_writel(GUEST_CR3, 0);
	vmcs_writel(GUEST_RIP, 0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, RFLAGS_RESERVED_1);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
}
