/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c */
/* test_vlapic.c: the virtual local APIC's reset state, APIC base transitions and xAPIC/x2APIC access rules. */
#include "test/unit/vlapic_fixture.h"

#define BASE_XAPIC (APIC_BASE_DEFAULT | APIC_BASE_ENABLE)
#define BASE_X2APIC (BASE_XAPIC | APIC_BASE_EXTD)
#define BASE_OFF APIC_BASE_DEFAULT
#define BASE_INVALID (APIC_BASE_DEFAULT | APIC_BASE_EXTD)

static int setup(void **state)
{
	(void)state;
	fixture_open(1, 0x25);
	return 0;
}

static enum vlapic_result wr(unsigned reg, uint64_t v) { return vlapic_write(&L, (enum apic_reg)reg, v, x2(), 0, &fx); }

static enum vlapic_result set_base(uint64_t v) { return vlapic_write_apic_base(&L, v, &fx); }

/* Errors latched since the last ESR write, through the register as software reads them. */
static uint32_t esr(void)
{
	assert_int_equal(wr(APIC_REG_ESR, 0), VLAPIC_OK);
	return (uint32_t)rd(APIC_REG_ESR);
}

static void to_x2apic(void) { assert_int_equal(set_base(BASE_X2APIC), VLAPIC_OK); }

static void test_reset_state(void **state)
{
	static const unsigned lvts[] = {APIC_REG_LVT_CMCI,  APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PMC,
	                                APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR};
	(void)state;
	assert_int_equal(L.apic_base_msr, 0xfee00900);
	assert_int_equal(vlapic_mode(&L), VLAPIC_MODE_XAPIC);
	assert_true(vlapic_hw_enabled(&L));
	assert_false(vlapic_sw_enabled(&L));
	assert_int_equal(rd(APIC_REG_ID), 0x25000000);
	assert_int_equal(rd(APIC_REG_VERSION), 0x01060014); /* EOI suppression, max LVT 6, version 0x14 */
	assert_int_equal(rd(APIC_REG_SVR), 0xff);
	assert_int_equal(rd(APIC_REG_DFR), 0xffffffff);
	assert_int_equal(rd(APIC_REG_LDR), 0);
	assert_int_equal(rd(APIC_REG_TPR), 0);
	assert_int_equal(rd(APIC_REG_PPR), 0);
	for (unsigned i = 0; i < ARRAY_LEN(lvts); i++)
		assert_int_equal(rd(lvts[i]), APIC_LVT_MASKED);
	for (unsigned r = APIC_REG_ISR0; r < APIC_REG_IRR0 + 8; r++)
		assert_int_equal(rd(r), 0);
	assert_int_equal(rd(APIC_REG_TIMER_INITIAL), 0);
	assert_int_equal(rd(APIC_REG_TIMER_CURRENT), 0);
	assert_int_equal(rd(APIC_REG_TIMER_DIVIDE), 0);
	assert_int_equal(esr(), 0);
	assert_int_equal(vlapic_timer_next(&L), VLAPIC_NEVER);
	vlapic_reset(&L, 3, false);
	assert_int_equal(L.apic_base_msr, 0xfee00800);
}

static void test_init_keeps_id_and_mode(void **state)
{
	(void)state;
	to_x2apic();
	assert_int_equal(wr(APIC_REG_TPR, 0x40), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_SVR, 0x1ff), VLAPIC_OK);
	vlapic_init_reset(&L);
	assert_int_equal(vlapic_mode(&L), VLAPIC_MODE_X2APIC);
	assert_int_equal(rd(APIC_REG_ID), 0x25);
	assert_int_equal(rd(APIC_REG_LDR), 0x20020);
	assert_int_equal(rd(APIC_REG_TPR), 0);
	assert_int_equal(rd(APIC_REG_SVR), 0xff);
	assert_int_equal(rd(APIC_REG_LVT_TIMER), APIC_LVT_MASKED);

	assert_int_equal(set_base(BASE_OFF), VLAPIC_OK);
	vlapic_init_reset(&L);
	assert_int_equal(vlapic_mode(&L), VLAPIC_MODE_DISABLED); /* INIT in disabled stays disabled */
	assert_int_equal(L.apic_base_msr & APIC_BASE_BSP, APIC_BASE_BSP);
}

