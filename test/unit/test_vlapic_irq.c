/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_vlapic_irq.c: priority classes, PPR, acceptance, EOI, ESR and SVR disable, and a property test of selection. */
#include "test/unit/vlapic_fixture.h"

static int setup(void **state)
{
	(void)state;
	fixture_open(1, 0);
	return 0;
}

static void wr(unsigned reg, uint64_t v)
{
	assert_int_equal(vlapic_write(&L, (enum apic_reg)reg, v, x2(), 0, &fx), VLAPIC_OK);
}

static uint32_t esr(void)
{
	wr(APIC_REG_ESR, 0);
	return (uint32_t)rd(APIC_REG_ESR);
}

static void enable(void) { wr(APIC_REG_SVR, 0x1ff); }

static bool bit(unsigned base, unsigned v) { return (vlapic_reg(&L, base + v / 32) >> (v % 32)) & 1; }

/* Deliver and take the highest pending vector, as an injection would. */
static int take(void)
{
	int v = vlapic_highest_pending(&L);

	if (v >= 0)
		assert_true(vlapic_ack(&L, (uint8_t)v));
	return v;
}

/* 11.8.3.1: PPR is TPR when TPR's class is at least ISRV's, else ISRV's class with 0 below. */
static void test_ppr(void **state)
{
	static const struct {
		uint8_t tpr, isr, ppr;
	} cases[] = {
	        {0x00, 0x00, 0x00}, {0x35, 0x00, 0x35}, {0x35, 0x52, 0x50}, {0x55, 0x52, 0x55},
	        {0x50, 0x5f, 0x50}, {0x4f, 0x5f, 0x50}, {0xff, 0x20, 0xff}, {0x0f, 0xfe, 0xf0},
	};
	(void)state;
	enable();
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		vlapic_init_reset(&L);
		enable();
		wr(APIC_REG_TPR, cases[i].tpr);
		if (cases[i].isr) {
			assert_true(vlapic_accept(&L, cases[i].isr, false));
			assert_true(vlapic_ack(&L, cases[i].isr));
		}
		assert_int_equal(rd(APIC_REG_PPR), cases[i].ppr);
		assert_int_equal(vlapic_ppr(&L), cases[i].ppr);
	}
}

/* Only a class above PPR's is delivered: TPR 0x80 holds back 0x80..0x8f, TPR 0x7f does not. */
static void test_priority_classes(void **state)
{
	(void)state;
	enable();
	assert_int_equal(vlapic_highest_pending(&L), -1);
	assert_true(vlapic_accept(&L, 0x40, false));
	assert_true(vlapic_accept(&L, 0x8f, false));
	assert_true(vlapic_accept(&L, 0x41, false));
	assert_int_equal(vlapic_highest_irr(&L), 0x8f);
	assert_int_equal(vlapic_highest_pending(&L), 0x8f);
	wr(APIC_REG_TPR, 0x80);
	assert_int_equal(vlapic_highest_pending(&L), -1);
	wr(APIC_REG_TPR, 0x7f);
	assert_int_equal(vlapic_highest_pending(&L), 0x8f);
	wr(APIC_REG_TPR, 0);
	assert_int_equal(take(), 0x8f);
	assert_int_equal(rd(APIC_REG_PPR), 0x80);
	assert_true(bit(APIC_REG_ISR0, 0x8f) && !bit(APIC_REG_IRR0, 0x8f));
	assert_int_equal(vlapic_highest_pending(&L), -1); /* 0x41 waits for the EOI */
	assert_false(vlapic_ack(&L, 0x8f));               /* no longer requested */
	wr(APIC_REG_EOI, 0);
	assert_int_equal(rd(APIC_REG_PPR), 0);
	assert_int_equal(take(), 0x41);
	assert_true(vlapic_accept(&L, 0x4f, false)); /* same class as the one in service: waits */
	assert_int_equal(vlapic_highest_pending(&L), -1);
	assert_true(vlapic_accept(&L, 0x50, false)); /* a higher class preempts */
	assert_int_equal(take(), 0x50);
}

