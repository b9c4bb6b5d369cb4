/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_vlapic_timer.c: timer arithmetic: one-shot, periodic, current count, divide, TSC-deadline, masking, never early.
 */
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

/* A masked LVT: the count runs and rearms, but nothing is raised. */
static void test_masked(void **state)
{
	(void)state;
	start(VEC | APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC, DIV_1, 10, 0);
	assert_int_equal(current(15), 5);
	assert_int_equal(vlapic_timer_expire(&L, 30), 60);
	assert_false(fired());
	wr(APIC_REG_LVT_TIMER, VEC | APIC_LVT_TIMER_PERIODIC, 40); /* unmask: same mode, count goes on */
	assert_int_equal(vlapic_timer_next(&L), 60);
	assert_int_equal(vlapic_timer_expire(&L, 60), 90);
	assert_true(fired());
	/* Software disable masks it too. */
	clear_fired();
	wr(APIC_REG_SVR, 0xff, 61);
	assert_int_equal(vlapic_timer_expire(&L, 90), 120);
	assert_false(fired());
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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_divide_values),      T(test_one_shot),
	        T(test_periodic),           T(test_masked),
	        T(test_stop_and_restart),   T(test_divide_change_rebases),
	        T(test_mode_switch),        T(test_write_catches_up),
	        T(test_tsc_deadline),       T(test_enter_deadline_disarms),
	        T(test_reserved_mode),      T(test_saturation),
	        T(test_x2apic_and_disable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
