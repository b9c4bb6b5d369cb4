/* vmcs.h: VMCS field encodings (SDM Vol. 3, Appendix B) and width-checked accessors. */
#ifndef ARCH_X86_VMCS_H
#define ARCH_X86_VMCS_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx_insn.h"

/* clang-format off */
/*
 * Every VMCS field the hypervisor knows, once: X(name, encoding), in the
 * order of SDM Vol. 3, Appendix B. It makes the enum below, the field
 * indexes of a snapshot and the names the shell prints (vmcs_fields.c).
 * Names as KVM spells them; where KVM has none, the SDM's words or its
 * abbreviation (SPPTP, HLATP). Only the full encoding of a 64-bit field is
 * listed: its "high" encoding (+1) reads bits 63:32 alone (SDM 25.11.2).
 */
#define VMCS_FIELDS(X) \
	/* 16-bit control fields (B.1.1) */ \
	X(VIRTUAL_PROCESSOR_ID,            0x0000) \
	X(POSTED_INTR_NV,                  0x0002) \
	X(EPTP_INDEX,                      0x0004) \
	X(HLAT_PREFIX_SIZE,                0x0006) \
	X(LAST_PID_POINTER_INDEX,          0x0008) \
	/* 16-bit guest-state fields (B.1.2) */ \
	X(GUEST_ES_SELECTOR,               0x0800) \
	X(GUEST_CS_SELECTOR,               0x0802) \
	X(GUEST_SS_SELECTOR,               0x0804) \
	X(GUEST_DS_SELECTOR,               0x0806) \
	X(GUEST_FS_SELECTOR,               0x0808) \
	X(GUEST_GS_SELECTOR,               0x080a) \
	X(GUEST_LDTR_SELECTOR,             0x080c) \
	X(GUEST_TR_SELECTOR,               0x080e) \
	X(GUEST_INTR_STATUS,               0x0810) \
	X(GUEST_PML_INDEX,                 0x0812) \
	X(GUEST_UINV,                      0x0814) \
	/* 16-bit host-state fields (B.1.3) */ \
	X(HOST_ES_SELECTOR,                0x0c00) \
	X(HOST_CS_SELECTOR,                0x0c02) \
	X(HOST_SS_SELECTOR,                0x0c04) \
	X(HOST_DS_SELECTOR,                0x0c06) \
	X(HOST_FS_SELECTOR,                0x0c08) \
	X(HOST_GS_SELECTOR,                0x0c0a) \
	X(HOST_TR_SELECTOR,                0x0c0c) \
	/* 64-bit control fields (B.2.1) */ \
	X(IO_BITMAP_A,                     0x2000) \
	X(IO_BITMAP_B,                     0x2002) \
	X(MSR_BITMAP,                      0x2004) \
	X(VM_EXIT_MSR_STORE_ADDR,          0x2006) \
	X(VM_EXIT_MSR_LOAD_ADDR,           0x2008) \
	X(VM_ENTRY_MSR_LOAD_ADDR,          0x200a) \
	X(EXECUTIVE_VMCS_POINTER,          0x200c) \
	X(PML_ADDRESS,                     0x200e) \
	X(TSC_OFFSET,                      0x2010) \
	X(VIRTUAL_APIC_PAGE_ADDR,          0x2012) \
	X(APIC_ACCESS_ADDR,                0x2014) \
	X(POSTED_INTR_DESC_ADDR,           0x2016) \
	X(VM_FUNCTION_CONTROL,             0x2018) \
	X(EPT_POINTER,                     0x201a) \
	X(EOI_EXIT_BITMAP0,                0x201c) \
	X(EOI_EXIT_BITMAP1,                0x201e) \
	X(EOI_EXIT_BITMAP2,                0x2020) \
	X(EOI_EXIT_BITMAP3,                0x2022) \
	X(EPTP_LIST_ADDRESS,               0x2024) \
	X(VMREAD_BITMAP,                   0x2026) \
	X(VMWRITE_BITMAP,                  0x2028) \
	X(VE_INFORMATION_ADDRESS,          0x202a) \
	X(XSS_EXIT_BITMAP,                 0x202c) \
	X(ENCLS_EXITING_BITMAP,            0x202e) \
	X(SPPTP,                           0x2030) \
	X(TSC_MULTIPLIER,                  0x2032) \
	X(TERTIARY_VM_EXEC_CONTROL,        0x2034) \
	X(ENCLV_EXITING_BITMAP,            0x2036) \
	X(LOW_PASID_DIRECTORY,             0x2038) \
	X(HIGH_PASID_DIRECTORY,            0x203a) \
	X(SHARED_EPT_POINTER,              0x203c) \
	X(PCONFIG_EXITING_BITMAP,          0x203e) \
	X(HLATP,                           0x2040) \
	X(PID_POINTER_TABLE,               0x2042) \
	X(SECONDARY_VM_EXIT_CONTROLS,      0x2044) \
	X(IA32_SPEC_CTRL_MASK,             0x204a) \
	X(IA32_SPEC_CTRL_SHADOW,           0x204c) \
	X(INJECTED_EVENT_DATA,             0x2052) \
	/* 64-bit read-only data fields (B.2.2) */ \
	X(GUEST_PHYSICAL_ADDRESS,          0x2400) \
	X(ORIGINAL_EVENT_DATA,             0x2404) \
	/* 64-bit guest-state fields (B.2.3) */ \
	X(VMCS_LINK_POINTER,               0x2800) \
	X(GUEST_IA32_DEBUGCTL,             0x2802) \
	X(GUEST_IA32_PAT,                  0x2804) \
	X(GUEST_IA32_EFER,                 0x2806) \
	X(GUEST_IA32_PERF_GLOBAL_CTRL,     0x2808) \
	X(GUEST_PDPTR0,                    0x280a) \
	X(GUEST_PDPTR1,                    0x280c) \
	X(GUEST_PDPTR2,                    0x280e) \
	X(GUEST_PDPTR3,                    0x2810) \
	X(GUEST_BNDCFGS,                   0x2812) \
	X(GUEST_IA32_RTIT_CTL,             0x2814) \
	X(GUEST_IA32_LBR_CTL,              0x2816) \
	X(GUEST_IA32_PKRS,                 0x2818) \
	X(GUEST_IA32_FRED_CONFIG,          0x281a) \
	X(GUEST_IA32_FRED_RSP1,            0x281c) \
	X(GUEST_IA32_FRED_RSP2,            0x281e) \
	X(GUEST_IA32_FRED_RSP3,            0x2820) \
	X(GUEST_IA32_FRED_STKLVLS,         0x2822) \
	X(GUEST_IA32_FRED_SSP1,            0x2824) \
	X(GUEST_IA32_FRED_SSP2,            0x2826) \
	X(GUEST_IA32_FRED_SSP3,            0x2828) \
	/* 64-bit host-state fields (B.2.4) */ \
	X(HOST_IA32_PAT,                   0x2c00) \
	X(HOST_IA32_EFER,                  0x2c02) \
	X(HOST_IA32_PERF_GLOBAL_CTRL,      0x2c04) \
	X(HOST_IA32_PKRS,                  0x2c06) \
	X(HOST_IA32_FRED_CONFIG,           0x2c08) \
	X(HOST_IA32_FRED_RSP1,             0x2c0a) \
	X(HOST_IA32_FRED_RSP2,             0x2c0c) \
	X(HOST_IA32_FRED_RSP3,             0x2c0e) \
	X(HOST_IA32_FRED_STKLVLS,          0x2c10) \
	X(HOST_IA32_FRED_SSP1,             0x2c12) \
	X(HOST_IA32_FRED_SSP2,             0x2c14) \
	X(HOST_IA32_FRED_SSP3,             0x2c16) \
	/* 32-bit control fields (B.3.1) */ \
	X(PIN_BASED_VM_EXEC_CONTROL,       0x4000) \
	X(CPU_BASED_VM_EXEC_CONTROL,       0x4002) \
	X(EXCEPTION_BITMAP,                0x4004) \
	X(PAGE_FAULT_ERROR_CODE_MASK,      0x4006) \
	X(PAGE_FAULT_ERROR_CODE_MATCH,     0x4008) \
	X(CR3_TARGET_COUNT,                0x400a) \
	X(VM_EXIT_CONTROLS,                0x400c) \
	X(VM_EXIT_MSR_STORE_COUNT,         0x400e) \
	X(VM_EXIT_MSR_LOAD_COUNT,          0x4010) \
	X(VM_ENTRY_CONTROLS,               0x4012) \
	X(VM_ENTRY_MSR_LOAD_COUNT,         0x4014) \
	X(VM_ENTRY_INTR_INFO_FIELD,        0x4016) \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE,   0x4018) \
	X(VM_ENTRY_INSTRUCTION_LEN,        0x401a) \
	X(TPR_THRESHOLD,                   0x401c) \
	X(SECONDARY_VM_EXEC_CONTROL,       0x401e) \
	X(PLE_GAP,                         0x4020) \
	X(PLE_WINDOW,                      0x4022) \
	X(NOTIFY_WINDOW,                   0x4024) \
	/* 32-bit read-only data fields (B.3.2) */ \
	X(VM_INSTRUCTION_ERROR,            0x4400) \
	X(VM_EXIT_REASON,                  0x4402) \
	X(VM_EXIT_INTR_INFO,               0x4404) \
	X(VM_EXIT_INTR_ERROR_CODE,         0x4406) \
	X(IDT_VECTORING_INFO_FIELD,        0x4408) \
	X(IDT_VECTORING_ERROR_CODE,        0x440a) \
	X(VM_EXIT_INSTRUCTION_LEN,         0x440c) \
	X(VMX_INSTRUCTION_INFO,            0x440e) \
	/* 32-bit guest-state fields (B.3.3) */ \
	X(GUEST_ES_LIMIT,                  0x4800) \
	X(GUEST_CS_LIMIT,                  0x4802) \
	X(GUEST_SS_LIMIT,                  0x4804) \
	X(GUEST_DS_LIMIT,                  0x4806) \
	X(GUEST_FS_LIMIT,                  0x4808) \
	X(GUEST_GS_LIMIT,                  0x480a) \
	X(GUEST_LDTR_LIMIT,                0x480c) \
	X(GUEST_TR_LIMIT,                  0x480e) \
	X(GUEST_GDTR_LIMIT,                0x4810) \
	X(GUEST_IDTR_LIMIT,                0x4812) \
	X(GUEST_ES_AR_BYTES,               0x4814) \
	X(GUEST_CS_AR_BYTES,               0x4816) \
	X(GUEST_SS_AR_BYTES,               0x4818) \
	X(GUEST_DS_AR_BYTES,               0x481a) \
	X(GUEST_FS_AR_BYTES,               0x481c) \
	X(GUEST_GS_AR_BYTES,               0x481e) \
	X(GUEST_LDTR_AR_BYTES,             0x4820) \
	X(GUEST_TR_AR_BYTES,               0x4822) \
	X(GUEST_INTERRUPTIBILITY_INFO,     0x4824) \
	X(GUEST_ACTIVITY_STATE,            0x4826) \
	X(GUEST_SMBASE,                    0x4828) \
	X(GUEST_SYSENTER_CS,               0x482a) \
	X(VMX_PREEMPTION_TIMER_VALUE,      0x482e) \
	/* 32-bit host-state field (B.3.4) */ \
	X(HOST_IA32_SYSENTER_CS,           0x4c00) \
	/* natural-width control fields (B.4.1) */ \
	X(CR0_GUEST_HOST_MASK,             0x6000) \
	X(CR4_GUEST_HOST_MASK,             0x6002) \
	X(CR0_READ_SHADOW,                 0x6004) \
	X(CR4_READ_SHADOW,                 0x6006) \
	X(CR3_TARGET_VALUE0,               0x6008) \
	X(CR3_TARGET_VALUE1,               0x600a) \
	X(CR3_TARGET_VALUE2,               0x600c) \
	X(CR3_TARGET_VALUE3,               0x600e) \
	/* natural-width read-only data fields (B.4.2) */ \
	X(EXIT_QUALIFICATION,              0x6400) \
	X(IO_RCX,                          0x6402) \
	X(IO_RSI,                          0x6404) \
	X(IO_RDI,                          0x6406) \
	X(IO_RIP,                          0x6408) \
	X(GUEST_LINEAR_ADDRESS,            0x640a) \
	/* natural-width guest-state fields (B.4.3) */ \
	X(GUEST_CR0,                       0x6800) \
	X(GUEST_CR3,                       0x6802) \
	X(GUEST_CR4,                       0x6804) \
	X(GUEST_ES_BASE,                   0x6806) \
	X(GUEST_CS_BASE,                   0x6808) \
	X(GUEST_SS_BASE,                   0x680a) \
	X(GUEST_DS_BASE,                   0x680c) \
	X(GUEST_FS_BASE,                   0x680e) \
	X(GUEST_GS_BASE,                   0x6810) \
	X(GUEST_LDTR_BASE,                 0x6812) \
	X(GUEST_TR_BASE,                   0x6814) \
	X(GUEST_GDTR_BASE,                 0x6816) \
	X(GUEST_IDTR_BASE,                 0x6818) \
	X(GUEST_DR7,                       0x681a) \
	X(GUEST_RSP,                       0x681c) \
	X(GUEST_RIP,                       0x681e) \
	X(GUEST_RFLAGS,                    0x6820) \
	X(GUEST_PENDING_DBG_EXCEPTIONS,    0x6822) \
	X(GUEST_SYSENTER_ESP,              0x6824) \
	X(GUEST_SYSENTER_EIP,              0x6826) \
	X(GUEST_S_CET,                     0x6828) \
	X(GUEST_SSP,                       0x682a) \
	X(GUEST_INTR_SSP_TABLE,            0x682c) \
	/* natural-width host-state fields (B.4.4) */ \
	X(HOST_CR0,                        0x6c00) \
	X(HOST_CR3,                        0x6c02) \
	X(HOST_CR4,                        0x6c04) \
	X(HOST_FS_BASE,                    0x6c06) \
	X(HOST_GS_BASE,                    0x6c08) \
	X(HOST_TR_BASE,                    0x6c0a) \
	X(HOST_GDTR_BASE,                  0x6c0c) \
	X(HOST_IDTR_BASE,                  0x6c0e) \
	X(HOST_IA32_SYSENTER_ESP,          0x6c10) \
	X(HOST_IA32_SYSENTER_EIP,          0x6c12) \
	X(HOST_RSP,                        0x6c14) \
	X(HOST_RIP,                        0x6c16) \
	X(HOST_S_CET,                      0x6c18) \
	X(HOST_SSP,                        0x6c1a) \
	X(HOST_INTR_SSP_TABLE,             0x6c1c)

