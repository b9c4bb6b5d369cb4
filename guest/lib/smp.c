/* smp.c: the guest's processors: finding the MADT, INIT-SIPI-SIPI, and the checks APs hand back to vCPU 0. */
#include "guest/lib/smp.h"
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"

#include "arch/x86/acpi.h"
#include "arch/x86/madt.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"

#define BIOS_AREA_START 0xe0000u /* where the RSDP search looks (ACPI 6.5, 5.2.5.1) */
#define BIOS_AREA_END 0x100000u
#define RSDP_ALIGN 16
#define RSDP_V1_LEN 20
#define MADT_ENTRIES_OFF 44 /* after the header, the local APIC address and the flags */
#define MADT_LAPIC_ADDR_OFF 36
#define ACPI_MAX_TABLE_LEN 0x10000u /* more than any table here can need: a bound against garbage */
#define PAGE_SHIFT 12

#define AP_STACK_SIZE 8192
#define INIT_DELAY_US 10000 /* SDM Vol. 3, 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI, 200 us */
#define SIPI_DELAY_US 200
#define AP_WAIT_US 1000000
#define TSC_MHZ_FALLBACK 3000
#define CPUID_LEAF_TSC_CRYSTAL 0x15 /* EAX:EBX TSC/crystal ratio, ECX crystal Hz */
#define CPUID_LEAF_FREQUENCY 0x16   /* EAX[15:0] base MHz */
#define HZ_PER_MHZ 1000000u

/* Filled by the BSP before each SIPI; ap_start.asm reads ap_boot_stack. */
uint32_t ap_boot_stack;
static struct {
	unsigned cpu;
	ap_entry_fn fn;
} ap_boot;
static _Alignas(16) uint8_t ap_stacks[SMP_MAX_CPUS][AP_STACK_SIZE];
static volatile uint32_t ap_entries[SMP_MAX_CPUS];
static volatile uint32_t ap_alive[SMP_MAX_CPUS];

extern const char ap_trampoline[], ap_trampoline_end[];
void ap_main(void);

static bool sums_to_zero(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum == 0;
}

static const struct acpi_rsdp *rsdp_find(void)
{
	for (uint32_t a = BIOS_AREA_START; a < BIOS_AREA_END; a += RSDP_ALIGN)
		if (memcmp((const void *)a, "RSD PTR ", 8) == 0 && sums_to_zero((const void *)a, RSDP_V1_LEN))
			return (const void *)a;
	return NULL;
}

static const struct acpi_sdt_header *sdt_at(uint32_t addr, const char sig[4])
{
	const struct acpi_sdt_header *h = (const void *)addr;

	if (!addr || memcmp(h->signature, sig, 4) != 0 || h->length < sizeof(*h) || h->length > ACPI_MAX_TABLE_LEN)
		return NULL;
	return sums_to_zero(h, h->length) ? h : NULL;
}

