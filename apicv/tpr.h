/* tpr.h: the TPR threshold: which guest TPR writes must exit because they unmask a pending interrupt. */
#ifndef APICV_TPR_H
#define APICV_TPR_H

#include <stdint.h>

/*
 * TPR_THRESHOLD for the next VM entry in mode tpr (SDM Vol. 3, 30.1.2).
 * A guest write of VTPR exits (TPR below threshold, trap-like) when the new
 * VTPR[7:4] is below the threshold: set it to the priority class of the
 * highest pending vector (highest_irr, -1 for none) when VTPR holds that
 * vector back, so the write that lets it through exits and the hypervisor
 * injects it. Else 0: no TPR write needs to exit. The result never exceeds
 * VTPR[7:4], as VM entry requires (SDM Vol. 3, 27.2.1.1).
 */
uint32_t apicv_tpr_threshold(int highest_irr, uint32_t vtpr);

#endif
