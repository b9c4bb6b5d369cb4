/* vmx_caps.c: decoding and reporting VMX capabilities (pure: host-testable). */
#include "arch/x86/vmx_caps.h"

#include <stdarg.h>

#include "arch/x86/vmx_defs.h"
#include "vmm/lib/array.h"
#include "vmm/lib/fmt.h"

_Static_assert(VMX_CAP_PROC3 == VMX_CTL_WORDS, "ctl[] holds exactly the 32-bit control words");

/* clang-format off */
static const struct {
	const char *name;
	uint32_t msr;
	size_t offset;
} raw_fields[] = {
#define RAW(field, msr) {#msr, msr, offsetof(struct vmx_caps_raw, field)}
	RAW(basic, MSR_IA32_VMX_BASIC),
	RAW(pinbased, MSR_IA32_VMX_PINBASED_CTLS),
	RAW(procbased, MSR_IA32_VMX_PROCBASED_CTLS),
	RAW(exit, MSR_IA32_VMX_EXIT_CTLS),
	RAW(entry, MSR_IA32_VMX_ENTRY_CTLS),
	RAW(misc, MSR_IA32_VMX_MISC),
	RAW(cr0_fixed0, MSR_IA32_VMX_CR0_FIXED0),
	RAW(cr0_fixed1, MSR_IA32_VMX_CR0_FIXED1),
	RAW(cr4_fixed0, MSR_IA32_VMX_CR4_FIXED0),
	RAW(cr4_fixed1, MSR_IA32_VMX_CR4_FIXED1),
	RAW(vmcs_enum, MSR_IA32_VMX_VMCS_ENUM),
	RAW(procbased2, MSR_IA32_VMX_PROCBASED_CTLS2),
	RAW(ept_vpid, MSR_IA32_VMX_EPT_VPID_CAP),
	RAW(true_pinbased, MSR_IA32_VMX_TRUE_PINBASED_CTLS),
	RAW(true_procbased, MSR_IA32_VMX_TRUE_PROCBASED_CTLS),
	RAW(true_exit, MSR_IA32_VMX_TRUE_EXIT_CTLS),
	RAW(true_entry, MSR_IA32_VMX_TRUE_ENTRY_CTLS),
	RAW(vmfunc, MSR_IA32_VMX_VMFUNC),
	RAW(procbased3, MSR_IA32_VMX_PROCBASED_CTLS3),
#undef RAW
};
/* clang-format on */

#define RAW_FIELDS (ARRAY_LEN(raw_fields))

static uint64_t raw_value(const struct vmx_caps_raw *raw, size_t i)
{
	return *(const uint64_t *)((const char *)raw + raw_fields[i].offset);
}

/* The SDM name: the table's macro name without "MSR_". */
static const char *raw_name(size_t i) { return raw_fields[i].name + 4; }

void vmx_caps_format_raw(const struct vmx_caps_raw *raw, vmx_report_line_fn line, void *ctx)
{
	char buf[96];

	for (size_t i = 0; i < RAW_FIELDS; i++) {
		hv_snprintf(buf, sizeof(buf), "raw %-32s (%#x) = 0x%016llx", raw_name(i), raw_fields[i].msr,
		            (unsigned long long)raw_value(raw, i));
		line(ctx, buf);
	}
}

bool vmx_caps_equal(const struct vmx_caps_raw *a, const struct vmx_caps_raw *b, const char **first_diff)
{
	for (size_t i = 0; i < RAW_FIELDS; i++) {
		if (raw_value(a, i) != raw_value(b, i)) {
			if (first_diff)
				*first_diff = raw_name(i);
			return false;
		}
	}
	if (first_diff)
		*first_diff = NULL;
	return true;
}

/* ---- decoding ---------------------------------------------------------- */

/* Allowed-0 settings in the low half, allowed-1 settings in the high half (SDM Vol. 3, A.3.1). */
static struct vmx_ctl ctl_of(uint64_t msr) { return (struct vmx_ctl){(uint32_t)msr, (uint32_t)(msr >> 32)}; }

