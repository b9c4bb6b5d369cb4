/* eoi_bitmap.h: which vectors' EOIs the hypervisor must see under virtual-interrupt delivery. */
#ifndef APICV_EOI_BITMAP_H
#define APICV_EOI_BITMAP_H

#include <stdint.h>

#include "lapic/vioapic.h"
#include "lapic/vlapic.h"

/*
 * The EOI-exit bitmap of the vCPU with local APIC l (SDM Vol. 3, 30.1.4: an
 * EOI of a vector whose bit is set makes an EOI-induced exit; the others
 * complete in hardware). Set: the vector of every level-triggered I/O APIC
 * entry that addresses l (its remote IRR waits for that EOI, 82093AA 3.2.4),
 * and every vector in l's TMR (accepted level-triggered, perhaps routed
 * otherwise since). Masked entries count: unmasking one needs no recompute.
 */
void apicv_eoi_exit_bitmap(const struct vioapic *io, const struct vlapic *l, uint64_t out[4]);

#endif