/* Every transition of Figure 11-27 between the four EN/EXTD states. */
static void test_apic_base_transitions(void **state)
{
	static const uint64_t states[] = {BASE_OFF, BASE_XAPIC, BASE_X2APIC, BASE_INVALID};
	/* [from][to]: OK or the #GP reason; "from" never is the invalid state. */
	static const enum vlapic_gp expect[3][4] = {
	        {VLAPIC_GP_NONE, VLAPIC_GP_NONE, VLAPIC_GP_BASE_OFF_TO_X2, VLAPIC_GP_BASE_INVALID},
	        {VLAPIC_GP_NONE, VLAPIC_GP_NONE, VLAPIC_GP_NONE, VLAPIC_GP_BASE_INVALID},
	        {VLAPIC_GP_NONE, VLAPIC_GP_BASE_X2_TO_XAPIC, VLAPIC_GP_NONE, VLAPIC_GP_BASE_INVALID},
	};
	static const uint64_t reach[3][1] = {{BASE_OFF}, {BASE_XAPIC}, {BASE_X2APIC}};
	(void)state;
	for (int from = 0; from < 3; from++) {
		for (int to = 0; to < 4; to++) {
			vlapic_reset(&L, 0x25, true);
			if (from == 0)
				assert_int_equal(set_base(BASE_OFF), VLAPIC_OK);
			if (from == 2)
				to_x2apic();
			assert_int_equal(L.apic_base_msr & ~APIC_BASE_BSP, reach[from][0]);
			enum vlapic_result r = set_base(states[to]);
			if (expect[from][to] == VLAPIC_GP_NONE) {
				assert_int_equal(r, VLAPIC_OK);
				assert_int_equal(L.apic_base_msr, states[to] | APIC_BASE_BSP);
			} else {
				assert_int_equal(r, VLAPIC_GP);
				assert_int_equal(fx.gp, expect[from][to]);
				assert_int_equal(L.apic_base_msr, reach[from][0] | APIC_BASE_BSP); /* unchanged */
			}
		}
	}
	/* x2APIC to xAPIC the legal way: through disabled. */
	vlapic_reset(&L, 0x25, true);
	to_x2apic();
	assert_int_equal(set_base(BASE_OFF), VLAPIC_OK);
	assert_int_equal(set_base(BASE_XAPIC), VLAPIC_OK);
	assert_int_equal(vlapic_mode(&L), VLAPIC_MODE_XAPIC);
	assert_int_equal(rd(APIC_REG_ID), 0x25000000);
}

static void test_apic_base_reserved_bits(void **state)
{
	(void)state;
	for (int b = 0; b < 64; b++) {
		uint64_t bit = 1ull << b;
		bool reserved = b < 8 || b == 9 || b >= 36;
		if (bit & (APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_ENABLE))
			continue;
		enum vlapic_result r = set_base(BASE_XAPIC ^ bit);
		assert_int_equal(r, reserved ? VLAPIC_GP : VLAPIC_OK);
		if (reserved)
			assert_int_equal(fx.gp, VLAPIC_GP_BASE_RESERVED);
		assert_int_equal(set_base(BASE_XAPIC), VLAPIC_OK);
	}
	/* Wider MAXPHYADDR makes the address wider. */
	L.cfg.maxphyaddr = 46;
	assert_int_equal(set_base(BASE_XAPIC | 1ull << 45), VLAPIC_OK);
	assert_int_equal(set_base(BASE_XAPIC | 1ull << 46), VLAPIC_GP);
	/* Without x2APIC in CPUID, EXTD is reserved. */
	L.cfg.x2apic = false;
	assert_int_equal(set_base(BASE_X2APIC), VLAPIC_GP);
	assert_int_equal(fx.gp, VLAPIC_GP_BASE_RESERVED);
}

