/* tpr.c: the TPR threshold: which guest TPR writes must exit because they unmask a pending interrupt. */
#include "apicv/tpr.h"

#include "lapic/vlapic.h"

uint32_t apicv_tpr_threshold(int highest_irr, uint32_t vtpr)
{
	if (highest_irr < 0)
		return 0;
	uint32_t pending = vlapic_prio_class((uint32_t)highest_irr), tpr = vlapic_prio_class(vtpr);
	/* A vector is held back by the TPR when its class is not above the TPR's (SDM Vol. 3, 11.8.3.1). */
	return pending <= tpr ? pending : 0;
}
