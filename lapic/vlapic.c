/* vlapic.c: the virtual local APIC's register file: reset, the APIC base MSR, xAPIC and x2APIC access, the ICR. */
#include "lapic/vlapic.h"

#include "vmm/lib/array.h"
#include "vmm/lib/string.h"

#define ACC_R 1u
#define ACC_W 2u
#define REG_SPACE 0x40 /* indexes below are the xAPIC register space 0x000-0x3ff (Table 11-1) */
#define VEC_ILLEGAL_BELOW 16
#define LOW32 0xffffffffull

/* Bits a write stores (SDM Vol. 3, Figures 11-7 to 11-23); the others are reserved or read-only. */
#define LVT_FIXED_BITS (APIC_LVT_VECTOR_MASK | APIC_LVT_MASKED)                      /* error */
#define LVT_DM_BITS (LVT_FIXED_BITS | APIC_LVT_DM_MASK)                              /* CMCI, thermal, PMC */
#define LVT_LINT_BITS (LVT_DM_BITS | APIC_LVT_POLARITY_LOW | APIC_LVT_TRIGGER_LEVEL) /* LINT0/1 */
#define ICR_LOW_BITS                                                                               \
	(APIC_ICR_VECTOR_MASK | APIC_ICR_DM_MASK | APIC_ICR_DEST_LOGICAL | APIC_ICR_LEVEL_ASSERT | \
	 APIC_ICR_TRIGGER_LEVEL | APIC_ICR_SHORTHAND_MASK)
#define XAPIC_ID_BITS 0xff000000u /* ID, LDR and ICR_HIGH keep 8 bits at 31:24 */
#define DFR_RESERVED_ONES 0x0fffffffu
#define SVR_BITS (APIC_SVR_VECTOR_MASK | APIC_SVR_ENABLE | APIC_SVR_FOCUS_DISABLE | APIC_SVR_EOI_SUPPRESS)

static const char *const gp_names[VLAPIC_GP_COUNT] = {
        [VLAPIC_GP_NONE] = "none",
        [VLAPIC_GP_NOT_X2APIC] = "x2APIC MSR outside x2APIC mode",
        [VLAPIC_GP_RESERVED_REG] = "reserved x2APIC register",
        [VLAPIC_GP_READ_ONLY] = "write to a read-only register",
        [VLAPIC_GP_WRITE_ONLY] = "read of a write-only register",
        [VLAPIC_GP_RESERVED_BITS] = "reserved bits set",
        [VLAPIC_GP_BASE_RESERVED] = "APIC base: reserved bits set",
        [VLAPIC_GP_BASE_INVALID] = "APIC base: EXTD without EN",
        [VLAPIC_GP_BASE_X2_TO_XAPIC] = "APIC base: x2APIC to xAPIC",
        [VLAPIC_GP_BASE_OFF_TO_X2] = "APIC base: disabled to x2APIC",
        [VLAPIC_GP_NO_TSC_DEADLINE] = "no TSC-deadline timer",
};

const char *vlapic_gp_name(enum vlapic_gp gp) { return (unsigned)gp < VLAPIC_GP_COUNT ? gp_names[gp] : "?"; }

static enum vlapic_result gp(struct vlapic_effect *fx, enum vlapic_gp why)
{
	fx->gp = why;
	return VLAPIC_GP;
}

enum vlapic_mode vlapic_mode(const struct vlapic *l)
{
	if (!(l->apic_base_msr & APIC_BASE_ENABLE))
		return VLAPIC_MODE_DISABLED;
	return (l->apic_base_msr & APIC_BASE_EXTD) ? VLAPIC_MODE_X2APIC : VLAPIC_MODE_XAPIC;
}

bool vlapic_hw_enabled(const struct vlapic *l) { return (l->apic_base_msr & APIC_BASE_ENABLE) != 0; }

bool vlapic_sw_enabled(const struct vlapic *l) { return (vlapic_reg(l, APIC_REG_SVR) & APIC_SVR_ENABLE) != 0; }

uint64_t vlapic_mmio_base(const struct vlapic *l) { return l->apic_base_msr & APIC_BASE_ADDR_MASK; }

