/* vmx_caps.c: decoding and reporting VMX capabilities (pure: host-testable). */
#include "arch/x86/vmx_caps.h"

#include "arch/x86/vmx_defs.h"
#include "vmm/fmt.h"

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

void vmx_caps_format_raw(const struct vmx_caps_raw *raw, vmx_report_line_fn line, void *ctx)
{
	char buf[96];

	for (size_t i = 0; i < sizeof(raw_fields) / sizeof(raw_fields[0]); i++) {
		uint64_t v = *(const uint64_t *)((const char *)raw + raw_fields[i].offset);
		hv_snprintf(buf, sizeof(buf), "raw %-32s (%#x) = 0x%016llx", raw_fields[i].name + 4, raw_fields[i].msr,
			    (unsigned long long)v);
		line(ctx, buf);
	}
}
