/*
 * main.c: the hostile guest of the suite (docs/hostile-suite.md): it runs the attacks its command line names, one
 * after another, each announced by a "# attack: <name>: <expected outcome>" line. A contained attack checks what
 * the guest itself can observe (the fault it expected, a value read back) as ok / not ok lines, and the guest goes
 * on; an attack that stops the guest must be the last one named, and anything this guest prints after it is a
 * failure. The benign guest (guest/tests/benign.c) on another core checks that none of it reached it.
 *
 * Options: attack=<name>[,<name>...] (the tables in apic.c, cpu.c, io.c, mem.c, sweep.c), mode=xapic|x2apic (the
 * APIC mode it starts in), cpus=N (its vCPUs, for the attacks that need a second one), flood=N (IPIs of each
 * kind in a flood, default 1000).
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define DEFAULT_FLOOD 1000
#define CPUID_LEAF_EXT_MAX 0x80000000u
#define CPUID_LEAF_ADDR_SIZES 0x80000008u /* EAX[7:0]: MAXPHYADDR */
#define MAXPHYADDR_FALLBACK 36
#define NAME_MAX 32
#define SETTLE_ROUNDS 8

struct hostile h;

static const struct attack *const tables[] = {mem_attacks, apic_attacks, sweep_attacks, io_attacks, cpu_attacks};

void survived(const char *what)
{
	guest_printf("# hostile: %s: still running; the hypervisor should have stopped this guest\n", what);
	expect_true("the hypervisor stopped the guest", false);
	guest_finish();
}

void settle_irqs(void)
{
	for (unsigned i = 0; i < SETTLE_ROUNDS; i++) {
		sti();
		tsc_delay(SUITE_SETTLE_TICKS / SETTLE_ROUNDS);
		cli();
	}
}

bool await_irq(uint8_t vector, uint32_t n)
{
	uint64_t end = rdtsc() + suite_wait_ticks();

	while (irq_count(0, vector) < n && rdtsc() < end) {
		sti();
		cpu_relax();
		cli();
	}
	return irq_count(0, vector) >= n;
}

uint32_t esr_latch(void)
{
	apic_write(APIC_REG_ESR, 0);
	return apic_read(APIC_REG_ESR);
}

static const struct attack *find(const char *name, size_t len)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct attack *a = tables[t]; a->name; a++)
			if (hv_strlen(a->name) == len && hv_strncmp(a->name, name, len) == 0)
				return a;
	return NULL;
}

static void run(const struct attack *a, bool last)
{
	guest_printf("# attack: %s: %s\n", a->name, a->expect);
	if (a->outcome == STOPS && !last)
		expect_true("an attack that stops the guest is the last one named", false);
	if (a->cpus > h.cpus) {
		guest_printf("# attack: %s needs cpus=%u\n", a->name, a->cpus);
		expect_true("the guest has the vCPUs the attack needs", false);
		return;
	}
	a->run();
	if (a->outcome == STOPS)
		survived(a->name);
}

static void setup(const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi);
	uint32_t r[4];

	h.cpus = cmdline_uint(cl, "cpus", 1);
	h.flood = cmdline_uint(cl, "flood", DEFAULT_FLOOD);
	h.ram_end = GUEST_HIGH_RAM_BASE + (uint64_t)mbi->mem_upper * 1024;
	cpuid(CPUID_LEAF_EXT_MAX, 0, r);
	h.maxphyaddr = MAXPHYADDR_FALLBACK;
	if (r[0] >= CPUID_LEAF_ADDR_SIZES) {
		cpuid(CPUID_LEAF_ADDR_SIZES, 0, r);
		h.maxphyaddr = r[0] & 0xff;
	}
	expect_fault("x2APIC mode as mode= asks", apic_suite_enter_mode(), GUEST_NO_FAULT);
	apic_suite_setup();
	h.me = apic_id();
	guest_printf("# hostile: APIC ID %u, RAM ends at %#llx, MAXPHYADDR %u, %u vCPUs\n", h.me,
	             (unsigned long long)h.ram_end, h.maxphyaddr, h.cpus);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *list, *p;
	size_t len;

	(void)magic;
	apic_suite_start("hostile", "attacks on the hypervisor, next to a benign guest", mbi);
	setup(mbi);
	list = cmdline_find(guest_cmdline(mbi), "attack", &len);
	if (!expect_true("attack= names the attacks", list && len))
		guest_finish();
	for (p = list; p < list + len;) {
		size_t n = 0;
		while (p + n < list + len && p[n] != ',')
			n++;
		const struct attack *a = find(p, n);
		if (a)
			run(a, p + n >= list + len);
		else
			expect_true("attack= names a known attack", false);
		p += n + 1;
	}
	guest_finish();
}
