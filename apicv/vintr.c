/* vintr.c: the virtual-interrupt state at VM entry: posted vectors into VIRR, and RVI/SVI from the page. */
#include "apicv/vintr.h"

unsigned apicv_merge_posted(struct vlapic *l, const uint64_t edge[4], const uint64_t level[4])
{
	unsigned n = 0;

	for (unsigned w = 0; w < 4; w++)
		for (uint64_t bits = edge[w] | level[w]; bits; bits &= bits - 1, n++) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			vlapic_accept(l, (uint8_t)(w * 64 + b), level[w] >> b & 1);
		}
	return n;
}

uint16_t apicv_intr_status(struct vlapic *l)
{
	int rvi = vlapic_highest_irr(l), svi = vlapic_highest_isr(l);

	vlapic_ppr(l);
	return (uint16_t)((svi < 0 ? 0 : svi) << GUEST_INTR_STATUS_SVI_SHIFT | (rvi < 0 ? 0 : rvi));
}
