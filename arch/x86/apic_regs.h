/* apic_regs.h: local APIC registers by one index: MMIO offset >> 4 = x2APIC MSR - 0x800 (SDM Vol. 3, Table 11-1, 11-6).
 */
#ifndef ARCH_X86_APIC_REGS_H
#define ARCH_X86_APIC_REGS_H

/*
 * One index serves the xAPIC MMIO page (offset = index << 4), the x2APIC
 * MSRs (MSR = 0x800 + index) and, later, the virtual-APIC page.
 */
enum apic_reg {
	APIC_REG_ID = 0x02,
	APIC_REG_VERSION = 0x03,
	APIC_REG_TPR = 0x08,
	APIC_REG_APR = 0x09,
	APIC_REG_PPR = 0x0a,
	APIC_REG_EOI = 0x0b,
	APIC_REG_RRD = 0x0c,
	APIC_REG_LDR = 0x0d,
	APIC_REG_DFR = 0x0e, /* xAPIC only */
	APIC_REG_SVR = 0x0f,
	APIC_REG_ISR0 = 0x10, /* ISR0..7 */
	APIC_REG_TMR0 = 0x18, /* TMR0..7 */
	APIC_REG_IRR0 = 0x20, /* IRR0..7 */
	APIC_REG_ESR = 0x28,
	APIC_REG_LVT_CMCI = 0x2f,
	APIC_REG_ICR_LOW = 0x30,  /* x2APIC: the whole 64-bit ICR */
	APIC_REG_ICR_HIGH = 0x31, /* xAPIC only */
	APIC_REG_LVT_TIMER = 0x32,
	APIC_REG_LVT_THERMAL = 0x33,
	APIC_REG_LVT_PMC = 0x34,
	APIC_REG_LVT_LINT0 = 0x35,
	APIC_REG_LVT_LINT1 = 0x36,
	APIC_REG_LVT_ERROR = 0x37,
	APIC_REG_TIMER_INITIAL = 0x38,
	APIC_REG_TIMER_CURRENT = 0x39,
	APIC_REG_TIMER_DIVIDE = 0x3e,
	APIC_REG_SELF_IPI = 0x3f, /* x2APIC only */
};

#define APIC_MMIO_OFFSET(reg) ((unsigned)(reg) << 4)
#define APIC_X2APIC_MSR_FIRST 0x800u /* the x2APIC MSR range (SDM Vol. 3, 11.12.1.2) */
#define APIC_X2APIC_MSR_LAST 0x8ffu
#define APIC_X2APIC_MSR(reg) (APIC_X2APIC_MSR_FIRST + (unsigned)(reg))

/* IA32_APIC_BASE (SDM Vol. 3, Figure 11-5). */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull

/* Spurious-interrupt vector register (SDM Vol. 3, Figure 11-23). */
#define APIC_SVR_ENABLE (1u << 8)

/* LVT entries (SDM Vol. 3, Figure 11-8). */
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)

/* Interrupt command register (SDM Vol. 3, Figure 11-12). */
#define APIC_ICR_VECTOR_MASK 0xffu
#define APIC_ICR_DM_FIXED (0u << 8)
#define APIC_ICR_DM_NMI (4u << 8)
#define APIC_ICR_DM_INIT (5u << 8)
#define APIC_ICR_DM_STARTUP (6u << 8)
#define APIC_ICR_DELIVERY_PENDING (1u << 12) /* xAPIC only */
#define APIC_ICR_LEVEL_ASSERT (1u << 14)
#define APIC_ICR_TRIGGER_LEVEL (1u << 15)
#define APIC_ICR_DEST_SELF (1u << 18)
#define APIC_ICR_DEST_ALL_BUT_SELF (3u << 18)
#define APIC_XAPIC_DEST_SHIFT 24 /* in ICR_HIGH */

/* Timer divide configuration values (SDM Vol. 3, Figure 11-10). */
#define APIC_TIMER_DIVIDE_16 0x3u

/*
 * Added for the virtual local APIC (lapic/vlapic.c); the fields are the
 * architecture's, named as above.
 */
#define APIC_BASE_DEFAULT 0xfee00000ull /* after RESET (SDM Vol. 3, 11.4.4) */

/* Version register (SDM Vol. 3, Figure 11-7). */
#define APIC_VERSION_EOI_SUPPRESS (1u << 24) /* EOI-broadcast suppression supported */