static void test_apic_base_bsp_and_address(void **state)
{
	(void)state;
	assert_int_equal(set_base(BASE_XAPIC), VLAPIC_OK); /* BSP bit written 0: stays */
	assert_int_equal(L.apic_base_msr, BASE_XAPIC | APIC_BASE_BSP);
	assert_int_equal(fx.flags, 0);
	assert_int_equal(set_base(0xfed00000 | APIC_BASE_ENABLE), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_BASE);
	assert_int_equal(vlapic_mmio_base(&L), 0xfed00000);
	vlapic_reset(&L, 1, false);
	assert_int_equal(set_base(BASE_XAPIC | APIC_BASE_BSP), VLAPIC_OK); /* and written 1: stays 0 */
	assert_int_equal(L.apic_base_msr, BASE_XAPIC);
}

/* Disabling loses every register but the ID (11.4.3, 11.12.5.1). */
static void test_disable_resets_registers(void **state)
{
	(void)state;
	assert_int_equal(wr(APIC_REG_SVR, 0x1ff), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_TPR, 0x20), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_LDR, 0x01000000), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_LVT_LINT0, 0x700), VLAPIC_OK);
	assert_true(vlapic_accept(&L, 0x80, false));
	assert_int_equal(set_base(BASE_OFF), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_DEST);
	assert_false(vlapic_accept(&L, 0x81, false)); /* a disabled APIC takes nothing */
	assert_int_equal(vlapic_highest_pending(&L), -1);
	assert_int_equal(set_base(BASE_XAPIC), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_SVR), 0xff);
	assert_int_equal(rd(APIC_REG_TPR), 0);
	assert_int_equal(rd(APIC_REG_LDR), 0);
	assert_int_equal(rd(APIC_REG_LVT_LINT0), APIC_LVT_MASKED);
	assert_int_equal(rd(APIC_REG_IRR0 + 4), 0);
	assert_int_equal(rd(APIC_REG_ID), 0x25000000);
}

/* xAPIC to x2APIC keeps state but for ID, LDR (derived) and ICR high (11.12.5.1). */
static void test_x2apic_switch_keeps_state(void **state)
{
	(void)state;
	vlapic_reset(&L, 0x123, false);
	assert_int_equal(wr(APIC_REG_SVR, 0x1ff), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_TPR, 0x30), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_LDR, 0x80000000), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_ICR_HIGH, 0x05000000), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_LVT_TIMER, 0x20040), VLAPIC_OK);
	to_x2apic();
	assert_true(fx.flags & VLAPIC_FX_DEST);
	assert_int_equal(rd(APIC_REG_ID), 0x123);
	assert_int_equal(rd(APIC_REG_LDR), 0x120008); /* cluster 0x12, bit 1 << 3 */
	assert_int_equal(rd(APIC_REG_ICR_LOW) >> 32, 0);
	assert_int_equal(rd(APIC_REG_TPR), 0x30);
	assert_int_equal(rd(APIC_REG_SVR), 0x1ff);
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x20040);
}

/* Disabled or x2APIC: the MMIO page is not an APIC; the MSRs #GP outside x2APIC mode. */
static void test_interface_by_mode(void **state)
{
	uint32_t v32;
	uint64_t v64;
	(void)state;
	assert_int_equal(vlapic_mmio_read(&L, 0x30, 4, 0, &v32, &fx), VLAPIC_OK);
	assert_int_equal(v32, 0x01060014);
	assert_int_equal(vlapic_msr_read(&L, 0x803, 0, &v64, &fx), VLAPIC_GP);
	assert_int_equal(fx.gp, VLAPIC_GP_NOT_X2APIC);
	assert_int_equal(vlapic_msr_write(&L, 0x808, 0, 0, &fx), VLAPIC_GP);
	to_x2apic();
	assert_int_equal(vlapic_mmio_read(&L, 0x30, 4, 0, &v32, &fx), VLAPIC_NOT_APIC);
	assert_int_equal(vlapic_mmio_write(&L, 0x80, 4, 0x10, 0, &fx), VLAPIC_NOT_APIC);
	assert_int_equal(vlapic_msr_read(&L, 0x803, 0, &v64, &fx), VLAPIC_OK);
	assert_int_equal(v64, 0x01060014);
	assert_int_equal(set_base(BASE_OFF), VLAPIC_OK);
	assert_int_equal(vlapic_mmio_read(&L, 0x30, 4, 0, &v32, &fx), VLAPIC_NOT_APIC);
	assert_int_equal(vlapic_msr_read(&L, 0x803, 0, &v64, &fx), VLAPIC_GP);
	assert_true(vlapic_is_x2apic_msr(0x800) && vlapic_is_x2apic_msr(0x8ff));
	assert_false(vlapic_is_x2apic_msr(0x7ff) || vlapic_is_x2apic_msr(0x900));
}

