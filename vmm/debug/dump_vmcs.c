/* dump_vmcs.c: the shell's `vmcs <n>`: every VMCS field of a snapshot, grouped as the SDM groups them (pure). */
#include <stdarg.h>

#include "apicv/vintr.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/debug/dump_util.h"
#include "vmm/debug/snapshot.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"

#define out(...) console_printf_raw(__VA_ARGS__)

/* Bits 11:10 of an encoding give the field's type (SDM Vol. 3, 25.11.2, Table 25-21). */
#define VMCS_FIELD_TYPE(f) (((unsigned)(f) >> 10) & 3)
#define VMCS_TYPE_CONTROL 0
#define VMCS_TYPE_EXIT_INFO 1 /* "read-only data" */
#define VMCS_TYPE_GUEST 2
#define VMCS_TYPE_HOST 3

#define DUMP_COLUMNS 100 /* lines stay shorter than this */
#define NAME_COLUMNS 30  /* the longest field name, VM_ENTRY_EXCEPTION_ERROR_CODE, is 29 */

/* The SDM's groups (Vol. 3, 25.4-25.9), in its order. */
enum vmcs_group {
	GROUP_GUEST,
	GROUP_HOST,
	GROUP_EXEC_CTL,
	GROUP_EXIT_CTL,
	GROUP_ENTRY_CTL,
	GROUP_EXIT_INFO,
	GROUP_COUNT,
};

static const char *const group_titles[GROUP_COUNT] = {
        [GROUP_GUEST] = "guest-state area (SDM Vol. 3, 25.4)",
        [GROUP_HOST] = "host-state area (SDM Vol. 3, 25.5)",
        [GROUP_EXEC_CTL] = "VM-execution control fields (SDM Vol. 3, 25.6)",
        [GROUP_EXIT_CTL] = "VM-exit control fields (SDM Vol. 3, 25.7)",
        [GROUP_ENTRY_CTL] = "VM-entry control fields (SDM Vol. 3, 25.8)",
        [GROUP_EXIT_INFO] = "VM-exit information fields (SDM Vol. 3, 25.9)",
};

/* Hex digits of a value by the encoding's width, bits 14:13 (natural width is 64 bits here). */
static const int value_digits[] = {
        [VMCS_WIDTH_16] = 4,
        [VMCS_WIDTH_64] = 16,
        [VMCS_WIDTH_32] = 8,
        [VMCS_WIDTH_NATURAL] = 16,
};

/*
 * The encoding's type tells all groups apart but three: control fields are
 * execution controls unless the SDM lists them under VM exits (25.7) or VM
 * entries (25.8).
 */
static enum vmcs_group control_group(unsigned i)
{
	switch (i) {
	case VMCS_IDX_VM_EXIT_CONTROLS:
	case VMCS_IDX_SECONDARY_VM_EXIT_CONTROLS:
	case VMCS_IDX_VM_EXIT_MSR_STORE_COUNT:
	case VMCS_IDX_VM_EXIT_MSR_STORE_ADDR:
	case VMCS_IDX_VM_EXIT_MSR_LOAD_COUNT:
	case VMCS_IDX_VM_EXIT_MSR_LOAD_ADDR: return GROUP_EXIT_CTL;
	case VMCS_IDX_VM_ENTRY_CONTROLS:
	case VMCS_IDX_VM_ENTRY_MSR_LOAD_COUNT:
	case VMCS_IDX_VM_ENTRY_MSR_LOAD_ADDR:
	case VMCS_IDX_VM_ENTRY_INTR_INFO_FIELD:
	case VMCS_IDX_VM_ENTRY_EXCEPTION_ERROR_CODE:
	case VMCS_IDX_VM_ENTRY_INSTRUCTION_LEN:
	case VMCS_IDX_INJECTED_EVENT_DATA: return GROUP_ENTRY_CTL;
	default: return GROUP_EXEC_CTL;
	}
}

static enum vmcs_group group_of(unsigned i)
{
	static const enum vmcs_group by_type[] = {
	        [VMCS_TYPE_CONTROL] = GROUP_EXEC_CTL,
	        [VMCS_TYPE_EXIT_INFO] = GROUP_EXIT_INFO,
	        [VMCS_TYPE_GUEST] = GROUP_GUEST,
	        [VMCS_TYPE_HOST] = GROUP_HOST,
	};
	unsigned type = VMCS_FIELD_TYPE(vmcs_fields[i].encoding);