/* The version register says whether SVR's EOI-broadcast suppression bit exists (11.8.5). */
static bool directed_eoi(const struct vlapic *l)
{
	return (vlapic_reg(l, APIC_REG_VERSION) & APIC_VERSION_EOI_SUPPRESS) != 0;
}

/* ID and LDR as the mode shows them: x2APIC derives both from the ID (11.12.10.2); xAPIC has 8 bits at 31:24. */
static void set_id_regs(struct vlapic *l)
{
	if (vlapic_mode(l) == VLAPIC_MODE_X2APIC) {
		vlapic_set_reg(l, APIC_REG_ID, l->id);
		vlapic_set_reg(l, APIC_REG_LDR, (l->id >> 4) << 16 | 1u << (l->id & 0xf));
	} else {
		vlapic_set_reg(l, APIC_REG_ID, l->id << 24);
	}
}

/*
 * Power-up state (SDM Vol. 3, 11.4.7.1 and 11.12.5.1): all zero but the
 * version, DFR all ones, SVR 0xff (software-disabled), every LVT masked.
 */
static void reset_registers(struct vlapic *l)
{
	static const enum apic_reg lvts[] = {
	        APIC_REG_LVT_CMCI,  APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PMC,
	        APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR,
	};

	memset(l->page, 0, VLAPIC_PAGE_SIZE);
	vlapic_set_reg(l, APIC_REG_VERSION,
	               VLAPIC_VERSION | (uint32_t)VLAPIC_MAX_LVT << 16 | APIC_VERSION_EOI_SUPPRESS);
	vlapic_set_reg(l, APIC_REG_DFR, 0xffffffffu);
	vlapic_set_reg(l, APIC_REG_SVR, 0xff);
	for (unsigned i = 0; i < ARRAY_LEN(lvts); i++)
		vlapic_set_reg(l, lvts[i], APIC_LVT_MASKED);
	l->esr_pending = 0;
	vlapic_timer_stop(l);
	set_id_regs(l);
}

void vlapic_setup(struct vlapic *l, void *page, const struct vlapic_config *cfg)
{
	memset(l, 0, sizeof(*l));
	l->page = page;
	l->cfg = *cfg;
	if (!l->cfg.maxphyaddr)
		l->cfg.maxphyaddr = VLAPIC_MAXPHYADDR_DEFAULT;
	vlapic_timer_stop(l);
}

void vlapic_reset(struct vlapic *l, uint32_t id, bool bsp)
{
	l->id = id;
	l->apic_base_msr = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	reset_registers(l);
}

/* 11.12.5.1: INIT keeps the mode (xAPIC, x2APIC or disabled) and the ID; everything else as at RESET. */
void vlapic_init_reset(struct vlapic *l) { reset_registers(l); }

static uint64_t base_reserved(const struct vlapic *l)
{
	uint64_t r = ~(APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_ENABLE | APIC_BASE_ADDR_MASK);

	r |= l->cfg.maxphyaddr >= 64 ? 0 : ~0ull << l->cfg.maxphyaddr;
	if (!l->cfg.x2apic)
		r |= APIC_BASE_EXTD;
	return r;
}

/*
 * SDM Vol. 3, 11.12.5.1, Figure 11-27: disabled <-> xAPIC -> x2APIC ->
 * disabled; EN=0 with EXTD=1, x2APIC -> xAPIC and disabled -> x2APIC #GP.
 * Disabling loses all state but the ID (11.4.3: "may return to the state
 * after power-up"; 11.12.5.1 for x2APIC); xAPIC -> x2APIC keeps the rest
 * but for ID, LDR and ICR high (11.12.5.1). The BSP flag is the
 * hardware's: writes leave it as it is.
 */
enum vlapic_result vlapic_write_apic_base(struct vlapic *l, uint64_t value, struct vlapic_effect *fx)
{
	*fx = (struct vlapic_effect){0};
	if (value & base_reserved(l))
		return gp(fx, VLAPIC_GP_BASE_RESERVED);
	if ((value & APIC_BASE_EXTD) && !(value & APIC_BASE_ENABLE))
		return gp(fx, VLAPIC_GP_BASE_INVALID);
	enum vlapic_mode old = vlapic_mode(l);
	bool to_x2 = (value & APIC_BASE_EXTD) != 0, to_off = !(value & APIC_BASE_ENABLE);
	if (old == VLAPIC_MODE_X2APIC && !to_x2 && !to_off)
		return gp(fx, VLAPIC_GP_BASE_X2_TO_XAPIC);
	if (old == VLAPIC_MODE_DISABLED && to_x2)
		return gp(fx, VLAPIC_GP_BASE_OFF_TO_X2);

