/* vlapic_irq.c: the virtual local APIC's interrupt side: priorities, acceptance, EOI, errors and destinations. */
#include "lapic/vlapic.h"

#define VEC_WORDS 8           /* ISR, TMR and IRR: 256 bits as 8 registers */
#define VEC_ILLEGAL_BELOW 16  /* vectors 0-15 are illegal (SDM Vol. 3, 11.5.2) */
#define XAPIC_BROADCAST 0xffu /* physical and logical (SDM Vol. 3, 11.6.2) */
#define X2APIC_BROADCAST 0xffffffffu

static bool vec_test(const struct vlapic *l, unsigned base, unsigned v)
{
	return (vlapic_reg(l, base + (v >> 5)) >> (v & 31)) & 1;
}

static void vec_set(struct vlapic *l, unsigned base, unsigned v)
{
	vlapic_set_reg(l, base + (v >> 5), vlapic_reg(l, base + (v >> 5)) | 1u << (v & 31));
}

static void vec_clear(struct vlapic *l, unsigned base, unsigned v)
{
	vlapic_set_reg(l, base + (v >> 5), vlapic_reg(l, base + (v >> 5)) & ~(1u << (v & 31)));
}

/* Index of the highest set bit; x != 0 (BSR). */
static int fls32(uint32_t x) { return 31 - __builtin_clz(x); }

static int vec_highest(const struct vlapic *l, unsigned base)
{
	for (int w = VEC_WORDS - 1; w >= 0; w--) {
		uint32_t bits = vlapic_reg(l, base + (unsigned)w);
		if (bits)
			return w * 32 + fls32(bits);
	}
	return -1;
}

int vlapic_highest_irr(const struct vlapic *l) { return vec_highest(l, APIC_REG_IRR0); }

int vlapic_highest_isr(const struct vlapic *l) { return vec_highest(l, APIC_REG_ISR0); }

/*
 * SDM Vol. 3, 11.8.3.1 (vlapic_compute_ppr). Computed afresh every time, as
 * TPR may have been written behind the model's back (CR8, or later the CPU
 * through the virtual-APIC page).
 */
uint8_t vlapic_ppr(struct vlapic *l)
{
	uint32_t ppr = vlapic_compute_ppr(vlapic_reg(l, APIC_REG_TPR) & 0xff, vlapic_highest_isr(l));

	vlapic_set_reg(l, APIC_REG_PPR, ppr);
	return (uint8_t)ppr;
}

/* SDM Vol. 3, 11.8.3.1: only a priority class above PPR's is dispatched; the highest IRR vector decides. */
int vlapic_pending_of(struct vlapic *l, int irr)
{
	if (!vlapic_hw_enabled(l) || irr < 0)
		return -1;
	return vlapic_prio_class((uint32_t)irr) > vlapic_prio_class(vlapic_ppr(l)) ? irr : -1;
}

int vlapic_highest_pending(struct vlapic *l) { return vlapic_pending_of(l, vlapic_highest_irr(l)); }

bool vlapic_ack(struct vlapic *l, uint8_t vector)
{
	if (!vec_test(l, APIC_REG_IRR0, vector))
		return false;
	vec_clear(l, APIC_REG_IRR0, vector);
	vec_set(l, APIC_REG_ISR0, vector);
	vlapic_ppr(l);
	return true;
}

/* Latch errors; signal raises the LVT error interrupt (not for an error the error LVT itself caused). */
static void raise_error(struct vlapic *l, uint32_t bits, bool signal)
{
	l->esr_pending |= bits;
	if (signal)
		vlapic_deliver_lvt(l, APIC_REG_LVT_ERROR);
}

void vlapic_report_error(struct vlapic *l, uint32_t esr_bits)
{
	if (vlapic_hw_enabled(l))
		raise_error(l, esr_bits, true);
}

/* Into IRR, TMR by trigger mode (SDM Vol. 3, 11.8.4). */
static void request(struct vlapic *l, uint8_t vector, bool level_triggered)
{
	vec_set(l, APIC_REG_IRR0, vector);
	if (level_triggered)
		vec_set(l, APIC_REG_TMR0, vector);
	else
		vec_clear(l, APIC_REG_TMR0, vector);
}

/*
 * A software-disabled APIC still answers INIT, NMI, SMI and SIPI but takes no
 * fixed interrupt (SDM Vol. 3, 11.4.7.2); an illegal vector is an error
 * (11.5.3), with no IRR bit.
 */
bool vlapic_accept(struct vlapic *l, uint8_t vector, bool level_triggered)
{
	if (!vlapic_hw_enabled(l) || !vlapic_sw_enabled(l))
		return false;
	if (vector < VEC_ILLEGAL_BELOW) {
		raise_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR, true);
		return false;
	}
	request(l, vector, level_triggered);
	return true;
}

