/* vmx_exit.h: VM-exit reasons (SDM Vol. 3, Appendix C) and the exit information formats (SDM Vol. 3, 28.2). */
#ifndef ARCH_X86_VMX_EXIT_H
#define ARCH_X86_VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

/* clang-format off */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI       = 0,
	EXIT_REASON_EXTERNAL_INTERRUPT  = 1,
	EXIT_REASON_TRIPLE_FAULT        = 2,
	EXIT_REASON_INIT_SIGNAL         = 3,
	EXIT_REASON_SIPI_SIGNAL         = 4,
	EXIT_REASON_IO_SMI              = 5,
	EXIT_REASON_OTHER_SMI           = 6,
	EXIT_REASON_INTERRUPT_WINDOW    = 7,
	EXIT_REASON_NMI_WINDOW          = 8,
	EXIT_REASON_TASK_SWITCH         = 9,
	EXIT_REASON_CPUID               = 10,
	EXIT_REASON_GETSEC              = 11,
	EXIT_REASON_HLT                 = 12,
	EXIT_REASON_INVD                = 13,
	EXIT_REASON_INVLPG              = 14,
	EXIT_REASON_RDPMC               = 15,
	EXIT_REASON_RDTSC               = 16,
	EXIT_REASON_RSM                 = 17,
	EXIT_REASON_VMCALL              = 18,
	EXIT_REASON_VMCLEAR             = 19,
	EXIT_REASON_VMLAUNCH            = 20,
	EXIT_REASON_VMPTRLD             = 21,
	EXIT_REASON_VMPTRST             = 22,
	EXIT_REASON_VMREAD              = 23,
	EXIT_REASON_VMRESUME            = 24,
	EXIT_REASON_VMWRITE             = 25,
	EXIT_REASON_VMOFF               = 26,
	EXIT_REASON_VMON                = 27,
	EXIT_REASON_CR_ACCESS           = 28,
	EXIT_REASON_DR_ACCESS           = 29,
	EXIT_REASON_IO_INSTRUCTION      = 30,
	EXIT_REASON_MSR_READ            = 31,
	EXIT_REASON_MSR_WRITE           = 32,
	EXIT_REASON_INVALID_STATE       = 33,
	EXIT_REASON_MSR_LOAD_FAIL       = 34,
	EXIT_REASON_MWAIT_INSTRUCTION   = 36,
	EXIT_REASON_MONITOR_TRAP_FLAG   = 37,
	EXIT_REASON_MONITOR_INSTRUCTION = 39,
	EXIT_REASON_PAUSE_INSTRUCTION   = 40,
	EXIT_REASON_MCE_DURING_VMENTRY  = 41,
	EXIT_REASON_TPR_BELOW_THRESHOLD = 43,
	EXIT_REASON_APIC_ACCESS         = 44,
	EXIT_REASON_EOI_INDUCED         = 45,
	EXIT_REASON_GDTR_IDTR           = 46,
	EXIT_REASON_LDTR_TR             = 47,
	EXIT_REASON_EPT_VIOLATION       = 48,
	EXIT_REASON_EPT_MISCONFIG       = 49,
	EXIT_REASON_INVEPT              = 50,
	EXIT_REASON_RDTSCP              = 51,
	EXIT_REASON_PREEMPTION_TIMER    = 52,
	EXIT_REASON_INVVPID             = 53,
	EXIT_REASON_WBINVD              = 54,
	EXIT_REASON_XSETBV              = 55,
	EXIT_REASON_APIC_WRITE          = 56,
	EXIT_REASON_RDRAND              = 57,
	EXIT_REASON_INVPCID             = 58,
	EXIT_REASON_VMFUNC              = 59,
	EXIT_REASON_ENCLS               = 60,
	EXIT_REASON_RDSEED              = 61,
	EXIT_REASON_PML_FULL            = 62,
	EXIT_REASON_XSAVES              = 63,
	EXIT_REASON_XRSTORS             = 64,
	EXIT_REASON_MAX                 = 65, /* table size: reasons 0..64 */
};
/* clang-format on */

