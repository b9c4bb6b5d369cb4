/* sources: vmm/debug/dump_vmcs.c arch/x86/vmcs_fields.c arch/x86/vmx_exit_names.c vmm/lib/fmt.c vmm/lib/string.c */
/* test_dump_vmcs.c: the shell's vmcs view: the field list, grouping, decoded controls and events, missing fields. */
#include "test/unit/fake_console.h"

#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/debug/snapshot.h"

#define COLUMNS 100
#define TITLES 6

/* The group titles, in the SDM's order (Vol. 3, 25.4-25.9). */
static const char *const titles[TITLES] = {
        "guest-state area (SDM Vol. 3, 25.4)\n",
        "host-state area (SDM Vol. 3, 25.5)\n",
        "VM-execution control fields (SDM Vol. 3, 25.6)\n",
        "VM-exit control fields (SDM Vol. 3, 25.7)\n",
        "VM-entry control fields (SDM Vol. 3, 25.8)\n",
        "VM-exit information fields (SDM Vol. 3, 25.9)\n",
};
enum { T_GUEST, T_HOST, T_EXEC, T_EXIT_CTL, T_ENTRY_CTL, T_EXIT_INFO };

/* A snapshot of CPU 1 running echo0 vCPU 0 in which every field was read, all zero. */
static struct vcpu_snapshot *snap_new(void)
{
	static struct vcpu_snapshot snap; /* not on the heap: a failed assertion leaves the test without freeing */
	struct vcpu_snapshot *s = &snap;

	memset(s, 0, sizeof(*s));
	s->cpu = 1;
	s->has_vcpu = true;
	snprintf(s->guest, sizeof(s->guest), "echo0");
	s->launched = true;
	s->vmcs_current = true;
	memset(s->vmcs_ok, 1, sizeof(s->vmcs_ok));
	return s;
}

static const char *dump(const struct vcpu_snapshot *s)
{
	text_len = 0;
	text[0] = 0;
	dump_vmcs(s);
	return text;
}

/* The field's line and its continuation lines (indented deeper than a field line): a copy, to free. */
static char *field_text(const char *out, const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "\n  %s ", name);
	const char *p = strstr(out, key);
	assert_non_null(p);
	assert_null(strstr(p + 1, key)); /* once */
	p++;
	const char *end = strchr(p, '\n');
	while (end && strncmp(end + 1, "   ", 3) == 0)
		end = strchr(end + 1, '\n');
	size_t n = end ? (size_t)(end - p) : strlen(p);
	char *t = malloc(n + 1);
	assert_non_null(t);
	memcpy(t, p, n);
	t[n] = 0;
	return t;
}

/* Is w in text as a whole word (spaces, newlines or the ends around it)? */
static bool has_word(const char *text, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(text, w); p; p = strstr(p + 1, w)) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';
		bool end = p[n] == 0 || p[n] == ' ' || p[n] == '\n' || p[n] == ',';
		if (start && end)
			return true;
	}
	return false;
}

static bool field_has(const struct vcpu_snapshot *s, const char *name, const char *w)
{
	char *t = field_text(dump(s), name);
	bool r = has_word(t, w);

	free(t);
	return r;
}

/* Which group's section (by title) holds position p of the output, or -1 if before the first. */
static int section_of(const char *out, const char *p)
{
	int g = -1;

	for (int t = 0; t < TITLES; t++) {
		const char *title = strstr(out, titles[t]);
		if (title && title < p)
			g = t;
	}
	return g;
}

/* The group the SDM puts a field in, worked out here from its encoding and name (SDM Vol. 3, 25.11.2, 25.7, 25.8). */
static int expected_group(unsigned i)
{
	const char *name = vmcs_fields[i].name;

	switch ((vmcs_fields[i].encoding >> 10) & 3) {
	case 1: return T_EXIT_INFO;
	case 2: return T_GUEST;
	case 3: return T_HOST;
	}
	if (!strncmp(name, "VM_EXIT_", 8) || !strcmp(name, "SECONDARY_VM_EXIT_CONTROLS"))
		return T_EXIT_CTL;
	if (!strncmp(name, "VM_ENTRY_", 9) || !strcmp(name, "INJECTED_EVENT_DATA"))
		return T_ENTRY_CTL;
	return T_EXEC;
}

