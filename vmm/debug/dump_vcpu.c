/* dump_vcpu.c: the shell's `vcpu <n>`: a snapshot's registers and guest state, decoded (pure: host-testable). */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_exit.h"
#include "lapic/vlapic.h"
#include "vmm/debug/dump_util.h"
#include "vmm/debug/snapshot.h"
#include "vmm/lib/array.h"
#include "vmm/lib/log.h"

#define out(...) console_printf_raw(__VA_ARGS__)

/* Hex digits of the VMCS field widths (SDM Vol. 3, 25.11.2), and of segment access rights (17 bits). */
#define HEX16 4
#define HEX32 8
#define HEX64 16
#define HEX_AR 5
#define GPRS_PER_LINE 4

/* SNAP_HAS by index, for the tables below. */
static bool has(const struct vcpu_snapshot *s, unsigned i) { return s->vmcs_current && s->vmcs_ok[i]; }

/* A field as 0x and `digits` hex digits, or "-" padded to the same width if it was not read. */
static void field(const struct vcpu_snapshot *s, unsigned i, int digits)
{
	if (has(s, i))
		out("0x%0*llx", digits, (unsigned long long)s->vmcs[i]);
	else
		out("%-*s", digits + 2, "-");
}
#define FIELD(s, f, digits) field(s, VMCS_IDX_##f, digits)

/* clang-format off */
static const struct dump_flag rflags_names[] = {
	{RFLAGS_CF, "CF"}, {RFLAGS_PF, "PF"}, {RFLAGS_AF, "AF"}, {RFLAGS_ZF, "ZF"},
	{RFLAGS_SF, "SF"}, {RFLAGS_TF, "TF"}, {RFLAGS_IF, "IF"}, {RFLAGS_DF, "DF"},
	{RFLAGS_OF, "OF"}, {RFLAGS_NT, "NT"}, {RFLAGS_RF, "RF"}, {RFLAGS_VM, "VM"},
	{RFLAGS_AC, "AC"}, {RFLAGS_VIF, "VIF"}, {RFLAGS_VIP, "VIP"}, {RFLAGS_ID, "ID"},
};

/* SDM Vol. 3, 2.5. */
static const struct dump_flag cr0_names[] = {
	{CR0_PE, "PE"}, {CR0_MP, "MP"}, {CR0_EM, "EM"}, {CR0_TS, "TS"}, {CR0_ET, "ET"}, {CR0_NE, "NE"},
	{CR0_WP, "WP"}, {CR0_AM, "AM"}, {CR0_NW, "NW"}, {CR0_CD, "CD"}, {CR0_PG, "PG"},
};

static const struct dump_flag cr4_names[] = {
	{CR4_VME, "VME"}, {CR4_PVI, "PVI"}, {CR4_TSD, "TSD"}, {CR4_DE, "DE"}, {CR4_PSE, "PSE"},
	{CR4_PAE, "PAE"}, {CR4_MCE, "MCE"}, {CR4_PGE, "PGE"}, {CR4_PCE, "PCE"}, {CR4_OSFXSR, "OSFXSR"},
	{CR4_OSXMMEXCPT, "OSXMMEXCPT"}, {CR4_UMIP, "UMIP"}, {CR4_LA57, "LA57"}, {CR4_VMXE, "VMXE"},
	{CR4_SMXE, "SMXE"}, {CR4_FSGSBASE, "FSGSBASE"}, {CR4_PCIDE, "PCIDE"}, {CR4_OSXSAVE, "OSXSAVE"},
	{CR4_SMEP, "SMEP"}, {CR4_SMAP, "SMAP"}, {CR4_PKE, "PKE"}, {CR4_CET, "CET"}, {CR4_PKS, "PKS"},
};

/* SDM Vol. 3, 2.2.1, Table 2-1: NXE is what cpu.h calls EFER_NX. */
static const struct dump_flag efer_names[] = {
	{EFER_SCE, "SCE"}, {EFER_LME, "LME"}, {EFER_LMA, "LMA"}, {EFER_NX, "NXE"},
};