/* An edge EOI retires the highest ISR vector first (nesting) and asks for no broadcast. */
static void test_eoi_edge_and_nesting(void **state)
{
	(void)state;
	enable();
	assert_true(vlapic_accept(&L, 0x40, false));
	assert_int_equal(take(), 0x40);
	assert_true(vlapic_accept(&L, 0x90, false));
	assert_int_equal(take(), 0x90);
	assert_int_equal(vlapic_highest_isr(&L), 0x90);
	wr(APIC_REG_EOI, 0);
	assert_int_equal(fx.flags, VLAPIC_FX_EOI);
	assert_int_equal(fx.eoi_vector, 0x90);
	assert_false(fx.eoi_level);
	assert_false(fx.eoi_broadcast);
	wr(APIC_REG_EOI, 0);
	assert_int_equal(fx.eoi_vector, 0x40);
	wr(APIC_REG_EOI, 0x1234); /* nothing in service; xAPIC takes any value */
	assert_int_equal(fx.flags, 0);
}

/* Level: TMR set on acceptance, the EOI is broadcast unless SVR[12] suppresses it (11.8.5). */
static void test_eoi_level_and_suppression(void **state)
{
	(void)state;
	enable();
	assert_true(vlapic_accept(&L, 0x60, true));
	assert_true(bit(APIC_REG_TMR0, 0x60));
	assert_int_equal(take(), 0x60);
	wr(APIC_REG_EOI, 0);
	assert_int_equal(fx.flags, VLAPIC_FX_EOI);
	assert_int_equal(fx.eoi_vector, 0x60);
	assert_true(fx.eoi_level);
	assert_true(fx.eoi_broadcast);
	assert_true(bit(APIC_REG_TMR0, 0x60)); /* TMR changes only at acceptance */
	assert_true(vlapic_accept(&L, 0x60, false));
	assert_false(bit(APIC_REG_TMR0, 0x60));
	assert_int_equal(take(), 0x60);
	wr(APIC_REG_EOI, 0);
	assert_false(fx.eoi_level);

	wr(APIC_REG_SVR, 0x1ff | APIC_SVR_EOI_SUPPRESS);
	assert_true(vlapic_accept(&L, 0x61, true));
	assert_int_equal(take(), 0x61);
	wr(APIC_REG_EOI, 0);
	assert_true(fx.eoi_level);
	assert_false(fx.eoi_broadcast);
}

/* 11.4.7.2: fixed interrupts are not taken while software-disabled; pending ones stay. */
static void test_software_disable(void **state)
{
	(void)state;
	assert_false(vlapic_accept(&L, 0x40, false)); /* after reset: software-disabled */
	enable();
	assert_true(vlapic_accept(&L, 0x40, false));
	wr(APIC_REG_LVT_TIMER, 0x20);
	wr(APIC_REG_LVT_LINT1, 0x400);
	wr(APIC_REG_SVR, 0xff);
	assert_true(fx.flags & VLAPIC_FX_DEST);
	assert_false(vlapic_sw_enabled(&L));
	assert_false(vlapic_accept(&L, 0x41, false));
	assert_int_equal(vlapic_highest_pending(&L), 0x40); /* held, still dispatched */
	for (unsigned r = APIC_REG_LVT_TIMER; r <= APIC_REG_LVT_ERROR; r++)
		assert_true(rd(r) & APIC_LVT_MASKED);
	assert_true(rd(APIC_REG_LVT_CMCI) & APIC_LVT_MASKED);
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x10020);
	wr(APIC_REG_LVT_TIMER, 0x30); /* cannot unmask while disabled */
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x10030);
	enable();
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x10030); /* enabling unmasks nothing */
	wr(APIC_REG_LVT_TIMER, 0x30);
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x30);
}

