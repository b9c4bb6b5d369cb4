/* vlapic_timer.c: the virtual local APIC timer (one-shot, periodic, TSC-deadline) on abstract time. */
#include "lapic/vlapic.h"

/*
 * SDM Vol. 3, 11.5.4. The count runs at the timer input frequency divided
 * by the divide configuration; the model knows it as `tsc_per_bus_tick` TSC
 * ticks per input tick, so one count is unit() TSC ticks. A countdown is
 * (start, first): `first` counts from TSC `start`. A rebase (divide or mode
 * change) keeps what remains as a whole count, which can only make the
 * timer later, never earlier. Everything saturates at VLAPIC_NEVER.
 *
 * Two choices the SDM does not make (docs/vlapic.md, "Timer floor" and
 * "Masked timer"). The floor: a countdown of n counts lasts
 * max(n * unit, cfg.timer_floor) TSC ticks, its count running down evenly
 * across that span, so no one-shot or periodic countdown reaches 0 sooner
 * than the floor after it (re)started. Lazy masking: while LVT Timer is
 * masked a countdown raises nothing, so the model asks for no exit
 * (vlapic_timer_next() says never); what it did meanwhile follows from
 * (start, first) whenever the count is read, a timer register is written or
 * the LVT is unmasked.
 */

#define TIMER_MODE_RESERVED (3u << 17)

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > VLAPIC_NEVER - b ? VLAPIC_NEVER : a + b; }

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	if (a && b > VLAPIC_NEVER / a)
		return VLAPIC_NEVER;
	return a * b;
}

static uint32_t timer_mode(const struct vlapic *l)
{
	return vlapic_reg(l, APIC_REG_LVT_TIMER) & APIC_LVT_TIMER_MODE_MASK;
}

/* A one-shot or periodic countdown whose LVT is masked (software disable sets the mask too, 11.4.7.2). */
static bool countdown_masked(const struct vlapic *l)
{
	return timer_mode(l) != APIC_LVT_TIMER_TSC_DEADLINE && (vlapic_reg(l, APIC_REG_LVT_TIMER) & APIC_LVT_MASKED);
}

/* Figure 11-10: bits 3,1,0 = 000 -> 2, 001 -> 4, ... 110 -> 128, 111 -> 1. */
static uint64_t divisor(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);

	return 1ull << ((v + 1) & 7);
}

static uint64_t unit(const struct vlapic *l)
{
	uint64_t tpb = l->cfg.tsc_per_bus_tick ? l->cfg.tsc_per_bus_tick : 1;

	return sat_mul(tpb, divisor(vlapic_reg(l, APIC_REG_TIMER_DIVIDE)));
}

static uint64_t timer_floor(const struct vlapic *l)
{
	return l->cfg.timer_floor < VLAPIC_TIMER_FLOOR_MAX ? l->cfg.timer_floor : VLAPIC_TIMER_FLOOR_MAX;
}

/* How long a countdown of n counts lasts: n units, or the floor if that is longer. */
static uint64_t span(const struct vlapic *l, uint32_t n)
{
	uint64_t d = sat_mul(n, unit(l));

	return d < timer_floor(l) ? timer_floor(l) : d;
}

/*
 * Whole counts gone `elapsed` TSC ticks into a countdown of n (elapsed <
 * span(n)). Stretched by the floor, the counts spread evenly over it; then
 * n < floor and elapsed < floor <= 2^32, so the product cannot overflow.
 */
static uint32_t counts_gone(const struct vlapic *l, uint32_t n, uint64_t elapsed)
{
	uint64_t u = unit(l), d = span(l, n);

	if (d == sat_mul(n, u))
		return (uint32_t)(elapsed / u);
	return (uint32_t)(elapsed * n / d);
}

/* When the countdown first reaches 0. */
static uint64_t first_due(const struct vlapic *l) { return sat_add(l->timer.start, span(l, l->timer.first)); }