static void decode_basic(uint64_t basic, struct vmx_caps *out)
{
	out->revision = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	out->vmcs_size = (uint32_t)((basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK);
	out->vmcs_mem_type = (uint8_t)((basic >> VMX_BASIC_MEM_TYPE_SHIFT) & VMX_BASIC_MEM_TYPE_MASK);
	out->phys_addr_32 = basic & VMX_BASIC_32BIT_PHYS_ADDR_ONLY;
	out->true_ctls = basic & VMX_BASIC_TRUE_CTLS;
}

/* The five control words; a word the primary controls cannot activate stays all-zero (A.3.3, A.3.4). */
static void decode_controls(const struct vmx_caps_raw *raw, struct vmx_caps *out)
{
	bool t = out->true_ctls;

	out->ctl[VMX_CAP_PIN] = ctl_of(t ? raw->true_pinbased : raw->pinbased);
	out->ctl[VMX_CAP_PROC] = ctl_of(t ? raw->true_procbased : raw->procbased);
	out->ctl[VMX_CAP_EXIT] = ctl_of(t ? raw->true_exit : raw->exit);
	out->ctl[VMX_CAP_ENTRY] = ctl_of(t ? raw->true_entry : raw->entry);
	/* Secondary controls have no allowed-0 half: none must be 1. */
	out->ctl[VMX_CAP_PROC2] = (struct vmx_ctl){0, 0};
	if (out->ctl[VMX_CAP_PROC].may1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		out->ctl[VMX_CAP_PROC2].may1 = (uint32_t)(raw->procbased2 >> 32);
	out->proc3_may1 = 0;
	if (out->ctl[VMX_CAP_PROC].may1 & CPU_BASED_ACTIVATE_TERTIARY_CONTROLS)
		out->proc3_may1 = raw->procbased3;

	uint32_t proc2 = out->ctl[VMX_CAP_PROC2].may1;
	out->ept_vpid = proc2 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID) ? raw->ept_vpid : 0;
	out->vmfunc = proc2 & SECONDARY_EXEC_ENABLE_VMFUNC ? raw->vmfunc : 0;
}

static void decode_misc(uint64_t misc, struct vmx_caps *out)
{
	out->misc = misc;
	out->preemption_timer_rate = (uint8_t)(misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	out->activity_hlt = misc & VMX_MISC_ACTIVITY_HLT;
	out->activity_shutdown = misc & VMX_MISC_ACTIVITY_SHUTDOWN;
	out->activity_wait_sipi = misc & VMX_MISC_ACTIVITY_WAIT_SIPI;
	out->cr3_targets = (uint16_t)((misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK);
}

void vmx_caps_decode(const struct vmx_caps_raw *raw, struct vmx_caps *out)
{
	decode_basic(raw->basic, out);
	decode_controls(raw, out);
	decode_misc(raw->misc, out);
	out->cr0 = (struct vmx_fixed){raw->cr0_fixed0, raw->cr0_fixed1};
	out->cr4 = (struct vmx_fixed){raw->cr4_fixed0, raw->cr4_fixed1};
}

bool vmx_caps_has(const struct vmx_caps *c, enum vmx_cap_word w, uint64_t bits)
{
	uint64_t have;

	switch (w) {
	case VMX_CAP_PIN:
	case VMX_CAP_PROC:
	case VMX_CAP_PROC2:
	case VMX_CAP_EXIT:
	case VMX_CAP_ENTRY: have = c->ctl[w].may1; break;
	case VMX_CAP_PROC3: have = c->proc3_may1; break;
	case VMX_CAP_EPT_VPID: have = c->ept_vpid; break;
	case VMX_CAP_MISC: have = c->misc; break;
	default: return false;
	}
	return bits && (have & bits) == bits;
}

/* ---- features by name: the interrupt-delivery modes and the requirements ---- */

struct feature {
	enum vmx_cap_word w;
	uint64_t bit;
	const char *name;
};

static bool has(const struct vmx_caps *c, const struct feature *f) { return vmx_caps_has(c, f->w, f->bit); }

static const struct feature tpr_shadow = {VMX_CAP_PROC, CPU_BASED_TPR_SHADOW, "TPR shadow"};
static const struct feature apic_accesses = {VMX_CAP_PROC2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES,
                                             "virtualize APIC accesses"};
static const struct feature x2apic_mode = {VMX_CAP_PROC2, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE,
                                           "virtualize x2APIC mode"};
static const struct feature apic_reg_virt = {VMX_CAP_PROC2, SECONDARY_EXEC_APIC_REGISTER_VIRT,
                                             "APIC-register virtualization"};
static const struct feature vid = {VMX_CAP_PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY, "virtual-interrupt delivery"};
static const struct feature posted = {VMX_CAP_PIN, PIN_BASED_POSTED_INTR, "process posted interrupts"};
static const struct feature ipi_virt = {VMX_CAP_PROC3, TERTIARY_EXEC_IPI_VIRT, "IPI virtualization"};
static const struct feature ext_intr = {VMX_CAP_PIN, PIN_BASED_EXT_INTR_MASK, "external-interrupt exiting"};
static const struct feature ack_intr = {VMX_CAP_EXIT, VM_EXIT_ACK_INTR_ON_EXIT, "acknowledge interrupt on exit"};
static const struct feature nmi_exiting = {VMX_CAP_PIN, PIN_BASED_NMI_EXITING, "NMI exiting"};
static const struct feature virtual_nmis = {VMX_CAP_PIN, PIN_BASED_VIRTUAL_NMIS, "virtual NMIs"};
static const struct feature intr_window = {VMX_CAP_PROC, CPU_BASED_INTR_WINDOW_EXITING, "interrupt-window exiting"};
static const struct feature nmi_window = {VMX_CAP_PROC, CPU_BASED_NMI_WINDOW_EXITING, "NMI-window exiting"};
static const struct feature preemption_timer = {VMX_CAP_PIN, PIN_BASED_VMX_PREEMPTION_TIMER, "VMX-preemption timer"};
static const struct feature secondary = {VMX_CAP_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, "secondary controls"};
static const struct feature ept = {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_EPT, "EPT"};
static const struct feature ept_walk4 = {VMX_CAP_EPT_VPID, VMX_EPT_PAGE_WALK_4, "EPT 4-level walk"};
static const struct feature ept_wb = {VMX_CAP_EPT_VPID, VMX_EPT_MT_WB, "EPT write-back"};
static const struct feature unrestricted = {VMX_CAP_PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST, "unrestricted guest"};
static const struct feature host_64 = {VMX_CAP_EXIT, VM_EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size"};
static const struct feature guest_64 = {VMX_CAP_ENTRY, VM_ENTRY_IA32E_MODE, "IA-32e mode guest"};
static const struct feature vpid = {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_VPID, "VPID"};

/* Each mode needs the previous mode's controls and these (SDM Vol. 3, 27.2.1.1: VID needs external-interrupt
 * exiting; posted interrupts need VID and acknowledge interrupt on exit). */
struct mode_step {
	enum vmx_apicv_mode mode;
	const struct feature *needs[2];
};

static const struct mode_step mode_steps[] = {
        {VMX_APICV_TPR, {&tpr_shadow, &apic_accesses}},
        {VMX_APICV_VID, {&vid, &ext_intr}},
        {VMX_APICV_POSTED, {&posted, &ack_intr}},
};
#define MODE_STEPS (ARRAY_LEN(mode_steps))

static const char *const mode_names[] = {
        [VMX_APICV_EMULATED] = "emulated",
        [VMX_APICV_TPR] = "tpr",
        [VMX_APICV_VID] = "vid",
        [VMX_APICV_POSTED] = "posted",
};

const char *vmx_apicv_mode_name(enum vmx_apicv_mode m)
{
	if ((unsigned)m >= ARRAY_LEN(mode_names))
		return "?";
	return mode_names[m];
}

/* The first step not fully available (MODE_STEPS if none) and, in it, the first missing feature. */
static size_t first_missing_step(const struct vmx_caps *c, size_t *need)
{
	for (size_t s = 0; s < MODE_STEPS; s++) {
		for (size_t n = 0; n < 2; n++) {
			if (!has(c, mode_steps[s].needs[n])) {
				*need = n;
				return s;
			}
		}
	}
	*need = 0;
	return MODE_STEPS;
}

enum vmx_apicv_mode vmx_caps_apicv_mode(const struct vmx_caps *c)
{
	size_t need;
	size_t s = first_missing_step(c, &need);

	return s == 0 ? VMX_APICV_EMULATED : mode_steps[s - 1].mode;
}

void vmx_caps_apicv_reason(const struct vmx_caps *c, char *buf, size_t size)
{
	size_t need;
	size_t s = first_missing_step(c, &need);
	const char *mode = vmx_apicv_mode_name(vmx_caps_apicv_mode(c));

	if (s == MODE_STEPS) {
		hv_snprintf(buf, size, "%s: %s and %s are available", mode, vid.name, posted.name);
		return;
	}
	const char *missing = mode_steps[s].needs[need]->name;
	/* What is there: the first control of this step, or else the first of the step before. */
	const struct feature *have = need ? mode_steps[s].needs[0] : s ? mode_steps[s - 1].needs[0] : NULL;
	if (have)
		hv_snprintf(buf, size, "%s: %s is available but %s is not", mode, have->name, missing);
	else
		hv_snprintf(buf, size, "%s: %s is not available", mode, missing);
}

/* What guests need; a requirement under a missing one (parent) is not checked: the parent says it all. */
struct requirement {
	const struct feature *f, *parent;
};

static const struct requirement requirements[] = {
        {&secondary, NULL},          {&ept, &secondary}, {&ept_walk4, &ept}, {&ept_wb, &ept},
        {&unrestricted, &secondary}, {&host_64, NULL},   {&guest_64, NULL},
};
#define REQUIREMENTS (ARRAY_LEN(requirements))

/* Append s to the string in buf (length *len so far), keeping it terminated and never past size. */
static void append(char *buf, size_t size, size_t *len, const char *s)
{
	if (*len < size)
		hv_snprintf(buf + *len, size - *len, "%s", s);
	while (*s++)
		(*len)++;
}

unsigned vmx_caps_missing(const struct vmx_caps *c, char *buf, size_t size)
{
	unsigned missing = 0;
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < REQUIREMENTS; i++) {
		const struct requirement *q = &requirements[i];
		if (has(c, q->f) || (q->parent && !has(c, q->parent)))
			continue;
		if (missing++)
			append(buf, size, &len, ", ");
		append(buf, size, &len, q->f->name);
	}
	return missing;
}

/* ---- the report ---------------------------------------------------------- */

#define REPORT_LINE_MAX 112
#define LABEL "%-30s"

static const char *yn(bool b) { return b ? "yes" : "no"; }

/* Names of the memory types by their SDM encoding (SDM Vol. 3, A.1; Vol. 3, 12.11 MTRR types). */
static const char *const mem_type_names[VMX_BASIC_MEM_TYPE_MASK + 1] = {[MEM_TYPE_UC] = "UC", [MEM_TYPE_WB] = "WB"};

static const char *mem_type_name(unsigned t)
{
	const char *n = t <= VMX_BASIC_MEM_TYPE_MASK ? mem_type_names[t] : NULL;

	return n ? n : "reserved type";
}

struct report {
	vmx_report_line_fn line;
	void *ctx;
	char buf[REPORT_LINE_MAX];
};

static void emit(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(r->buf, sizeof(r->buf), fmt, ap);
	va_end(ap);
	r->line(r->ctx, r->buf);
}

static void report_verdict(const struct vmx_caps *c, struct report *r)
{
	char text[REPORT_LINE_MAX];

	emit(r, "VMCS revision %#x, %u bytes, %s; best interrupt delivery: %s", c->revision, c->vmcs_size,
	     mem_type_name(c->vmcs_mem_type), vmx_apicv_mode_name(vmx_caps_apicv_mode(c)));
	vmx_caps_apicv_reason(c, text, sizeof(text));
	emit(r, "  %s", text);
	if (vmx_caps_missing(c, text, sizeof(text)))
		emit(r, "  guests: cannot run, missing %s", text);
	else
		emit(r, "  guests: can run (EPT, unrestricted guest, 64-bit host and guest)");
}

/* "name, name" of the bits of EPT_VPID_CAP in types that are set, or "none". */
static const char *cap_list(const struct vmx_caps *c, const struct feature *types, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!has(c, &types[i]))
			continue;
		if (len)
			append(buf, size, &len, ", ");
		append(buf, size, &len, types[i].name);
	}
	return len ? buf : "none";
}

static const struct feature invept_types[] = {
        {VMX_CAP_EPT_VPID, VMX_EPT_INVEPT_SINGLE_CONTEXT, "single-context"},
        {VMX_CAP_EPT_VPID, VMX_EPT_INVEPT_ALL_CONTEXT, "all-context"},
};

static const struct feature invvpid_types[] = {
        {VMX_CAP_EPT_VPID, VMX_VPID_INVVPID_INDIVIDUAL_ADDR, "individual-address"},
        {VMX_CAP_EPT_VPID, VMX_VPID_INVVPID_SINGLE_CONTEXT, "single-context"},
        {VMX_CAP_EPT_VPID, VMX_VPID_INVVPID_ALL_CONTEXT, "all-context"},
};

static void report_ept(const struct vmx_caps *c, struct report *r)
{
	char types[64];

	emit(r, "  " LABEL " 4-level %s, 5-level %s", "  page walk", yn(has(c, &ept_walk4)),
	     yn(vmx_has_ept_vpid(c, VMX_EPT_PAGE_WALK_5)));
	emit(r, "  " LABEL " WB %s, UC %s", "  paging-structure memory", yn(has(c, &ept_wb)),
	     yn(vmx_has_ept_vpid(c, VMX_EPT_MT_UC)));
	emit(r, "  " LABEL " 2M %s, 1G %s", "  large pages", yn(vmx_has_ept_vpid(c, VMX_EPT_2MB_PAGE)),
	     yn(vmx_has_ept_vpid(c, VMX_EPT_1GB_PAGE)));
	emit(r, "  " LABEL " %s", "  accessed and dirty flags", yn(vmx_has_ept_vpid(c, VMX_EPT_AD_BITS)));
	emit(r, "  " LABEL " %s", "  execute-only pages", yn(vmx_has_ept_vpid(c, VMX_EPT_EXECUTE_ONLY)));
	if (vmx_has_ept_vpid(c, VMX_EPT_INVEPT))
		emit(r, "  " LABEL " yes  %s", "  INVEPT",
		     cap_list(c, invept_types, ARRAY_LEN(invept_types), types, sizeof(types)));
	else
		emit(r, "  " LABEL " no", "  INVEPT");
}

static void report_memory(const struct vmx_caps *c, struct report *r)
{
	char types[64];

	emit(r, "memory virtualization:");
	emit(r, "  " LABEL " %s", ept.name, yn(has(c, &ept)));
	if (has(c, &ept))
		report_ept(c, r);
	emit(r, "  " LABEL " %s", vpid.name, yn(has(c, &vpid)));
	if (has(c, &vpid) && vmx_has_ept_vpid(c, VMX_VPID_INVVPID))
		emit(r, "  " LABEL " yes  %s", "  INVVPID",
		     cap_list(c, invvpid_types, ARRAY_LEN(invvpid_types), types, sizeof(types)));
	else if (has(c, &vpid))
		emit(r, "  " LABEL " no", "  INVVPID");
	emit(r, "  " LABEL " %s", unrestricted.name, yn(has(c, &unrestricted)));
}

/* One APICv-related control and what VM entry requires with it (SDM Vol. 3, 27.2.1.1). */
struct apicv_row {
	const struct feature *f;
	const struct feature *needs[2];
};

static const struct apicv_row apicv_rows[] = {
        {&tpr_shadow, {NULL}},
        {&apic_accesses, {NULL}},
        {&x2apic_mode, {&tpr_shadow}},
        {&apic_reg_virt, {&tpr_shadow}},
        {&vid, {&tpr_shadow, &ext_intr}},
        {&posted, {&vid, &ack_intr}},
        {&ipi_virt, {&tpr_shadow}},
        {&ext_intr, {NULL}},
        {&ack_intr, {NULL}},
        {&nmi_exiting, {NULL}},
        {&virtual_nmis, {&nmi_exiting}},
        {&intr_window, {NULL}},
        {&nmi_window, {&virtual_nmis}},
};

static void report_apicv_row(const struct vmx_caps *c, const struct apicv_row *row, struct report *r)
{
	const struct feature *lacking = NULL;

	for (size_t n = 0; n < 2 && row->needs[n]; n++) {
		if (!lacking && !has(c, row->needs[n]))
			lacking = row->needs[n];
	}
	if (has(c, row->f) && lacking)
		emit(r, "  " LABEL " yes  unusable: needs %s", row->f->name, lacking->name);
	else
		emit(r, "  " LABEL " %s", row->f->name, yn(has(c, row->f)));
}

static void report_apicv(const struct vmx_caps *c, struct report *r)
{
	emit(r, "APIC virtualization and interrupts (SDM Vol. 3, chapter 30):");
	for (size_t i = 0; i < ARRAY_LEN(apicv_rows); i++)
		report_apicv_row(c, &apicv_rows[i], r);
	if (has(c, &preemption_timer))
		emit(r, "  " LABEL " yes  rate TSC >> %u, saved on exit %s", preemption_timer.name,
		     c->preemption_timer_rate, yn(vmx_has_exit(c, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER)));
	else
		emit(r, "  " LABEL " no", preemption_timer.name);
}

static const struct feature others[] = {
        {VMX_CAP_PROC, CPU_BASED_USE_MSR_BITMAPS, "MSR bitmaps"},
        {VMX_CAP_PROC, CPU_BASED_USE_IO_BITMAPS, "I/O bitmaps"},
        {VMX_CAP_PROC, CPU_BASED_HLT_EXITING, "HLT exiting"},
        {VMX_CAP_PROC, CPU_BASED_PAUSE_EXITING, "PAUSE exiting"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_PAUSE_LOOP_EXITING, "PAUSE-loop exiting"},
        {VMX_CAP_PROC, CPU_BASED_MONITOR_TRAP_FLAG, "monitor trap flag"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_SHADOW_VMCS, "VMCS shadowing"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_PML, "page-modification log"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_EPT_VIOLATION_VE, "EPT-violation #VE"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_XSAVES, "XSAVES/XRSTORS"},
        {VMX_CAP_PROC, CPU_BASED_USE_TSC_OFFSETTING, "TSC offsetting"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_TSC_SCALING, "TSC scaling"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_RDTSCP, "RDTSCP"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_INVPCID, "INVPCID"},
        {VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_VMFUNC, "VM functions"},
        {VMX_CAP_ENTRY, VM_ENTRY_LOAD_IA32_EFER, "load EFER on entry"},
        {VMX_CAP_EXIT, VM_EXIT_LOAD_IA32_EFER, "load EFER on exit"},
        {VMX_CAP_ENTRY, VM_ENTRY_LOAD_IA32_PAT, "load PAT on entry"},
};

/* Two to a line: these matter less than the ones above. */
static void report_others(const struct vmx_caps *c, struct report *r)
{
	size_t n = ARRAY_LEN(others);

	emit(r, "other controls:");
	for (size_t i = 0; i < n; i += 2) {
		if (i + 1 < n)
			emit(r, "  %-26s %-3s    %-26s %s", others[i].name, yn(has(c, &others[i])), others[i + 1].name,
			     yn(has(c, &others[i + 1])));
		else
			emit(r, "  %-26s %s", others[i].name, yn(has(c, &others[i])));
	}
	emit(r, "  %-26s HLT %s, shutdown %s, wait-for-SIPI %s", "activity states", yn(c->activity_hlt),
	     yn(c->activity_shutdown), yn(c->activity_wait_sipi));
	emit(r, "  %-26s %s    %-26s %u", "TRUE control MSRs", yn(c->true_ctls), "CR3-target values", c->cr3_targets);
}

void vmx_caps_report(const struct vmx_caps *c, vmx_report_line_fn line, void *ctx)
{
	struct report r = {.line = line, .ctx = ctx};

	report_verdict(c, &r);
	report_memory(c, &r);
	report_apicv(c, &r);
	report_others(c, &r);
}