static void test_mmio_access_forms(void **state)
{
	static const struct {
		uint64_t offset;
		unsigned size;
	} bad[] = {{0x80, 8}, {0x84, 4}, {0x84, 1}, {0x81, 4}, {0x82, 4}, {0x83, 2}, {0x8c, 4}, {0x80, 3}, {0x1000, 4}};
	uint32_t v;
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(bad); i++) {
		assert_int_equal(vlapic_mmio_read(&L, bad[i].offset, bad[i].size, 0, &v, &fx), VLAPIC_BAD_ACCESS);
		assert_int_equal(vlapic_mmio_write(&L, bad[i].offset, bad[i].size, 0x10, 0, &fx), VLAPIC_BAD_ACCESS);
	}
	assert_int_equal(rd(APIC_REG_TPR), 0);
	assert_int_equal(vlapic_mmio_write(&L, 0x80, 4, 0x10, 0, &fx), VLAPIC_OK);
	assert_int_equal(vlapic_mmio_read(&L, 0x80, 4, 0, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0x10);
}

/* Within a register's low 4 bytes, 1- and 2-byte accesses take their part of it, as APIC virtualization does. */
static void test_mmio_narrow_accesses(void **state)
{
	uint32_t v;
	(void)state;
	assert_int_equal(vlapic_mmio_read(&L, 0x30, 1, 0, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, VLAPIC_VERSION);
	assert_int_equal(vlapic_mmio_read(&L, 0x32, 2, 0, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, rd(APIC_REG_VERSION) >> 16);
	assert_int_equal(vlapic_mmio_read(&L, 0x33, 1, 0, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, rd(APIC_REG_VERSION) >> 24);
	/* A byte of the TPR: the rest of the register is kept, then the write's rules apply (bits 7:0 only). */
	assert_int_equal(vlapic_mmio_write(&L, 0x80, 1, 0x20, 0, &fx), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_TPR), 0x20);
	assert_int_equal(vlapic_mmio_write(&L, 0x81, 1, 0x40, 0, &fx), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_TPR), 0x20);
	/* The vector byte of ICR low, merged with the rest as the page holds it: that whole ICR is sent. */
	assert_int_equal(wr(APIC_REG_ICR_LOW, APIC_ICR_DEST_SELF | 0x54), VLAPIC_OK);
	assert_int_equal(vlapic_mmio_write(&L, 0x300, 1, 0x55, 0, &fx), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(fx.ipi.vector, 0x55);
	assert_int_equal(fx.ipi.shorthand, VLAPIC_SH_SELF);
}

/* Table 11-1: reserved offsets read 0 and set ESR bit 7; APR and RRD read 0 without an error. */
static void test_xapic_reserved_registers(void **state)
{
	static const unsigned reserved[] = {0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0x29, 0x2a, 0x2b,
	                                    0x2c, 0x2d, 0x2e, 0x3a, 0x3b, 0x3c, 0x3d, 0x3f};
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(reserved); i++) {
		assert_int_equal(rd(reserved[i]), 0);
		assert_int_equal(esr(), APIC_ESR_ILLEGAL_REGISTER);
		assert_int_equal(wr(reserved[i], 0xffffffff), VLAPIC_OK);
		assert_int_equal(esr(), APIC_ESR_ILLEGAL_REGISTER);
	}
	assert_int_equal(rd(APIC_REG_APR), 0);
	assert_int_equal(rd(APIC_REG_RRD), 0);
	assert_int_equal(wr(APIC_REG_APR, 0xff), VLAPIC_OK);
	assert_int_equal(esr(), 0);
	/* Past 0x3ff the page holds no registers: reads 0, no error. */
	uint32_t v = 1;
	assert_int_equal(vlapic_mmio_read(&L, 0x800, 4, 0, &v, &fx), VLAPIC_OK);
	assert_int_equal(v, 0);
	assert_int_equal(esr(), 0);
}

/* xAPIC: writes to read-only registers are ignored, EOI reads 0; LDR 31:24, DFR 31:28 writable. */
static void test_xapic_register_rules(void **state)
{
	static const unsigned read_only[] = {APIC_REG_ID,       APIC_REG_VERSION,  APIC_REG_PPR,          APIC_REG_ISR0,
	                                     APIC_REG_TMR0 + 7, APIC_REG_IRR0 + 3, APIC_REG_TIMER_CURRENT};
	(void)state;
	for (unsigned i = 0; i < ARRAY_LEN(read_only); i++) {
		uint64_t before = rd(read_only[i]);
		assert_int_equal(wr(read_only[i], 0x5a5a5a5a), VLAPIC_OK);
		assert_int_equal(rd(read_only[i]), before);
	}
	assert_int_equal(esr(), 0);
	assert_int_equal(rd(APIC_REG_EOI), 0);
	assert_int_equal(wr(APIC_REG_LDR, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_LDR), 0xff000000);
	assert_int_equal(wr(APIC_REG_DFR, 0), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_DEST);
	assert_int_equal(rd(APIC_REG_DFR), 0x0fffffff);
	assert_int_equal(wr(APIC_REG_TPR, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_TPR), 0xff);
	assert_int_equal(wr(APIC_REG_SVR, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_SVR), 0x13ff);
	assert_int_equal(wr(APIC_REG_LVT_LINT0, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_LVT_LINT0), 0x1a7ff); /* no delivery status, no remote IRR */
	assert_int_equal(wr(APIC_REG_LVT_ERROR, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_LVT_ERROR), 0x100ff);
	assert_int_equal(wr(APIC_REG_TIMER_DIVIDE, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_TIMER_DIVIDE), 0xb);
	assert_int_equal(wr(APIC_REG_ICR_HIGH, 0xffffffff), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_ICR_HIGH), 0xff000000);
}

