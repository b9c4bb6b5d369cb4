/* ksyms.c: the image's own function symbols, for backtraces. */
#include "vmm/lib/ksyms.h"

#include <stdbool.h>

#include "vmm/lib/fmt.h"

/* Emitted into section .ksyms by boot/mkksyms.sh (empty in the first link pass). */
extern const uint64_t ksyms_count;
extern const struct ksym ksyms_entries[];
extern const char ksyms_names[];
extern const char __image_start[], __text_end[], __boot_start[], __boot_end[];

/* The largest 2 MiB of code any symbol is believed to span; beyond it, no name. */
#define KSYM_MAX_SPAN 0x200000

const char *ksyms_lookup_in(const struct ksym_table *t, uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = t->count;

	/* Find the last entry with entry.addr <= addr. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct ksym *s = &t->syms[lo - 1];
	if (addr - s->addr >= KSYM_MAX_SPAN)
		return NULL;
	*offset = addr - s->addr;
	return t->names + s->name_offset;
}

void ksyms_format(uint64_t addr, char *buf, size_t size)
{
	const struct ksym_table t = {ksyms_count, ksyms_entries, ksyms_names};
	uint64_t off;
	const char *name = NULL;

	bool in_text = addr >= (uint64_t)__image_start && addr < (uint64_t)__text_end;
	bool in_boot = addr >= (uint64_t)__boot_start && addr < (uint64_t)__boot_end;

	if (in_text || in_boot)
		name = ksyms_lookup_in(&t, addr, &off);
	if (name)
		hv_snprintf(buf, size, "<%s+0x%llx>", name, (unsigned long long)off);
	else
		hv_snprintf(buf, size, "<?>");
}
