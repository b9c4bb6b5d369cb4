/* vlapic_fixture.h: the one local APIC the vLAPIC unit tests drive, on its own 4 KiB page. */
#ifndef TEST_UNIT_VLAPIC_FIXTURE_H
#define TEST_UNIT_VLAPIC_FIXTURE_H

#include "test/unit/unit.h"

#include "lapic/vlapic.h"

static struct vlapic L;
static struct vlapic_effect fx;

/* A reset APIC (BSP, given ID) with x2APIC and TSC-deadline support and the given timer input rate. */
static inline void fixture_open(uint64_t tsc_per_bus_tick, uint32_t id)
{
	const struct vlapic_config cfg = {.tsc_per_bus_tick = tsc_per_bus_tick, .x2apic = true, .tsc_deadline = true};

	vlapic_setup(&L, aligned_alloc(VLAPIC_PAGE_SIZE, VLAPIC_PAGE_SIZE), &cfg);
	assert_non_null(L.page);
	vlapic_reset(&L, id, true);
}

static inline int fixture_teardown(void **state)
{
	(void)state;
	free(L.page);
	return 0;
}

static inline bool x2(void) { return vlapic_mode(&L) == VLAPIC_MODE_X2APIC; }

/* Read a register through the path the current mode uses; it must succeed. */
static inline uint64_t rd(unsigned reg)
{
	uint64_t v = 0xdead;

	assert_int_equal(vlapic_read(&L, (enum apic_reg)reg, x2(), 0, &v, &fx), VLAPIC_OK);
	return v;
}

#endif
