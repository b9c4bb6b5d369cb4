/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_vlapic_timer.c: timer arithmetic: one-shot, periodic, current count, divide, TSC-deadline, masking, never early,
 * the floor and lazy expiry while masked. */
#include "test/unit/vlapic_fixture.h"

#define VEC 0x30
#define DIV_1 0xbu /* divide configuration for divide-by-1 */

static int setup(void **state)
{
	(void)state;
	fixture_open(3, 0);
	assert_int_equal(vlapic_write(&L, APIC_REG_SVR, 0x1ff, false, 0, &fx), VLAPIC_OK);
	return 0;
}

static void wr(unsigned reg, uint64_t v, uint64_t now)
{
	assert_int_equal(vlapic_write(&L, (enum apic_reg)reg, v, x2(), now, &fx), VLAPIC_OK);
}

static uint32_t current(uint64_t now)
{
	uint64_t v;

	assert_int_equal(vlapic_read(&L, APIC_REG_TIMER_CURRENT, x2(), now, &v, &fx), VLAPIC_OK);
	return (uint32_t)v;
}

static bool fired(void) { return (vlapic_reg(&L, APIC_REG_IRR0 + VEC / 32) >> (VEC % 32)) & 1; }

/* Take the timer interrupt and EOI it, so the next one shows again. */
static void clear_fired(void)
{
	assert_true(vlapic_ack(&L, VEC));
	wr(APIC_REG_EOI, 0, 0);
}

static void start(uint32_t lvt, uint32_t dcr, uint32_t initial, uint64_t now)
{
	wr(APIC_REG_LVT_TIMER, lvt, now);
	wr(APIC_REG_TIMER_DIVIDE, dcr, now);
	wr(APIC_REG_TIMER_INITIAL, initial, now);
	assert_true(fx.flags & VLAPIC_FX_TIMER);
}

/* Figure 11-10: each divide value; one count is divide * 3 TSC ticks here. */
static void test_divide_values(void **state)
{
	static const struct {
		uint32_t dcr;
		uint64_t divide;
	} divs[] = {{0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16}, {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1}};
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(divs); i++) {
		uint64_t unit = divs[i].divide * 3, t0 = 1000 + i;
		start(VEC, divs[i].dcr, 1000, t0);
		assert_int_equal(fx.timer_next, t0 + 1000 * unit);
		assert_int_equal(vlapic_timer_next(&L), t0 + 1000 * unit);
		assert_int_equal(current(t0), 1000);
		assert_int_equal(current(t0 + 10 * unit), 990);
		assert_int_equal(current(t0 + 10 * unit + unit - 1), 990); /* a count ends only when whole */
		assert_int_equal(current(t0 + 1000 * unit - 1), 1);
		assert_int_equal(current(t0 + 1000 * unit), 0);
		wr(APIC_REG_TIMER_INITIAL, 0, t0);
	}
}

/* One-shot: fires once at start + count * unit, never a tick before; the count stays at 0. */
static void test_one_shot(void **state)
{
	(void)state;
	start(VEC, DIV_1, 100, 1000);
	assert_int_equal(fx.timer_next, 1300);
	assert_int_equal(vlapic_timer_expire(&L, 1299), 1300);
	assert_false(fired());
	assert_int_equal(current(1150), 50);
	assert_int_equal(vlapic_timer_expire(&L, 1300), VLAPIC_NEVER);
	assert_true(fired());
	assert_int_equal(current(1300), 0);
	assert_int_equal(current(99999), 0);
	clear_fired();
	assert_int_equal(vlapic_timer_expire(&L, 99999), VLAPIC_NEVER);
	assert_false(fired());
	assert_int_equal(vlapic_reg(&L, APIC_REG_TIMER_INITIAL), 100); /* the initial count stays */
}

