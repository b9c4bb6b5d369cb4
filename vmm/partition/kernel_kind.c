/* kernel_kind.c: which loader a guest image needs, from its contents. */
#include "vmm/partition/kernel_kind.h"

#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/partition/linux_load.h"
#include "vmm/partition/mbload.h"

enum kernel_kind kernel_kind(const void *image, uint64_t size)
{
	if (mb_has_magic(image, size))
		return KERNEL_MULTIBOOT;
	if (linux_bz_signature(image, size))
		return KERNEL_BZIMAGE;
	if (linux_pvh_has_note(image, size, 0))
		return KERNEL_PVH;
	return KERNEL_UNKNOWN;
}

const char *kernel_kind_name(enum kernel_kind k)
{
	static const char *const names[] = {"multiboot", "bzImage", "PVH", "unknown"};

	return k <= KERNEL_UNKNOWN ? names[k] : "unknown";
}

void kernel_unknown_why(const void *image, uint64_t size, char *buf, uint64_t n)
{
	struct linux_result why;

	if (size < 4 || memcmp(image, "\177ELF", 4) != 0) {
		hv_snprintf(buf, n,
		            "not a kernel: no multiboot header in the first 8192 bytes, no bzImage header, not ELF");
		return;
	}
	/* An ELF: what the PVH loader misses in it (the note, or a header it cannot take). */
	linux_pvh_has_note(image, size, &why);
	hv_snprintf(buf, n, "no multiboot header in the first 8192 bytes, and %s", why.error);
}