static const struct dump_flag intr_state_names[] = {
	{GUEST_INTR_STATE_STI, "blocking by STI"}, {GUEST_INTR_STATE_MOV_SS, "blocking by MOV SS"},
	{GUEST_INTR_STATE_SMI, "blocking by SMI"}, {GUEST_INTR_STATE_NMI, "blocking by NMI"},
	{GUEST_INTR_STATE_ENCLAVE_INTR, "enclave interruption"},
};

static const struct dump_flag pending_dbg_names[] = {
	{PENDING_DBG_B0, "B0"}, {PENDING_DBG_B1, "B1"}, {PENDING_DBG_B2, "B2"}, {PENDING_DBG_B3, "B3"},
	{PENDING_DBG_ENABLED_BP, "enabled-breakpoint"}, {PENDING_DBG_BS, "BS"}, {PENDING_DBG_RTM, "RTM"},
};

static const struct dump_flag ar_names[] = {
	{VMX_AR_S, "S"}, {VMX_AR_P, "P"}, {VMX_AR_AVL, "AVL"}, {VMX_AR_L, "L"}, {VMX_AR_DB, "D/B"},
	{VMX_AR_G, "G"},
};

/* System-segment and gate types, S = 0 (SDM Vol. 3, 3.5, Table 3-2; the 16-bit ones are reserved in IA-32e mode). */
static const char *const system_types[VMX_AR_TYPE_MASK + 1] = {
	[1] = "16-bit TSS (available)", [2] = "LDT", [3] = "16-bit TSS (busy)", [4] = "16-bit call gate",
	[5] = "task gate", [6] = "16-bit interrupt gate", [7] = "16-bit trap gate", [9] = "TSS (available)",
	[11] = "TSS (busy)", [12] = "call gate", [14] = "interrupt gate", [15] = "trap gate",
};

/* Interruption types (SDM Vol. 3, 25.8.3, Table 25-17), by the field's bits 10:8. */
static const char *const intr_types[(INTR_INFO_INTR_TYPE_MASK >> INTR_INFO_INTR_TYPE_SHIFT) + 1] = {
	"external interrupt", "reserved", "NMI", "hardware exception",
	"software interrupt", "privileged software exception", "software exception", "other event",
};

static const char *const activity_names[] = {
	[GUEST_ACTIVITY_ACTIVE] = "active", [GUEST_ACTIVITY_HLT] = "HLT",
	[GUEST_ACTIVITY_SHUTDOWN] = "shutdown", [GUEST_ACTIVITY_WAIT_SIPI] = "wait-for-SIPI",
};

struct seg_fields {
	const char *name;
	uint16_t sel, base, limit, ar; /* VMCS_IDX_* */
};
#define SEG(n, N) {#n, VMCS_IDX_GUEST_##N##_SELECTOR, VMCS_IDX_GUEST_##N##_BASE, \
		   VMCS_IDX_GUEST_##N##_LIMIT, VMCS_IDX_GUEST_##N##_AR_BYTES}
static const struct seg_fields segs[] = {
	SEG(es, ES), SEG(cs, CS), SEG(ss, SS), SEG(ds, DS), SEG(fs, FS), SEG(gs, GS), SEG(ldtr, LDTR), SEG(tr, TR),
};
#undef SEG
/* clang-format on */

const char *vcpu_state_name(enum vcpu_state st)
{
	switch (st) {
	case VCPU_RUNNABLE: return "running";
	case VCPU_HALTED: return "halted";
	case VCPU_WAIT_SIPI: return "wait-for-SIPI";
	case VCPU_STOPPED: return "stopped";
	}
	return "?";
}

static void header(const struct vcpu_snapshot *s)
{
	out("cpu %u: guest %s, vcpu %u: %s, apicv %s, %s (snapshot at TSC %llu)\n", s->cpu, s->guest, s->vcpu_index,
	    vcpu_state_name(s->state), vmx_apicv_mode_name(s->apicv_mode), s->launched ? "launched" : "not launched",
	    (unsigned long long)s->tsc);
}

/* The paging mode (SDM Vol. 3, 4.1.1, Table 4-1). */
static const char *paging_name(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & CR0_PG))
		return "paging off";
	if (efer & EFER_LMA)
		return cr4 & CR4_LA57 ? "5-level paging" : "4-level paging";
	return cr4 & CR4_PAE ? "PAE paging" : "32-bit paging";
}