/* Periodic: reloads at 0; missed periods make one interrupt and the next time stays on the grid. */
static void test_periodic(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0);
	assert_int_equal(fx.timer_next, 30);
	assert_int_equal(vlapic_timer_expire(&L, 30), 60);
	assert_true(fired());
	clear_fired();
	assert_int_equal(current(30), 10);
	assert_int_equal(current(45), 5);
	assert_int_equal(vlapic_timer_expire(&L, 59), 60);
	assert_false(fired());
	assert_int_equal(vlapic_timer_expire(&L, 100), 120); /* 60 and 90 missed: one interrupt */
	assert_true(fired());
	assert_int_equal(current(100), 7); /* reloaded at 90; 10 ticks later 3 whole counts gone */
}

/* A masked LVT: the count runs and rearms, nothing is raised, and no expiry is asked for. */
static void test_masked(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(15), 5);
	assert_int_equal(vlapic_timer_expire(&L, 30), VLAPIC_NEVER);
	assert_false(fired());
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 40); /* unmask: same mode, count goes on */
	assert_int_equal(vlapic_timer_next(&L), 60);
	assert_int_equal(vlapic_timer_expire(&L, 60), 90);
	assert_true(fired());
	/* Software disable masks it too: from then on nothing is due. */
	clear_fired();
	wr(APIC_REG_SVR, 0xff, 61);
	assert_int_equal(vlapic_timer_next(&L), VLAPIC_NEVER);
	assert_int_equal(vlapic_timer_expire(&L, 90), VLAPIC_NEVER);
	assert_false(fired());
	assert_int_equal(current(105), 5); /* reloaded at 90 */
}

/* Initial count 0 stops the timer; a new count restarts it from now. */
static void test_stop_and_restart(void **state)
{
	(void)state;
	start(VEC, DIV_1, 100, 0);
	wr(APIC_REG_TIMER_INITIAL, 0, 50);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(60), 0);
	assert_int_equal(vlapic_timer_expire(&L, 1000), VLAPIC_NEVER);
	assert_false(fired());
	wr(APIC_REG_TIMER_INITIAL, 10, 2000);
	assert_int_equal(fx.timer_next, 2030);
	wr(APIC_REG_TIMER_INITIAL, 20, 2010); /* rewriting restarts */
	assert_int_equal(fx.timer_next, 2070);
}

/* A divide change keeps the remaining whole counts from now on: later, never earlier. */
static void test_divide_change_rebases(void **state)
{
	(void)state;
	start(VEC, DIV_1, 100, 0);           /* due at 300 */
	wr(APIC_REG_TIMER_DIVIDE, 0x0, 151); /* divide by 2: 50 counts (49.67 really) of 6 ticks left */
	assert_int_equal(fx.timer_next, 151 + 50 * 6);
	assert_true(fx.timer_next >= 300);
	assert_int_equal(current(151), 50);
	assert_int_equal(current(151 + 60), 40);
}

/* Between one-shot and periodic the countdown goes on; the new mode decides at 0 (11.5.4). */
static void test_mode_switch(void **state)
{
	(void)state;
	start(VEC, DIV_1, 100, 0); /* one-shot, due at 300 */
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 120);
	assert_int_equal(fx.timer_next, 300);
	assert_int_equal(vlapic_timer_expire(&L, 300), 600);
	assert_true(fired());
	wr(APIC_REG_LVT_TIMER, VEC, 450); /* back to one-shot: ends at 600 */
	assert_int_equal(vlapic_timer_expire(&L, 600), VLAPIC_NEVER);
	/* A one-shot that ended does not restart by becoming periodic. */
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 700);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(700), 0);
}

/* A write after the due time first delivers what was due. */
static void test_write_catches_up(void **state)
{
	(void)state;
	start(VEC, DIV_1, 10, 0); /* due at 30 */
	assert_false(fired());
	wr(APIC_REG_TIMER_DIVIDE, DIV_1, 40);
	assert_true(fired());
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
}

