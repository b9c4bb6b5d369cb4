/* apic.h: the guest's local APIC (xAPIC MMIO or x2APIC MSRs by one index), I/O APIC, vectors 32-255, APIC suites. */
#ifndef GUEST_LIB_APIC_H
#define GUEST_LIB_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/multiboot.h"
#include "guest/lib/smp.h"
#include "arch/x86/apic_regs.h"
#include "lapic/vioapic.h"

/* CPUID leaf 1 and 0xB bits of the APIC (SDM Vol. 2A, CPUID). */
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_LEAF_X2APIC_TOPOLOGY 0xb /* EDX: the x2APIC ID */

#define MSR_IA32_TSC_DEADLINE 0x000006e0

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_ID_SHIFT 24
#define IOAPIC_ID_MASK 0xfu
#define IOAPIC_VERSION_MASK 0xffu
#define IOAPIC_MAX_ENTRY_SHIFT 16
#define IOAPIC_RTE_LO(pin) (IOAPIC_REG_REDTBL_BASE + 2 * (pin))
#define IOAPIC_RTE_HI(pin) (IOAPIC_REG_REDTBL_BASE + 2 * (pin) + 1)

#define APIC_NMI_VECTOR 2 /* the NMI handler's vector: IRQ handlers can take it too */
#define APIC_FIRST_VECTOR 32
#define APIC_NR_VECTORS 256
#define IRQ_MAX_CPUS 8 /* interrupt statistics per APIC ID 0..7 */
#define IRQ_LOG_MAX 64 /* vectors remembered per CPU, in arrival order */
#define APIC_SPIN_LIMIT 1000000u

/* Which interface the accessors use: the same on every CPU, changed only while one CPU runs. */
enum guest_apic_mode { GUEST_APIC_XAPIC, GUEST_APIC_X2APIC };

/* Use mode from now on; base is the xAPIC page (the MADT's local APIC address). */
void apic_use(enum guest_apic_mode mode, uint32_t base);
enum guest_apic_mode apic_mode(void);
uint32_t apic_mmio_base(void);

/* A register by index (arch/x86/apic_regs.h): MMIO at base + index * 16, or MSR 0x800 + index. */
uint32_t apic_read(enum apic_reg reg);
void apic_write(enum apic_reg reg, uint32_t val);
/* This CPU's APIC ID: xAPIC ID bits 31:24, or the 32-bit x2APIC ID. */
uint32_t apic_id(void);
void apic_eoi(void);
/* Bit vector of a 256-bit register (ISR0, TMR0, IRR0). */
bool apic_vector_bit(enum apic_reg first, uint8_t vector);

/*
 * Send an IPI: icr_low is ICR bits 31:0 (vector, delivery mode, level,
 * trigger, shorthand), dest the destination field (8 bits in xAPIC mode, 32
 * in x2APIC mode). In xAPIC mode, waits (bounded) for delivery status idle;
 * false if it stayed pending. Interrupts stay off across the two xAPIC writes.
 */
bool apic_send_ipi(uint32_t dest, uint32_t icr_low);

/* CPUID.1 feature bits. */
uint32_t cpuid_1_ecx(void);
uint32_t cpuid_1_edx(void);

/* The I/O APIC at base: indirect registers through IOREGSEL/IOWIN, and the EOI register. */
uint32_t ioapic_read(uint32_t base, uint32_t reg);
void ioapic_write(uint32_t base, uint32_t reg, uint32_t val);
uint32_t ioapic_read_sel(uint32_t base);
void ioapic_write_eoi(uint32_t base, uint8_t vector);

/*
 * Interrupts. irq_init builds a 256-entry IDT: vectors 0-31 keep the
 * library's exception stubs (guest_catch still works) except NMI (2), which
 * like 32-255 goes to irq dispatch. Every dispatched interrupt is counted per
 * CPU (by APIC ID) and logged in arrival order, then its handler runs; a
 * vector without a handler counts as stray and gets an EOI.
 */
