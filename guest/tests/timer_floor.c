/*
 * timer_floor.c: a tiny APIC timer count cannot keep its vCPU in VM exits
 * (docs/vlapic.md, "Timer floor" and "Masked timer"). A masked periodic
 * timer with initial count 100 at divide 1 costs no exits while the guest
 * spins; unmasked, the same timer interrupts no faster than the floor
 * (GUEST_APIC_TIMER_FLOOR_US of the TSC, the timer's input clock); a
 * one-shot count of 1 fires once, not before the floor. The guest counts
 * its own exits (HC_EXIT_STATS) and learns the TSC rate from HC_ROOT_CYCLES.
 * Options: mode=xapic|x2apic (default xapic).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest_layout.h"

#define VEC_TIMER 0xd0
#define TIMER_DIVIDE_1 0xbu
#define TINY_COUNT 100
#define SPIN_TICKS (1ull << 22) /* each spin, in TSC ticks: hundreds of floors, tens of thousands of tiny counts */
#define QUIET_EXITS 16          /* what a spin with nothing due may cost: kicks, a host interrupt or two */
#define EXITS_PER_TICK 4        /* an interrupt's exits at most: the expiry, its EOI (emulated), a window */
#define KHZ_PER_MHZ 1000

static struct hc_exit_stats before, after;
static struct hc_root_cycles cycles;
static volatile uint32_t fires;
static volatile uint64_t first_fire;
static uint64_t floor_ticks;

static void timer_handler(uint8_t v)
{
	(void)v;
	if (!fires)
		first_fire = rdtsc();
	fires++;
	apic_eoi();
}

static void snap(struct hc_exit_stats *s)
{
	uint32_t r = vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0);

	if (r != 0)
		guest_printf("# HC_EXIT_STATS returned %#x\n", r);
}

/* Exits between the two snapshots, not counting the second snapshot's own VMCALL. */
static uint64_t exits_between(void) { return after.total - before.total - 1; }

static void show(const char *what)
{
	guest_printf("# %s: %llu exit(s)", what, (unsigned long long)exits_between());
	for (unsigned r = 0; r < HC_EXIT_REASONS; r++) {
		uint64_t n = after.exits[r] - before.exits[r] - (r == EXIT_REASON_VMCALL ? 1 : 0);
		if (n)
			guest_printf(" [reason %u: %llu]", r, (unsigned long long)n);
	}
	guest_printf("\n");
}

/* Stop the timer, take what it left pending (an expiry just before the stop), then set it up afresh. */
static void timer_reset(uint32_t lvt)
{
	cli();
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	sti();
	suite_settle();
	cli();
	apic_write(APIC_REG_LVT_TIMER, lvt);
	apic_write(APIC_REG_TIMER_DIVIDE, TIMER_DIVIDE_1);
	irq_reset();
	fires = 0;
	irq_set_handler(VEC_TIMER, timer_handler);
}

/* Spin with interrupts on for ticks TSC ticks; returns how long it really took. */
static uint64_t spin(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	sti();
	tsc_delay(ticks);
	cli();
	return rdtsc() - t0;
}

static void check_masked(void)
{
	uint32_t c1, c2;

	apic_section("a masked periodic timer, count 100 at divide 1");
	timer_reset(APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, TINY_COUNT);
	snap(&before);
	uint64_t took = spin(SPIN_TICKS);
	snap(&after);
	show("masked, spinning");
	guest_printf("# that spin: %llu TSC ticks, %llu tiny counts' worth\n", (unsigned long long)took,
	             (unsigned long long)(took / TINY_COUNT));
	expect_true("masked: the spin costs next to no exits (no exit per period)", exits_between() <= QUIET_EXITS);
	expect_eq("masked: no interrupt", fires, 0);
	expect_eq("masked: nothing pending in IRR", apic_vector_bit(APIC_REG_IRR0, VEC_TIMER), false);
	c1 = apic_read(APIC_REG_TIMER_CURRENT);
	c2 = apic_read(APIC_REG_TIMER_CURRENT);
	expect_true("masked: the count still runs (current count in 1..100)", c1 >= 1 && c1 <= TINY_COUNT);
	expect_true("masked: and moves", c1 != c2 || apic_read(APIC_REG_TIMER_CURRENT) != c1);
	/* Unmasked, it goes on at once, at the floor's pace. */
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | VEC_TIMER);
	spin(16 * floor_ticks);
	expect_true("unmasked again: it interrupts", fires > 0);
	apic_write(APIC_REG_TIMER_INITIAL, 0);
}

static void check_periodic_floor(void)
{
	apic_section("an unmasked periodic timer, count 100 at divide 1: the floor");
	timer_reset(APIC_LVT_TIMER_PERIODIC | VEC_TIMER);
	snap(&before);
	uint64_t t0 = rdtsc();
	apic_write(APIC_REG_TIMER_INITIAL, TINY_COUNT);
	spin(SPIN_TICKS);
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	uint64_t window = rdtsc() - t0;
	snap(&after);
	show("periodic, spinning");
	uint64_t most = window / floor_ticks + 1;
	guest_printf("# %u interrupts in %llu TSC ticks: %llu floors of %llu ticks (at most %llu interrupts); "
	             "without the floor %llu\n",
	             fires, (unsigned long long)window, (unsigned long long)(window / floor_ticks),
	             (unsigned long long)floor_ticks, (unsigned long long)most,
	             (unsigned long long)(window / TINY_COUNT));
	expect_true("periodic: it interrupts", fires > 0);
	expect_true("periodic: no more interrupts than floors in the time", fires <= most);
	expect_true("periodic: the exits stay in proportion to the interrupts",
	            exits_between() <= EXITS_PER_TICK * most + QUIET_EXITS);
}

static void check_one_shot_floor(void)
{
	apic_section("a one-shot timer, count 1 at divide 1");
	timer_reset(APIC_LVT_TIMER_ONESHOT | VEC_TIMER);
	sti();
	uint64_t armed = rdtsc();
	apic_write(APIC_REG_TIMER_INITIAL, 1);
	tsc_delay(4 * floor_ticks);
	cli();
	guest_printf("# one-shot count 1: fired after %llu TSC ticks (the floor: %llu)\n",
	             (unsigned long long)(first_fire - armed), (unsigned long long)floor_ticks);
	expect_eq("one-shot: fired once", fires, 1);
	expect_true("one-shot: not before the floor", fires >= 1 && first_fire - armed >= floor_ticks);
	expect_eq("one-shot: current count 0 after", apic_read(APIC_REG_TIMER_CURRENT), 0);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("timer_floor", "the APIC timer floor and lazy masking", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	if (!expect_eq("HC_ROOT_CYCLES", vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&cycles, sizeof(cycles), 0), 0))
		guest_finish();
	floor_ticks = cycles.tsc_khz * GUEST_APIC_TIMER_FLOOR_US / KHZ_PER_MHZ;
	guest_printf("# TSC %llu kHz: the floor of %u us is %llu TSC ticks\n", (unsigned long long)cycles.tsc_khz,
	             GUEST_APIC_TIMER_FLOOR_US, (unsigned long long)floor_ticks);
	expect_true("the TSC rate is known", floor_ticks > TINY_COUNT);
	check_masked();
	check_periodic_floor();
	check_one_shot_floor();
	timer_reset(APIC_LVT_MASKED);
	if (!expect_eq("no stray interrupts", irq_stray(0), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(0));
	guest_finish();
}