/* 11.5.3: received illegal vectors, latched in ESR by the next write, raising the LVT error interrupt. */
static void test_esr_receive_illegal(void **state)
{
	(void)state;
	enable();
	for (unsigned v = 0; v < 16; v++) {
		assert_false(vlapic_accept(&L, (uint8_t)v, false));
		assert_int_equal(vlapic_highest_irr(&L), -1);
		assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL_VECTOR);
	}
	assert_true(vlapic_accept(&L, 16, false)); /* 16-31 are legal for the APIC */
	assert_int_equal(esr(), 0);

	/* ESR shows what was latched at the last write, until the next one. */
	assert_false(vlapic_accept(&L, 3, false));
	assert_int_equal(rd(APIC_REG_ESR), 0);
	wr(APIC_REG_ESR, 0x5a); /* the value written does not matter */
	assert_int_equal(rd(APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(rd(APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL_VECTOR);
	assert_int_equal(esr(), 0);

	wr(APIC_REG_LVT_ERROR, 0xe0);
	assert_false(vlapic_accept(&L, 7, false));
	assert_true(bit(APIC_REG_IRR0, 0xe0));
	vlapic_report_error(&L, APIC_ESR_SEND_ACCEPT);
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL_VECTOR | APIC_ESR_SEND_ACCEPT);

	/* An error LVT with an illegal vector records the error once, without looping. */
	wr(APIC_REG_LVT_ERROR, 0x05);
	vlapic_report_error(&L, APIC_ESR_SEND_ACCEPT);
	assert_int_equal(esr(), APIC_ESR_RECV_ILLEGAL_VECTOR | APIC_ESR_SEND_ACCEPT);
}

/* 11.5.3: an ICR or SELF IPI with a vector below 16 is not sent and sets the send error. */
static void test_esr_send_illegal(void **state)
{
	(void)state;
	enable();
	wr(APIC_REG_ICR_HIGH, 0x01000000);
	wr(APIC_REG_ICR_LOW, 0x4005); /* fixed, vector 5 */
	assert_false(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(APIC_REG_ICR_LOW, 0x410f); /* lowest priority, vector 15 */
	assert_false(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(APIC_REG_ICR_LOW, 0x44005); /* fixed, vector 5, to self: a send and a receive error */
	assert_false(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_RECV_ILLEGAL_VECTOR);
	wr(APIC_REG_ICR_LOW, 0xc4005); /* all excluding self: a send error only */
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL_VECTOR);
	wr(APIC_REG_ICR_LOW, 0x4400); /* NMI: the vector is ignored */
	assert_true(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(esr(), 0);
	assert_int_equal(vlapic_write_apic_base(&L, APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD, &fx),
	                 VLAPIC_OK);
	wr(APIC_REG_SELF_IPI, 3);
	assert_false(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(esr(), APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_RECV_ILLEGAL_VECTOR);
}

/* A small fixed-seed generator: the same cases on every run and every libc. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* The reference, as plain as the SDM's words: every vector checked, nothing clever. */
static int ref_ppr(const bool *isr, unsigned tpr)
{
	unsigned isrv = 0;

	for (unsigned v = 0; v < 256; v++)
		if (isr[v])
			isrv = v;
	return (tpr / 16 >= isrv / 16) ? (int)tpr : (int)(isrv / 16 * 16);
}

static int ref_pending(const bool *irr, const bool *isr, unsigned tpr)
{
	int best = -1, ppr = ref_ppr(isr, tpr);

	for (unsigned v = 0; v < 256; v++)
		if (irr[v] && (int)(v / 16) > ppr / 16 && (int)v > best)
			best = (int)v;
	return best;
}

/* Random IRR/ISR/TPR states, each checked through selection, acknowledgement and EOI. */
static void test_priority_selection_property(void **state)
{
	bool irr[256], isr[256];
	int delivered = 0, held = 0;
	(void)state;
	enable();
	for (int n = 0; n < 5000; n++) {
		unsigned density = next_rand() % 5; /* 0: empty, up to about 1 in 4 vectors set */
		unsigned tpr = next_rand() % 3 ? next_rand() & 0xff : 0;
		memset(irr, 0, sizeof(irr));
		memset(isr, 0, sizeof(isr));
		for (unsigned r = 0; r < 8; r++) {
			vlapic_set_reg(&L, APIC_REG_IRR0 + r, 0);
			vlapic_set_reg(&L, APIC_REG_ISR0 + r, 0);
		}
		for (unsigned v = 16; v < 256; v++) {
			irr[v] = density && next_rand() % (17 - 4 * density) == 0;
			isr[v] = density && next_rand() % (65 - 16 * density) == 0;
			if (irr[v])
				vlapic_set_reg(&L, APIC_REG_IRR0 + v / 32,
				               vlapic_reg(&L, APIC_REG_IRR0 + v / 32) | 1u << (v % 32));
			if (isr[v])
				vlapic_set_reg(&L, APIC_REG_ISR0 + v / 32,
				               vlapic_reg(&L, APIC_REG_ISR0 + v / 32) | 1u << (v % 32));
		}
		wr(APIC_REG_TPR, tpr);
		assert_int_equal(rd(APIC_REG_PPR), ref_ppr(isr, tpr));
		int want = ref_pending(irr, isr, tpr);
		assert_int_equal(vlapic_highest_pending(&L), want);
		assert_int_equal(vlapic_pending_of(&L, vlapic_highest_irr(&L)), want);
		delivered += want >= 0;
		held += want < 0 && vlapic_highest_irr(&L) >= 0;
		if (want >= 0) {
			assert_true(vlapic_ack(&L, (uint8_t)want));
			irr[want] = false;
			isr[want] = true;
			assert_int_equal(vlapic_ppr(&L), ref_ppr(isr, tpr));
			assert_int_equal(vlapic_highest_pending(&L), ref_pending(irr, isr, tpr));
			/* what inject.c relies on: right after an injection, nothing else is pending */
			assert_int_equal(vlapic_highest_pending(&L), -1);
		}
		int top = -1;
		for (int v = 0; v < 256; v++)
			if (isr[v])
				top = v;
		wr(APIC_REG_EOI, 0);
		if (top < 0) {
			assert_int_equal(fx.flags, 0);
			continue;
		}
		assert_int_equal(fx.eoi_vector, top);
		isr[top] = false;
		assert_int_equal(rd(APIC_REG_PPR), ref_ppr(isr, tpr));
		assert_int_equal(vlapic_highest_pending(&L), ref_pending(irr, isr, tpr));
	}
	/* The cases cover both outcomes well. */
	assert_true(delivered > 1000);
	assert_true(held > 1000);
}

/* EOI virtualization retired the vector already (ISR clear, SDM 30.1.4): only its effects are left to the model. */
static void test_eoi_done_after_hardware(void **state)
{
	(void)state;
	enable();
	assert_true(vlapic_accept(&L, 0x70, true));
	assert_true(vlapic_accept(&L, 0x50, false));
	assert_int_equal(take(), 0x70);
	vlapic_set_reg(&L, APIC_REG_ISR0 + (0x70 >> 5), 0); /* what the CPU did */
	vlapic_eoi_done(&L, 0x70, &fx);
	assert_int_equal(fx.flags, VLAPIC_FX_EOI);
	assert_int_equal(fx.eoi_vector, 0x70);
	assert_true(fx.eoi_level);
	assert_true(fx.eoi_broadcast);
	assert_int_equal(vlapic_reg(&L, APIC_REG_PPR), 0); /* recomputed from the ISR the CPU left */
	assert_true(bit(APIC_REG_IRR0, 0x50));             /* nothing else touched */
	assert_int_equal(vlapic_highest_isr(&L), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_ppr),
	        T(test_priority_classes),
	        T(test_eoi_edge_and_nesting),
	        T(test_eoi_level_and_suppression),
	        T(test_eoi_done_after_hardware),
	        T(test_software_disable),
	        T(test_esr_receive_illegal),
	        T(test_esr_send_illegal),
	        T(test_priority_selection_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