typedef void (*irq_handler_fn)(uint8_t vector);
void irq_init(void);
/* Load the IDT built by irq_init on this CPU (an AP). */
void irq_load(void);
void irq_set_handler(uint8_t vector, irq_handler_fn fn);
/*
 * Point vector's IDT entry at entry itself (a 32-bit interrupt gate), past
 * the dispatch: no counting, no APIC ID read (a benchmark's own handlers).
 */
void irq_set_gate(uint8_t vector, void *entry);
/* Handlers tests commonly want: EOI, or nothing (NMI, spurious, or EOI left to the test). */
void irq_handler_eoi(uint8_t vector);
void irq_handler_none(uint8_t vector);

/*
 * Statistics of CPU cpu (its APIC ID). irq_reset clears the counts and logs
 * of every CPU (call it while no interrupt is on its way); stray interrupts
 * (no handler) count from irq_init on, with the last stray vector.
 */
void irq_reset(void);
uint32_t irq_count(unsigned cpu, uint8_t vector);
uint32_t irq_stray(unsigned cpu);
uint8_t irq_stray_vector(unsigned cpu);
unsigned irq_log(unsigned cpu, uint8_t *vectors, unsigned max);
/* The address of a counter, for polling. */
const volatile uint32_t *irq_counter(unsigned cpu, uint8_t vector);

/*
 * A suite over the APIC (guest/tests/apic*.c). Its command line: mode=xapic
 * (default) or mode=x2apic, cpus=N (default 1). Only vCPU 0 prints.
 */
#define SUITE_VEC_SPURIOUS 0xff
#define SUITE_VEC_ERROR 0xfe
#define SUITE_SETTLE_TICKS (1ull << 22) /* TSC ticks: long enough for an accepted interrupt to arrive */
#define SUITE_WAIT_US 500000            /* for an interrupt that must come */

struct apic_suite {
	char name[24];                     /* "<suite>(<mode>)": prefixes its section lines */
	bool want_x2apic;                  /* mode=x2apic */
	bool x2apic;                       /* the accessors use x2APIC mode */
	bool cpu_x2apic, cpu_tsc_deadline; /* CPUID.1:ECX */
	unsigned cpus;                     /* cpus= */
	struct madt_apics madt;
	uint32_t lapic_base, ioapic_base; /* the MADT's, else the standard addresses */
	uint32_t version;                 /* the local APIC version register at the start */
};
extern struct apic_suite suite;

/* Read the options, CPUID and the MADT, print the suite's first line, build the IDT; xAPIC accessors. */
void apic_suite_start(const char *name, const char *what, const struct multiboot_info *mbi);
/*
 * Enter x2APIC mode if the suite wants it and CPUID has it (a note when it
 * does not): the vector IA32_APIC_BASE's WRMSR raised, or GUEST_NO_FAULT.
 */
int apic_suite_enter_mode(void);
/* Software-enable the APIC (spurious and error vectors above) and mask what firmware may have left on. */
void apic_suite_setup(void);
/* The same for this CPU's own APIC only (an AP: the PICs and the IDT are shared). */
void apic_suite_setup_local(void);
void apic_section(const char *what);
/* expect_eq with a printf-formatted description. */
bool expect_eqf(uint64_t got, uint64_t expected, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
uint64_t suite_wait_ticks(void);
/* Spin until CPU cpu counted n interrupts of vector (true), or ticks passed (false). */
bool irq_wait(unsigned cpu, uint8_t vector, uint32_t n, uint64_t ticks);
void suite_settle(void);
/* A fixed IPI with the self shorthand. */
bool apic_send_self(uint8_t vector);
/*
 * A fixed self-IPI in one write, no delivery-status wait: the SELF IPI
 * register in x2APIC mode, ICR low with the self shorthand in xAPIC mode
 * (the writes whose exits APICv removes, and whose cost bench measures).
 */
void apic_self_ipi(uint8_t vector);
/* x2APIC logical ID: cluster ID[19:4] in bits 31:16, bit ID[3:0] (SDM Vol. 3, 11.12.10.2). */
uint32_t x2apic_ldr(uint32_t id);
/* IA32_APIC_BASE, 0 if it faults. */
uint64_t apic_base_msr(void);

static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

#endif
