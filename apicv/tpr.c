/* tpr.c: the TPR threshold: which guest TPR writes must exit because they unmask a pending interrupt. */
#include "apicv/tpr.h"

#define PRIORITY_CLASS(x) (((uint32_t)(x) >> 4) & 0xfu)

uint32_t apicv_tpr_threshold(int highest_irr, uint32_t vtpr)
{
	if (highest_irr < 0)
		return 0;
	uint32_t pending = PRIORITY_CLASS(highest_irr), tpr = PRIORITY_CLASS(vtpr);
	/* A vector is held back by the TPR when its class is not above the TPR's (SDM Vol. 3, 11.8.3.1). */
	return pending <= tpr ? pending : 0;
}