enum vmcs_field {
#define VMCS_ENUM(name, enc) name = enc,
	VMCS_FIELDS(VMCS_ENUM)
#undef VMCS_ENUM
};

/* A field's place in vmcs_fields[] and in a snapshot: VMCS_IDX_GUEST_RIP and so on. */
enum vmcs_field_index {
#define VMCS_INDEX(name, enc) VMCS_IDX_##name,
	VMCS_FIELDS(VMCS_INDEX)
#undef VMCS_INDEX
	VMCS_FIELD_COUNT
};
/* clang-format on */

/* A field's SDM name and encoding (vmcs_fields.c). */
struct vmcs_field_info {
	const char *name;
	uint16_t encoding;
};
extern const struct vmcs_field_info vmcs_fields[VMCS_FIELD_COUNT];

/* Bits 14:13 of an encoding give the field's width (SDM Vol. 3, 25.11.2). */
#define VMCS_FIELD_WIDTH(f) (((unsigned)(f) >> 13) & 3)
#define VMCS_WIDTH_16 0
#define VMCS_WIDTH_64 1
#define VMCS_WIDTH_32 2
#define VMCS_WIDTH_NATURAL 3

/*
 * Every failing VMREAD/VMWRITE ends here: it names the field and the
 * VM-instruction error. The accessors below branch on CF or ZF alone (the
 * flag-output constraint "=@ccbe": one conditional jump, no SETcc), so this
 * cold path finds out which of the two it was (SDM Vol. 3, 31.2).
 */
