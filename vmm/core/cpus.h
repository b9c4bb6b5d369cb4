/* cpus.h: finding every logical CPU, starting it, and bringing it into VMX root operation. */
#ifndef VMM_CORE_CPUS_H
#define VMM_CORE_CPUS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"

/* What the ready line and the summary report. */
struct cpus_summary {
	uint32_t listed; /* processors the firmware listed */
	uint32_t online; /* CPUs running the hypervisor */
	uint32_t vmx_on; /* online CPUs in VMX root operation */
	const char *vmx; /* "on", "off" or "unsupported", as the ready line says it */
};

/* What every other CPU runs once it is online (the scheduler's wait for work): it never returns. */
typedef __attribute__((noreturn)) void (*cpus_continue_t)(void);

/*
 * On the boot CPU, after memory, paging and ACPI: bring up the local APIC and
 * the time base, find the processors (MADT, else the loader's list, else the
 * boot CPU alone), put the boot CPU into VMX root, print the capability
 * report, start every other CPU and wait for each (a CPU that does not answer
 * is named and left out; the others go on in ap_run), then summarize.
 */
void cpus_init(const struct boot_info *bi, const char *cmdline, cpus_continue_t ap_run, struct cpus_summary *out);

struct vmx_caps;
/* The boot CPU's decoded VMX capabilities (all online cores agree with them). */
const struct vmx_caps *cpus_vmx_caps(void);

/* Make cpu leave its guest (an external-interrupt exit) or its idle HLT soon: an IPI with HV_VECTOR_KICK. */
void cpu_kick(uint32_t cpu);

/*
 * Print the ready line, once: when the last guest has been entered, or when
 * none can be. guests: how many were entered (0 prints apicv=none).
 */
void cpus_ready_line(uint32_t guests);

struct madt_isa_irq;
/* Where ISA IRQ irq reaches the host's I/O APICs (MADT overrides applied); false without a MADT I/O APIC. */
bool cpus_isa_irq(unsigned irq, struct madt_isa_irq *out);

#endif