	uint64_t prev = l->apic_base_msr;
	l->apic_base_msr = (value & ~APIC_BASE_BSP) | (prev & APIC_BASE_BSP);
	enum vlapic_mode mode = vlapic_mode(l);
	if (mode == VLAPIC_MODE_DISABLED && old != VLAPIC_MODE_DISABLED) {
		reset_registers(l);
		fx->flags |= VLAPIC_FX_TIMER;
		fx->timer_next = VLAPIC_NEVER;
	}
	if (mode == VLAPIC_MODE_X2APIC && old == VLAPIC_MODE_XAPIC) {
		set_id_regs(l);
		vlapic_set_reg(l, APIC_REG_ICR_HIGH, 0);
	}
	if (mode != old)
		fx->flags |= VLAPIC_FX_DEST;
	if (l->apic_base_msr != prev)
		fx->flags |= VLAPIC_FX_BASE;
	return VLAPIC_OK;
}

/* Table 11-1: what MMIO may do with each register; 0 for reserved. APR and RRD read 0 (not on P4 and later). */
static unsigned xapic_access(unsigned reg)
{
	if (reg >= APIC_REG_ISR0 && reg < APIC_REG_IRR0 + 8)
		return ACC_R;
	switch (reg) {
	case APIC_REG_ID: /* read-only since Nehalem (Table 11-1 note) */
	case APIC_REG_VERSION:
	case APIC_REG_APR:
	case APIC_REG_PPR:
	case APIC_REG_RRD:
	case APIC_REG_TIMER_CURRENT: return ACC_R;
	case APIC_REG_EOI: return ACC_W;
	case APIC_REG_TPR:
	case APIC_REG_LDR:
	case APIC_REG_DFR:
	case APIC_REG_SVR:
	case APIC_REG_ESR:
	case APIC_REG_LVT_CMCI:
	case APIC_REG_ICR_LOW:
	case APIC_REG_ICR_HIGH:
	case APIC_REG_LVT_TIMER:
	case APIC_REG_LVT_THERMAL:
	case APIC_REG_LVT_PMC:
	case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1:
	case APIC_REG_LVT_ERROR:
	case APIC_REG_TIMER_INITIAL:
	case APIC_REG_TIMER_DIVIDE: return ACC_R | ACC_W;
	default: return 0;
	}
}

/* Table 11-6: the x2APIC MSRs; no APR, RRD, DFR or ICR high, and SELF IPI only here. */
static unsigned x2apic_access(unsigned reg)
{
	if (reg >= APIC_REG_ISR0 && reg < APIC_REG_IRR0 + 8)
		return ACC_R;
	switch (reg) {
	case APIC_REG_ID:
	case APIC_REG_VERSION:
	case APIC_REG_PPR:
	case APIC_REG_LDR:
	case APIC_REG_TIMER_CURRENT: return ACC_R;
	case APIC_REG_EOI:
	case APIC_REG_SELF_IPI: return ACC_W;
	case APIC_REG_TPR:
	case APIC_REG_SVR:
	case APIC_REG_ESR:
	case APIC_REG_LVT_CMCI:
	case APIC_REG_ICR_LOW:
	case APIC_REG_LVT_TIMER:
	case APIC_REG_LVT_THERMAL:
	case APIC_REG_LVT_PMC:
	case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1:
	case APIC_REG_LVT_ERROR:
	case APIC_REG_TIMER_INITIAL:
	case APIC_REG_TIMER_DIVIDE: return ACC_R | ACC_W;
	default: return 0;
	}
}

