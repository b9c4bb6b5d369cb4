/*
 * apic_timer.c: the local APIC timer (SDM Vol. 3, 11.5.4): one-shot,
 * periodic, masked, the divide configuration, and TSC-deadline mode.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (default 1).
 *
 * The timer's input clock is unknown to the guest: it is measured against
 * the TSC first, and every delay below is aimed in TSC ticks through it.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"

#include "vmm/lib/string.h"

#define VEC_TIMER 0xd0
#define TIMER_DIVIDE_1 0xbu
#define TIMER_DIVIDE_2 0x0u
#define TIMER_DIVIDE_8 0x2u
#define DIVISOR_16 16                   /* what APIC_TIMER_DIVIDE_16 divides by */
#define TSC_DEADLINE_IGNORED_COUNT 1000 /* an initial count TSC-deadline mode must ignore */
#define TSC_DEADLINE_PAST 1             /* long gone: fires at once */

/* Times in TSC ticks. */
#define TIMER_WINDOW (1ull << 22)  /* rate measurements */
#define ONESHOT_TICKS (1ull << 24) /* the one-shot and TSC-deadline delays */
#define PERIOD_TICKS (1ull << 22)
#define TIMER_MIN_COUNT 16
#define PERIODIC_FIRES 3
#define FIRES_MAX 8

static struct {
	uint32_t n;
	uint64_t tsc[FIRES_MAX];
} fires;
static uint64_t timer_ticks, timer_tsc; /* the rate at divide 1: timer_ticks per timer_tsc */

static void timer_handler(uint8_t v)
{
	(void)v;
	if (fires.n < FIRES_MAX)
		fires.tsc[fires.n] = rdtsc();
	fires.n++;
	apic_eoi();
}

static void timer_reset(uint32_t lvt, uint32_t divide)
{
	cli();
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	apic_write(APIC_REG_LVT_TIMER, lvt);
	apic_write(APIC_REG_TIMER_DIVIDE, divide);
	irq_reset();
	memset(&fires, 0, sizeof(fires));
	irq_set_handler(VEC_TIMER, timer_handler);
}

/* Timer ticks counted in about TIMER_WINDOW TSC ticks (exactly *tsc) at divide, masked. */
static uint32_t timer_rate(uint32_t divide, uint64_t *tsc)
{
	uint32_t c0, c1;
	uint64_t t0;

	timer_reset(APIC_LVT_MASKED | VEC_TIMER, divide);
	apic_write(APIC_REG_TIMER_INITIAL, UINT32_MAX);
	t0 = rdtsc();
	c0 = apic_read(APIC_REG_TIMER_CURRENT);
	tsc_delay(TIMER_WINDOW);
	c1 = apic_read(APIC_REG_TIMER_CURRENT);
	*tsc = rdtsc() - t0;
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	return c0 - c1;
}