/* The operating mode (SDM Vol. 3, 2.2 and 9.8.5): CR0.PE, EFER.LMA, CS.L and CS.D decide it. */
static const char *cpu_mode_name(uint64_t cr0, uint64_t efer, uint32_t cs_ar, uint64_t rflags)
{
	if (!(cr0 & CR0_PE))
		return "real mode";
	if (efer & EFER_LMA) {
		if (cs_ar & VMX_AR_L)
			return "long mode 64-bit";
		return cs_ar & VMX_AR_DB ? "compatibility mode 32-bit" : "compatibility mode 16-bit";
	}
	if (rflags & RFLAGS_VM)
		return "virtual-8086 mode";
	return cs_ar & VMX_AR_DB ? "protected mode 32-bit" : "protected mode 16-bit";
}

static void cpu_mode(const struct vcpu_snapshot *s)
{
	if (!SNAP_HAS(s, GUEST_CR0) || !SNAP_HAS(s, GUEST_CR4) || !SNAP_HAS(s, GUEST_IA32_EFER) ||
	    !SNAP_HAS(s, GUEST_CS_AR_BYTES) || !SNAP_HAS(s, GUEST_RFLAGS)) {
		out("mode    -\n");
		return;
	}
	uint64_t cr0 = SNAP_FIELD(s, GUEST_CR0), efer = SNAP_FIELD(s, GUEST_IA32_EFER);

	out("mode    %s, %s\n",
	    cpu_mode_name(cr0, efer, (uint32_t)SNAP_FIELD(s, GUEST_CS_AR_BYTES), SNAP_FIELD(s, GUEST_RFLAGS)),
	    paging_name(cr0, SNAP_FIELD(s, GUEST_CR4), efer));
}

/* After a field, its set flags' names, if it was read. */
static void flags_of(const struct vcpu_snapshot *s, unsigned i, const struct dump_flag *f, size_t n, const char *sep)
{
	if (!has(s, i))
		return;
	out(" ");
	dump_flags(s->vmcs[i], f, n, sep);
}

static void rip_rflags(const struct vcpu_snapshot *s)
{
	out("rip     ");
	FIELD(s, GUEST_RIP, HEX64);
	out("  rsp ");
	FIELD(s, GUEST_RSP, HEX64);
	out("\nrflags  ");
	FIELD(s, GUEST_RFLAGS, HEX64);
	flags_of(s, VMCS_IDX_GUEST_RFLAGS, rflags_names, ARRAY_LEN(rflags_names), " ");
	if (SNAP_HAS(s, GUEST_RFLAGS))
		out(" IOPL %llu",
		    (unsigned long long)((SNAP_FIELD(s, GUEST_RFLAGS) & RFLAGS_IOPL_MASK) >> RFLAGS_IOPL_SHIFT));
	out("\n");
}

/*
 * CR0 and CR4 with their read shadows and guest/host masks: the guest reads
 * the shadow's bit wherever the mask's is set (SDM Vol. 3, 25.6.6).
 */
static void control_regs(const struct vcpu_snapshot *s)
{
	out("cr0     ");
	FIELD(s, GUEST_CR0, HEX64);
	out("  shadow ");
	FIELD(s, CR0_READ_SHADOW, HEX64);
	out("  mask ");
	FIELD(s, CR0_GUEST_HOST_MASK, HEX64);
	flags_of(s, VMCS_IDX_GUEST_CR0, cr0_names, ARRAY_LEN(cr0_names), " ");
	out("\ncr4     ");
	FIELD(s, GUEST_CR4, HEX64);
	out("  shadow ");
	FIELD(s, CR4_READ_SHADOW, HEX64);
	out("  mask ");
	FIELD(s, CR4_GUEST_HOST_MASK, HEX64);
	flags_of(s, VMCS_IDX_GUEST_CR4, cr4_names, ARRAY_LEN(cr4_names), " ");
	out("\ncr3     ");
	FIELD(s, GUEST_CR3, HEX64);
	out("  efer ");
	FIELD(s, GUEST_IA32_EFER, HEX64);
	flags_of(s, VMCS_IDX_GUEST_IA32_EFER, efer_names, ARRAY_LEN(efer_names), " ");
	out("\n");
}

