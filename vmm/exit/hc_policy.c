/* hc_policy.c: which hypercalls a guest may make from which privilege level (docs/hypercalls.md). */
#include "vmm/exit/hypercall.h"

bool hc_permitted(uint32_t nr, unsigned cpl, bool user_stats)
{
	if (cpl == 0)
		return true;
	return user_stats && (nr == HC_VERSION || nr == HC_EXIT_STATS || nr == HC_ROOT_CYCLES || nr == HC_ROOT_PHASES);
}