/* 11.5.4.1: TSC-deadline mode. */
static void test_tsc_deadline(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(vlapic_write_tsc_deadline(&L, 5000, 0, &fx), VLAPIC_OK); /* not in deadline mode: ignored */
	assert_int_equal(fx.flags, 0);
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0);
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_TSC_DEADLINE, 0);
	wr(APIC_REG_TIMER_INITIAL, 100, 0); /* ignored in this mode */
	assert_int_equal(vlapic_reg(&L, APIC_REG_TIMER_INITIAL), 0);
	assert_int_equal(vlapic_timer_next(&L), VLAPIC_NEVER);
	assert_int_equal(vlapic_write_tsc_deadline(&L, 5000, 1000, &fx), VLAPIC_OK);
	assert_int_equal(fx.flags, VLAPIC_FX_TIMER);
	assert_int_equal(fx.timer_next, 5000);
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 5000);
	assert_int_equal(current(2000), 0); /* the count reads 0 in this mode */
	assert_int_equal(vlapic_timer_expire(&L, 4999), 5000);
	assert_false(fired());
	assert_int_equal(vlapic_timer_expire(&L, 5000), VLAPIC_NEVER);
	assert_true(fired());
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0); /* fired: disarmed and cleared */
	clear_fired();
	/* A deadline in the past fires at the next expiry check. */
	assert_int_equal(vlapic_write_tsc_deadline(&L, 5500, 6000, &fx), VLAPIC_OK);
	assert_int_equal(vlapic_timer_expire(&L, 6000), VLAPIC_NEVER);
	assert_true(fired());
	clear_fired();
	/* 0 disarms. */
	assert_int_equal(vlapic_write_tsc_deadline(&L, 9000, 6000, &fx), VLAPIC_OK);
	assert_int_equal(vlapic_write_tsc_deadline(&L, 0, 6001, &fx), VLAPIC_OK);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_timer_expire(&L, 10000), VLAPIC_NEVER);
	assert_false(fired());
	/* Leaving the mode disarms. */
	assert_int_equal(vlapic_write_tsc_deadline(&L, 9000, 6000, &fx), VLAPIC_OK);
	wr(APIC_REG_LVT_TIMER, VEC, 6001);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0);
	assert_int_equal(vlapic_timer_expire(&L, 10000), VLAPIC_NEVER);
	assert_false(fired());
}

/* Entering TSC-deadline mode stops a running countdown and clears the initial count. */
static void test_enter_deadline_disarms(void **state)
{
	(void)state;
	start(VEC, DIV_1, 100, 0);
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_TSC_DEADLINE, 10);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_reg(&L, APIC_REG_TIMER_INITIAL), 0);
	assert_int_equal(vlapic_timer_expire(&L, 1000), VLAPIC_NEVER);
	assert_false(fired());
}

/* The reserved mode 11b never runs. */
static void test_reserved_mode(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_TIMER_MODE_MASK, DIV_1, 100, 0);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(10), 0);
	assert_int_equal(vlapic_timer_expire(&L, 1000), VLAPIC_NEVER);
	assert_false(fired());
}

/* Huge products saturate to "never" rather than wrapping into "early". */
static void test_saturation(void **state)
{
	(void)state;
	L.cfg.tsc_per_bus_tick = 1ull << 40;
	start(VEC, 0xa, 0xffffffff, 5); /* 2^40 * 128 * 2^32 overflows */
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(1ull << 62), 0xffffffff - ((1ull << 62) - 5) / (1ull << 47));
	assert_int_equal(vlapic_timer_expire(&L, UINT64_MAX - 1), VLAPIC_NEVER);
	assert_false(fired());
	L.cfg.tsc_per_bus_tick = 0; /* counts as 1 */
	start(VEC, DIV_1, 7, 100);
	assert_int_equal(fx.timer_next, 107);
}

/* The same registers through the x2APIC MSRs; disabling the APIC stops the timer. */
static void test_x2apic_and_disable(void **state)
{
	(void)state;
	assert_int_equal(vlapic_write_apic_base(&L, APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD, &fx),
	                 VLAPIC_OK);
	start(VEC | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0);
	assert_int_equal(current(15), 5);
	assert_int_equal(vlapic_write_apic_base(&L, APIC_BASE_DEFAULT, &fx), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_TIMER);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_timer_expire(&L, 1000), VLAPIC_NEVER);
}

/* The floor: 1000 counts' worth of TSC here (one count is 3 ticks at divide 1). */
#define FLOOR 3000