/* The name of an exit reason as above ("EPT_VIOLATION"), or "unknown" (vmx_exit_names.c). */
const char *exit_reason_name(uint32_t reason);

/* Bits of VM_EXIT_REASON beside the basic reason (SDM Vol. 3, 25.9.1). */
#define VMX_EXIT_REASON_BASIC_MASK 0xffffu
#define VMX_EXIT_REASON_FAILED_VMENTRY (1u << 31)

/* Interruption information, for VM_ENTRY_INTR_INFO_FIELD and VM_EXIT_INTR_INFO (SDM Vol. 3, 25.8.3, 25.9.2). */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_TYPE_EXT_INTR (0u << 8)
#define INTR_TYPE_NMI_INTR (2u << 8)
#define INTR_TYPE_HARD_EXCEPTION (3u << 8)
#define INTR_TYPE_SOFT_INTR (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8) /* INT1 (ICEBP) */
#define INTR_TYPE_SOFT_EXCEPTION (6u << 8)
#define INTR_INFO_INTR_TYPE_SHIFT 8
#define INTR_INFO_INTR_TYPE_MASK (7u << INTR_INFO_INTR_TYPE_SHIFT)
#define INTR_INFO_DELIVER_CODE_MASK (1u << 11)
#define INTR_INFO_VALID_MASK (1u << 31)

/*
 * An event of this interruption information, injected at VM entry, needs the
 * VM-entry instruction length: software interrupts (INT n), privileged
 * software exceptions (INT1) and software exceptions (INT3, INTO) push the
 * address after their instruction (SDM Vol. 3, 25.8.3 and 27.6.1.1).
 */
static inline bool intr_info_needs_instruction_length(uint32_t info)
{
	uint32_t type = info & INTR_INFO_INTR_TYPE_MASK;

	return type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SOFT_EXCEPTION;
}

/* Exit qualification for I/O instructions (SDM Vol. 3, Table 28-5). */
#define IO_QUAL_SIZE_MASK 0x7u /* size - 1 */
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_REP (1u << 5)
#define IO_QUAL_PORT_SHIFT 16

/* Exit qualification for control-register accesses (SDM Vol. 3, Table 28-3). */
#define CR_QUAL_NUMBER_MASK 0xfu
#define CR_QUAL_TYPE_SHIFT 4
#define CR_QUAL_TYPE_MASK 0x3u
#define CR_TYPE_MOV_TO_CR 0
#define CR_TYPE_MOV_FROM_CR 1
#define CR_TYPE_CLTS 2
#define CR_TYPE_LMSW 3
#define CR_QUAL_GPR_SHIFT 8
#define CR_QUAL_GPR_MASK 0xfu
#define CR_QUAL_LMSW_SOURCE_SHIFT 16

/* Exit qualification for APIC-access exits (SDM Vol. 3, Table 28-6). */
#define APIC_ACCESS_OFFSET_MASK 0xfffull
#define APIC_ACCESS_TYPE_SHIFT 12
#define APIC_ACCESS_TYPE_MASK 0xfull
enum apic_access_type {
	APIC_ACCESS_LINEAR_READ = 0,
	APIC_ACCESS_LINEAR_WRITE = 1,
	APIC_ACCESS_LINEAR_FETCH = 2,
	APIC_ACCESS_LINEAR_EVENT = 3, /* during event delivery */
	APIC_ACCESS_GUEST_PHYS_EVENT = 10,
	APIC_ACCESS_GUEST_PHYS_FETCH = 15,
};

/* Exit qualification for EOI-induced exits: the vector whose EOI was virtualized (SDM Vol. 3, 28.2.1). */
#define EOI_QUAL_VECTOR_MASK 0xffull