static void test_header_and_no_vmcs(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	const char *header = "vmcs: CPU 1, guest echo0 vCPU 0, launched\n";

	assert_true(!strncmp(dump(s), header, strlen(header)));
	s->vmcs_current = false;
	const char *output = dump(s);
	assert_non_null(strstr(output, "not current"));
	assert_non_null(strstr(output, "nothing read"));
	assert_null(strstr(output, titles[T_GUEST]));
	assert_null(strstr(output, "GUEST_RIP"));
	s->has_vcpu = false;
	assert_string_equal(dump(s), "vmcs: CPU 1 runs no vCPU\n");
}

/* The list itself (vmcs.h): Appendix B order is ascending encodings; no "high" (odd) encodings; reserved bits 0. */
static void test_field_list(void **state)
{
	(void)state;

	assert_true(VMCS_FIELD_COUNT > 150);
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint16_t e = vmcs_fields[i].encoding;

		assert_int_equal(e & 1, 0);
		assert_int_equal(e & ((1u << 12) | (1u << 15)), 0);
		if (i)
			assert_true(vmcs_fields[i - 1].encoding < e);
		if (!strncmp(vmcs_fields[i].name, "HOST_", 5))
			assert_int_equal((e >> 10) & 3, 3);
	}
	assert_int_equal(vmcs_fields[VMCS_IDX_TERTIARY_VM_EXEC_CONTROL].encoding, 0x2034);
	assert_int_equal(vmcs_fields[VMCS_IDX_VMX_PREEMPTION_TIMER_VALUE].encoding, 0x482e);
	assert_int_equal(vmcs_fields[VMCS_IDX_GUEST_SMBASE].encoding, 0x4828);
	assert_int_equal(vmcs_fields[VMCS_IDX_IO_RIP].encoding, 0x6408);
}

/* Every field once, by name, under the title of its SDM group; the titles in the SDM's order. */
static void test_every_field_in_its_group(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();
	const char *out = dump(s);
	const char *prev = out;

	for (int t = 0; t < TITLES; t++) {
		const char *title = strstr(out, titles[t]);
		assert_non_null(title);
		assert_true(title > prev);
		prev = title;
	}
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\n  %s ", vmcs_fields[i].name);
		const char *p = strstr(out, key);
		assert_non_null(p);
		assert_null(strstr(p + 1, key));
		assert_int_equal(section_of(out, p), expected_group(i));
	}
	assert_null(strstr(out, "not supported"));
}

/* "  NAME  0xENCODING  0xVALUE": the value has the digits of the field's width, the columns line up. */
static void test_value_widths(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, GUEST_ES_SELECTOR) = 0x10;
	SNAP_FIELD(s, GUEST_IA32_EFER) = 0x500;
	SNAP_FIELD(s, GUEST_CS_LIMIT) = 0xffffffff;
	SNAP_FIELD(s, GUEST_RIP) = 0xffffffff81000000;
	const char *out = dump(s);
	char *es = field_text(out, "GUEST_ES_SELECTOR"), *efer = field_text(out, "GUEST_IA32_EFER");
	char *lim = field_text(out, "GUEST_CS_LIMIT"), *rip = field_text(out, "GUEST_RIP");

	assert_non_null(strstr(es, " 0x0800  0x0010"));
	assert_non_null(strstr(efer, " 0x2806  0x0000000000000500"));
	assert_non_null(strstr(lim, " 0x4802  0xffffffff"));
	assert_non_null(strstr(rip, " 0x681e  0xffffffff81000000"));
	assert_int_equal(strstr(es, " 0x0800") - es, strstr(rip, " 0x681e") - rip);
	free(es);
	free(efer);
	free(lim);
	free(rip);
}

static void test_pin_controls(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, PIN_BASED_VM_EXEC_CONTROL) = PIN_BASED_NMI_EXITING | PIN_BASED_EXT_INTR_MASK;
	char *t = field_text(dump(s), "PIN_BASED_VM_EXEC_CONTROL");
	assert_non_null(strstr(t, "0x4000  0x00000009"));
	assert_true(has_word(t, "NMI_EXITING"));
	assert_true(has_word(t, "EXT_INTR_MASK"));
	assert_false(has_word(t, "VIRTUAL_NMIS"));
	assert_false(has_word(t, "POSTED_INTR"));
	assert_null(strstr(t, "bit "));
	free(t);
}