/* The registers VMX leaves to the hypervisor (vmx_regs.h): read from the snapshot, not the VMCS. */
static void gprs(const struct vcpu_snapshot *s)
{
	const struct guest_regs *r = &s->regs;
	const struct {
		const char *name;
		uint64_t v;
	} regs[] = {
	        {"rax", r->rax}, {"rbx", r->rbx}, {"rcx", r->rcx}, {"rdx", r->rdx}, {"rsi", r->rsi}, {"rdi", r->rdi},
	        {"rbp", r->rbp}, {"r8", r->r8},   {"r9", r->r9},   {"r10", r->r10}, {"r11", r->r11}, {"r12", r->r12},
	        {"r13", r->r13}, {"r14", r->r14}, {"r15", r->r15}, {"cr2", r->cr2},
	};

	for (size_t i = 0; i < ARRAY_LEN(regs); i++)
		out("%-4s 0x%016llx%s", regs[i].name, (unsigned long long)regs[i].v,
		    (i + 1) % GPRS_PER_LINE ? "  " : "\n");
}

/* Access rights (SDM Vol. 3, 25.4.1, Table 25-2): type, DPL, then the flag bits. */
static void seg_ar(uint32_t ar)
{
	unsigned type = ar & VMX_AR_TYPE_MASK;

	if (ar & VMX_AR_UNUSABLE) {
		out("unusable");
		return;
	}
	if (!(ar & VMX_AR_S))
		out("%s", system_types[type] ? system_types[type] : "reserved system type");
	else if (type & VMX_AR_TYPE_CODE)
		out("code%s%s", type & VMX_AR_TYPE_CONFORMING ? " conforming" : "",
		    type & VMX_AR_TYPE_READABLE ? " readable" : "");
	else
		out("data%s%s", type & VMX_AR_TYPE_EXPAND_DOWN ? " expand-down" : "",
		    type & VMX_AR_TYPE_WRITABLE ? " writable" : "");
	if ((ar & VMX_AR_S) && (type & VMX_AR_TYPE_ACCESSED))
		out(" accessed");
	out(", DPL %u ", (ar & VMX_AR_DPL_MASK) >> VMX_AR_DPL_SHIFT);
	dump_flags(ar, ar_names, ARRAY_LEN(ar_names), " ");
}

static void segments(const struct vcpu_snapshot *s)
{
	out("seg  selector base               limit      ar\n");
	for (size_t i = 0; i < ARRAY_LEN(segs); i++) {
		const struct seg_fields *g = &segs[i];

		out("%-4s ", g->name);
		field(s, g->sel, HEX16);
		out("   ");
		field(s, g->base, HEX64);
		out(" ");
		field(s, g->limit, HEX32);
		out(" ");
		field(s, g->ar, HEX_AR);
		if (has(s, g->ar)) {
			out(" ");
			seg_ar((uint32_t)s->vmcs[g->ar]);
		}
		out("\n");
	}
	out("gdtr          ");
	FIELD(s, GUEST_GDTR_BASE, HEX64);
	out(" ");
	FIELD(s, GUEST_GDTR_LIMIT, HEX32);
	out("\nidtr          ");
	FIELD(s, GUEST_IDTR_BASE, HEX64);
	out(" ");
	FIELD(s, GUEST_IDTR_LIMIT, HEX32);
	out("\n");
}

static void debug_regs(const struct vcpu_snapshot *s)
{
	out("dr7     ");
	FIELD(s, GUEST_DR7, HEX64);
	out("  pending debug exceptions ");
	FIELD(s, GUEST_PENDING_DBG_EXCEPTIONS, HEX64);
	flags_of(s, VMCS_IDX_GUEST_PENDING_DBG_EXCEPTIONS, pending_dbg_names, ARRAY_LEN(pending_dbg_names), " ");
	out("\n");
}