	return type == VMCS_TYPE_CONTROL ? control_group(i) : by_type[type];
}

/*
 * Decoded text: words after a field's value, wrapped to keep lines shorter
 * than DUMP_COLUMNS, onto lines that start where the first word did.
 */
struct words {
	unsigned col;    /* the cursor */
	unsigned cont;   /* where a continuation line starts */
	const char *sep; /* what goes before the next word */
};

static void words_begin(struct words *w, unsigned col, const char *first_sep)
{
	w->col = col;
	w->cont = col + (unsigned)hv_strlen(first_sep);
	w->sep = first_sep;
}

static void word(struct words *w, const char *s)
{
	unsigned n = (unsigned)hv_strlen(s), sep = (unsigned)hv_strlen(w->sep);

	if (w->col > w->cont && w->col + sep + n >= DUMP_COLUMNS) {
		out("\n%*s", (int)w->cont, "");
		w->col = w->cont;
	} else {
		out("%s", w->sep);
		w->col += sep;
	}
	out("%s", s);
	w->col += n;
	w->sep = " ";
}

static void wordf(struct words *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wordf(struct words *w, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	word(w, buf);
}

/* A control's set bits, lowest first: by name from the table, as "bit N" where the SDM names none we know. */
static void decode_bits(struct words *w, const struct dump_flag *names, size_t n, uint64_t v)
{
	if (!v)
		word(w, "(none)");
	for (unsigned bit = 0; bit < 64; bit++) {
		uint64_t mask = 1ull << bit;
		const char *name = NULL;

		if (!(v & mask))
			continue;
		for (size_t i = 0; i < n && !name; i++)
			if (names[i].mask == mask)
				name = names[i].name;
		if (name)
			word(w, name);
		else
			wordf(w, "bit %u", bit);
	}
}

/* A table entry named from the mask's own name, less its prefix: CTL(PIN_BASED_, NMI_EXITING). */
#define CTL(prefix, name)           \
	{                           \
		prefix##name, #name \
	}

/* clang-format off */
/* SDM Vol. 3, Table 25-5. */
static const struct dump_flag pin_names[] = {
	CTL(PIN_BASED_, EXT_INTR_MASK), CTL(PIN_BASED_, NMI_EXITING), CTL(PIN_BASED_, VIRTUAL_NMIS),
	CTL(PIN_BASED_, VMX_PREEMPTION_TIMER), CTL(PIN_BASED_, POSTED_INTR),
};

/* SDM Vol. 3, Table 25-6. */
static const struct dump_flag cpu_names[] = {
	CTL(CPU_BASED_, INTR_WINDOW_EXITING), CTL(CPU_BASED_, USE_TSC_OFFSETTING),
	CTL(CPU_BASED_, HLT_EXITING), CTL(CPU_BASED_, INVLPG_EXITING), CTL(CPU_BASED_, MWAIT_EXITING),
	CTL(CPU_BASED_, RDPMC_EXITING), CTL(CPU_BASED_, RDTSC_EXITING), CTL(CPU_BASED_, CR3_LOAD_EXITING),
	CTL(CPU_BASED_, CR3_STORE_EXITING), CTL(CPU_BASED_, ACTIVATE_TERTIARY_CONTROLS),
	CTL(CPU_BASED_, CR8_LOAD_EXITING), CTL(CPU_BASED_, CR8_STORE_EXITING), CTL(CPU_BASED_, TPR_SHADOW),
	CTL(CPU_BASED_, NMI_WINDOW_EXITING), CTL(CPU_BASED_, MOV_DR_EXITING),
	CTL(CPU_BASED_, UNCOND_IO_EXITING), CTL(CPU_BASED_, USE_IO_BITMAPS),
	CTL(CPU_BASED_, MONITOR_TRAP_FLAG), CTL(CPU_BASED_, USE_MSR_BITMAPS),
	CTL(CPU_BASED_, MONITOR_EXITING), CTL(CPU_BASED_, PAUSE_EXITING),
	CTL(CPU_BASED_, ACTIVATE_SECONDARY_CONTROLS),
};

/* SDM Vol. 3, Table 25-7. */
static const struct dump_flag secondary_names[] = {
	CTL(SECONDARY_EXEC_, VIRTUALIZE_APIC_ACCESSES), CTL(SECONDARY_EXEC_, ENABLE_EPT),
	CTL(SECONDARY_EXEC_, DESC), CTL(SECONDARY_EXEC_, ENABLE_RDTSCP),
	CTL(SECONDARY_EXEC_, VIRTUALIZE_X2APIC_MODE), CTL(SECONDARY_EXEC_, ENABLE_VPID),
	CTL(SECONDARY_EXEC_, WBINVD_EXITING), CTL(SECONDARY_EXEC_, UNRESTRICTED_GUEST),
	CTL(SECONDARY_EXEC_, APIC_REGISTER_VIRT), CTL(SECONDARY_EXEC_, VIRTUAL_INTR_DELIVERY),
	CTL(SECONDARY_EXEC_, PAUSE_LOOP_EXITING), CTL(SECONDARY_EXEC_, RDRAND_EXITING),
	CTL(SECONDARY_EXEC_, ENABLE_INVPCID), CTL(SECONDARY_EXEC_, ENABLE_VMFUNC),
	CTL(SECONDARY_EXEC_, SHADOW_VMCS), CTL(SECONDARY_EXEC_, ENCLS_EXITING),
	CTL(SECONDARY_EXEC_, RDSEED_EXITING), CTL(SECONDARY_EXEC_, ENABLE_PML),
	CTL(SECONDARY_EXEC_, EPT_VIOLATION_VE), CTL(SECONDARY_EXEC_, PT_CONCEAL_VMX),
	CTL(SECONDARY_EXEC_, XSAVES), CTL(SECONDARY_EXEC_, PASID_TRANSLATION),
	CTL(SECONDARY_EXEC_, MODE_BASED_EPT_EXEC), CTL(SECONDARY_EXEC_, EPT_SUB_PAGE_WRITE),
	CTL(SECONDARY_EXEC_, PT_USE_GPA), CTL(SECONDARY_EXEC_, TSC_SCALING),
	CTL(SECONDARY_EXEC_, ENABLE_USR_WAIT_PAUSE), CTL(SECONDARY_EXEC_, ENABLE_PCONFIG),
	CTL(SECONDARY_EXEC_, ENCLV_EXITING), CTL(SECONDARY_EXEC_, BUS_LOCK_DETECTION),
	CTL(SECONDARY_EXEC_, NOTIFY_VM_EXITING),
};

/* SDM Vol. 3, Table 25-8. */
static const struct dump_flag tertiary_names[] = {
	CTL(TERTIARY_EXEC_, LOADIWKEY_EXITING), CTL(TERTIARY_EXEC_, ENABLE_HLAT),
	CTL(TERTIARY_EXEC_, EPT_PAGING_WRITE), CTL(TERTIARY_EXEC_, GUEST_PAGING_VERIFY),
	CTL(TERTIARY_EXEC_, IPI_VIRT), CTL(TERTIARY_EXEC_, SPEC_CTRL_VIRT),
};

/* SDM Vol. 3, Table 25-13. */
static const struct dump_flag exit_names[] = {
	CTL(VM_EXIT_, SAVE_DEBUG_CONTROLS), CTL(VM_EXIT_, HOST_ADDR_SPACE_SIZE),
	CTL(VM_EXIT_, LOAD_IA32_PERF_GLOBAL_CTRL), CTL(VM_EXIT_, ACK_INTR_ON_EXIT),
	CTL(VM_EXIT_, SAVE_IA32_PAT), CTL(VM_EXIT_, LOAD_IA32_PAT), CTL(VM_EXIT_, SAVE_IA32_EFER),
	CTL(VM_EXIT_, LOAD_IA32_EFER), CTL(VM_EXIT_, SAVE_VMX_PREEMPTION_TIMER),
	CTL(VM_EXIT_, CLEAR_BNDCFGS), CTL(VM_EXIT_, PT_CONCEAL_PIP), CTL(VM_EXIT_, CLEAR_IA32_RTIT_CTL),
	CTL(VM_EXIT_, CLEAR_IA32_LBR_CTL), CTL(VM_EXIT_, CLEAR_UINV), CTL(VM_EXIT_, LOAD_CET_STATE),
	CTL(VM_EXIT_, LOAD_IA32_PKRS), CTL(VM_EXIT_, SAVE_IA32_PERF_GLOBAL_CTRL),
	CTL(VM_EXIT_, ACTIVATE_SECONDARY_CONTROLS),
};

/* SDM Vol. 3, Table 25-15. */
static const struct dump_flag entry_names[] = {
	CTL(VM_ENTRY_, LOAD_DEBUG_CONTROLS), CTL(VM_ENTRY_, IA32E_MODE), CTL(VM_ENTRY_, SMM),
	CTL(VM_ENTRY_, DEACT_DUAL_MONITOR), CTL(VM_ENTRY_, LOAD_IA32_PERF_GLOBAL_CTRL),
	CTL(VM_ENTRY_, LOAD_IA32_PAT), CTL(VM_ENTRY_, LOAD_IA32_EFER), CTL(VM_ENTRY_, LOAD_BNDCFGS),
	CTL(VM_ENTRY_, PT_CONCEAL_PIP), CTL(VM_ENTRY_, LOAD_IA32_RTIT_CTL), CTL(VM_ENTRY_, LOAD_UINV),
	CTL(VM_ENTRY_, LOAD_CET_STATE), CTL(VM_ENTRY_, LOAD_IA32_LBR_CTL), CTL(VM_ENTRY_, LOAD_IA32_PKRS),
	CTL(VM_ENTRY_, LOAD_IA32_FRED),
};

/* SDM Vol. 3, 25.4.2, Table 25-3. */
static const struct dump_flag intr_state_names[] = {
	CTL(GUEST_INTR_STATE_, STI), CTL(GUEST_INTR_STATE_, MOV_SS), CTL(GUEST_INTR_STATE_, SMI),
	CTL(GUEST_INTR_STATE_, NMI), CTL(GUEST_INTR_STATE_, ENCLAVE_INTR),
};
/* Interruption types (SDM Vol. 3, 25.8.3, Table 25-17), by the field's bits 10:8. */
static const char *const intr_types[(INTR_INFO_INTR_TYPE_MASK >> INTR_INFO_INTR_TYPE_SHIFT) + 1] = {
	"external interrupt", "reserved", "NMI", "hardware exception", "software interrupt",
	"privileged software exception", "software exception", "other event",
};

/* Activity states (SDM Vol. 3, 25.4.2). */
static const char *const activity_names[] = {
	[GUEST_ACTIVITY_ACTIVE] = "active", [GUEST_ACTIVITY_HLT] = "HLT",
	[GUEST_ACTIVITY_SHUTDOWN] = "shutdown", [GUEST_ACTIVITY_WAIT_SIPI] = "wait-for-SIPI",
};
/* clang-format on */

typedef void decode_fn(struct words *w, uint64_t v);

static void decode_pin(struct words *w, uint64_t v) { decode_bits(w, pin_names, ARRAY_LEN(pin_names), v); }
static void decode_cpu(struct words *w, uint64_t v) { decode_bits(w, cpu_names, ARRAY_LEN(cpu_names), v); }
static void decode_exit(struct words *w, uint64_t v) { decode_bits(w, exit_names, ARRAY_LEN(exit_names), v); }
static void decode_entry(struct words *w, uint64_t v) { decode_bits(w, entry_names, ARRAY_LEN(entry_names), v); }

static void decode_secondary(struct words *w, uint64_t v)
{
	decode_bits(w, secondary_names, ARRAY_LEN(secondary_names), v);
}

static void decode_tertiary(struct words *w, uint64_t v)
{
	decode_bits(w, tertiary_names, ARRAY_LEN(tertiary_names), v);
}

static void decode_intr_state(struct words *w, uint64_t v)
{
	if (v)
		decode_bits(w, intr_state_names, ARRAY_LEN(intr_state_names), v);
	else
		word(w, "no blocking");
}

/* SDM Vol. 3, 25.9.1: the basic reason in bits 15:0, bit 31 if the exit is a failed VM entry. */
static void decode_exit_reason(struct words *w, uint64_t v)
{
	uint32_t basic = (uint32_t)v & VMX_EXIT_REASON_BASIC_MASK;

	wordf(w, "%s (%u)%s", exit_reason_name(basic), basic,
	      v & VMX_EXIT_REASON_FAILED_VMENTRY ? ", VM-entry failure" : "");
}

/* Interruption information (SDM Vol. 3, 25.8.3, 25.9.2, 25.9.3): the same layout on entry and exit. */
static void decode_intr_info(struct words *w, uint64_t v)
{
	if (!(v & INTR_INFO_VALID_MASK)) {
		word(w, "not valid");
		return;
	}
	wordf(w, "%s, vector 0x%02x%s", intr_types[(v & INTR_INFO_INTR_TYPE_MASK) >> INTR_INFO_INTR_TYPE_SHIFT],
	      (unsigned)(v & INTR_INFO_VECTOR_MASK), v & INTR_INFO_DELIVER_CODE_MASK ? ", error code" : "");
}

/* Guest interrupt status (SDM Vol. 3, 25.4.2): RVI is the low byte, SVI the high byte. */
static void decode_intr_status(struct words *w, uint64_t v)
{
	wordf(w, "RVI 0x%02x SVI 0x%02x", (uint8_t)v, (uint8_t)(v >> GUEST_INTR_STATUS_SVI_SHIFT));
}

static void decode_activity(struct words *w, uint64_t v)
{
	if (v < ARRAY_LEN(activity_names) && activity_names[v])
		word(w, activity_names[v]);
	else
		wordf(w, "state %llu", (unsigned long long)v);
}

/* SDM Vol. 3, 31.4 numbers the errors; the tree has no table of their meanings yet. */
static void decode_insn_error(struct words *w, uint64_t v) { wordf(w, "error %llu", (unsigned long long)v); }

/* The fields whose value means more than its hex, by field index. */
static decode_fn *const decoders[VMCS_FIELD_COUNT] = {
        [VMCS_IDX_PIN_BASED_VM_EXEC_CONTROL] = decode_pin,
        [VMCS_IDX_CPU_BASED_VM_EXEC_CONTROL] = decode_cpu,
        [VMCS_IDX_SECONDARY_VM_EXEC_CONTROL] = decode_secondary,
        [VMCS_IDX_TERTIARY_VM_EXEC_CONTROL] = decode_tertiary,
        [VMCS_IDX_VM_EXIT_CONTROLS] = decode_exit,
        [VMCS_IDX_VM_ENTRY_CONTROLS] = decode_entry,
        [VMCS_IDX_VM_ENTRY_INTR_INFO_FIELD] = decode_intr_info,
        [VMCS_IDX_GUEST_INTR_STATUS] = decode_intr_status,
        [VMCS_IDX_GUEST_INTERRUPTIBILITY_INFO] = decode_intr_state,
        [VMCS_IDX_GUEST_ACTIVITY_STATE] = decode_activity,
        [VMCS_IDX_VM_INSTRUCTION_ERROR] = decode_insn_error,
        [VMCS_IDX_VM_EXIT_REASON] = decode_exit_reason,
        [VMCS_IDX_VM_EXIT_INTR_INFO] = decode_intr_info,
        [VMCS_IDX_IDT_VECTORING_INFO_FIELD] = decode_intr_info,
};

/* "  NAME  encoding  value", and what the value decodes to. */
static void dump_field(const struct vcpu_snapshot *s, unsigned i)
{
	const struct vmcs_field_info *f = &vmcs_fields[i];
	char line[DUMP_COLUMNS];
	int n = hv_snprintf(line, sizeof(line), "  %-*s 0x%04x  0x%0*llx", NAME_COLUMNS, f->name, f->encoding,
	                    value_digits[VMCS_FIELD_WIDTH(f->encoding)], (unsigned long long)s->vmcs[i]);
	struct words w;

	out("%s", line);
	if (decoders[i]) {
		words_begin(&w, (unsigned)n, "  ");
		decoders[i](&w, s->vmcs[i]);
	}
	out("\n");
}

/* A group's fields in Appendix B order, then in one list those this CPU lacks (VMREAD failed). */
static void dump_group(const struct vcpu_snapshot *s, enum vmcs_group g)
{
	static const char missing[] = "  not supported by this CPU:";
	struct words w;
	bool any_missing = false;

	out("%s\n", group_titles[g]);
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
		if (group_of(i) == g && s->vmcs_ok[i])
			dump_field(s, i);
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++) {
		if (group_of(i) != g || s->vmcs_ok[i])
			continue;
		if (!any_missing) {
			out("%s", missing);
			words_begin(&w, sizeof(missing) - 1, " ");
			any_missing = true;
		}
		word(&w, vmcs_fields[i].name);
	}
	if (any_missing)
		out("\n");
}

void dump_vmcs(const struct vcpu_snapshot *s)
{
	if (!s->has_vcpu) {
		out("vmcs: CPU %u runs no vCPU\n", s->cpu);
		return;
	}
	out("vmcs: CPU %u, guest %s vCPU %u, %s\n", s->cpu, s->guest, s->vcpu_index,
	    s->launched ? "launched" : "not launched");
	if (!s->vmcs_current) {
		out("  the VMCS was not current on CPU %u (between VMCLEAR and VMPTRLD): nothing read\n", s->cpu);
		return;
	}
	for (enum vmcs_group g = 0; g < GROUP_COUNT; g++)
		dump_group(s, g);
}