/* Table 11-6: 0x800-0x8ff without a register #GP, both ways. */
static void test_x2apic_reserved_registers(void **state)
{
	uint64_t v;
	(void)state;
	to_x2apic();
	for (unsigned msr = 0x800; msr <= 0x8ff; msr++) {
		unsigned reg = msr - 0x800;
		bool exists = reg == 0x02 || reg == 0x03 || reg == 0x08 || reg == 0x0a || reg == 0x0b || reg == 0x0d ||
		              reg == 0x0f || (reg >= 0x10 && reg <= 0x28) || reg == 0x2f || reg == 0x30 ||
		              (reg >= 0x32 && reg <= 0x39) || reg == 0x3e || reg == 0x3f;
		enum vlapic_result r = vlapic_msr_read(&L, msr, 0, &v, &fx);
		if (!exists) {
			assert_int_equal(r, VLAPIC_GP);
			assert_int_equal(fx.gp, VLAPIC_GP_RESERVED_REG);
			assert_int_equal(vlapic_msr_write(&L, msr, 0, 0, &fx), VLAPIC_GP);
			assert_int_equal(fx.gp, VLAPIC_GP_RESERVED_REG);
		} else if (reg != 0x0b && reg != 0x3f) {
			assert_int_equal(r, VLAPIC_OK);
		}
	}
}

