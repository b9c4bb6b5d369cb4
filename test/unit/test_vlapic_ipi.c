/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_vlapic_ipi.c: ICR decoding (every delivery mode and shorthand) and destination matching. */
#include "test/unit/unit.h"

#include "lapic/vlapic.h"

#define NCPU 3

static struct vlapic cpus[NCPU];
static struct vlapic *const L = &cpus[0];
static struct vlapic_effect fx;

static int setup(void **state)
{
	struct vlapic_config cfg = {.tsc_per_bus_tick = 1, .x2apic = true, .tsc_deadline = true};
	(void)state;
	for (int i = 0; i < NCPU; i++) {
		vlapic_setup(&cpus[i], aligned_alloc(VLAPIC_PAGE_SIZE, VLAPIC_PAGE_SIZE), &cfg);
		assert_non_null(cpus[i].page);
		vlapic_reset(&cpus[i], (uint32_t)i, i == 0);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NCPU; i++)
		free(cpus[i].page);
	return 0;
}

static void wr_on(struct vlapic *l, unsigned reg, uint64_t v)
{
	bool x2 = vlapic_mode(l) == VLAPIC_MODE_X2APIC;

	assert_int_equal(vlapic_write(l, (enum apic_reg)reg, v, x2, 0, &fx), VLAPIC_OK);
}

static void to_x2apic(struct vlapic *l)
{
	assert_int_equal(vlapic_write_apic_base(l, APIC_BASE_DEFAULT | APIC_BASE_ENABLE | APIC_BASE_EXTD, &fx),
	                 VLAPIC_OK);
}

/* Write an xAPIC ICR (high, then low) and return whether an IPI came out. */
static bool send_xapic(uint8_t dest, uint32_t low)
{
	wr_on(L, APIC_REG_ICR_HIGH, (uint32_t)dest << 24);
	wr_on(L, APIC_REG_ICR_LOW, low);
	return (fx.flags & VLAPIC_FX_IPI) != 0;
}

/* Table 11-3 and 11.6.1: each delivery mode and shorthand decodes as written. */
static void test_icr_decode_modes(void **state)
{
	static const struct {
		uint32_t low;
		enum vlapic_delivery mode;
	} modes[] = {
	        {0x4031, VLAPIC_DM_FIXED}, {0x4132, VLAPIC_DM_LOWEST}, {0x4200, VLAPIC_DM_SMI},
	        {0x4400, VLAPIC_DM_NMI},   {0x4500, VLAPIC_DM_INIT},   {0x4699, VLAPIC_DM_STARTUP},
	};
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(modes); i++) {
		assert_true(send_xapic(0x02, modes[i].low));
		assert_int_equal(fx.ipi.mode, modes[i].mode);
		assert_int_equal(fx.ipi.vector, modes[i].low & 0xff);
		assert_int_equal(fx.ipi.dest, 0x02);
		assert_int_equal(fx.ipi.dest_mode, VLAPIC_DEST_PHYSICAL);
		assert_int_equal(fx.ipi.shorthand, VLAPIC_SH_NONE);
		assert_true(fx.ipi.level);
		assert_false(fx.ipi.trigger_level);
		assert_false(fx.ipi.x2apic);
		assert_int_equal(fx.ipi.icr, 0x02ull << 56 | modes[i].low);
	}
	/* Delivery status never shows busy: the model sends at once. */
	assert_int_equal(vlapic_reg(L, APIC_REG_ICR_LOW) & APIC_ICR_DELIVERY_PENDING, 0);
	/* The reserved modes 011b and 111b send nothing. */
	assert_false(send_xapic(0x02, 0x4340));
	assert_false(send_xapic(0x02, 0x4740));
}

static void test_icr_decode_fields(void **state)
{
	static const enum vlapic_shorthand sh[] = {VLAPIC_SH_NONE, VLAPIC_SH_SELF, VLAPIC_SH_ALL,
	                                           VLAPIC_SH_ALL_BUT_SELF};
	(void)state;
	for (unsigned s = 0; s < 4; s++) {
		assert_true(send_xapic(0xff, 0x4040 | s << 18));
		assert_int_equal(fx.ipi.shorthand, sh[s]);
	}
	assert_true(send_xapic(0x0c, 0x4840)); /* logical */
	assert_int_equal(fx.ipi.dest_mode, VLAPIC_DEST_LOGICAL);
	assert_int_equal(fx.ipi.dest, 0x0c);
	assert_true(send_xapic(0x01, 0xc040)); /* level-triggered fixed: sent, taken as edge */
	assert_true(fx.ipi.trigger_level && fx.ipi.level);
	assert_true(send_xapic(0x01, 0x0040)); /* de-assert bit on a fixed IPI: sent (Table 11-3 note 2) */
	assert_false(fx.ipi.level);
}