static const struct acpi_sdt_header *madt_table(void)
{
	const struct acpi_rsdp *rsdp = rsdp_find();
	const struct acpi_sdt_header *rsdt = rsdp ? sdt_at(rsdp->rsdt_address, "RSDT") : NULL;

	for (uint32_t off = sizeof(*rsdt); rsdt && off + 4 <= rsdt->length; off += 4) {
		uint32_t addr;

		memcpy(&addr, (const uint8_t *)rsdt + off, 4);
		if (sdt_at(addr, "APIC"))
			return (const void *)addr;
	}
	return NULL;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void madt_cpu(struct madt_apics *out, uint32_t apic_id, uint32_t flags)
{
	if ((flags & MADT_LAPIC_ENABLED) && out->cpus < SMP_MAX_CPUS)
		out->apic_ids[out->cpus++] = apic_id;
}

/* One entry of the MADT (ACPI 6.5, 5.2.12.2 ff.): Local APIC, I/O APIC, Local x2APIC. */
static void madt_entry(struct madt_apics *out, const uint8_t *e)
{
	if (e[0] == MADT_TYPE_LOCAL_APIC && e[1] >= 8)
		madt_cpu(out, e[3], get32(e + 4));
	else if (e[0] == MADT_TYPE_LOCAL_X2APIC && e[1] >= 16)
		madt_cpu(out, get32(e + 4), get32(e + 8));
	else if (e[0] == MADT_TYPE_IO_APIC && e[1] >= 12 && !out->has_ioapic) {
		out->has_ioapic = true;
		out->ioapic_id = e[2];
		out->ioapic_base = get32(e + 4);
		out->ioapic_gsi_base = get32(e + 8);
	}
}

void madt_find(struct madt_apics *out)
{
	const struct acpi_sdt_header *madt = madt_table();
	const uint8_t *t = (const void *)madt;

	memset(out, 0, sizeof(*out));
	if (!madt || madt->length < MADT_ENTRIES_OFF)
		return;
	out->found = true;
	out->lapic_base = get32(t + MADT_LAPIC_ADDR_OFF);
	for (uint32_t off = MADT_ENTRIES_OFF; off + 2 <= madt->length && t[off + 1] >= 2; off += t[off + 1])
		if (off + t[off + 1] <= madt->length)
			madt_entry(out, t + off);
}

uint64_t tsc_per_us(void)
{
	static uint64_t rate;
	uint32_t r[4], max;

	if (rate)
		return rate;
	rate = TSC_MHZ_FALLBACK;
	cpuid(0, 0, r);
	max = r[0];
	if (max >= CPUID_LEAF_FREQUENCY) {
		cpuid(CPUID_LEAF_FREQUENCY, 0, r);
		if (r[0] & 0xffff)
			rate = r[0] & 0xffff;
	}
	if (max >= CPUID_LEAF_TSC_CRYSTAL) {
		cpuid(CPUID_LEAF_TSC_CRYSTAL, 0, r);
		if (r[0] && r[1] && r[2])
			rate = (uint64_t)r[2] * r[1] / r[0] / HZ_PER_MHZ;
	}
	return rate;
}

void tsc_delay(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}

void udelay(uint32_t us) { tsc_delay(us * tsc_per_us()); }

/* The AP, from ap_start.asm: count the entry, take the IDT and the APIC mode of vCPU 0, then run fn. */
void ap_main(void)
{
	unsigned cpu = ap_boot.cpu;

	__atomic_add_fetch(&ap_entries[cpu], 1, __ATOMIC_SEQ_CST);
	irq_load();
	if (apic_mode() == GUEST_APIC_X2APIC)
		wrmsr(MSR_IA32_APICBASE, rdmsr(MSR_IA32_APICBASE) | APIC_BASE_EXTD);
	ap_alive[cpu] = 1;
	smp_mb();
	ap_boot.fn(cpu);
	for (;;) {
		cli();
		hlt();
	}
}

bool smp_start_ap(unsigned cpu, uint32_t apic_id, ap_entry_fn fn)
{
	const uint32_t sipi = APIC_ICR_DM_STARTUP | APIC_ICR_LEVEL_ASSERT | SMP_TRAMPOLINE_GPA >> PAGE_SHIFT;
	uint64_t t0;

	if (cpu == 0 || cpu >= SMP_MAX_CPUS)
		return false;
	memcpy((void *)SMP_TRAMPOLINE_GPA, ap_trampoline, (uintptr_t)ap_trampoline_end - (uintptr_t)ap_trampoline);
	ap_boot.cpu = cpu;
	ap_boot.fn = fn;
	ap_boot_stack = (uint32_t)&ap_stacks[cpu][AP_STACK_SIZE];
	smp_mb();
	apic_send_ipi(apic_id, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT);
	udelay(INIT_DELAY_US);
	apic_send_ipi(apic_id, sipi);
	udelay(SIPI_DELAY_US);
	apic_send_ipi(apic_id, sipi); /* ignored by an AP already running (SDM Vol. 3, 9.4.4.1) */
	udelay(SIPI_DELAY_US);
	t0 = rdtsc();
	while (!ap_alive[cpu] && rdtsc() - t0 < AP_WAIT_US * tsc_per_us())
		cpu_relax();
	return ap_alive[cpu] != 0;
}

uint32_t smp_ap_entries(unsigned cpu) { return cpu < SMP_MAX_CPUS ? ap_entries[cpu] : 0; }

/* Results recorded by APs: written by that AP only, read by vCPU 0 once the AP is done. */
struct remote_check {
	const char *what;
	uint64_t got, expected;
};
static struct remote_check remote[SMP_MAX_CPUS][SMP_REMOTE_MAX];
static volatile uint32_t remote_n[SMP_MAX_CPUS], remote_lost[SMP_MAX_CPUS];

void remote_expect_eq(unsigned cpu, const char *what, uint64_t got, uint64_t expected)
{
	uint32_t n;

	if (cpu >= SMP_MAX_CPUS)
		return;
	n = remote_n[cpu];
	if (n >= SMP_REMOTE_MAX) {
		remote_lost[cpu]++;
		return;
	}
	remote[cpu][n] = (struct remote_check){what, got, expected};
	smp_mb();
	remote_n[cpu] = n + 1;
}

void remote_report(unsigned cpu)
{
	char what[96];

	if (cpu >= SMP_MAX_CPUS)
		return;
	for (uint32_t i = 0; i < remote_n[cpu]; i++) {
		hv_snprintf(what, sizeof(what), "vCPU %u: %s", cpu, remote[cpu][i].what);
		expect_eq(what, remote[cpu][i].got, remote[cpu][i].expected);
	}
	if (remote_lost[cpu]) {
		hv_snprintf(what, sizeof(what), "vCPU %u: results beyond %u kept", cpu, SMP_REMOTE_MAX);
		expect_eq(what, remote_lost[cpu], 0);
	}
}