/* A periodic count below the floor: each period is the floor, and the count runs down evenly across it. */
static void test_floor_periodic(void **state)
{
	(void)state;
	L.cfg.timer_floor = FLOOR;
	start(VEC | APIC_LVT_TIMER_PERIODIC, DIV_1, 100, 1000); /* 300 ticks asked */
	assert_int_equal(fx.timer_next, 1000 + FLOOR);
	assert_int_equal(current(1000), 100);
	assert_int_equal(current(1000 + FLOOR / 2), 50);
	assert_int_equal(current(1000 + FLOOR - 1), 1);
	assert_int_equal(vlapic_timer_expire(&L, 1000 + 300), 1000 + FLOOR); /* not at the count's own time */
	assert_false(fired());
	assert_int_equal(vlapic_timer_expire(&L, 1000 + FLOOR), 1000 + 2 * FLOOR);
	assert_true(fired());
	assert_int_equal(current(1000 + FLOOR), 100); /* reloaded */
	assert_int_equal(current(1000 + FLOOR + FLOOR / 4), 75);
	/* Missed periods: one interrupt, the next on the floor's grid. */
	clear_fired();
	assert_int_equal(vlapic_timer_expire(&L, 1000 + 5 * FLOOR + 7), 1000 + 6 * FLOOR);
	assert_true(fired());
	/* A count above the floor keeps its own period. */
	start(VEC | APIC_LVT_TIMER_PERIODIC, DIV_1, 2000, 50000);
	assert_int_equal(fx.timer_next, 50000 + 6000);
	assert_int_equal(current(50000 + 3), 1999);
	/* A slower divide can lift a count over the floor: 100 counts at divide 16 are 4800 ticks. */
	start(VEC | APIC_LVT_TIMER_PERIODIC, APIC_TIMER_DIVIDE_16, 100, 90000);
	assert_int_equal(fx.timer_next, 90000 + 4800);
}

/* A one-shot count of 1 at divide 1 fires once, a floor after it was armed, never a tick sooner. */
static void test_floor_one_shot(void **state)
{
	(void)state;
	L.cfg.timer_floor = FLOOR;
	start(VEC, DIV_1, 1, 500);
	assert_int_equal(fx.timer_next, 500 + FLOOR);
	assert_int_equal(current(500 + FLOOR - 1), 1);
	assert_int_equal(vlapic_timer_expire(&L, 500 + FLOOR - 1), 500 + FLOOR);
	assert_false(fired());
	assert_int_equal(vlapic_timer_expire(&L, 500 + FLOOR), VLAPIC_NEVER);
	assert_true(fired());
	assert_int_equal(current(500 + FLOOR), 0);
	/* A rewrite restarts from the write, floored again. */
	clear_fired();
	start(VEC, DIV_1, 10, 10000);
	wr(APIC_REG_TIMER_INITIAL, 5, 10000 + FLOOR - 1);
	assert_int_equal(fx.timer_next, 10000 + 2 * FLOOR - 1);
	/* A floor beyond the model's bound counts as the bound. */
	L.cfg.timer_floor = UINT64_MAX;
	start(VEC, DIV_1, 1, 7);
	assert_int_equal(fx.timer_next, 7 + VLAPIC_TIMER_FLOOR_MAX);
	assert_int_equal(current(7 + VLAPIC_TIMER_FLOOR_MAX - 1), 1);
}

/* The livelock: a masked periodic count of 100 at divide 1 asks for no expiry at all, however long it runs. */
static void test_masked_tiny_periodic_is_never_due(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 100, 0);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_timer_next(&L), VLAPIC_NEVER);
	for (uint64_t now = 0; now < 100000; now += 77)
		assert_int_equal(vlapic_timer_expire(&L, now), VLAPIC_NEVER);
	assert_false(fired());
	/* A divide change while masked rebases the count, still asking for nothing. */
	wr(APIC_REG_TIMER_DIVIDE, 0x0, 100001);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_false(fired());
}

/* CCR read while masked: where the periodic count is now, with and without the floor. */
static void test_masked_current_count(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 100, 1000); /* period 300 */
	assert_int_equal(current(1000 + 123456), 100 - (123456 % 300) / 3);
	assert_int_equal(current(1000 + 300 * 1000), 100);
	assert_int_equal(current(1000 + 300 * 1000 - 1), 1);
	L.cfg.timer_floor = FLOOR;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 100, 1000); /* period FLOOR */
	assert_int_equal(current(1000 + 7 * FLOOR + FLOOR / 10), 90);
	assert_int_equal(current(1000 + 7 * FLOOR), 100);
	assert_false(fired());
}