static void test_x2apic_read_only_write_only(void **state)
{
	static const unsigned read_only[] = {APIC_REG_ID,       APIC_REG_VERSION,      APIC_REG_PPR,
	                                     APIC_REG_LDR,      APIC_REG_ISR0 + 2,     APIC_REG_TMR0,
	                                     APIC_REG_IRR0 + 7, APIC_REG_TIMER_CURRENT};
	uint64_t v;
	(void)state;
	to_x2apic();
	for (unsigned i = 0; i < ARRAY_LEN(read_only); i++) {
		assert_int_equal(wr(read_only[i], 0), VLAPIC_GP);
		assert_int_equal(fx.gp, VLAPIC_GP_READ_ONLY);
	}
	assert_int_equal(vlapic_read(&L, APIC_REG_EOI, true, 0, &v, &fx), VLAPIC_GP);
	assert_int_equal(fx.gp, VLAPIC_GP_WRITE_ONLY);
	assert_int_equal(vlapic_read(&L, APIC_REG_SELF_IPI, true, 0, &v, &fx), VLAPIC_GP);
	assert_int_equal(fx.gp, VLAPIC_GP_WRITE_ONLY);
	assert_int_equal(wr(APIC_REG_EOI, 0), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_EOI, 1), VLAPIC_GP); /* non-zero EOI */
	assert_int_equal(fx.gp, VLAPIC_GP_RESERVED_BITS);
	assert_int_equal(wr(APIC_REG_ESR, 0), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_ESR, 0x80), VLAPIC_GP); /* non-zero ESR */
	/* SELF IPI does not exist in xAPIC mode (reserved offset 0x3f0). */
	assert_int_equal(vlapic_read(&L, APIC_REG_SELF_IPI, false, 0, &v, &fx), VLAPIC_NOT_APIC);
}

/* 11.12.1.3: a reserved bit set in WRMSR #GPs; read-only bits are ignored. */
static void test_x2apic_reserved_bits(void **state)
{
	static const struct {
		unsigned reg;
		uint64_t value;
		bool gp;
	} cases[] = {
	        {APIC_REG_TPR, 0xff, false},
	        {APIC_REG_TPR, 0x100, true},
	        {APIC_REG_TPR, 1ull << 32, true},
	        {APIC_REG_SVR, 0x13ff, false},
	        {APIC_REG_SVR, 0x400, true},
	        {APIC_REG_SVR, 0x2000, true},
	        {APIC_REG_LVT_TIMER, 0x700ff, false},
	        {APIC_REG_LVT_TIMER, 0x1000, false}, /* delivery status: read-only */
	        {APIC_REG_LVT_TIMER, 0x100, true},   /* no delivery mode in the timer LVT */
	        {APIC_REG_LVT_TIMER, 0x80000, true},
	        {APIC_REG_LVT_LINT0, 0x1f7ff, false}, /* remote IRR and delivery status: read-only */
	        {APIC_REG_LVT_LINT0, 0x20000, true},
	        {APIC_REG_LVT_ERROR, 0x700, true},
	        {APIC_REG_LVT_CMCI, 0x107ff, false},
	        {APIC_REG_LVT_CMCI, 0x2000, true},
	        {APIC_REG_TIMER_DIVIDE, 0xb, false},
	        {APIC_REG_TIMER_DIVIDE, 0x4, true},
	        {APIC_REG_TIMER_INITIAL, 0xffffffff, false},
	        {APIC_REG_TIMER_INITIAL, 1ull << 32, true},
	        {APIC_REG_SELF_IPI, 0x100, true},
	        {APIC_REG_ICR_LOW, 1u << 13, true},
	        {APIC_REG_ICR_LOW, 1u << 16, true},
	        {APIC_REG_ICR_LOW, 1u << 17, true},
	        {APIC_REG_ICR_LOW, 1u << 20, true},
	        {APIC_REG_ICR_LOW, 1u << 31, true},
	        {APIC_REG_ICR_LOW, APIC_ICR_DELIVERY_PENDING | 0x4f0, false}, /* bit 12: Intel ignores it */
	};
	(void)state;
	to_x2apic();
	assert_int_equal(wr(APIC_REG_SVR, 0x1ff), VLAPIC_OK);
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++) {
		enum vlapic_result r = wr(cases[i].reg, cases[i].value);
		assert_int_equal(r, cases[i].gp ? VLAPIC_GP : VLAPIC_OK);
		if (cases[i].gp)
			assert_int_equal(fx.gp, VLAPIC_GP_RESERVED_BITS);
	}
	assert_int_equal(rd(APIC_REG_LVT_LINT0), 0x1a7ff);
	assert_int_equal(rd(APIC_REG_ICR_LOW), 0x4f0);
}