/* The bits of a writable register that a write stores. */
static uint64_t writable_bits(const struct vlapic *l, unsigned reg)
{
	uint32_t timer_modes = l->cfg.tsc_deadline ? APIC_LVT_TIMER_MODE_MASK : APIC_LVT_TIMER_PERIODIC;

	switch (reg) {
	case APIC_REG_TPR: return 0xff;
	case APIC_REG_LDR:
	case APIC_REG_ICR_HIGH: return XAPIC_ID_BITS;
	case APIC_REG_DFR: return APIC_DFR_MODEL_MASK;
	case APIC_REG_SVR: return SVR_BITS & ~(directed_eoi(l) ? 0 : APIC_SVR_EOI_SUPPRESS);
	case APIC_REG_LVT_CMCI:
	case APIC_REG_LVT_THERMAL:
	case APIC_REG_LVT_PMC: return LVT_DM_BITS;
	case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1: return LVT_LINT_BITS;
	case APIC_REG_LVT_ERROR: return LVT_FIXED_BITS;
	case APIC_REG_LVT_TIMER: return LVT_FIXED_BITS | timer_modes;
	case APIC_REG_ICR_LOW: return ICR_LOW_BITS | (LOW32 << APIC_X2APIC_DEST_SHIFT);
	case APIC_REG_TIMER_INITIAL: return LOW32;
	case APIC_REG_TIMER_DIVIDE: return APIC_TIMER_DIVIDE_MASK;
	case APIC_REG_SELF_IPI: return APIC_ICR_VECTOR_MASK;
	default: return 0; /* EOI, ESR: any write is the event; x2APIC allows only 0 */
	}
}

/*
 * 11.12.1.3: a WRMSR setting a reserved bit raises #GP. Read-only bits are
 * not reserved: writes leave them (delivery status, remote IRR). The
 * x2APIC ICR's bit 12 is reserved by the SDM, but Intel CPUs ignore it
 * (as KVM notes), so the model does too.
 */
static uint64_t x2apic_defined_bits(const struct vlapic *l, unsigned reg)
{
	uint64_t w = writable_bits(l, reg);

	switch (reg) {
	case APIC_REG_LVT_LINT0:
	case APIC_REG_LVT_LINT1: return w | APIC_LVT_DELIVERY_PENDING | APIC_LVT_REMOTE_IRR;
	case APIC_REG_LVT_CMCI:
	case APIC_REG_LVT_THERMAL:
	case APIC_REG_LVT_PMC:
	case APIC_REG_LVT_ERROR:
	case APIC_REG_LVT_TIMER: return w | APIC_LVT_DELIVERY_PENDING;
	case APIC_REG_ICR_LOW: return w | APIC_ICR_DELIVERY_PENDING;
	default: return w;
	}
}

/* ICR bits 63:0 to an IPI (SDM Vol. 3, 11.6.1; 11.12.9 for x2APIC). */
static struct vlapic_ipi decode_icr(uint64_t icr, bool x2apic)
{
	uint32_t lo = (uint32_t)icr;

	return (struct vlapic_ipi){
	        .mode = (enum vlapic_delivery)((lo & APIC_ICR_DM_MASK) >> 8),
	        .vector = (uint8_t)(lo & APIC_ICR_VECTOR_MASK),
	        .dest = x2apic ? (uint32_t)(icr >> APIC_X2APIC_DEST_SHIFT) : (uint32_t)(icr >> 56),
	        .dest_mode = (lo & APIC_ICR_DEST_LOGICAL) ? VLAPIC_DEST_LOGICAL : VLAPIC_DEST_PHYSICAL,
	        .shorthand = (enum vlapic_shorthand)((lo & APIC_ICR_SHORTHAND_MASK) >> 18),
	        .level = (lo & APIC_ICR_LEVEL_ASSERT) != 0,
	        .trigger_level = (lo & APIC_ICR_TRIGGER_LEVEL) != 0,
	        .x2apic = x2apic,
	        .icr = icr,
	};
}

/*
 * A write to ICR (low half in xAPIC mode) sends at once; delivery status
 * stays idle. Not sent: INIT level de-assert (a P6 bus message, ignored),
 * the reserved modes 011b and 111b, and a fixed or lowest-priority vector
 * below 16, which sets ESR's send-illegal-vector bit, and, when the message
 * was also for this APIC (self, all including self), its receive-illegal-
 * vector bit: "a self-interrupt generated by a write to the ICR" (11.5.3).
 * Combinations
 * Table 11-3 calls invalid (NMI to self, say) are sent as decoded.
 */
