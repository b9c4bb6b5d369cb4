/* tsc.c: time in the hypervisor: the TSC, calibrated once against the ACPI PM timer or the PIT. */
#include "arch/x86/tsc.h"

#include <stdbool.h>

#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "vmm/lib/log.h"

#define PM_TIMER_HZ 3579545ull
#define PIT_HZ 1193182ull
#define CALIBRATE_MS 10

/* PIT ports and the channel-2 gate (8254 datasheet; PC port 0x61). */
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0
#define PC_PORT_B 0x61
#define PC_PORT_B_CH2_GATE 0x01
#define PC_PORT_B_SPEAKER 0x02
#define PC_PORT_B_CH2_OUT 0x20

static uint64_t hz;

/* TSC ticks across CALIBRATE_MS of the ACPI PM timer. */
static uint64_t measure_pm_timer(uint16_t port, bool wide)
{
	uint32_t mask = wide ? 0xffffffffu : 0xffffffu;
	uint32_t want = (uint32_t)(PM_TIMER_HZ * CALIBRATE_MS / 1000);
	uint32_t start = inl(port) & mask;
	uint64_t t0 = rdtsc();

	while (((inl(port) - start) & mask) < want)
		cpu_relax();
	return rdtsc() - t0;
}

/* TSC ticks across CALIBRATE_MS of PIT channel 2 in one-shot mode. */
static uint64_t measure_pit(void)
{
	uint16_t latch = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);

	outb(PC_PORT_B, (inb(PC_PORT_B) & ~PC_PORT_B_SPEAKER) | PC_PORT_B_CH2_GATE);
	outb(PIT_COMMAND, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, latch & 0xff);
	outb(PIT_CH2_DATA, latch >> 8);
	uint64_t t0 = rdtsc();
	while (!(inb(PC_PORT_B) & PC_PORT_B_CH2_OUT))
		cpu_relax();
	return rdtsc() - t0;
}

void tsc_calibrate(void)
{
	const struct acpi_power_info *pw = acpi_power();
	const char *ref;
	uint64_t ticks;

	if (pw && pw->pm_tmr) {
		ticks = measure_pm_timer(pw->pm_tmr, pw->pm_tmr_32bit);
		ref = "ACPI PM timer";
	} else {
		ticks = measure_pit();
		ref = "PIT";
	}
	hz = ticks * (1000 / CALIBRATE_MS);
	pr_info("time: TSC runs at %llu.%03llu MHz (measured over %u ms of the %s)", (unsigned long long)(hz / 1000000),
	        (unsigned long long)(hz / 1000 % 1000), CALIBRATE_MS, ref);
}

uint64_t tsc_hz(void) { return hz; }

uint64_t tsc_deadline_us(uint64_t us) { return rdtsc() + hz / 1000000 * us + (hz % 1000000) * us / 1000000; }

void udelay(uint64_t us)
{
	uint64_t end = tsc_deadline_us(us);

	while (rdtsc() < end)
		cpu_relax();
}