/* Interruption information (SDM Vol. 3, 25.8.3, 25.9.2, 25.9.3): valid, type, vector, error code. */
static void intr_info(const struct vcpu_snapshot *s, unsigned info_i, unsigned err_i)
{
	uint32_t info = (uint32_t)s->vmcs[info_i];

	if (!has(s, info_i)) {
		out("-");
		return;
	}
	if (!(info & INTR_INFO_VALID_MASK)) {
		out("none");
		return;
	}
	out("%s, vector 0x%02x", intr_types[(info & INTR_INFO_INTR_TYPE_MASK) >> INTR_INFO_INTR_TYPE_SHIFT],
	    info & INTR_INFO_VECTOR_MASK);
	if (info & INTR_INFO_DELIVER_CODE_MASK) {
		out(", error code ");
		field(s, err_i, HEX32);
	}
}

/* Guest non-register state (SDM Vol. 3, 25.4.2) and the events in flight across the last exit and next entry. */
static void events(const struct vcpu_snapshot *s)
{
	uint32_t act = (uint32_t)SNAP_FIELD(s, GUEST_ACTIVITY_STATE);

	out("interruptibility ");
	FIELD(s, GUEST_INTERRUPTIBILITY_INFO, HEX32);
	flags_of(s, VMCS_IDX_GUEST_INTERRUPTIBILITY_INFO, intr_state_names, ARRAY_LEN(intr_state_names), ", ");
	out("\nactivity         ");
	FIELD(s, GUEST_ACTIVITY_STATE, HEX32);
	if (SNAP_HAS(s, GUEST_ACTIVITY_STATE))
		out(" %s", act < ARRAY_LEN(activity_names) ? activity_names[act] : "?");
	out("\nidt-vectoring    ");
	intr_info(s, VMCS_IDX_IDT_VECTORING_INFO_FIELD, VMCS_IDX_IDT_VECTORING_ERROR_CODE);
	out("\nnext entry injects ");
	intr_info(s, VMCS_IDX_VM_ENTRY_INTR_INFO_FIELD, VMCS_IDX_VM_ENTRY_EXCEPTION_ERROR_CODE);
	out("\n");
}

static void last_exit(const struct vcpu_snapshot *s)
{
	uint32_t r = (uint32_t)SNAP_FIELD(s, VM_EXIT_REASON), basic = r & VMX_EXIT_REASON_BASIC_MASK;

	out("last exit        ");
	if (SNAP_HAS(s, VM_EXIT_REASON))
		out("%s (%u)%s", exit_reason_name(basic), basic,
		    r & VMX_EXIT_REASON_FAILED_VMENTRY ? ", VM-entry failure" : "");
	else
		out("-");
	out(", qualification ");
	FIELD(s, EXIT_QUALIFICATION, HEX64);
	out(", event ");
	intr_info(s, VMCS_IDX_VM_EXIT_INTR_INFO, VMCS_IDX_VM_EXIT_INTR_ERROR_CODE);
	out("\n");
}

/* A TSC value and how far it is from the snapshot (negative: already past). */
static void tsc_from(const struct vcpu_snapshot *s, uint64_t t)
{
	out("%llu (%+lld from the snapshot)", (unsigned long long)t, (long long)(t - s->tsc));
}

/* What the hypervisor keeps for the vCPU beside the VMCS. */
static void hv_state(const struct vcpu_snapshot *s)
{
	out("nmi pending %u, wake ", s->nmi_pending);
	if (s->wake_tsc)
		tsc_from(s, s->wake_tsc);
	else
		out("none");
	out(", apic timer ");
	if (s->timer_next != VLAPIC_NEVER)
		tsc_from(s, s->timer_next);
	else if (s->timer_counting) /* lazy masking (docs/vlapic.md): the count runs, nothing is due */
		out("counting, masked: never due");
	else
		out("not armed");
	out("\n");
}

void dump_vcpu(const struct vcpu_snapshot *s)
{
	if (!s->has_vcpu) {
		out("cpu %u runs no vCPU\n", s->cpu);
		return;
	}
	header(s);
	if (s->vmcs_current) {
		cpu_mode(s);
		rip_rflags(s);
		control_regs(s);
	}
	gprs(s);
	if (s->vmcs_current) {
		segments(s);
		debug_regs(s);
		events(s);
		last_exit(s);
	}
	hv_state(s);
	if (!s->vmcs_current)
		out("the vCPU's VMCS was not current on cpu %u: no VMCS field was read\n", s->cpu);
}