/* Exit qualification for EPT violations (SDM Vol. 3, Table 28-7). */
#define EPT_QUAL_READ (1ull << 0)
#define EPT_QUAL_WRITE (1ull << 1)
#define EPT_QUAL_FETCH (1ull << 2)
#define EPT_QUAL_READABLE (1ull << 3)
#define EPT_QUAL_WRITABLE (1ull << 4)
#define EPT_QUAL_EXECUTABLE (1ull << 5)
#define EPT_QUAL_GLA_VALID (1ull << 7)
#define EPT_QUAL_GLA_TRANSLATED (1ull << 8) /* with GLA_VALID: the access, not a paging-structure entry */

/* Guest interruptibility state (SDM Vol. 3, 25.4.2, Table 25-3). */
#define GUEST_INTR_STATE_STI (1u << 0)
#define GUEST_INTR_STATE_MOV_SS (1u << 1)
#define GUEST_INTR_STATE_SMI (1u << 2)
#define GUEST_INTR_STATE_NMI (1u << 3)
#define GUEST_INTR_STATE_ENCLAVE_INTR (1u << 4)

/* Pending debug exceptions (SDM Vol. 3, 25.4.2, Table 25-4). */
#define PENDING_DBG_B0 (1ull << 0)
#define PENDING_DBG_B1 (1ull << 1)
#define PENDING_DBG_B2 (1ull << 2)
#define PENDING_DBG_B3 (1ull << 3)
#define PENDING_DBG_ENABLED_BP (1ull << 12)
#define PENDING_DBG_BS (1ull << 14)
#define PENDING_DBG_RTM (1ull << 16)

/* Guest activity states (SDM Vol. 3, 25.4.2). */
#define GUEST_ACTIVITY_ACTIVE 0
#define GUEST_ACTIVITY_HLT 1
#define GUEST_ACTIVITY_SHUTDOWN 2
#define GUEST_ACTIVITY_WAIT_SIPI 3

/* What a VM exit told the hypervisor, read once from the VMCS (vmx_read_exit_info). */
struct exit_info {
	uint32_t reason; /* basic exit reason */
	uint64_t qualification;
	uint32_t instruction_len;
	uint64_t guest_rip;
	uint64_t guest_physical; /* EPT violations and misconfigurations */
	uint64_t guest_linear;
	uint32_t intr_info;
	uint32_t idt_vectoring; /* EPT violations: the event being delivered when it came, if valid (28.2.4) */
};

/* Segment access rights in the VMCS (SDM Vol. 3, 25.4.1, Table 25-2). */
#define VMX_AR_TYPE_CODE_XR_ACCESSED 0xbu
#define VMX_AR_TYPE_DATA_RW_ACCESSED 0x3u
#define VMX_AR_TYPE_TSS_BUSY_32 0xbu
#define VMX_AR_TYPE_LDT 0x2u
#define VMX_AR_TYPE_MASK 0xfu
/* The type of a code or data segment, S = 1 (SDM Vol. 3, 3.4.5.1, Table 3-1); S = 0: Table 3-2. */
#define VMX_AR_TYPE_CODE (1u << 3)
#define VMX_AR_TYPE_CONFORMING (1u << 2)  /* code */
#define VMX_AR_TYPE_EXPAND_DOWN (1u << 2) /* data */
#define VMX_AR_TYPE_READABLE (1u << 1)    /* code */
#define VMX_AR_TYPE_WRITABLE (1u << 1)    /* data */
#define VMX_AR_TYPE_ACCESSED (1u << 0)
#define VMX_AR_S (1u << 4)
#define VMX_AR_DPL_SHIFT 5
#define VMX_AR_DPL_MASK (3u << VMX_AR_DPL_SHIFT)
#define VMX_AR_P (1u << 7)
#define VMX_AR_AVL (1u << 12)
#define VMX_AR_L (1u << 13)
#define VMX_AR_DB (1u << 14)
#define VMX_AR_G (1u << 15)
#define VMX_AR_UNUSABLE (1u << 16)

#endif