__attribute__((cold, noreturn)) void vmcs_access_failed(const char *insn, unsigned field);

static inline uint64_t vmcs_read_raw(unsigned field)
{
	uint64_t v;
	bool failed;

	__asm__ volatile("vmread %2, %0" : "=rm"(v), "=@ccbe"(failed) : "r"((uint64_t)field));
	if (__builtin_expect(failed, 0))
		vmcs_access_failed("VMREAD", field);
	return v;
}

/* A VMREAD that may fail quietly (a field this CPU does not have, no current VMCS): for dumps. */
static inline bool vmcs_try_read(unsigned field, uint64_t *v)
{
	uint8_t cf, zf;

	__asm__ volatile("vmread %3, %0; setc %1; setz %2"
	                 : "=rm"(*v), "=qm"(cf), "=qm"(zf)
	                 : "r"((uint64_t)field)
	                 : "cc");
	return !(cf | zf);
}

static inline void vmcs_write_raw(unsigned field, uint64_t v)
{
	bool failed;

	__asm__ volatile("vmwrite %1, %2" : "=@ccbe"(failed) : "rm"(v), "r"((uint64_t)field) : "memory");
	if (__builtin_expect(failed, 0))
		vmcs_access_failed("VMWRITE", field);
}

/*
 * The accessors refuse, at build time, a field of the wrong width: the
 * field must be a constant, so a typo shows as a compile error, not as a
 * truncated value in a VM entry failure.
 */