/* Bits the SDM reserves (pin-based 1, 2, 4 are default1) or we have no name for print as "bit N", up to bit 63. */
static void test_unnamed_bits(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, PIN_BASED_VM_EXEC_CONTROL) = 0x16 | PIN_BASED_POSTED_INTR;
	SNAP_FIELD(s, TERTIARY_VM_EXEC_CONTROL) = TERTIARY_EXEC_IPI_VIRT | 1ull << 63;
	assert_true(field_has(s, "PIN_BASED_VM_EXEC_CONTROL", "bit 1"));
	assert_true(field_has(s, "PIN_BASED_VM_EXEC_CONTROL", "bit 2"));
	assert_true(field_has(s, "PIN_BASED_VM_EXEC_CONTROL", "bit 4"));
	assert_true(field_has(s, "PIN_BASED_VM_EXEC_CONTROL", "POSTED_INTR"));
	assert_false(field_has(s, "PIN_BASED_VM_EXEC_CONTROL", "bit 7"));
	assert_true(field_has(s, "TERTIARY_VM_EXEC_CONTROL", "IPI_VIRT"));
	assert_true(field_has(s, "TERTIARY_VM_EXEC_CONTROL", "bit 63"));
	assert_true(field_has(s, "CPU_BASED_VM_EXEC_CONTROL", "(none)"));
}

/* Every control bit set: each table's names appear, and the wrapped lines stay within 100 columns. */
static void test_all_bits_wrap(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, PIN_BASED_VM_EXEC_CONTROL) = UINT32_MAX;
	SNAP_FIELD(s, CPU_BASED_VM_EXEC_CONTROL) = UINT32_MAX;
	SNAP_FIELD(s, SECONDARY_VM_EXEC_CONTROL) = UINT32_MAX;
	SNAP_FIELD(s, TERTIARY_VM_EXEC_CONTROL) = UINT64_MAX;
	SNAP_FIELD(s, VM_EXIT_CONTROLS) = UINT32_MAX;
	SNAP_FIELD(s, VM_ENTRY_CONTROLS) = UINT32_MAX;
	const char *out = dump(s);

	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_true(nl - line < COLUMNS);
		line = nl + 1;
	}
	assert_true(field_has(s, "SECONDARY_VM_EXEC_CONTROL", "VIRTUAL_INTR_DELIVERY"));
	assert_true(field_has(s, "SECONDARY_VM_EXEC_CONTROL", "NOTIFY_VM_EXITING"));
	assert_true(field_has(s, "SECONDARY_VM_EXEC_CONTROL", "bit 29"));
	assert_true(field_has(s, "CPU_BASED_VM_EXEC_CONTROL", "ACTIVATE_SECONDARY_CONTROLS"));
	assert_true(field_has(s, "VM_EXIT_CONTROLS", "ACK_INTR_ON_EXIT"));
	assert_true(field_has(s, "VM_ENTRY_CONTROLS", "IA32E_MODE"));
	assert_true(field_has(s, "VM_ENTRY_CONTROLS", "bit 31"));
	assert_true(field_has(s, "TERTIARY_VM_EXEC_CONTROL", "SPEC_CTRL_VIRT"));
}

/* A field VMREAD could not read has no line: it is listed once, in its group, as not supported. */
static void test_not_supported(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	s->vmcs_ok[VMCS_IDX_EPTP_INDEX] = 0;
	s->vmcs_ok[VMCS_IDX_GUEST_UINV] = 0;
	s->vmcs_ok[VMCS_IDX_GUEST_S_CET] = 0;
	SNAP_FIELD(s, EPTP_INDEX) = 0x1234;
	const char *out = dump(s);

	assert_null(strstr(out, "\n  EPTP_INDEX "));
	assert_null(strstr(out, "0x1234"));
	const char *guest = strstr(out, "  not supported by this CPU: GUEST_UINV GUEST_S_CET\n");
	const char *exec_list = "  not supported by this CPU: EPTP_INDEX\n";
	const char *exec = strstr(out, exec_list);
	assert_non_null(guest);
	assert_non_null(exec);
	assert_int_equal(section_of(out, guest), T_GUEST);
	assert_int_equal(section_of(out, exec), T_EXEC);
	assert_null(strstr(exec + strlen(exec_list), "not supported"));
}