/* Unmasking a periodic timer resumes it in its phase: the next 0 is on the grid it kept while masked. */
static void test_unmask_keeps_phase(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0); /* zeros at 30, 60, 90, ... */
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 1000);
	assert_int_equal(fx.timer_next, 1020);
	assert_false(fired()); /* the zeros it passed while masked raised nothing */
	assert_int_equal(vlapic_timer_expire(&L, 1019), 1020);
	assert_false(fired());
	assert_int_equal(vlapic_timer_expire(&L, 1020), 1050);
	assert_true(fired());
	/* Masked again, then unmasked exactly on a zero: that zero went by masked, the next one is due. */
	clear_fired();
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, 1030);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 1200);
	assert_int_equal(fx.timer_next, 1230);
	assert_false(fired());
	/* Under the floor the phase is the floor's grid. */
	L.cfg.timer_floor = FLOOR;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0);
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 2 * FLOOR + 1);
	assert_int_equal(fx.timer_next, 3 * FLOOR);
	assert_int_equal(current(2 * FLOOR + FLOOR / 2), 5);
}

/* A masked one-shot counts down to 0 and ends there: no IRR, and unmasking afterwards raises nothing. */
static void test_masked_one_shot_ends_silently(void **state)
{
	uint64_t v;
	(void)state;
	start(VEC | APIC_LVT_MASKED, DIV_1, 10, 0); /* its 0 at 30 */
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(15), 5);
	assert_int_equal(current(29), 1);
	assert_int_equal(current(30), 0);
	assert_int_equal(vlapic_timer_expire(&L, 40), VLAPIC_NEVER);
	assert_false(fired());
	assert_int_equal(current(5000), 0);
	wr(APIC_REG_LVT_TIMER, VEC, 5000);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(vlapic_timer_expire(&L, 99999), VLAPIC_NEVER);
	assert_false(fired());
	assert_int_equal(vlapic_reg(&L, APIC_REG_IRR0 + VEC / 32), 0);
	assert_int_equal(current(99999), 0);
	/* Ended, it does not restart by becoming periodic. */
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 100000);
	assert_int_equal(fx.timer_next, VLAPIC_NEVER);
	assert_int_equal(current(100000), 0);
	/* Unmasked before its 0, a masked one-shot fires on time. */
	start(VEC | APIC_LVT_MASKED, DIV_1, 10, 200000);
	wr(APIC_REG_LVT_TIMER, VEC, 200010);
	assert_int_equal(fx.timer_next, 200030);
	assert_int_equal(vlapic_timer_expire(&L, 200030), VLAPIC_NEVER);
	assert_true(fired());
	/* A masked TSC deadline still fires (raising nothing) and clears the MSR: once per write, no storm. */
	clear_fired();
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_TSC_DEADLINE, 300000);
	assert_int_equal(vlapic_write_tsc_deadline(&L, 300100, 300000, &fx), VLAPIC_OK);
	assert_int_equal(vlapic_timer_next(&L), 300100);
	assert_int_equal(vlapic_timer_expire(&L, 300100), VLAPIC_NEVER);
	assert_false(fired());
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_divide_values),
	        T(test_one_shot),
	        T(test_periodic),
	        T(test_masked),
	        T(test_stop_and_restart),
	        T(test_divide_change_rebases),
	        T(test_mode_switch),
	        T(test_write_catches_up),
	        T(test_tsc_deadline),
	        T(test_enter_deadline_disarms),
	        T(test_reserved_mode),
	        T(test_saturation),
	        T(test_x2apic_and_disable),
	        T(test_floor_periodic),
	        T(test_floor_one_shot),
	        T(test_masked_tiny_periodic_is_never_due),
	        T(test_masked_current_count),
	        T(test_unmask_keeps_phase),
	        T(test_masked_one_shot_ends_silently),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
