/* sources: lapic/vlapic.c lapic/vlapic_irq.c lapic/vlapic_timer.c vmm/partition/vtsc.c */
/* fuzz_vlapic.c: libFuzzer harness: two vCPUs' virtual local APICs driven by register accesses, interrupts and time. */
#include "test/fuzz/fuzz.h"

#include "lapic/vlapic.h"
#include "vmm/partition/vtsc.h"

/*
 * Input: u8 model (bit 0 x2APIC, bit 1 TSC-deadline, bits 3:2 timer input
 * rate, bits 5:4 MAXPHYADDR), u8 and u8 the two APIC IDs, u64 the TSC at
 * the start; then operations until the input ends, each an opcode byte
 * (bits 3:0 the operation, bit 7 which vCPU) and its fields:
 *   0 MMIO read:  u16 offset, u8 size selector          (the APIC page, as vmm/irq/access.c passes it)
 *   1 MMIO write: u16 offset, u8 size selector, u32 value
 *   2 RDMSR:      u8 register (MSR 0x800 + it)
 *   3 WRMSR:      u8 register, u64 value
 *   4 WRMSR IA32_APIC_BASE: u8 kind (disable, xAPIC, x2APIC, as given), u64 value
 *   5 WRMSR then RDMSR IA32_TSC_DEADLINE: u64 guest TSC value (through vtsc, as access.c does)
 *   6 time passes: u32 ticks, u8 shift; then each APIC's timer is expired
 *   7 an interrupt arrives (I/O APIC, MSI): u8 vector, u8 level-triggered
 *   8 the CPU takes the highest pending interrupt (vlapic_ack)
 *   9 EOI virtualization: the CPU clears the highest ISR bit, then vlapic_eoi_done
 *  10 INIT
 *  11 MOV to CR8: u8 (TPR bits 7:4 from its low nibble, as the CPU writes the virtual-APIC page)
 *  12 an error the caller detected: u8 ESR bits
 *  13 WRMSR IA32_TSC or IA32_TSC_ADJUST: u8 which, u64 value
 * An access's effects are carried out as vmm/irq/route.c would between the
 * two APICs: a fixed IPI is accepted by each APIC it hits, a lowest-
 * priority one by the one vlapic_lowest_priority picks, INIT resets.
 *
 * Checked after each access: the result is one of the four; #GP names its
 * reason, no other result does; MMIO outside xAPIC mode is NOT_APIC, an
 * access other than an aligned dword inside the page is BAD_ACCESS; an
 * x2APIC MSR outside x2APIC mode is #GP; the effects have known flags; an
 * IPI has a sendable delivery mode, a legal vector when fixed, 8-bit
 * destinations in xAPIC format; an EOI retires what was the highest ISR
 * vector, with its trigger mode from TMR; a timer effect gives the time
 * the timer says. After each operation, for both APICs: vectors 0-15 never
 * in IRR, ISR or TMR; a disabled APIC holds none at all; the highest
 * pending vector is the highest IRR vector and above PPR (computed here
 * from TPR and ISR, SDM Vol. 3, 11.8.3.1), or none is; every LVT masked
 * while software-disabled; no register holds bits the SDM reserves; the
 * ID and LDR registers as the mode derives them; the timer never due in
 * the past after an expiry, its current count at most its start count.
 */

#define NCPU 2
#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_ADJUST 0x3b
#define LVT_BITS_TIMER 0x711ffu /* vector, delivery status, mask, timer mode (Figure 11-8) */
#define LVT_BITS_LINT 0x1f7ffu  /* vector, delivery mode, status, polarity, remote IRR, trigger, mask */
#define LVT_BITS_DM 0x117ffu    /* CMCI, thermal, PMC: vector, delivery mode, status, mask */
#define LVT_BITS_ERROR 0x110ffu /* vector, status, mask */
#define SVR_BITS 0x13ffu        /* vector, enable, focus check, EOI-broadcast suppression (Figure 11-23) */
#define ICR_LOW_BITS 0xcdfffu   /* vector, mode, dest mode, status, level, trigger, shorthand (Figure 11-12) */

static struct vlapic apic[NCPU];
static struct vtsc tsc[NCPU];
static uint64_t now;

/* ---- what the harness computes itself, from the page ---- */

static bool vec_bit(const struct vlapic *l, unsigned base, unsigned v)
{
	return (vlapic_reg(l, base + v / 32) >> (v % 32)) & 1;
}