/* The initial count for tsc TSC ticks at divisor. */
static uint32_t timer_count(uint64_t tsc, uint32_t divisor)
{
	uint64_t n = timer_tsc ? tsc * timer_ticks / timer_tsc / divisor : 0;

	return n < TIMER_MIN_COUNT ? TIMER_MIN_COUNT : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static bool wait_fires(uint32_t n, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (fires.n < n && rdtsc() - t0 < ticks)
		cpu_relax();
	return fires.n >= n;
}

static void check_oneshot(void)
{
	uint32_t init = timer_count(ONESHOT_TICKS, DIVISOR_16), c1, c2;
	uint64_t armed;

	timer_reset(VEC_TIMER | APIC_LVT_TIMER_ONESHOT, APIC_TIMER_DIVIDE_16);
	apic_write(APIC_REG_TIMER_INITIAL, init);
	armed = rdtsc();
	c1 = apic_read(APIC_REG_TIMER_CURRENT);
	tsc_delay(ONESHOT_TICKS / 8);
	c2 = apic_read(APIC_REG_TIMER_CURRENT);
	expect_true("one-shot: current count starts at or below the initial count", c1 > 0 && c1 <= init);
	expect_true("one-shot: current count decreases", c2 < c1);
	sti();
	wait_fires(1, 20 * ONESHOT_TICKS + suite_wait_ticks());
	expect_eq("one-shot: the interrupt arrives", fires.n >= 1, true);
	guest_printf("# one-shot: %u ticks at divide 16 fired after %llu TSC ticks (aimed at %llu)\n", init,
	             (unsigned long long)(fires.tsc[0] - armed), (unsigned long long)ONESHOT_TICKS);
	expect_true("one-shot: not before half the programmed time",
	            fires.n >= 1 && fires.tsc[0] - armed >= ONESHOT_TICKS / 2);
	tsc_delay(2 * ONESHOT_TICKS);
	cli();
	expect_eq("one-shot: only once", fires.n, 1);
	expect_eq("one-shot: current count stays 0", apic_read(APIC_REG_TIMER_CURRENT), 0);
}

static void check_periodic(void)
{
	uint32_t init = timer_count(PERIOD_TICKS, DIVISOR_16), cur, n;
	unsigned last;

	timer_reset(VEC_TIMER | APIC_LVT_TIMER_PERIODIC, APIC_TIMER_DIVIDE_16);
	apic_write(APIC_REG_TIMER_INITIAL, init);
	sti();
	wait_fires(PERIODIC_FIRES, 40 * PERIOD_TICKS + suite_wait_ticks());
	cur = apic_read(APIC_REG_TIMER_CURRENT);
	cli();
	expect_true("periodic: at least 3 interrupts", fires.n >= PERIODIC_FIRES);
	/* On average: a late delivery makes one gap short and the one before it long. */
	last = fires.n < 2 ? 0 : (fires.n < FIRES_MAX ? fires.n : FIRES_MAX) - 1;
	expect_true("periodic: at least half a period apart on average",
	            fires.n >= 2 && fires.tsc[last] - fires.tsc[0] >= last * (PERIOD_TICKS / 2));
	expect_true("periodic: rearmed (current count in 1..initial)", cur > 0 && cur <= init);
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	sti();
	suite_settle();
	n = fires.n;
	tsc_delay(4 * PERIOD_TICKS);
	cli();
	expect_eq("periodic: initial count 0 stops it", fires.n, n);
	expect_eq("periodic: stopped, current count 0", apic_read(APIC_REG_TIMER_CURRENT), 0);
}

static void check_timer_masked(void)
{
	timer_reset(APIC_LVT_MASKED | VEC_TIMER, APIC_TIMER_DIVIDE_16);
	apic_write(APIC_REG_TIMER_INITIAL, timer_count(PERIOD_TICKS, DIVISOR_16));
	sti();
	tsc_delay(4 * PERIOD_TICKS);
	cli();
	expect_eq("masked: no interrupt", fires.n, 0);
	expect_eq("masked: nothing pending in IRR", apic_vector_bit(APIC_REG_IRR0, VEC_TIMER), false);
	expect_eq("masked: the count still runs down to 0", apic_read(APIC_REG_TIMER_CURRENT), 0);
}

static void check_divide(void)
{
	uint64_t t1, t2, t8;
	uint32_t d1 = timer_rate(TIMER_DIVIDE_1, &t1), d2 = timer_rate(TIMER_DIVIDE_2, &t2);
	uint32_t d8 = timer_rate(TIMER_DIVIDE_8, &t8);

	guest_printf("# timer ticks: %u at divide 1 in %llu TSC ticks, %u at 2 in %llu, %u at 8 in %llu\n", d1,
	             (unsigned long long)t1, d2, (unsigned long long)t2, d8, (unsigned long long)t8);
	expect_true("divide 1 counts about twice as fast as divide 2",
	            3ull * d2 <= 2ull * d1 && 2ull * d1 <= 5ull * d2);
	expect_true("divide 2 counts about 4 times as fast as divide 8", 3ull * d8 <= d2 && d2 <= 5ull * d8);
}

static void check_tsc_deadline(void)
{
	uint64_t deadline, v = 0;

	if (!suite.cpu_tsc_deadline) {
		guest_printf("# %s: CPUID.1:ECX.TSC_Deadline is 0: TSC-deadline checks skipped\n", suite.name);
		return;
	}
	timer_reset(VEC_TIMER | APIC_LVT_TIMER_TSC_DEADLINE, APIC_TIMER_DIVIDE_16);
	__asm__ volatile("mfence" ::: "memory"); /* the LVT write before the MSR write (SDM Vol. 3, 11.5.4.1) */
	apic_write(APIC_REG_TIMER_INITIAL, TSC_DEADLINE_IGNORED_COUNT);
	expect_eq("TSC-deadline: initial-count writes ignored (current count 0)", apic_read(APIC_REG_TIMER_CURRENT), 0);
	deadline = rdtsc() + ONESHOT_TICKS;
	expect_fault("wrmsr IA32_TSC_DEADLINE", wrmsr_safe(MSR_IA32_TSC_DEADLINE, deadline), GUEST_NO_FAULT);
	rdmsr_safe(MSR_IA32_TSC_DEADLINE, &v);
	expect_eq("IA32_TSC_DEADLINE reads back while armed", v, deadline);
	sti();
	wait_fires(1, 20 * ONESHOT_TICKS + suite_wait_ticks());
	tsc_delay(ONESHOT_TICKS);
	expect_eq("TSC-deadline: fired once", fires.n, 1);
	expect_true("TSC-deadline: never before the deadline (TSC in the handler)", fires.tsc[0] >= deadline);
	rdmsr_safe(MSR_IA32_TSC_DEADLINE, &v);
	expect_eq("IA32_TSC_DEADLINE reads 0 after firing", v, 0);
	wrmsr_safe(MSR_IA32_TSC_DEADLINE, TSC_DEADLINE_PAST);
	wait_fires(2, suite_wait_ticks());
	expect_eq("TSC-deadline: a deadline in the past fires at once", fires.n, 2);
	wrmsr_safe(MSR_IA32_TSC_DEADLINE, rdtsc() + ONESHOT_TICKS);
	wrmsr_safe(MSR_IA32_TSC_DEADLINE, 0);
	tsc_delay(3 * ONESHOT_TICKS);
	cli();
	expect_eq("TSC-deadline: writing 0 disarms", fires.n, 2);
}

static void check_timer(void)
{
	apic_section("timer (SDM Vol. 3, 11.5.4)");
	timer_ticks = timer_rate(TIMER_DIVIDE_1, &timer_tsc);
	guest_printf("# timer: %llu ticks at divide 1 in %llu TSC ticks\n", (unsigned long long)timer_ticks,
	             (unsigned long long)timer_tsc);
	expect_true("timer counts down (masked, divide 1)", timer_ticks > 0);
	check_oneshot();
	check_periodic();
	check_timer_masked();
	check_divide();
	check_tsc_deadline();
	timer_reset(APIC_LVT_MASKED, APIC_TIMER_DIVIDE_16);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apic_timer", "the local APIC timer", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	check_timer();
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	guest_finish();
}