#define VMCS_CHECK(f, w) _Static_assert(VMCS_FIELD_WIDTH(f) == (w), #f " has another width")
#define vmcs_read16(f)                        \
	({                                    \
		VMCS_CHECK(f, VMCS_WIDTH_16); \
		(uint16_t) vmcs_read_raw(f);  \
	})
#define vmcs_read32(f)                        \
	({                                    \
		VMCS_CHECK(f, VMCS_WIDTH_32); \
		(uint32_t) vmcs_read_raw(f);  \
	})
#define vmcs_read64(f)                        \
	({                                    \
		VMCS_CHECK(f, VMCS_WIDTH_64); \
		vmcs_read_raw(f);             \
	})
#define vmcs_readl(f)                              \
	({                                         \
		VMCS_CHECK(f, VMCS_WIDTH_NATURAL); \
		vmcs_read_raw(f);                  \
	})
#define vmcs_write16(f, v)                        \
	({                                        \
		VMCS_CHECK(f, VMCS_WIDTH_16);     \
		vmcs_write_raw(f, (uint16_t)(v)); \
	})
#define vmcs_write32(f, v)                        \
	({                                        \
		VMCS_CHECK(f, VMCS_WIDTH_32);     \
		vmcs_write_raw(f, (uint32_t)(v)); \
	})
#define vmcs_write64(f, v)                        \
	({                                        \
		VMCS_CHECK(f, VMCS_WIDTH_64);     \
		vmcs_write_raw(f, (uint64_t)(v)); \
	})
#define vmcs_writel(f, v)                          \
	({                                         \
		VMCS_CHECK(f, VMCS_WIDTH_NATURAL); \
		vmcs_write_raw(f, (uint64_t)(v));  \
	})

#endif