static int highest(const struct vlapic *l, unsigned base)
{
	for (int w = 7; w >= 0; w--) {
		uint32_t bits = vlapic_reg(l, base + (unsigned)w);
		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

/* SDM Vol. 3, 11.8.3.1. */
static uint32_t ppr_of(const struct vlapic *l)
{
	uint32_t tpr = vlapic_reg(l, APIC_REG_TPR) & 0xff;
	int isrv = highest(l, APIC_REG_ISR0);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

static void check_regs(const struct vlapic *l, unsigned c)
{
	static const struct {
		unsigned reg;
		uint32_t bits;
	} defined[] = {
	        {APIC_REG_TPR, 0xff},
	        {APIC_REG_SVR, SVR_BITS},
	        {APIC_REG_ESR, 0xff},
	        {APIC_REG_LVT_CMCI, LVT_BITS_DM},
	        {APIC_REG_LVT_TIMER, LVT_BITS_TIMER},
	        {APIC_REG_LVT_THERMAL, LVT_BITS_DM},
	        {APIC_REG_LVT_PMC, LVT_BITS_DM},
	        {APIC_REG_LVT_LINT0, LVT_BITS_LINT},
	        {APIC_REG_LVT_LINT1, LVT_BITS_LINT},
	        {APIC_REG_LVT_ERROR, LVT_BITS_ERROR},
	        {APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_MASK},
	        {APIC_REG_ICR_LOW, ICR_LOW_BITS},
	};
	bool x2 = vlapic_mode(l) == VLAPIC_MODE_X2APIC;

	for (unsigned i = 0; i < sizeof(defined) / sizeof(defined[0]); i++) {
		uint32_t v = vlapic_reg(l, defined[i].reg);
		FZ_CHECK(!(v & ~defined[i].bits), "cpu %u: register %#x holds %#x, reserved bits set", c,
		         defined[i].reg, v);
		if (defined[i].reg >= APIC_REG_LVT_CMCI && !vlapic_sw_enabled(l))
			FZ_CHECK(defined[i].reg == APIC_REG_TIMER_DIVIDE || defined[i].reg == APIC_REG_ICR_LOW ||
			                 (v & APIC_LVT_MASKED),
			         "cpu %u: LVT %#x unmasked (%#x) while software-disabled", c, defined[i].reg, v);
	}
	if (!x2) {
		FZ_CHECK((vlapic_reg(l, APIC_REG_DFR) & 0x0fffffffu) == 0x0fffffffu, "cpu %u: DFR %#x", c,
		         vlapic_reg(l, APIC_REG_DFR));
		FZ_CHECK(!(vlapic_reg(l, APIC_REG_LDR) & 0x00ffffffu) &&
		                 !(vlapic_reg(l, APIC_REG_ICR_HIGH) & 0x00ffffffu),
		         "cpu %u: LDR %#x, ICR high %#x", c, vlapic_reg(l, APIC_REG_LDR),
		         vlapic_reg(l, APIC_REG_ICR_HIGH));
		FZ_CHECK(vlapic_reg(l, APIC_REG_ID) == l->id << 24, "cpu %u: xAPIC ID register %#x, ID %u", c,
		         vlapic_reg(l, APIC_REG_ID), l->id);
	} else {
		FZ_CHECK(vlapic_reg(l, APIC_REG_ID) == l->id &&
		                 vlapic_reg(l, APIC_REG_LDR) == ((l->id >> 4) << 16 | 1u << (l->id & 0xf)),
		         "cpu %u: x2APIC ID %#x, LDR %#x for ID %u", c, vlapic_reg(l, APIC_REG_ID),
		         vlapic_reg(l, APIC_REG_LDR), l->id);
	}
}

static void check_apic(struct vlapic *l, unsigned c)
{
	FZ_CHECK(!(vlapic_reg(l, APIC_REG_IRR0) & 0xffff) && !(vlapic_reg(l, APIC_REG_ISR0) & 0xffff) &&
	                 !(vlapic_reg(l, APIC_REG_TMR0) & 0xffff),
	         "cpu %u: an illegal vector (0-15) in IRR %#x, ISR %#x or TMR %#x", c, vlapic_reg(l, APIC_REG_IRR0),
	         vlapic_reg(l, APIC_REG_ISR0), vlapic_reg(l, APIC_REG_TMR0));
	int irr = highest(l, APIC_REG_IRR0), hp = vlapic_highest_pending(l);
	if (!vlapic_hw_enabled(l)) {
		FZ_CHECK(irr < 0 && highest(l, APIC_REG_ISR0) < 0 && highest(l, APIC_REG_TMR0) < 0,
		         "cpu %u: disabled, yet vectors in IRR, ISR or TMR", c);
		FZ_CHECK(hp < 0, "cpu %u: disabled, yet %d pending", c, hp);
	} else if (hp >= 0) {
		FZ_CHECK(hp == irr && ((uint32_t)hp & 0xf0) > (ppr_of(l) & 0xf0),
		         "cpu %u: pending %d, highest IRR %d, PPR %#x", c, hp, irr, ppr_of(l));
	} else {
		FZ_CHECK(irr < 0 || ((uint32_t)irr & 0xf0) <= (ppr_of(l) & 0xf0),
		         "cpu %u: IRR %d above PPR %#x, yet nothing pending", c, irr, ppr_of(l));
	}
	check_regs(l, c);
	uint32_t cur = vlapic_timer_current(l, now), init = vlapic_reg(l, APIC_REG_TIMER_INITIAL);
	FZ_CHECK(cur <= (init > l->timer.first ? init : l->timer.first), "cpu %u: current count %u, initial %u", c, cur,
	         init);
}

/* ---- effects, carried out between the two APICs ---- */

static void check_fx(const struct vlapic *l, enum vlapic_result r, const struct vlapic_effect *fx, int isr_before,
                     bool tmr_of_isr)
{
	FZ_CHECK(r <= VLAPIC_BAD_ACCESS, "result %d", r);
	FZ_CHECK(r == VLAPIC_GP ? fx->gp > VLAPIC_GP_NONE && fx->gp < VLAPIC_GP_COUNT &&
	                                  strcmp(vlapic_gp_name(fx->gp), "?") != 0
	                        : fx->gp == VLAPIC_GP_NONE,
	         "result %d with #GP reason %d", r, fx->gp);
	FZ_CHECK(!(fx->flags & ~0x1fu), "effect flags %#x", fx->flags);
	if (fx->flags & VLAPIC_FX_IPI) {
		const struct vlapic_ipi *ipi = &fx->ipi;
		FZ_CHECK(ipi->mode != VLAPIC_DM_RESERVED && ipi->mode != VLAPIC_DM_EXTINT && (unsigned)ipi->mode <= 7,
		         "IPI with delivery mode %d", ipi->mode);
		FZ_CHECK(!(ipi->mode == VLAPIC_DM_FIXED || ipi->mode == VLAPIC_DM_LOWEST) || ipi->vector >= 16,
		         "fixed IPI of vector %u", ipi->vector);
		FZ_CHECK((unsigned)ipi->shorthand <= VLAPIC_SH_ALL_BUT_SELF && (ipi->x2apic || ipi->dest <= 0xff),
		         "IPI shorthand %d, dest %#x", ipi->shorthand, ipi->dest);
	}
	if (fx->flags & VLAPIC_FX_EOI) {
		FZ_CHECK(fx->eoi_vector == isr_before && !vec_bit(l, APIC_REG_ISR0, fx->eoi_vector),
		         "EOI of %u, highest ISR was %d", fx->eoi_vector, isr_before);
		FZ_CHECK(fx->eoi_level == tmr_of_isr &&
		                 fx->eoi_broadcast ==
		                         (tmr_of_isr && !(vlapic_reg(l, APIC_REG_SVR) & APIC_SVR_EOI_SUPPRESS)),
		         "EOI of %u: level %d, broadcast %d", fx->eoi_vector, fx->eoi_level, fx->eoi_broadcast);
	}
	if (fx->flags & VLAPIC_FX_TIMER)
		FZ_CHECK(fx->timer_next == vlapic_timer_next(l), "timer effect %#llx, timer next %#llx",
		         (unsigned long long)fx->timer_next, (unsigned long long)vlapic_timer_next(l));
}

static void route(unsigned from, const struct vlapic_effect *fx)
{
	struct vlapic *hit[NCPU];
	size_t n = 0;

	if (!(fx->flags & VLAPIC_FX_IPI))
		return;
	for (unsigned c = 0; c < NCPU; c++)
		if (vlapic_ipi_hits(&apic[c], &apic[from], &fx->ipi))
			hit[n++] = &apic[c];
	switch (fx->ipi.mode) {
	case VLAPIC_DM_FIXED:
		for (size_t i = 0; i < n; i++)
			vlapic_accept(hit[i], fx->ipi.vector, false);
		break;
	case VLAPIC_DM_LOWEST: {
		size_t i = vlapic_lowest_priority(hit, n);
		FZ_CHECK(i <= n, "lowest priority picked %zu of %zu", i, n);
		if (i < n)
			vlapic_accept(hit[i], fx->ipi.vector, false);
		break;
	}
	case VLAPIC_DM_INIT:
		for (size_t i = 0; i < n; i++)
			vlapic_init_reset(hit[i]);
		break;
	default: break; /* NMI, SMI, SIPI: not the APIC's state */
	}
}

/* ---- the operations ---- */

static const unsigned sizes[] = {4, 4, 1, 2, 8, 3};

static void access_done(unsigned c, enum vlapic_result r, const struct vlapic_effect *fx, int isr, bool tmr)
{
	check_fx(&apic[c], r, fx, isr, tmr);
	route(c, fx);
}

static void op_mmio(unsigned c, bool write, uint16_t off, unsigned size, uint32_t value)
{
	struct vlapic *l = &apic[c];
	struct vlapic_effect fx;
	enum vlapic_mode mode = vlapic_mode(l);
	int isr = highest(l, APIC_REG_ISR0);
	bool tmr = isr >= 0 && vec_bit(l, APIC_REG_TMR0, (unsigned)isr);
	uint32_t v = 0x5a5a5a5a;
	enum vlapic_result r =
	        write ? vlapic_mmio_write(l, off, size, value, now, &fx) : vlapic_mmio_read(l, off, size, now, &v, &fx);

	if (mode != VLAPIC_MODE_XAPIC)
		FZ_CHECK(r == VLAPIC_NOT_APIC, "cpu %u: MMIO in mode %d: result %d", c, mode, r);
	else if ((size != 1 && size != 2 && size != 4) || (off & 0xf) + size > 4 || off >= VLAPIC_PAGE_SIZE)
		/* 1, 2 or 4 bytes within a register's low 4 bytes, as APIC virtualization takes them (docs/vlapic.md)
		 */
		FZ_CHECK(r == VLAPIC_BAD_ACCESS, "cpu %u: MMIO of %u bytes at %#x: result %d", c, size, off, r);
	else
		FZ_CHECK(r == VLAPIC_OK, "cpu %u: MMIO at %#x: result %d", c, off, r);
	FZ_CHECK(write || r == VLAPIC_OK || v == 0, "cpu %u: refused read gave %#x", c, v);
	FZ_CHECK(write || !(fx.flags & (VLAPIC_FX_IPI | VLAPIC_FX_EOI)), "cpu %u: a read sent or retired", c);
	access_done(c, r, &fx, isr, tmr);
}

static void op_msr(unsigned c, bool write, uint8_t reg, uint64_t value)
{
	struct vlapic *l = &apic[c];
	struct vlapic_effect fx;
	enum vlapic_mode mode = vlapic_mode(l);
	int isr = highest(l, APIC_REG_ISR0);
	bool tmr = isr >= 0 && vec_bit(l, APIC_REG_TMR0, (unsigned)isr);
	uint64_t v = 0x5a5a5a5a;
	uint32_t msr = APIC_X2APIC_MSR(reg);
	enum vlapic_result r =
	        write ? vlapic_msr_write(l, msr, value, now, &fx) : vlapic_msr_read(l, msr, now, &v, &fx);

	FZ_CHECK(vlapic_is_x2apic_msr(msr), "MSR %#x", msr);
	if (mode != VLAPIC_MODE_X2APIC)
		FZ_CHECK(r == VLAPIC_GP && fx.gp == VLAPIC_GP_NOT_X2APIC, "cpu %u: x2APIC MSR in mode %d: result %d", c,
		         mode, r);
	else
		FZ_CHECK(r == VLAPIC_OK || r == VLAPIC_GP, "cpu %u: MSR result %d", c, r);
	FZ_CHECK(write || r == VLAPIC_OK || v == 0, "cpu %u: refused RDMSR gave %#llx", c, (unsigned long long)v);
	FZ_CHECK(write || reg == APIC_REG_ICR_LOW || v <= 0xffffffffu, "cpu %u: RDMSR %#x gave %#llx", c, msr,
	         (unsigned long long)v);
	access_done(c, r, &fx, isr, tmr);
}

static void op_apic_base(unsigned c, uint8_t kind, uint64_t value)
{
	struct vlapic *l = &apic[c];
	struct vlapic_effect fx;
	uint64_t before = l->apic_base_msr;

	switch (kind % 4) {
	case 0: value = before & ~(APIC_BASE_ENABLE | APIC_BASE_EXTD); break;
	case 1: value = (before & ~APIC_BASE_EXTD) | APIC_BASE_ENABLE; break;
	case 2: value = before | APIC_BASE_ENABLE | APIC_BASE_EXTD; break;
	default: break;
	}
	enum vlapic_result r = vlapic_write_apic_base(l, value, &fx);
	check_fx(l, r, &fx, -1, false);
	FZ_CHECK(r == VLAPIC_OK || r == VLAPIC_GP, "cpu %u: APIC base result %d", c, r);
	if (r != VLAPIC_OK) {
		FZ_CHECK(l->apic_base_msr == before, "cpu %u: refused APIC base write changed it", c);
		return;
	}
	FZ_CHECK((l->apic_base_msr & ~APIC_BASE_BSP) == (value & ~APIC_BASE_BSP) &&
	                 (l->apic_base_msr & APIC_BASE_BSP) == (before & APIC_BASE_BSP),
	         "cpu %u: APIC base %#llx after writing %#llx", c, (unsigned long long)l->apic_base_msr,
	         (unsigned long long)value);
	FZ_CHECK(l->cfg.x2apic || vlapic_mode(l) != VLAPIC_MODE_X2APIC, "cpu %u: x2APIC mode without x2APIC", c);
}

static void op_deadline(unsigned c, uint64_t guest_value)
{
	struct vlapic *l = &apic[c];
	struct vlapic_effect fx;
	uint64_t host = vtsc_deadline_to_host(&tsc[c], guest_value, now), back;

	FZ_CHECK(guest_value ? host != 0 : host == 0, "deadline %#llx to host %#llx", (unsigned long long)guest_value,
	         (unsigned long long)host);
	FZ_CHECK(!guest_value || guest_value <= vtsc_guest(&tsc[c], now) || host > now || host == UINT64_MAX,
	         "a future deadline %#llx (guest now %#llx) became due at once", (unsigned long long)guest_value,
	         (unsigned long long)vtsc_guest(&tsc[c], now));
	enum vlapic_result r = vlapic_write_tsc_deadline(l, host, now, &fx);
	check_fx(l, r, &fx, -1, false);
	FZ_CHECK((r == VLAPIC_OK) == l->cfg.tsc_deadline, "cpu %u: TSC deadline result %d", c, r);
	bool armed = vlapic_hw_enabled(l) &&
	             (vlapic_reg(l, APIC_REG_LVT_TIMER) & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_TSC_DEADLINE;
	r = vlapic_read_tsc_deadline(l, &back, &fx);
	check_fx(l, r, &fx, -1, false);
	FZ_CHECK(r != VLAPIC_OK || back == (armed ? host : 0), "cpu %u: deadline %#llx written, reads %#llx", c,
	         (unsigned long long)host, (unsigned long long)back);
	vtsc_deadline_to_guest(&tsc[c], back);
}

static void op_time(uint32_t ticks, uint8_t shift)
{
	uint64_t d = (uint64_t)ticks << (shift % 40);

	now = d > UINT64_MAX - now ? UINT64_MAX : now + d;
	for (unsigned c = 0; c < NCPU; c++) {
		uint64_t next = vlapic_timer_expire(&apic[c], now);
		FZ_CHECK(next == VLAPIC_NEVER || next > now, "cpu %u: expired at %#llx, next due %#llx, in the past", c,
		         (unsigned long long)now, (unsigned long long)next);
		FZ_CHECK(next == vlapic_timer_next(&apic[c]), "cpu %u: expiry's next differs", c);
	}
}

static void op_ack(unsigned c)
{
	struct vlapic *l = &apic[c];
	int v = vlapic_highest_pending(l);

	if (v < 0)
		return;
	FZ_CHECK(vlapic_ack(l, (uint8_t)v), "cpu %u: pending %d not acknowledged", c, v);
	FZ_CHECK(vec_bit(l, APIC_REG_ISR0, (unsigned)v) && !vec_bit(l, APIC_REG_IRR0, (unsigned)v),
	         "cpu %u: %d acknowledged, not moved from IRR to ISR", c, v);
	FZ_CHECK(highest(l, APIC_REG_ISR0) == v, "cpu %u: acknowledged %d below the highest in service", c, v);
}

static void op_virtual_eoi(unsigned c)
{
	struct vlapic *l = &apic[c];
	struct vlapic_effect fx;
	int v = highest(l, APIC_REG_ISR0);

	if (v < 0)
		return;
	bool tmr = vec_bit(l, APIC_REG_TMR0, (unsigned)v);
	vlapic_set_reg(l, APIC_REG_ISR0 + (unsigned)v / 32,
	               vlapic_reg(l, APIC_REG_ISR0 + (unsigned)v / 32) & ~(1u << (v % 32)));
	vlapic_eoi_done(l, (uint8_t)v, &fx);
	FZ_CHECK(fx.flags == VLAPIC_FX_EOI, "cpu %u: EOI done gave effects %#x", c, fx.flags);
	check_fx(l, VLAPIC_OK, &fx, v, tmr);
}

static void op_tsc_msr(unsigned c, uint8_t which, uint64_t value)
{
	if (which & 1) {
		vtsc_write_adjust(&tsc[c], value);
		FZ_CHECK(tsc[c].adjust == value, "TSC_ADJUST reads back %#llx", (unsigned long long)tsc[c].adjust);
	} else {
		vtsc_write_tsc(&tsc[c], value, now);
		FZ_CHECK(vtsc_guest(&tsc[c], now) == value, "the guest's TSC reads %#llx after writing %#llx",
		         (unsigned long long)vtsc_guest(&tsc[c], now), (unsigned long long)value);
	}
}

static void step(struct fz *f)
{
	uint8_t op = fz_u8(f);
	unsigned c = op >> 7;

	switch (op & 0xf) {
	case 0: {
		uint16_t off = fz_u16(f);
		op_mmio(c, false, off, sizes[fz_u8(f) % 6], 0);
		break;
	}
	case 1: {
		uint16_t off = fz_u16(f);
		unsigned size = sizes[fz_u8(f) % 6];
		op_mmio(c, true, off, size, fz_u32(f));
		break;
	}
	case 2: op_msr(c, false, fz_u8(f), 0); break;
	case 3: {
		uint8_t reg = fz_u8(f);
		op_msr(c, true, reg, fz_u64(f));
		break;
	}
	case 4: {
		uint8_t kind = fz_u8(f);
		op_apic_base(c, kind, fz_u64(f));
		break;
	}
	case 5: op_deadline(c, fz_u64(f)); break;
	case 6: {
		uint32_t ticks = fz_u32(f);
		op_time(ticks, fz_u8(f));
		break;
	}
	case 7: {
		uint8_t vector = fz_u8(f);
		vlapic_accept(&apic[c], vector, fz_u8(f) & 1);
		break;
	}
	case 8: op_ack(c); break;
	case 9: op_virtual_eoi(c); break;
	case 10: vlapic_init_reset(&apic[c]); break;
	case 11: vlapic_set_reg(&apic[c], APIC_REG_TPR, (fz_u8(f) & 0xfu) << 4); break;
	case 12: vlapic_report_error(&apic[c], fz_u8(f)); break;
	case 13: {
		uint8_t which = fz_u8(f);
		op_tsc_msr(c, which, fz_u64(f));
		break;
	}
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t rates[] = {0, 1, 7, 1000};
	static const uint8_t maxphys[] = {0, 39, 46, 52};
	static void *pages[NCPU];
	struct fz f = {data, size};

	uint8_t model = fz_u8(&f);
	const struct vlapic_config cfg = {
	        .tsc_per_bus_tick = rates[(model >> 2) & 3],
	        .maxphyaddr = maxphys[(model >> 4) & 3],
	        .x2apic = model & 1,
	        .tsc_deadline = model & 2,
	};
	for (unsigned c = 0; c < NCPU; c++) {
		if (!pages[c] && !(pages[c] = aligned_alloc(VLAPIC_PAGE_SIZE, VLAPIC_PAGE_SIZE)))
			abort();
		vlapic_setup(&apic[c], pages[c], &cfg);
		vlapic_reset(&apic[c], fz_u8(&f), c == 0);
		vtsc_reset(&tsc[c]);
	}
	now = fz_u64(&f);
	while (f.n) {
		step(&f);
		for (unsigned c = 0; c < NCPU; c++)
			check_apic(&apic[c], c);
	}
	return 0;
}