void vlapic_deliver_lvt(struct vlapic *l, enum apic_reg lvt)
{
	uint32_t e = vlapic_reg(l, lvt);
	uint8_t vector = (uint8_t)(e & APIC_LVT_VECTOR_MASK);

	if (!vlapic_hw_enabled(l) || (e & APIC_LVT_MASKED))
		return;
	if (vector < VEC_ILLEGAL_BELOW)
		raise_error(l, APIC_ESR_RECV_ILLEGAL_VECTOR, lvt != APIC_REG_LVT_ERROR);
	else
		request(l, vector, false);
}

/* The effects of retiring vector v: whether it was level-triggered, and whether to broadcast (11.8.5). */
static void eoi_effects(struct vlapic *l, int v, struct vlapic_effect *fx)
{
	fx->flags |= VLAPIC_FX_EOI;
	fx->eoi_vector = (uint8_t)v;
	fx->eoi_level = vec_test(l, APIC_REG_TMR0, (unsigned)v);
	fx->eoi_broadcast = fx->eoi_level && !(vlapic_reg(l, APIC_REG_SVR) & APIC_SVR_EOI_SUPPRESS);
}

/* SDM Vol. 3, 11.8.5: EOI retires the highest ISR vector; a level-triggered one is broadcast unless SVR[12]. */
void vlapic_eoi(struct vlapic *l, struct vlapic_effect *fx)
{
	int v = vlapic_highest_isr(l);

	if (v < 0)
		return; /* nothing in service: an EOI does nothing */
	vec_clear(l, APIC_REG_ISR0, (unsigned)v);
	vlapic_ppr(l);
	eoi_effects(l, v, fx);
}

void vlapic_eoi_done(struct vlapic *l, uint8_t vector, struct vlapic_effect *fx)
{
	*fx = (struct vlapic_effect){0};
	vlapic_ppr(l);
	eoi_effects(l, vector, fx);
}

/* The ID a physical destination is compared with: 32 bits in x2APIC mode, 8 in xAPIC mode. */
static uint32_t physical_id(const struct vlapic *l)
{
	return vlapic_mode(l) == VLAPIC_MODE_X2APIC ? l->id : (l->id & 0xff);
}

/* SDM Vol. 3, 11.6.2.2 (flat, cluster) and 11.12.10.2 (x2APIC cluster). */
static bool match_logical(const struct vlapic *l, uint32_t dest)
{
	uint32_t ldr = vlapic_reg(l, APIC_REG_LDR);
	uint32_t lid = ldr >> 24, mda = dest & 0xff;

	if (vlapic_mode(l) == VLAPIC_MODE_X2APIC)
		return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff) != 0;
	switch (vlapic_reg(l, APIC_REG_DFR) & APIC_DFR_MODEL_MASK) {
	case APIC_DFR_MODEL_FLAT: return (lid & mda) != 0;
	case APIC_DFR_MODEL_CLUSTER: return (lid >> 4) == (mda >> 4) && (lid & mda & 0xf) != 0;
	default: return false; /* an undefined model takes nothing */
	}
}

bool vlapic_match(const struct vlapic *l, uint32_t dest, enum vlapic_dest_mode mode, bool x2apic_format)
{
	if (!vlapic_hw_enabled(l))
		return false;
	if (dest == (x2apic_format ? X2APIC_BROADCAST : XAPIC_BROADCAST))
		return true;
	if (mode == VLAPIC_DEST_PHYSICAL)
		return dest == physical_id(l);
	return match_logical(l, dest);
}

bool vlapic_ipi_hits(const struct vlapic *target, const struct vlapic *sender, const struct vlapic_ipi *ipi)
{
	switch (ipi->shorthand) {
	case VLAPIC_SH_SELF: return target == sender;
	case VLAPIC_SH_ALL: return vlapic_hw_enabled(target);
	case VLAPIC_SH_ALL_BUT_SELF: return target != sender && vlapic_hw_enabled(target);
	default: return vlapic_match(target, ipi->dest, ipi->dest_mode, ipi->x2apic);
	}
}

/*
 * The SDM lets any of the matched APICs take a lowest-priority interrupt
 * (11.6.2.4; the chipset decides on Pentium 4 and later). The model picks
 * the lowest PPR, ties to the lowest APIC ID: deterministic, and the CPU
 * doing the least important work. Focus-processor checking is not modelled.
 */
size_t vlapic_lowest_priority(struct vlapic *const *cands, size_t n)
{
	size_t best = n;
	uint8_t best_ppr = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t ppr = vlapic_ppr(cands[i]);
		if (best == n || ppr < best_ppr ||
		    (ppr == best_ppr && physical_id(cands[i]) < physical_id(cands[best]))) {
			best = i;
			best_ppr = ppr;
		}
	}
	return best;
}