static void send_ipi(struct vlapic *l, struct vlapic_ipi ipi, struct vlapic_effect *fx)
{
	if (ipi.mode == VLAPIC_DM_INIT && ipi.trigger_level && !ipi.level)
		return;
	if (ipi.mode == VLAPIC_DM_RESERVED || ipi.mode == VLAPIC_DM_EXTINT)
		return;
	if ((ipi.mode == VLAPIC_DM_FIXED || ipi.mode == VLAPIC_DM_LOWEST) && ipi.vector < VEC_ILLEGAL_BELOW) {
		bool to_self = ipi.shorthand == VLAPIC_SH_SELF || ipi.shorthand == VLAPIC_SH_ALL;
		vlapic_report_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR | (to_self ? APIC_ESR_RECV_ILLEGAL_VECTOR : 0));
		return;
	}
	fx->flags |= VLAPIC_FX_IPI;
	fx->ipi = ipi;
}

bool vlapic_x2apic_icr_fixed(struct vlapic *l, uint64_t icr, uint8_t *vector, uint32_t *dest)
{
	uint32_t lo = (uint32_t)icr;

	if (vlapic_mode(l) != VLAPIC_MODE_X2APIC || (lo & ~(APIC_ICR_VECTOR_MASK | APIC_ICR_LEVEL_ASSERT)) ||
	    (lo & APIC_ICR_VECTOR_MASK) < VEC_ILLEGAL_BELOW)
		return false;
	vlapic_set_reg(l, APIC_REG_ICR_LOW, lo);
	vlapic_set_reg(l, APIC_REG_ICR_HIGH, (uint32_t)(icr >> APIC_X2APIC_DEST_SHIFT));
	*vector = (uint8_t)(lo & APIC_ICR_VECTOR_MASK);
	*dest = (uint32_t)(icr >> APIC_X2APIC_DEST_SHIFT);
	return true;
}