/*
 * When a running countdown next reaches 0 after now: its first 0, or for a
 * periodic one past that, the next point of its grid (first 0 + k * period),
 * whatever was missed in between. A 0 exactly at now is taken as past.
 */
static uint64_t countdown_due(const struct vlapic *l, uint64_t now)
{
	uint64_t base = first_due(l);
	uint32_t initial = vlapic_reg(l, APIC_REG_TIMER_INITIAL);

	if (now < base || timer_mode(l) != APIC_LVT_TIMER_PERIODIC || !initial)
		return base;
	uint64_t period = span(l, initial);
	return sat_add(base, sat_mul((now - base) / period + 1, period));
}

/* What the caller must wake for: the next 0 of a running countdown, none while it is masked. */
static void schedule(struct vlapic *l, uint64_t now)
{
	l->timer.next = l->timer.armed && !countdown_masked(l) ? countdown_due(l, now) : VLAPIC_NEVER;
}

/* A masked one-shot whose 0 went by has ended, raising nothing (11.5.4: a masked LVT delivers no interrupt). */
static void settle(struct vlapic *l, uint64_t now)
{
	if (l->timer.armed && countdown_masked(l) && timer_mode(l) == APIC_LVT_TIMER_ONESHOT && now >= first_due(l))
		l->timer.armed = false;
}

static void arm(struct vlapic *l, uint64_t now, uint32_t count)
{
	l->timer.start = now;
	l->timer.first = count;
	l->timer.armed = count != 0;
	schedule(l, now);
}

void vlapic_timer_stop(struct vlapic *l)
{
	l->timer.armed = false;
	l->timer.tsc_deadline = 0;
	l->timer.next = VLAPIC_NEVER;
}

uint64_t vlapic_timer_next(const struct vlapic *l) { return countdown_masked(l) ? VLAPIC_NEVER : l->timer.next; }

/* A periodic countdown reloads the initial count each time it reaches 0; masked or not, the count runs. */
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now)
{
	const struct vlapic_timer *t = &l->timer;
	uint32_t initial = vlapic_reg(l, APIC_REG_TIMER_INITIAL);

	if (!t->armed)
		return 0;
	uint64_t elapsed = now > t->start ? now - t->start : 0, first = span(l, t->first);
	if (elapsed < first)
		return t->first - counts_gone(l, t->first, elapsed);
	if (timer_mode(l) == APIC_LVT_TIMER_PERIODIC && initial)
		return initial - counts_gone(l, initial, (elapsed - first) % span(l, initial));
	return 0;
}

/*
 * Due: raise the LVT timer interrupt. A TSC deadline disarms and clears the
 * MSR (11.5.4.1), masked or not; a one-shot stops at 0; a periodic one
 * rearms on its grid. A masked countdown is never due (see above).
 */
uint64_t vlapic_timer_expire(struct vlapic *l, uint64_t now)
{
	struct vlapic_timer *t = &l->timer;

	settle(l, now);
	uint64_t next = vlapic_timer_next(l);
	if (next == VLAPIC_NEVER || now < next)
		return next;
	vlapic_deliver_lvt(l, APIC_REG_LVT_TIMER);
	if (timer_mode(l) == APIC_LVT_TIMER_PERIODIC && t->armed) {
		schedule(l, now);
	} else {
		t->armed = false;
		t->tsc_deadline = 0;
		t->next = VLAPIC_NEVER;
	}
	return t->next;
}

/* Keep what remains of a running countdown, from now on, under the registers as they are next. */
static void rebase(struct vlapic *l, uint64_t now, uint32_t remaining)
{
	if (l->timer.armed)
		arm(l, now, remaining);
}

/*
 * Mode changes: to or from TSC-deadline disarm (11.5.4.1), as does the
 * reserved mode 11b, in which the timer never runs; between one-shot and
 * periodic the countdown goes on and the new mode decides what happens at 0
 * ("does not start the timer", 11.5.4).
 */
