/* sources: vmm/partition/linux_pvh.c vmm/partition/linux_bz.c vmm/partition/linux_common.c vmm/partition/kernel_kind.c vmm/partition/mbload.c vmm/lib/fmt.c vmm/lib/string.c */
/* fuzz_linux_load.c: libFuzzer harness: arbitrary bytes as a guest image, through kernel_kind and every loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/partition/kernel_kind.h"
#include "vmm/partition/linux_load.h"
#include "vmm/partition/mbload.h"

#define RAM_SIZE (64u << 20) /* the loaders check every address against this */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static const uint8_t initrd[4096];
	struct linux_result lr;
	struct mb_result mr;
	char why[160];

	if (!ram && !(ram = malloc(RAM_SIZE)))
		abort();
	const struct guest_ram g = {ram, RAM_SIZE};
	const struct linux_args a = {data, size, "console=ttyS0", initrd, sizeof(initrd)};
	/* Every loader sees every input, whatever its kind: each must refuse or load within bounds. */
	kernel_kind(data, size);
	kernel_unknown_why(data, size, why, sizeof(why));
	if (linux_bz_load(&g, &a, &lr) && lr.entry.rip >= RAM_SIZE)
		abort();
	if (linux_pvh_load(&g, &a, &lr) && (lr.entry.rip >= RAM_SIZE || lr.kernel_hi > RAM_SIZE))
		abort();
	mb_load(&g, data, size, "", 0, 0, &mr);
	return 0;
}
