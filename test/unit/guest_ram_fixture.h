/* guest_ram_fixture.h: guest RAM for loader tests, between two inaccessible pages, filled with FILL. */
#ifndef TEST_UNIT_GUEST_RAM_FIXTURE_H
#define TEST_UNIT_GUEST_RAM_FIXTURE_H

#include "test/unit/unit.h"

#include "vmm/partition/mbload.h"

#define MiB (1ull << 20)
#define FILL 0xcc /* guest RAM before loading: what nothing touched still holds */

static struct {
	uint8_t *map;
	size_t maplen;
	struct guest_ram g;
} ram;

static inline void ram_new(uint64_t size)
{
	ram.maplen = size + 2 * 4096;
	ram.map = mmap(NULL, ram.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ram.map != MAP_FAILED);
	assert_int_equal(mprotect(ram.map, 4096, PROT_NONE), 0);
	assert_int_equal(mprotect(ram.map + 4096 + size, 4096, PROT_NONE), 0);
	ram.g = (struct guest_ram){ram.map + 4096, size};
	memset(ram.g.ram, FILL, size);
}

static inline int ram_free(void **state)
{
	(void)state;
	if (ram.map)
		munmap(ram.map, ram.maplen);
	ram.map = NULL;
	return 0;
}

/* Nothing in [from, to) written since ram_new. */
static inline bool ram_untouched_range(uint64_t from, uint64_t to)
{
	for (uint64_t a = from; a < to; a++)
		if (ram.g.ram[a] != FILL) {
			print_error("guest RAM at %#llx was written\n", (unsigned long long)a);
			return false;
		}
	return true;
}

#endif
