/* eoi_bitmap.c: which vectors' EOIs the hypervisor must see under virtual-interrupt delivery. */
#include "apicv/eoi_bitmap.h"

#define APIC_VECTORS_PER_REG 32

void apicv_eoi_exit_bitmap(const struct vioapic *io, const struct vlapic *l, uint64_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];
		if (!vioapic_rte_level(rte))
			continue;
		enum vlapic_dest_mode mode = rte & IOAPIC_RTE_DEST_LOGICAL ? VLAPIC_DEST_LOGICAL : VLAPIC_DEST_PHYSICAL;
		if (!vlapic_match(l, (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT), mode, false))
			continue;
		uint8_t vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR_MASK);
		out[vector / 64] |= 1ull << (vector % 64);
	}
	for (unsigned r = 0; r < 8; r++) {
		uint64_t tmr = vlapic_reg(l, APIC_REG_TMR0 + r);
		out[r / 2] |= tmr << (APIC_VECTORS_PER_REG * (r % 2));
	}
}