/* SELF IPI (11.12.11): a fixed, edge-triggered IPI to self; an illegal vector is a send and a receive error. */
static void self_ipi(struct vlapic *l, uint32_t vector, struct vlapic_effect *fx)
{
	if (vector < VEC_ILLEGAL_BELOW) {
		vlapic_report_error(l, APIC_ESR_SEND_ILLEGAL_VECTOR | APIC_ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	struct vlapic_ipi ipi = decode_icr(vector | APIC_ICR_LEVEL_ASSERT | APIC_ICR_DEST_SELF, true);
	send_ipi(l, ipi, fx);
}

static bool is_lvt(unsigned reg)
{
	return reg == APIC_REG_LVT_CMCI || (reg >= APIC_REG_LVT_TIMER && reg <= APIC_REG_LVT_ERROR);
}

/* 11.4.7.2: clearing the software enable masks every LVT; while disabled, LVT writes stay masked. */
static void write_svr(struct vlapic *l, uint32_t value, struct vlapic_effect *fx)
{
	bool was = vlapic_sw_enabled(l);

	vlapic_set_reg(l, APIC_REG_SVR, value);
	if (was == vlapic_sw_enabled(l))
		return;
	fx->flags |= VLAPIC_FX_DEST;
	if (!was)
		return;
	for (unsigned r = APIC_REG_LVT_CMCI; r <= APIC_REG_LVT_ERROR; r++)
		if (is_lvt(r))
			vlapic_set_reg(l, r, vlapic_reg(l, r) | APIC_LVT_MASKED);
}

/* The write itself, once the interface's rules let it through; value holds only writable bits. */
static void commit(struct vlapic *l, unsigned reg, uint64_t value, bool x2, uint64_t now, struct vlapic_effect *fx)
{
	uint32_t v = (uint32_t)value;

	if (is_lvt(reg)) {
		v |= vlapic_reg(l, reg) & APIC_LVT_REMOTE_IRR;
		if (!vlapic_sw_enabled(l))
			v |= APIC_LVT_MASKED;
	}
	switch (reg) {
	case APIC_REG_TPR:
		vlapic_set_reg(l, reg, v);
		vlapic_ppr(l);
		break;
	case APIC_REG_EOI: vlapic_eoi(l, fx); break;
	case APIC_REG_LDR:
		vlapic_set_reg(l, reg, v);
		fx->flags |= VLAPIC_FX_DEST;
		break;
	case APIC_REG_DFR:
		vlapic_set_reg(l, reg, v | DFR_RESERVED_ONES);
		fx->flags |= VLAPIC_FX_DEST;
		break;
	case APIC_REG_SVR: write_svr(l, v, fx); break;
	case APIC_REG_ESR: /* latch the errors since the last write (11.5.3) */
		vlapic_set_reg(l, reg, l->esr_pending);
		l->esr_pending = 0;
		break;
	case APIC_REG_ICR_LOW:
		vlapic_set_reg(l, APIC_REG_ICR_LOW, v);
		if (x2)
			vlapic_set_reg(l, APIC_REG_ICR_HIGH, (uint32_t)(value >> 32));
		send_ipi(l, decode_icr((uint64_t)vlapic_reg(l, APIC_REG_ICR_HIGH) << 32 | v, x2), fx);
		break;
	case APIC_REG_LVT_TIMER:
	case APIC_REG_TIMER_INITIAL:
	case APIC_REG_TIMER_DIVIDE: vlapic_timer_write(l, (enum apic_reg)reg, v, now, fx); break;
	case APIC_REG_SELF_IPI: self_ipi(l, v, fx); break;
	default: vlapic_set_reg(l, reg, v); break; /* ICR high, the other LVTs */
	}
}

/* A read of a readable register; x2APIC's ICR is 64 bits. */
static uint64_t read_reg(struct vlapic *l, unsigned reg, bool x2, uint64_t now)
{
	switch (reg) {
	case APIC_REG_PPR: return vlapic_ppr(l);
	case APIC_REG_TIMER_CURRENT: vlapic_set_reg(l, reg, vlapic_timer_current(l, now)); return vlapic_reg(l, reg);
	case APIC_REG_ICR_LOW:
		if (x2)
			return (uint64_t)vlapic_reg(l, APIC_REG_ICR_HIGH) << 32 | vlapic_reg(l, reg);
		return vlapic_reg(l, reg);
	default: return vlapic_reg(l, reg);
	}
}

/*
 * xAPIC: a reserved register in 0x000-0x3ff sets ESR's illegal-register bit
 * (11.5.3) and reads 0; a write to a read-only register is ignored, a read
 * of EOI gives 0. Nothing raises an exception.
 */
static unsigned xapic_check(struct vlapic *l, unsigned reg)
{
	unsigned acc = xapic_access(reg);

	if (!acc && reg < REG_SPACE)
		vlapic_report_error(l, APIC_ESR_ILLEGAL_REGISTER);
	return acc;
}

/* x2APIC: every rule is a #GP (Table 11-6, 11.12.1.2, 11.12.1.3). */
static enum vlapic_result x2apic_check(const struct vlapic *l, unsigned reg, unsigned need, struct vlapic_effect *fx)
{
	unsigned acc = x2apic_access(reg);

	if (vlapic_mode(l) != VLAPIC_MODE_X2APIC)
		return gp(fx, VLAPIC_GP_NOT_X2APIC);
	if (!acc)
		return gp(fx, VLAPIC_GP_RESERVED_REG);
	if (!(acc & need))
		return gp(fx, need == ACC_W ? VLAPIC_GP_READ_ONLY : VLAPIC_GP_WRITE_ONLY);
	return VLAPIC_OK;
}

enum vlapic_result vlapic_read(struct vlapic *l, enum apic_reg reg, bool x2apic_access, uint64_t now, uint64_t *value,
                               struct vlapic_effect *fx)
{
	unsigned r = (unsigned)reg;

	*fx = (struct vlapic_effect){0};
	*value = 0;
	if (!x2apic_access) {
		if (vlapic_mode(l) != VLAPIC_MODE_XAPIC)
			return VLAPIC_NOT_APIC;
		if (xapic_check(l, r) & ACC_R)
			*value = read_reg(l, r, false, now);
		return VLAPIC_OK;
	}
	enum vlapic_result res = x2apic_check(l, r, ACC_R, fx);
	if (res == VLAPIC_OK)
		*value = read_reg(l, r, true, now);
	return res;
}

enum vlapic_result vlapic_write(struct vlapic *l, enum apic_reg reg, uint64_t value, bool x2apic_access, uint64_t now,
                                struct vlapic_effect *fx)
{
	unsigned r = (unsigned)reg;

	*fx = (struct vlapic_effect){0};
	if (!x2apic_access) {
		if (vlapic_mode(l) != VLAPIC_MODE_XAPIC)
			return VLAPIC_NOT_APIC;
		if (xapic_check(l, r) & ACC_W)
			commit(l, r, (uint32_t)value & writable_bits(l, r), false, now, fx);
		return VLAPIC_OK;
	}
	enum vlapic_result res = x2apic_check(l, r, ACC_W, fx);
	if (res != VLAPIC_OK)
		return res;
	if (value & ~x2apic_defined_bits(l, r))
		return gp(fx, VLAPIC_GP_RESERVED_BITS);
	commit(l, r, value & writable_bits(l, r), true, now, fx);
	return VLAPIC_OK;
}

/*
 * 11.4.1 defines only 32-bit accesses at 16-byte boundaries, and leaves smaller ones model-specific. The model
 * takes an access of 1, 2 or 4 bytes within the low 4 bytes of a register's 16, as APIC virtualization does
 * (SDM Vol. 3, 30.4.2, 30.4.3.1: such reads are served from the virtual-APIC page, such writes merged into it),
 * so that every APICv mode gives a guest the same answer; the rest (bytes 4-15, wider accesses) it refuses.
 */
static enum vlapic_result mmio_check(const struct vlapic *l, uint64_t offset, unsigned size)
{
	if (vlapic_mode(l) != VLAPIC_MODE_XAPIC)
		return VLAPIC_NOT_APIC; /* 11.4.3, 11.12.1: disabled or x2APIC, the page is not an APIC */
	if ((size != 1 && size != 2 && size != 4) || (offset & 0xf) + size > 4 || offset >= VLAPIC_PAGE_SIZE)
		return VLAPIC_BAD_ACCESS;
	return VLAPIC_OK;
}

/* The bits an access of size bytes at offset covers in its register, and where they start. */
static uint32_t mmio_mask(unsigned size) { return size == 4 ? ~0u : (1u << (8 * size)) - 1; }
static unsigned mmio_shift(uint64_t offset) { return (unsigned)(offset & 3) * 8; }

enum vlapic_result vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned size, uint64_t now, uint32_t *value,
                                    struct vlapic_effect *fx)
{
	uint64_t v = 0;
	enum vlapic_result res = mmio_check(l, offset, size);

	*fx = (struct vlapic_effect){0};
	*value = 0;
	if (res != VLAPIC_OK)
		return res;
	res = vlapic_read(l, (enum apic_reg)(offset >> 4), false, now, &v, fx);
	*value = (uint32_t)(v >> mmio_shift(offset)) & mmio_mask(size);
	return res;
}

/* A narrower write is merged into the register as the page holds it, then written whole, with its effects. */
enum vlapic_result vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned size, uint32_t value, uint64_t now,
                                     struct vlapic_effect *fx)
{
	enum vlapic_result res = mmio_check(l, offset, size);
	unsigned reg = (unsigned)(offset >> 4), shift = mmio_shift(offset);

	*fx = (struct vlapic_effect){0};
	if (res != VLAPIC_OK)
		return res;
	uint32_t mask = mmio_mask(size) << shift;
	value = (vlapic_reg(l, reg) & ~mask) | ((value << shift) & mask);
	return vlapic_write(l, (enum apic_reg)reg, value, false, now, fx);
}

bool vlapic_is_x2apic_msr(uint32_t msr) { return msr >= APIC_X2APIC_MSR_FIRST && msr <= APIC_X2APIC_MSR_LAST; }

enum vlapic_result vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *value,
                                   struct vlapic_effect *fx)
{
	return vlapic_read(l, (enum apic_reg)(msr - APIC_X2APIC_MSR_FIRST), true, now, value, fx);
}

enum vlapic_result vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value, uint64_t now,
                                    struct vlapic_effect *fx)
{
	return vlapic_write(l, (enum apic_reg)(msr - APIC_X2APIC_MSR_FIRST), value, true, now, fx);
}