static void test_x2apic_icr_is_64_bits(void **state)
{
	(void)state;
	to_x2apic();
	assert_int_equal(wr(APIC_REG_ICR_LOW, 0x12345678ull << 32 | 0x4041), VLAPIC_OK);
	assert_true(fx.flags & VLAPIC_FX_IPI);
	assert_int_equal(fx.ipi.dest, 0x12345678);
	assert_true(fx.ipi.x2apic);
	assert_int_equal(rd(APIC_REG_ICR_LOW), 0x12345678ull << 32 | 0x4041);
	assert_int_equal(vlapic_reg(&L, APIC_REG_ICR_LOW), 0x4041); /* the virtual-APIC page's 0x300 and 0x310 */
	assert_int_equal(vlapic_reg(&L, APIC_REG_ICR_HIGH), 0x12345678);
	assert_int_equal(wr(APIC_REG_ICR_HIGH, 0), VLAPIC_GP); /* 0x831 does not exist */
	assert_int_equal(fx.gp, VLAPIC_GP_RESERVED_REG);
}

/* Without the TSC-deadline timer in CPUID, LVT timer bit 18 is reserved. */
static void test_no_tsc_deadline(void **state)
{
	uint64_t v;
	(void)state;
	L.cfg.tsc_deadline = false;
	assert_int_equal(wr(APIC_REG_SVR, 0x1ff), VLAPIC_OK);
	assert_int_equal(wr(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | 0x40), VLAPIC_OK);
	assert_int_equal(rd(APIC_REG_LVT_TIMER), 0x40); /* xAPIC: dropped */
	assert_int_equal(vlapic_read_tsc_deadline(&L, &v, &fx), VLAPIC_GP);
	assert_int_equal(fx.gp, VLAPIC_GP_NO_TSC_DEADLINE);
	assert_int_equal(vlapic_write_tsc_deadline(&L, 5, 0, &fx), VLAPIC_GP);
	to_x2apic();
	assert_int_equal(wr(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | 0x40), VLAPIC_GP); /* x2APIC: #GP */
}

static void test_gp_names(void **state)
{
	(void)state;
	for (int g = 0; g < VLAPIC_GP_COUNT; g++) {
		assert_non_null(vlapic_gp_name((enum vlapic_gp)g));
		for (int h = 0; h < g; h++)
			assert_string_not_equal(vlapic_gp_name((enum vlapic_gp)g), vlapic_gp_name((enum vlapic_gp)h));
	}
	assert_string_equal(vlapic_gp_name(VLAPIC_GP_COUNT), "?");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_reset_state),
	        T(test_init_keeps_id_and_mode),
	        T(test_apic_base_transitions),
	        T(test_apic_base_reserved_bits),
	        T(test_apic_base_bsp_and_address),
	        T(test_disable_resets_registers),
	        T(test_x2apic_switch_keeps_state),
	        T(test_interface_by_mode),
	        T(test_mmio_access_forms),
	        T(test_mmio_narrow_accesses),
	        T(test_xapic_reserved_registers),
	        T(test_xapic_register_rules),
	        T(test_x2apic_reserved_registers),
	        T(test_x2apic_read_only_write_only),
	        T(test_x2apic_reserved_bits),
	        T(test_x2apic_icr_is_64_bits),
	        T(test_no_tsc_deadline),
	        T(test_gp_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