static void write_lvt(struct vlapic *l, uint32_t value, uint64_t now)
{
	uint32_t old = timer_mode(l), new = value &APIC_LVT_TIMER_MODE_MASK;
	uint32_t remaining = vlapic_timer_current(l, now);

	vlapic_set_reg(l, APIC_REG_LVT_TIMER, value);
	if (old == new) {
		if (new != APIC_LVT_TIMER_TSC_DEADLINE)
			schedule(l, now); /* masked or unmasked now: an unmasked periodic goes on in its phase */
		return;
	}
	if (old == APIC_LVT_TIMER_TSC_DEADLINE || new == APIC_LVT_TIMER_TSC_DEADLINE || old == TIMER_MODE_RESERVED ||
	    new == TIMER_MODE_RESERVED) {
		vlapic_timer_stop(l);
		vlapic_set_reg(l, APIC_REG_TIMER_INITIAL, 0);
		return;
	}
	rebase(l, now, remaining);
}

/* Initial count: starts the countdown, 0 stops it; ignored in TSC-deadline mode (11.5.4). */
static void write_initial(struct vlapic *l, uint32_t value, uint64_t now)
{
	uint32_t mode = timer_mode(l);

	if (mode == APIC_LVT_TIMER_TSC_DEADLINE)
		return;
	vlapic_set_reg(l, APIC_REG_TIMER_INITIAL, value);
	if (mode == TIMER_MODE_RESERVED)
		return;
	arm(l, now, value);
}

static void write_divide(struct vlapic *l, uint32_t value, uint64_t now)
{
	uint32_t remaining = vlapic_timer_current(l, now);

	vlapic_set_reg(l, APIC_REG_TIMER_DIVIDE, value);
	rebase(l, now, remaining);
}

/* Whatever was due before the write happens first: a write never swallows an expiry. */
void vlapic_timer_write(struct vlapic *l, enum apic_reg reg, uint32_t value, uint64_t now, struct vlapic_effect *fx)
{
	vlapic_timer_expire(l, now);
	if (reg == APIC_REG_LVT_TIMER)
		write_lvt(l, value, now);
	else if (reg == APIC_REG_TIMER_INITIAL)
		write_initial(l, value, now);
	else
		write_divide(l, value, now);
	fx->flags |= VLAPIC_FX_TIMER;
	fx->timer_next = vlapic_timer_next(l);
}

enum vlapic_result vlapic_read_tsc_deadline(const struct vlapic *l, uint64_t *value, struct vlapic_effect *fx)
{
	*fx = (struct vlapic_effect){0};
	*value = 0;
	if (!l->cfg.tsc_deadline) {
		fx->gp = VLAPIC_GP_NO_TSC_DEADLINE;
		return VLAPIC_GP;
	}
	if (vlapic_hw_enabled(l) && timer_mode(l) == APIC_LVT_TIMER_TSC_DEADLINE)
		*value = l->timer.tsc_deadline;
	return VLAPIC_OK;
}

/* A deadline already past fires at the next vlapic_timer_expire(); 0 disarms (11.5.4.1). */
enum vlapic_result vlapic_write_tsc_deadline(struct vlapic *l, uint64_t value, uint64_t now, struct vlapic_effect *fx)
{
	*fx = (struct vlapic_effect){0};
	if (!l->cfg.tsc_deadline) {
		fx->gp = VLAPIC_GP_NO_TSC_DEADLINE;
		return VLAPIC_GP;
	}
	if (!vlapic_hw_enabled(l) || timer_mode(l) != APIC_LVT_TIMER_TSC_DEADLINE)
		return VLAPIC_OK;
	vlapic_timer_expire(l, now);
	l->timer.tsc_deadline = value;
	l->timer.next = value ? value : VLAPIC_NEVER;
	fx->flags |= VLAPIC_FX_TIMER;
	fx->timer_next = l->timer.next;
	return VLAPIC_OK;
}