/* A CPU with none of the fields: every name is still shown, in the lists, within 100 columns. */
static void test_nothing_supported(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	memset(s->vmcs_ok, 0, sizeof(s->vmcs_ok));
	const char *out = dump(s);

	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
		assert_true(has_word(out, vmcs_fields[i].name));
	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_true(nl - line < COLUMNS);
		line = nl + 1;
	}
}

static void test_exit_reason(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, VM_EXIT_REASON) = EXIT_REASON_EXTERNAL_INTERRUPT;
	char *t = field_text(dump(s), "VM_EXIT_REASON");
	assert_non_null(strstr(t, "EXTERNAL_INTERRUPT (1)"));
	assert_null(strstr(t, "VM-entry failure"));
	free(t);
	SNAP_FIELD(s, VM_EXIT_REASON) = VMX_EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE;
	t = field_text(dump(s), "VM_EXIT_REASON");
	assert_non_null(strstr(t, "INVALID_STATE (33), VM-entry failure"));
	free(t);
	SNAP_FIELD(s, VM_INSTRUCTION_ERROR) = 7;
	assert_true(field_has(s, "VM_INSTRUCTION_ERROR", "7"));
}

static void test_interruption_info(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, VM_EXIT_INTR_INFO) =
	        INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE_MASK | 14;
	SNAP_FIELD(s, IDT_VECTORING_INFO_FIELD) = INTR_INFO_VALID_MASK | INTR_TYPE_EXT_INTR | 0x30;
	const char *out = dump(s);
	char *exit = field_text(out, "VM_EXIT_INTR_INFO"), *idt = field_text(out, "IDT_VECTORING_INFO_FIELD");
	char *entry = field_text(out, "VM_ENTRY_INTR_INFO_FIELD");

	assert_non_null(strstr(exit, "hardware exception, vector 0x0e, error code"));
	assert_non_null(strstr(idt, "external interrupt, vector 0x30"));
	assert_null(strstr(idt, "error code"));
	assert_non_null(strstr(entry, "not valid"));
	free(exit);
	free(idt);
	free(entry);
}

static void test_guest_events(void **state)
{
	(void)state;
	struct vcpu_snapshot *s = snap_new();

	SNAP_FIELD(s, GUEST_INTR_STATUS) = 0x3130;
	SNAP_FIELD(s, GUEST_ACTIVITY_STATE) = GUEST_ACTIVITY_HLT;
	SNAP_FIELD(s, GUEST_INTERRUPTIBILITY_INFO) = GUEST_INTR_STATE_STI | GUEST_INTR_STATE_NMI;
	const char *out = dump(s);
	char *status = field_text(out, "GUEST_INTR_STATUS"), *act = field_text(out, "GUEST_ACTIVITY_STATE");
	char *blk = field_text(out, "GUEST_INTERRUPTIBILITY_INFO");

	assert_non_null(strstr(status, "0x3130  RVI 0x30 SVI 0x31"));
	assert_true(has_word(act, "HLT"));
	assert_true(has_word(blk, "STI"));
	assert_true(has_word(blk, "NMI"));
	assert_false(has_word(blk, "MOV_SS"));
	free(status);
	free(act);
	free(blk);
	SNAP_FIELD(s, GUEST_ACTIVITY_STATE) = 7;
	SNAP_FIELD(s, GUEST_INTERRUPTIBILITY_INFO) = 0;
	assert_true(field_has(s, "GUEST_ACTIVITY_STATE", "7"));
	assert_true(field_has(s, "GUEST_INTERRUPTIBILITY_INFO", "blocking"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_header_and_no_vmcs),
	        cmocka_unit_test(test_field_list),
	        cmocka_unit_test(test_every_field_in_its_group),
	        cmocka_unit_test(test_value_widths),
	        cmocka_unit_test(test_pin_controls),
	        cmocka_unit_test(test_unnamed_bits),
	        cmocka_unit_test(test_all_bits_wrap),
	        cmocka_unit_test(test_not_supported),
	        cmocka_unit_test(test_nothing_supported),
	        cmocka_unit_test(test_exit_reason),
	        cmocka_unit_test(test_interruption_info),
	        cmocka_unit_test(test_guest_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
