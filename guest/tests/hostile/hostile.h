/* hostile.h: the hostile guest's attacks (docs/hostile-suite.md): each one function, its expected outcome, one table.
 */
#ifndef GUEST_TESTS_HOSTILE_HOSTILE_H
#define GUEST_TESTS_HOSTILE_HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"

/*
 * An attack either is contained (the guest goes on, and its own checks pass:
 * the fault it expected, a value read back) or stops the guest (the
 * hypervisor ends it with a named reason; such an attack is the last of its
 * run, and this guest printing anything after it is a failure).
 */
enum outcome { CONTAINED, STOPS };

struct attack {
	const char *name;
	enum outcome outcome;
	unsigned cpus;      /* vCPUs it needs (cpus= on the command line) */
	const char *expect; /* the documented outcome, printed on its "# attack:" line */
	void (*run)(void);
};

/* What the attacks share: the guest as it found itself. */
struct hostile {
	uint32_t me;         /* its APIC ID (vCPU 0) */
	uint64_t ram_end;    /* the end of its RAM (multiboot mem_upper) */
	unsigned maxphyaddr; /* CPUID 0x80000008 EAX[7:0] */
	unsigned cpus;       /* cpus= */
	uint32_t flood;      /* flood=: IPIs of each kind in a flood */
	bool ap_up;          /* vCPU 1 started */
};
extern struct hostile h;

/* The attacks, by family: their files. */
extern const struct attack mem_attacks[], apic_attacks[], sweep_attacks[], io_attacks[], cpu_attacks[];

/* The stop attack did not stop the guest: say so, as a failure, and end. */
__attribute__((noreturn)) void survived(const char *what);
/* Interrupts on for a moment: what was sent has arrived (Bochs takes host kicks in a spin only around STI/CLI). */
void settle_irqs(void);
/* Wait with interrupts on until vector has arrived n times on vCPU 0, bounded: whether it did. */
bool await_irq(uint8_t vector, uint32_t n);
/* ESR: write it (latching the errors since the last write), then read what was latched. */
uint32_t esr_latch(void);
/* x2APIC mode is on (the accessors use MSRs). */
static inline bool in_x2apic(void) { return apic_mode() == GUEST_APIC_X2APIC; }
/* The broadcast destination of the mode's format. */
static inline uint32_t broadcast_id(void) { return in_x2apic() ? 0xffffffffu : 0xffu; }

/* Plain accesses. */
static inline uint32_t rd32(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void wr32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

#endif
