/* vintr.h: the virtual-interrupt state at VM entry: posted vectors into VIRR, and RVI/SVI from the page. */
#ifndef APICV_VINTR_H
#define APICV_VINTR_H

#include <stdint.h>

#include "lapic/vlapic.h"

/* Guest interrupt status (SDM Vol. 3, 25.4.2): RVI in bits 7:0, SVI in bits 15:8. */
#define GUEST_INTR_STATUS_RVI_MASK 0xffu
#define GUEST_INTR_STATUS_SVI_SHIFT 8

/*
 * Vectors taken from the inbox into the model's page: each set bit is
 * accepted as the APIC would (IRR, and TMR from its trigger mode: a bit in
 * level[] is level-triggered). A vector already in IRR stays one request, as
 * on the APIC (SDM Vol. 3, 11.8.4). Returns how many vectors were merged.
 */
unsigned apicv_merge_posted(struct vlapic *l, const uint64_t edge[4], const uint64_t level[4]);

/*
 * GUEST_INTR_STATUS for the next entry (SDM Vol. 3, 30.1.1): RVI is the
 * highest vector in VIRR, SVI the highest in VISR, 0 for none. Also brings
 * VPPR on the page up to date, which the CPU reads there (30.1.3).
 */
uint16_t apicv_intr_status(struct vlapic *l);

#endif
