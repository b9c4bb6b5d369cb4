/* lapic.c: the host's own local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode behind one interface. */
#include "arch/x86/lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/trap.h"
#include "arch/x86/tsc.h"
#include "vmm/lib/log.h"
#include "vmm/mm/mm.h"

#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define APIC_VERSION_MAXLVT_SHIFT 16
#define LVT_CMCI_MIN_MAXLVT 6
#define ICR_SPIN_US 1000 /* SDM gives no bound; real APICs clear delivery status in microseconds */
#define CALIBRATE_US 10000

/* 8259A PIC data ports: masked once, the hypervisor never uses the PIC. */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

/* Chosen by the boot CPU, followed by every other CPU. */
static bool x2apic;
static volatile uint32_t *xapic_mmio;

bool lapic_x2apic_mode(void) { return x2apic; }

uint32_t lapic_read(enum apic_reg reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(APIC_X2APIC_MSR(reg));
	return xapic_mmio[APIC_MMIO_OFFSET(reg) / 4];
}

void lapic_write(enum apic_reg reg, uint32_t v)
{
	if (x2apic)
		wrmsr(APIC_X2APIC_MSR(reg), v);
	else
		xapic_mmio[APIC_MMIO_OFFSET(reg) / 4] = v;
}

/* x2APIC IDs are 32 bits; xAPIC IDs are bits 31:24 of the ID register (SDM Vol. 3, 11.4.6). */
uint32_t lapic_id(void) { return x2apic ? lapic_read(APIC_REG_ID) : lapic_read(APIC_REG_ID) >> 24; }

void lapic_eoi(void) { lapic_write(APIC_REG_EOI, 0); }

bool lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low)
{
	if (x2apic) {
		/* One 64-bit write; x2APIC has no delivery status (SDM Vol. 3, 11.12.9). */
		wrmsr(APIC_X2APIC_MSR(APIC_REG_ICR_LOW), (uint64_t)dest_apic_id << 32 | icr_low);
		return true;
	}
	lapic_write(APIC_REG_ICR_HIGH, dest_apic_id << APIC_XAPIC_DEST_SHIFT);
	lapic_write(APIC_REG_ICR_LOW, icr_low);
	uint64_t end = tsc_deadline_us(ICR_SPIN_US);
	while (lapic_read(APIC_REG_ICR_LOW) & APIC_ICR_DELIVERY_PENDING)
		if (rdtsc() > end)
			return false;
	return true;
}

static void spurious_interrupt(struct trap_frame *f)
{
	(void)f; /* a spurious interrupt takes no EOI (SDM Vol. 3, 11.9) */
}

/* Mask every local interrupt source: the hypervisor takes none yet. */
static void mask_lvts(void)
{
	uint32_t maxlvt = (lapic_read(APIC_REG_VERSION) >> APIC_VERSION_MAXLVT_SHIFT) & 0xff;

	lapic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	lapic_write(APIC_REG_LVT_LINT1, APIC_LVT_MASKED);
	lapic_write(APIC_REG_LVT_ERROR, APIC_LVT_MASKED);
	lapic_write(APIC_REG_LVT_PMC, APIC_LVT_MASKED);
	lapic_write(APIC_REG_LVT_THERMAL, APIC_LVT_MASKED);
	if (maxlvt >= LVT_CMCI_MIN_MAXLVT)
		lapic_write(APIC_REG_LVT_CMCI, APIC_LVT_MASKED);
}

/* The boot CPU picks the mode and maps the xAPIC page uncached. */
static bool choose_mode(uint64_t base)
{
	/* The legacy PICs stay masked in every mode: the BIOS left them at vectors 8-15. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	x2apic = (cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC) != 0;
	if (x2apic)
		return true;
	uint64_t pa = base & APIC_BASE_ADDR_MASK;
	if (!paging_identity_page(pa, PTE_P | PTE_W | PTE_PCD | PTE_PWT)) {
		pr_err("lapic: cannot map the xAPIC page at %#llx uncached", (unsigned long long)pa);
		return false;
	}
	xapic_mmio = phys_to_virt(pa);
	return true;
}

uint64_t lapic_phys_base(void)
{
	if (!(cpuid(1, 0).edx & CPUID_1_EDX_APIC))
		return 0;
	return rdmsr(MSR_IA32_APICBASE) & APIC_BASE_ADDR_MASK;
}

bool lapic_init_cpu(bool bsp)
{
	if (!(cpuid(1, 0).edx & CPUID_1_EDX_APIC)) {
		pr_err("lapic: this CPU has no local APIC");
		return false;
	}
	uint64_t base = rdmsr(MSR_IA32_APICBASE);
	if (bsp) {
		if (!choose_mode(base))
			return false;
		trap_set_handler(LAPIC_SPURIOUS_VECTOR, spurious_interrupt);
	}
	/* Enable first; x2APIC mode is entered from enabled xAPIC mode (SDM Vol. 3, 11.12.5). */
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APICBASE, base |= APIC_BASE_ENABLE);
	if (x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APICBASE, base | APIC_BASE_EXTD);
	lapic_write(APIC_REG_SVR, APIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	mask_lvts();
	lapic_write(APIC_REG_TPR, 0);
	lapic_write(APIC_REG_ESR, 0); /* the ESR is rearmed by a write (SDM Vol. 3, 11.5.3) */
	lapic_write(APIC_REG_ESR, 0);
	return true;
}

static uint64_t timer_hz; /* at divide by 16, the same on every core */

void lapic_timer_oneshot(uint8_t vector, uint64_t tsc_ticks)
{
	if (!tsc_ticks || !timer_hz) {
		lapic_write(APIC_REG_TIMER_INITIAL, 0);
		return;
	}
	/* Round up: a host timer that fires early would only cost one more exit, but never fire late by much. */
	uint64_t count = (tsc_ticks * timer_hz + tsc_hz() - 1) / tsc_hz();
	lapic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_REG_LVT_TIMER, vector);
	lapic_write(APIC_REG_TIMER_INITIAL, count ? (count > 0xffffffffu ? 0xffffffffu : (uint32_t)count) : 1);
}

uint64_t lapic_timer_calibrate(void)
{
	lapic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	lapic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_REG_TIMER_INITIAL, 0xffffffffu);
	udelay(CALIBRATE_US);
	uint32_t elapsed = 0xffffffffu - lapic_read(APIC_REG_TIMER_CURRENT);
	lapic_write(APIC_REG_TIMER_INITIAL, 0);
	timer_hz = (uint64_t)elapsed * (1000000 / CALIBRATE_US);
	return timer_hz;
}
