/* smp.h: the guest's processors: the MADT (found as ACPI 5.2.5.1 says), starting APs, and results they hand back. */
#ifndef GUEST_LIB_SMP_H
#define GUEST_LIB_SMP_H

#include <stdbool.h>
#include <stdint.h>

#define SMP_MAX_CPUS 8
#define SMP_TRAMPOLINE_GPA 0x8000u /* the SIPI page: below QEMU's multiboot block at 0x9000, above our entry stack */
#define SMP_REMOTE_MAX 32          /* results an AP can hand back */

/* What the MADT says about the APICs (ACPI 6.5, 5.2.12). */
struct madt_apics {
	bool found;          /* an RSDP, RSDT and MADT with valid checksums */
	uint32_t lapic_base; /* local APIC address (the 64-bit override is ignored) */
	unsigned cpus;       /* enabled Local APIC / x2APIC entries, in table order */
	uint32_t apic_ids[SMP_MAX_CPUS];
	bool has_ioapic; /* the first I/O APIC entry */
	uint8_t ioapic_id;
	uint32_t ioapic_base, ioapic_gsi_base;
};

/* Search the BIOS area 0xe0000-0xfffff for the RSDP, then the RSDT for the MADT; out->found says whether it did. */
void madt_find(struct madt_apics *out);

/*
 * Start the AP with APIC ID apic_id, as logical CPU cpu (1..SMP_MAX_CPUS-1):
 * copy the trampoline (ap_start.asm) to SMP_TRAMPOLINE_GPA, send INIT, SIPI,
 * SIPI from this CPU's APIC (SDM Vol. 3, 9.4.4.1, with its delays), then wait
 * (bounded) for the AP to reach fn. The AP runs fn(cpu) on its own stack
 * with this CPU's GDT selectors, the IDT of irq_init loaded and interrupts
 * off; fn should not return (the AP halts if it does). Returns whether it
 * reported in. Precondition: irq_init done, the APIC accessors set up.
 */
typedef void (*ap_entry_fn)(unsigned cpu);
bool smp_start_ap(unsigned cpu, uint32_t apic_id, ap_entry_fn fn);
/* How many times AP cpu entered the trampoline (1 after a correct start: a second SIPI is ignored). */
uint32_t smp_ap_entries(unsigned cpu);

/* Busy-wait: TSC ticks, and microseconds by the TSC rate CPUID 0x15/0x16 give (3 GHz assumed without). */
void tsc_delay(uint64_t ticks);
void udelay(uint32_t us);
uint64_t tsc_per_us(void);

/*
 * Results of checks an AP makes: it records them (it must not print: the
 * console is vCPU 0's), vCPU 0 later prints them as its own checks. what must
 * point at storage that lives on (a string literal).
 */
void remote_expect_eq(unsigned cpu, const char *what, uint64_t got, uint64_t expected);
void remote_report(unsigned cpu);

/* Memory barrier between CPUs. */
static inline void smp_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