/* Destination format register (SDM Vol. 3, Figure 11-14): model in bits 31:28, the rest reads 1s. */
#define APIC_DFR_MODEL_MASK 0xf0000000u
#define APIC_DFR_MODEL_FLAT 0xf0000000u
#define APIC_DFR_MODEL_CLUSTER 0x00000000u

/* Spurious-interrupt vector register (SDM Vol. 3, Figure 11-23). */
#define APIC_SVR_VECTOR_MASK 0xffu
#define APIC_SVR_FOCUS_DISABLE (1u << 9)
#define APIC_SVR_EOI_SUPPRESS (1u << 12)

/* Error status register (SDM Vol. 3, Figure 11-9). */
#define APIC_ESR_SEND_CHECKSUM (1u << 0)
#define APIC_ESR_RECV_CHECKSUM (1u << 1)
#define APIC_ESR_SEND_ACCEPT (1u << 2)
#define APIC_ESR_RECV_ACCEPT (1u << 3)
#define APIC_ESR_REDIRECTABLE_IPI (1u << 4)
#define APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define APIC_ESR_ILLEGAL_REGISTER (1u << 7)

/* LVT entries (SDM Vol. 3, Figure 11-8). */
#define APIC_LVT_VECTOR_MASK 0xffu
#define APIC_LVT_DM_MASK (7u << 8) /* CMCI, thermal, PMC, LINT0/1 only */
#define APIC_LVT_DELIVERY_PENDING (1u << 12)
#define APIC_LVT_POLARITY_LOW (1u << 13)  /* LINT0/1 only */
#define APIC_LVT_REMOTE_IRR (1u << 14)    /* LINT0/1 only */
#define APIC_LVT_TRIGGER_LEVEL (1u << 15) /* LINT0/1 only */
#define APIC_LVT_TIMER_MODE_MASK (3u << 17)
#define APIC_LVT_TIMER_ONESHOT (0u << 17)
#define APIC_LVT_TIMER_TSC_DEADLINE (2u << 17)

/* Interrupt command register (SDM Vol. 3, Figure 11-12 and 11-28). */
#define APIC_ICR_DM_MASK (7u << 8)
#define APIC_ICR_DM_LOWEST (1u << 8)
#define APIC_ICR_DM_SMI (2u << 8)
#define APIC_ICR_DEST_LOGICAL (1u << 11)
#define APIC_ICR_SHORTHAND_MASK (3u << 18)
#define APIC_ICR_DEST_ALL (2u << 18) /* all including self */
#define APIC_X2APIC_DEST_SHIFT 32    /* in the 64-bit x2APIC ICR */

/* Timer divide configuration: bits 3, 1 and 0 (SDM Vol. 3, Figure 11-10). */
#define APIC_TIMER_DIVIDE_MASK 0xbu

/* Added for the debug shell's decoding (vmm/debug/dump_apic.c). */
#define APIC_XAPIC_ID_SHIFT 24          /* xAPIC ID and LDR: bits 31:24 (Figures 11-6, 11-13) */
#define APIC_VERSION_VERSION_MASK 0xffu /* Figure 11-7 */
#define APIC_VERSION_MAX_LVT_SHIFT 16   /* Max LVT Entry, bits 23:16: entries minus one */
#define APIC_VERSION_MAX_LVT_MASK 0xffu
#define APIC_X2APIC_LDR_CLUSTER_SHIFT 16 /* x2APIC LDR: cluster 31:16, bit in cluster 15:0 (11.12.10.2) */
#define APIC_X2APIC_LDR_ID_MASK 0xffffu
#define APIC_LVT_DM_EXTINT (7u << 8) /* LINT0/1; the other delivery modes as APIC_ICR_DM_* */
#define APIC_PRIO_CLASS_MASK 0xf0u   /* bits 7:4 of a vector, TPR, PPR: its priority class (11.8.3) */
#define APIC_PRIO_CLASS_SHIFT 4
#define APIC_TIMER_DIVIDE_HIGH 0x8u /* bit 3 of the divide value; bits 1:0 are below it */
#define APIC_TIMER_DIVIDE_LOW_MASK 0x3u
#define APIC_TIMER_DIVIDE_BY_1 0x7u /* the 3-bit value 111b: divide by 1, else by 2 << value */
#define APIC_VECTORS_PER_REG 32     /* ISR, TMR, IRR: 8 registers of 32 bits (11.8.4, Figure 11-20) */

#endif
