/* ksyms.h: the image's own function symbols, for backtraces. */
#ifndef VMM_LIB_KSYMS_H
#define VMM_LIB_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* One entry of the table boot/mkksyms.sh generates, sorted by address. */
struct ksym {
	uint64_t addr;
	uint64_t name_offset; /* into the names blob */
};
_Static_assert(sizeof(struct ksym) == 16, "matches boot/mkksyms.sh");

/* The generated table, or a test's: count entries, then NUL-separated names. */
struct ksym_table {
	uint64_t count;
	const struct ksym *syms;
	const char *names;
};

/* Name of the function containing addr and the offset into it; NULL if none. */
const char *ksyms_lookup_in(const struct ksym_table *t, uint64_t addr, uint64_t *offset);
/* "<name+0xoff>" for addr in this image, "<?>" otherwise. */
void ksyms_format(uint64_t addr, char *buf, size_t size);

#endif
