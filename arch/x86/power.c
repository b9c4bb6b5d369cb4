/* power.c: ending a run: power-off and reset on emulators and real machines. */
#include "arch/x86/power.h"

#include <stdbool.h>

#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_E9_PORT 0xe9 /* Bochs' port_e9_hack (and QEMU's debugcon) read back 0xe9 */
#define PCI_RESET_CONTROL_PORT 0xcf9
#define PCI_RESET_FULL 0x0e
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xfe

/* Busy-wait roughly us microseconds with port 0x80 writes (about 1 us each). */
static void io_delay(unsigned us)
{
	while (us--)
		outb(0x80, 0);
}

static bool hypervisor_signature_is(const char *sig)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	struct cpuid_regs r = cpuid(0x40000000, 0);
	char s[13];
	memcpy(s, &r.ebx, 4);
	memcpy(s + 4, &r.ecx, 4);
	memcpy(s + 8, &r.edx, 4);
	s[12] = 0;
	return hv_strncmp(s, sig, hv_strlen(sig)) == 0;
}

static bool under_qemu(void) { return hypervisor_signature_is("TCGTCGTCGTCG") || hypervisor_signature_is("KVMKVMKVM"); }

/*
 * Bochs is known by its firmware tables' OEM id "BOCHS " or, where it runs
 * firmware without ACPI tables (OVMF), by its port 0xe9 hack answering 0xe9.
 * Only then is the shutdown port known to be there.
 */
static bool under_bochs(void) { return memcmp(acpi_oem_id(), "BOCHS ", 6) == 0 || inb(BOCHS_E9_PORT) == 0xe9; }

static void acpi_s5(void)
{
	const struct acpi_power_info *pw = acpi_power();

	if (!pw || !pw->s5_valid || !pw->pm1a_cnt)
		return;
	outw(pw->pm1a_cnt, (uint16_t)(pw->slp_typ_a << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN));
	if (pw->pm1b_cnt)
		outw(pw->pm1b_cnt, (uint16_t)(pw->slp_typ_b << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN));
	io_delay(100000);
}

void platform_poweroff(uint8_t code)
{
	cli();
	console_flush();
	if (under_qemu())
		outl(QEMU_DEBUG_EXIT_PORT, code); /* ends QEMU if the device is present */
	acpi_s5();
	if (under_bochs()) {
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
		io_delay(100000);
	}
	pr_err("power: power-off did not take effect; resetting instead");
	platform_reset();
}

void platform_reset(void)
{
	const struct acpi_power_info *pw = acpi_power();

	cli();
	console_flush();
	if (pw && pw->reset_valid && pw->reset_reg.space_id == ACPI_GAS_SYSTEM_IO) {
		outb((uint16_t)pw->reset_reg.address, pw->reset_value);
		io_delay(100000);
	}
	outb(PCI_RESET_CONTROL_PORT, PCI_RESET_FULL);
	io_delay(100000);
	outb(KBC_COMMAND_PORT, KBC_PULSE_RESET);
	io_delay(100000);
	/* Last resort: a triple fault through an empty IDT. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = {0, 0};
	__asm__ volatile("lidt %0; int3" ::"m"(empty));
	cpu_halt_forever();
}