/* INIT: assert is sent, level de-assert (trigger level, level 0) is ignored. */
static void test_icr_init_deassert(void **state)
{
	(void)state;
	assert_true(send_xapic(0x01, 0x4500));  /* edge, assert */
	assert_true(send_xapic(0x01, 0xc500));  /* level, assert */
	assert_false(send_xapic(0x01, 0x8500)); /* level, de-assert */
	assert_true(send_xapic(0x01, 0x0500));  /* edge with level 0: an INIT all the same */
	assert_true(send_xapic(0x01, 0x4608));  /* SIPI vector 8: start at 0x8000 */
	assert_int_equal(fx.ipi.mode, VLAPIC_DM_STARTUP);
	assert_int_equal(fx.ipi.vector, 8);
}

/* x2APIC: a 32-bit destination, broadcast 0xffffffff; SELF IPI is a fixed edge IPI to self. */
static void test_icr_x2apic(void **state)
{
	(void)state;
	to_x2apic(L);
	wr_on(L, APIC_REG_SVR, 0x1ff);
	wr_on(L, APIC_REG_ICR_LOW, 0xabcdef01ull << 32 | 0x4931);
	assert_true(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(fx.ipi.dest, 0xabcdef01);
	assert_int_equal(fx.ipi.dest_mode, VLAPIC_DEST_LOGICAL);
	assert_int_equal(fx.ipi.mode, VLAPIC_DM_LOWEST);
	assert_true(fx.ipi.x2apic);
	wr_on(L, APIC_REG_SELF_IPI, 0x77);
	assert_int_equal(fx.flags, VLAPIC_FX_IPI);
	assert_int_equal(fx.ipi.mode, VLAPIC_DM_FIXED);
	assert_int_equal(fx.ipi.vector, 0x77);
	assert_int_equal(fx.ipi.shorthand, VLAPIC_SH_SELF);
	assert_false(fx.ipi.trigger_level);
	assert_true(vlapic_ipi_hits(L, L, &fx.ipi));
	assert_false(vlapic_ipi_hits(&cpus[1], L, &fx.ipi));
	assert_true(vlapic_accept(L, fx.ipi.vector, fx.ipi.trigger_level));
	assert_int_equal(vlapic_highest_pending(L), 0x77);
}

static void test_match_physical(void **state)
{
	(void)state;
	vlapic_reset(L, 5, true);
	assert_true(vlapic_match(L, 5, VLAPIC_DEST_PHYSICAL, false));
	assert_false(vlapic_match(L, 6, VLAPIC_DEST_PHYSICAL, false));
	assert_true(vlapic_match(L, 0xff, VLAPIC_DEST_PHYSICAL, false));
	assert_false(vlapic_match(L, 0xffffffff, VLAPIC_DEST_PHYSICAL, false));
	vlapic_reset(L, 0x1234, true);
	assert_true(vlapic_match(L, 0x34, VLAPIC_DEST_PHYSICAL, false)); /* xAPIC: the low 8 bits */
	to_x2apic(L);
	assert_true(vlapic_match(L, 0x1234, VLAPIC_DEST_PHYSICAL, true));
	assert_false(vlapic_match(L, 0x34, VLAPIC_DEST_PHYSICAL, true));
	assert_true(vlapic_match(L, 0xffffffff, VLAPIC_DEST_PHYSICAL, true));
	assert_false(vlapic_match(L, 0xff, VLAPIC_DEST_PHYSICAL, true));
	assert_true(vlapic_match(L, 0xff, VLAPIC_DEST_PHYSICAL, false)); /* an xAPIC-format broadcast */
	/* Globally disabled: nothing; software-disabled still matches (it takes INIT, NMI, SIPI). */
	assert_int_equal(vlapic_write_apic_base(L, APIC_BASE_DEFAULT, &fx), VLAPIC_OK);
	assert_false(vlapic_match(L, 0x1234, VLAPIC_DEST_PHYSICAL, true));
	assert_false(vlapic_match(L, 0xff, VLAPIC_DEST_PHYSICAL, false));
	assert_false(vlapic_sw_enabled(&cpus[1]));
	assert_true(vlapic_match(&cpus[1], 1, VLAPIC_DEST_PHYSICAL, false));
}

/* 11.6.2.2: flat, LDR & MDA != 0. */
static void test_match_logical_flat(void **state)
{
	(void)state;
	wr_on(L, APIC_REG_LDR, 0x04000000);
	assert_true(vlapic_match(L, 0x04, VLAPIC_DEST_LOGICAL, false));
	assert_true(vlapic_match(L, 0x06, VLAPIC_DEST_LOGICAL, false));
	assert_false(vlapic_match(L, 0x01, VLAPIC_DEST_LOGICAL, false));
	assert_false(vlapic_match(L, 0x00, VLAPIC_DEST_LOGICAL, false));
	assert_true(vlapic_match(L, 0xff, VLAPIC_DEST_LOGICAL, false));
	wr_on(L, APIC_REG_LDR, 0);
	assert_true(vlapic_match(L, 0xff, VLAPIC_DEST_LOGICAL, false)); /* broadcast takes all */
	assert_false(vlapic_match(L, 0x7f, VLAPIC_DEST_LOGICAL, false));
}

/* 11.6.2.2: cluster, MDA[7:4] == LDR[31:28] and the member bits intersect. */
static void test_match_logical_cluster(void **state)
{
	(void)state;
	wr_on(L, APIC_REG_DFR, APIC_DFR_MODEL_CLUSTER);
	wr_on(L, APIC_REG_LDR, 0x21000000);
	assert_true(vlapic_match(L, 0x21, VLAPIC_DEST_LOGICAL, false));
	assert_true(vlapic_match(L, 0x23, VLAPIC_DEST_LOGICAL, false));
	assert_false(vlapic_match(L, 0x22, VLAPIC_DEST_LOGICAL, false));
	assert_false(vlapic_match(L, 0x31, VLAPIC_DEST_LOGICAL, false));
	assert_false(vlapic_match(L, 0xf1, VLAPIC_DEST_LOGICAL, false));
	assert_true(vlapic_match(L, 0xff, VLAPIC_DEST_LOGICAL, false));
	/* A DFR model that is neither flat nor cluster takes nothing but broadcasts. */
	wr_on(L, APIC_REG_DFR, 0x50000000);
	assert_false(vlapic_match(L, 0x21, VLAPIC_DEST_LOGICAL, false));
	/* Physical matching ignores the LDR. */
	assert_true(vlapic_match(L, 0, VLAPIC_DEST_PHYSICAL, false));
}

/* 11.12.10.2: x2APIC cluster, dest[31:16] the cluster (ID[19:4]), dest[15:0] the members (1 << ID[3:0]). */
static void test_match_x2apic_cluster(void **state)
{
	(void)state;
	vlapic_reset(L, 0x25, true);
	to_x2apic(L);
	assert_int_equal(vlapic_reg(L, APIC_REG_LDR), 0x20020);
	assert_true(vlapic_match(L, 0x20020, VLAPIC_DEST_LOGICAL, true));
	assert_true(vlapic_match(L, 0x2ffff, VLAPIC_DEST_LOGICAL, true));
	assert_false(vlapic_match(L, 0x30020, VLAPIC_DEST_LOGICAL, true));
	assert_false(vlapic_match(L, 0x20010, VLAPIC_DEST_LOGICAL, true));
	assert_true(vlapic_match(L, 0xffffffff, VLAPIC_DEST_LOGICAL, true));
	vlapic_reset(L, 0x1234f, true);
	to_x2apic(L);
	assert_true(vlapic_match(L, 0x12348000, VLAPIC_DEST_LOGICAL, true));
}

/* Shorthands relative to the sender; a globally disabled APIC is never a target. */
static void test_shorthands(void **state)
{
	struct vlapic_ipi ipi = {.mode = VLAPIC_DM_FIXED, .vector = 0x40};
	(void)state;
	ipi.shorthand = VLAPIC_SH_SELF;
	assert_true(vlapic_ipi_hits(L, L, &ipi));
	assert_false(vlapic_ipi_hits(&cpus[1], L, &ipi));
	ipi.shorthand = VLAPIC_SH_ALL;
	for (int i = 0; i < NCPU; i++)
		assert_true(vlapic_ipi_hits(&cpus[i], L, &ipi));
	ipi.shorthand = VLAPIC_SH_ALL_BUT_SELF;
	assert_false(vlapic_ipi_hits(L, L, &ipi));
	assert_true(vlapic_ipi_hits(&cpus[1], L, &ipi) && vlapic_ipi_hits(&cpus[2], L, &ipi));
	assert_int_equal(vlapic_write_apic_base(&cpus[2], APIC_BASE_DEFAULT, &fx), VLAPIC_OK);
	assert_false(vlapic_ipi_hits(&cpus[2], L, &ipi));
	ipi.shorthand = VLAPIC_SH_NONE;
	ipi.dest = 1;
	assert_true(vlapic_ipi_hits(&cpus[1], L, &ipi));
	assert_false(vlapic_ipi_hits(L, L, &ipi));
}

/* Lowest PPR wins; equal PPRs go to the lowest APIC ID. */
static void test_lowest_priority(void **state)
{
	struct vlapic *c[NCPU] = {&cpus[2], &cpus[1], &cpus[0]};
	(void)state;
	for (int i = 0; i < NCPU; i++)
		wr_on(&cpus[i], APIC_REG_SVR, 0x1ff);
	wr_on(&cpus[0], APIC_REG_TPR, 0x20);
	wr_on(&cpus[1], APIC_REG_TPR, 0x10);
	wr_on(&cpus[2], APIC_REG_TPR, 0x10);
	assert_int_equal(vlapic_lowest_priority(c, NCPU), 1); /* cpus[1]: PPR 0x10, ID 1 < 2 */
	wr_on(&cpus[1], APIC_REG_TPR, 0x11);
	assert_int_equal(vlapic_lowest_priority(c, NCPU), 0); /* cpus[2] */
	/* PPR counts what is in service, not only TPR. */
	assert_true(vlapic_accept(&cpus[2], 0x90, false));
	assert_true(vlapic_ack(&cpus[2], 0x90));
	assert_int_equal(vlapic_lowest_priority(c, NCPU), 1);
	assert_int_equal(vlapic_lowest_priority(c, 0), 0);
}

/*
 * The fast path's ICR write (vlapic_x2apic_icr_fixed) against the general
 * one (vlapic_msr_write) from the same state: where the fast one takes a
 * value it leaves the same page and names the IPI the general one sends;
 * where it refuses it changes nothing. Every bit of ICR low alone, then
 * pseudo-random values with few bits set, in x2APIC mode and in xAPIC mode.
 */
static void icr_fast_against_general(uint64_t icr, unsigned *taken)
{
	static uint8_t before[VLAPIC_PAGE_SIZE], fast_page[VLAPIC_PAGE_SIZE];
	uint8_t vector = 0;
	uint32_t dest = 0;

	memcpy(before, L->page, sizeof(before));
	bool fast = vlapic_x2apic_icr_fixed(L, icr, &vector, &dest);
	memcpy(fast_page, L->page, sizeof(fast_page));
	memcpy(L->page, before, sizeof(before));
	if (!fast) {
		assert_memory_equal(fast_page, before, sizeof(before));
		return;
	}
	(*taken)++;
	assert_int_equal(vlapic_msr_write(L, APIC_X2APIC_MSR(APIC_REG_ICR_LOW), icr, 0, &fx), VLAPIC_OK);
	assert_memory_equal(fast_page, L->page, sizeof(fast_page));
	assert_int_equal(fx.flags, VLAPIC_FX_IPI);
	assert_int_equal(fx.ipi.mode, VLAPIC_DM_FIXED);
	assert_int_equal(fx.ipi.shorthand, VLAPIC_SH_NONE);
	assert_int_equal(fx.ipi.dest_mode, VLAPIC_DEST_PHYSICAL);
	assert_false(fx.ipi.trigger_level);
	assert_true(fx.ipi.x2apic);
	assert_int_equal(fx.ipi.vector, vector);
	assert_int_equal(fx.ipi.dest, dest);
}

static void test_icr_fast_path(void **state)
{
	unsigned taken = 0, x2_taken;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	(void)state;

	wr_on(L, APIC_REG_SVR, 0x1ff);
	for (int mode = 0; mode < 2; mode++) {
		for (unsigned b = 0; b < 32; b++)
			icr_fast_against_general((1ull << b) | 0x30 | (uint64_t)(b % NCPU) << 32, &taken);
		for (unsigned i = 0; i < 4096; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t icr = seed & (seed >> 17) & (seed >> 29); /* about one bit in eight */
			icr_fast_against_general(i % 2 ? icr : (icr & 0xffff00004fffull), &taken);
		}
		if (mode == 0) {
			x2_taken = taken;
			assert_int_equal(x2_taken, 0); /* xAPIC mode: never the fast path */
			to_x2apic(L);
		}
	}
	assert_true(taken > 100); /* the common case is common among these */
	uint8_t vector;
	uint32_t dest;
	assert_true(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0x40f0, &vector, &dest));
	assert_int_equal(vector, 0xf0);
	assert_int_equal(dest, 2);
	assert_false(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0x000f, &vector, &dest)); /* illegal: ESR's, not here */
	assert_false(vlapic_x2apic_icr_fixed(L, 0x840f0, &vector, &dest));             /* all but self */
	assert_false(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0x8f0, &vector, &dest));  /* logical */
	assert_false(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0x4f0, &vector, &dest));  /* NMI */
	assert_false(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0xc0f0, &vector, &dest)); /* level-triggered */
	assert_false(vlapic_x2apic_icr_fixed(L, 2ull << 32 | 0x10f0, &vector, &dest)); /* bit 12 */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_icr_decode_modes),
	        T(test_icr_decode_fields),
	        T(test_icr_init_deassert),
	        T(test_icr_x2apic),
	        T(test_match_physical),
	        T(test_match_logical_flat),
	        T(test_match_logical_cluster),
	        T(test_match_x2apic_cluster),
	        T(test_shorthands),
	        T(test_lowest_priority),
	        T(test_icr_fast_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
