/* dump_apic.c: the shell's `apic <n>`: a snapshot's APIC page, VMX interrupt state and inbox, decoded (pure). */
#include "apicv/vintr.h"
#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "lapic/vlapic.h"
#include "vmm/debug/dump_util.h"
#include "vmm/debug/snapshot.h"
#include "vmm/lib/array.h"
#include "vmm/lib/log.h"

#define out(...) console_printf_raw(__VA_ARGS__)

#define APIC_BITMAP_REGS (DUMP_VECTORS / APIC_VECTORS_PER_REG)
#define NDST_XAPIC_SHIFT 8               /* NDST in xAPIC mode: the APIC ID in bits 15:8 (VT-d spec 9.11) */
#define NDST_XAPIC_RESERVED 0xffff00ffu  /* ... and the other bits reserved */
#define GUEST_INTR_STATUS_RVI_MASK 0xffu /* RVI in bits 7:0 (SDM Vol. 3, 25.4.2) */
#define TIMER_DIVIDE_HIGH_TO_BIT2 1      /* DCR bit 3 is bit 2 of the 3-bit divide value */

/* What decides delivery, read once from the snapshot. */
struct apic_view {
	bool enabled, x2apic;
	bool tpr_shadow, vid, posted; /* the VM-execution controls in force (false if not read) */
	bool status;                  /* RVI and SVI were read and mean something: VID is on */
	uint64_t isr[DUMP_VECTOR_WORDS], irr[DUMP_VECTOR_WORDS], tmr[DUMP_VECTOR_WORDS];
	int irr_hi, isr_hi; /* the page's highest IRR and ISR vectors; -1 for none */
	int rvi, svi;       /* from GUEST_INTR_STATUS with VID; -1 for 0 or not read */
	int pending;        /* the highest requested vector: of IRR and RVI; -1 for none */
	int in_service;     /* the highest vector in service: of ISR and SVI; -1 for none */
	uint32_t tpr;
	uint32_t ppr; /* computed (SDM Vol. 3, 11.8.3.1; VPPR, 30.1.3) */
};

static uint32_t reg(const struct vcpu_snapshot *s, enum apic_reg r) { return snap_apic_reg(s, APIC_MMIO_OFFSET(r)); }

/* ISR, TMR or IRR as one bitmap: 8 registers of 32 vectors, 16 bytes apart (SDM Vol. 3, 11.8.4, Figure 11-20). */
static void apic_bitmap(const struct vcpu_snapshot *s, enum apic_reg first, uint64_t bits[DUMP_VECTOR_WORDS])
{
	for (unsigned i = 0; i < DUMP_VECTOR_WORDS; i++)
		bits[i] = 0;
	for (unsigned r = 0; r < APIC_BITMAP_REGS; r++)
		bits[r * APIC_VECTORS_PER_REG / 64] |= (uint64_t)reg(s, first + r) << (r * APIC_VECTORS_PER_REG % 64);
}

static void view_controls(const struct vcpu_snapshot *s, struct apic_view *a)
{
	uint64_t cpu = SNAP_FIELD(s, CPU_BASED_VM_EXEC_CONTROL);

	a->tpr_shadow = SNAP_HAS(s, CPU_BASED_VM_EXEC_CONTROL) && (cpu & CPU_BASED_TPR_SHADOW);
	/* The secondary controls count only while the primary activates them (SDM Vol. 3, 25.6.2). */
	a->vid = SNAP_HAS(s, CPU_BASED_VM_EXEC_CONTROL) && (cpu & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	         SNAP_HAS(s, SECONDARY_VM_EXEC_CONTROL) &&
	         (SNAP_FIELD(s, SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	a->posted = SNAP_HAS(s, PIN_BASED_VM_EXEC_CONTROL) &&
	            (SNAP_FIELD(s, PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_POSTED_INTR);
	a->status = a->vid && SNAP_HAS(s, GUEST_INTR_STATUS);
}

/*
 * With VID the CPU evaluates RVI and SVI (30.2.1); the hypervisor sets them
 * from VIRR and VISR before each entry (30.1.1), so between an exit and the
 * next entry either side may be ahead: take the higher.
 */
static void view_status(struct apic_view *a, uint32_t status)
{
	a->rvi = (status & GUEST_INTR_STATUS_RVI_MASK) ? (int)(status & GUEST_INTR_STATUS_RVI_MASK) : -1;
	a->svi = (status >> GUEST_INTR_STATUS_SVI_SHIFT) ? (int)(status >> GUEST_INTR_STATUS_SVI_SHIFT) : -1;
	a->pending = a->rvi > a->pending ? a->rvi : a->pending;
	a->in_service = a->svi > a->in_service ? a->svi : a->in_service;
}

static void view_init(const struct vcpu_snapshot *s, struct apic_view *a)
{
	a->enabled = (s->apic_base_msr & APIC_BASE_ENABLE) != 0;
	a->x2apic = a->enabled && (s->apic_base_msr & APIC_BASE_EXTD);
	view_controls(s, a);
	apic_bitmap(s, APIC_REG_ISR0, a->isr);
	apic_bitmap(s, APIC_REG_IRR0, a->irr);
	apic_bitmap(s, APIC_REG_TMR0, a->tmr);
	a->irr_hi = a->pending = dump_highest_vector(a->irr);
	a->isr_hi = a->in_service = dump_highest_vector(a->isr);
	a->rvi = a->svi = -1;
	if (a->status)
		view_status(a, (uint32_t)SNAP_FIELD(s, GUEST_INTR_STATUS));
	a->tpr = reg(s, APIC_REG_TPR) & APIC_LVT_VECTOR_MASK;
	a->ppr = vlapic_compute_ppr(a->tpr, a->in_service);
}

/* ---- the APIC page ---- */

static void identity(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	uint32_t id = reg(s, APIC_REG_ID), ver = reg(s, APIC_REG_VERSION);

	out("apic: %s, IA32_APIC_BASE 0x%llx (base 0x%llx%s)\n",
	    !a->enabled ? "disabled"
	    : a->x2apic ? "x2APIC"
	                : "xAPIC",
	    (unsigned long long)s->apic_base_msr, (unsigned long long)(s->apic_base_msr & APIC_BASE_ADDR_MASK),
	    s->apic_base_msr & APIC_BASE_BSP ? ", BSP" : "");
	/* The x2APIC ID is the whole register, the xAPIC ID its bits 31:24 (SDM Vol. 3, 11.4.6, 11.12.5.1). */
	out("ID      0x%08x (%u)  version 0x%08x: version 0x%02x, %u LVT entries, EOI-broadcast suppression %s\n", id,
	    a->x2apic ? id : id >> APIC_XAPIC_ID_SHIFT, ver, ver & APIC_VERSION_VERSION_MASK,
	    ((ver >> APIC_VERSION_MAX_LVT_SHIFT) & APIC_VERSION_MAX_LVT_MASK) + 1,
	    ver & APIC_VERSION_EOI_SUPPRESS ? "supported" : "not supported");
}

/* TPR, PPR (both the computed one and the page's, which is stale in some modes) and APR. */
static void priorities(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	uint32_t page_ppr = reg(s, APIC_REG_PPR), apr = reg(s, APIC_REG_APR);

	if (a->status)
		out("TPR 0x%02x  PPR 0x%02x (VPPR computed from VTPR and SVI, SDM 30.1.3", a->tpr, a->ppr);
	else
		out("TPR 0x%02x  PPR 0x%02x (computed from TPR and the highest ISR vector, SDM 11.8.3.1", a->tpr,
		    a->ppr);
	if (a->vid)
		out("; the page holds 0x%02x, VPPR as the CPU last wrote it)", page_ppr);
	else if (a->tpr_shadow)
		out("; the page holds 0x%02x, which the CPU does not maintain with TPR shadow only)", page_ppr);
	else
		out("; the page holds 0x%02x, the model's)", page_ppr);
	if (apr)
		out("  APR 0x%02x", apr);
	out("\n");
}

static void logical(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	uint32_t ldr = reg(s, APIC_REG_LDR), dfr = reg(s, APIC_REG_DFR);

	if (a->x2apic) { /* cluster and bit within it; there is no DFR (SDM Vol. 3, 11.12.10.2) */
		out("LDR 0x%08x (cluster 0x%x, ID 0x%04x)\n", ldr, ldr >> APIC_X2APIC_LDR_CLUSTER_SHIFT,
		    ldr & APIC_X2APIC_LDR_ID_MASK);
		return;
	}
	out("LDR 0x%08x (logical ID 0x%02x)  DFR 0x%08x (%s)\n", ldr, ldr >> APIC_XAPIC_ID_SHIFT, dfr,
	    (dfr & APIC_DFR_MODEL_MASK) == APIC_DFR_MODEL_FLAT      ? "flat"
	    : (dfr & APIC_DFR_MODEL_MASK) == APIC_DFR_MODEL_CLUSTER ? "cluster"
	                                                            : "reserved model");
}

/* SDM Vol. 3, 11.9, Figure 11-23. */
static void svr(const struct vcpu_snapshot *s)
{
	uint32_t v = reg(s, APIC_REG_SVR);

	out("SVR 0x%08x: %s, spurious vector 0x%02x, focus checking %s, EOI-broadcast suppression %s\n", v,
	    v & APIC_SVR_ENABLE ? "software-enabled" : "software-disabled", v & APIC_SVR_VECTOR_MASK,
	    v & APIC_SVR_FOCUS_DISABLE ? "off" : "on", v & APIC_SVR_EOI_SUPPRESS ? "on" : "off");
}

static void vector_regs(const struct apic_view *a)
{
	out("ISR    ");
	dump_vectors(a->isr);
	out("\nIRR    ");
	dump_vectors(a->irr);
	out("\nTMR    ");
	dump_vectors(a->tmr);
	out("\n");
}

/* clang-format off */
static const struct dump_flag esr_names[] = {
	{APIC_ESR_SEND_CHECKSUM, "send-checksum"}, {APIC_ESR_RECV_CHECKSUM, "receive-checksum"},
	{APIC_ESR_SEND_ACCEPT, "send-accept"}, {APIC_ESR_RECV_ACCEPT, "receive-accept"},
	{APIC_ESR_REDIRECTABLE_IPI, "redirectable-IPI"}, {APIC_ESR_SEND_ILLEGAL_VECTOR, "send-illegal-vector"},
	{APIC_ESR_RECV_ILLEGAL_VECTOR, "receive-illegal-vector"}, {APIC_ESR_ILLEGAL_REGISTER, "illegal-register"},
};
/* clang-format on */

/* Delivery modes of the ICR and the LVT entries share one encoding (SDM Vol. 3, Figures 11-8, 11-12). */
static const char *dm_name(uint32_t v)
{
	switch (v & APIC_ICR_DM_MASK) {
	case APIC_ICR_DM_FIXED: return "fixed";
	case APIC_ICR_DM_LOWEST: return "lowest-priority";
	case APIC_ICR_DM_SMI: return "SMI";
	case APIC_ICR_DM_NMI: return "NMI";
	case APIC_ICR_DM_INIT: return "INIT";
	case APIC_ICR_DM_STARTUP: return "start-up";
	case APIC_LVT_DM_EXTINT: return "ExtINT";
	}
	return "reserved";
}

static const char *shorthand_name(uint32_t icr)
{
	switch (icr & APIC_ICR_SHORTHAND_MASK) {
	case APIC_ICR_DEST_SELF: return "self";
	case APIC_ICR_DEST_ALL: return "all including self";
	case APIC_ICR_DEST_ALL_BUT_SELF: return "all excluding self";
	}
	return "no shorthand";
}

static void esr_icr(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	uint32_t lo = reg(s, APIC_REG_ICR_LOW), hi = reg(s, APIC_REG_ICR_HIGH);

	out("ESR 0x%08x ", reg(s, APIC_REG_ESR));
	dump_flags(reg(s, APIC_REG_ESR), esr_names, ARRAY_LEN(esr_names), " ");
	/* The destination: ICR_HIGH[31:24] in xAPIC mode, all of ICR[63:32] in x2APIC mode (SDM Vol. 3, 11.12.9). */
	out("\nICR 0x%08x 0x%08x: vector 0x%02x, %s, %s, %s, %s, %s, %s, destination 0x%x\n", hi, lo,
	    lo & APIC_ICR_VECTOR_MASK, dm_name(lo), lo & APIC_ICR_DEST_LOGICAL ? "logical" : "physical",
	    lo & APIC_ICR_DELIVERY_PENDING ? "send pending" : "idle",
	    lo & APIC_ICR_LEVEL_ASSERT ? "assert" : "de-assert", lo & APIC_ICR_TRIGGER_LEVEL ? "level" : "edge",
	    shorthand_name(lo), a->x2apic ? hi : hi >> APIC_XAPIC_DEST_SHIFT);
}

/* Which fields an LVT entry has (SDM Vol. 3, Figure 11-8). */
#define LVT_HAS_DM (1u << 0)
#define LVT_HAS_PIN (1u << 1) /* polarity, remote IRR, trigger mode: LINT0 and LINT1 */
#define LVT_HAS_TIMER (1u << 2)

static const struct {
	const char *name;
	enum apic_reg reg;
	unsigned has;
} lvts[] = {
        {"timer", APIC_REG_LVT_TIMER, LVT_HAS_TIMER},
        {"thermal", APIC_REG_LVT_THERMAL, LVT_HAS_DM},
        {"PMC", APIC_REG_LVT_PMC, LVT_HAS_DM},
        {"LINT0", APIC_REG_LVT_LINT0, LVT_HAS_DM | LVT_HAS_PIN},
        {"LINT1", APIC_REG_LVT_LINT1, LVT_HAS_DM | LVT_HAS_PIN},
        {"error", APIC_REG_LVT_ERROR, 0},
        {"CMCI", APIC_REG_LVT_CMCI, LVT_HAS_DM},
};

static const char *timer_mode_name(uint32_t v)
{
	switch (v & APIC_LVT_TIMER_MODE_MASK) {
	case APIC_LVT_TIMER_ONESHOT: return "one-shot";
	case APIC_LVT_TIMER_PERIODIC: return "periodic";
	case APIC_LVT_TIMER_TSC_DEADLINE: return "TSC-deadline";
	}
	return "reserved mode";
}

static void lvt_entry(const char *name, uint32_t v, unsigned has)
{
	out("LVT %-7s 0x%08x: vector 0x%02x, %s", name, v, v & APIC_LVT_VECTOR_MASK,
	    v & APIC_LVT_MASKED ? "masked" : "unmasked");
	if (has & LVT_HAS_TIMER)
		out(", %s", timer_mode_name(v));
	if (has & LVT_HAS_DM)
		out(", %s", dm_name(v));
	if (has & LVT_HAS_PIN)
		out(", %s, active %s, remote IRR %u", v & APIC_LVT_TRIGGER_LEVEL ? "level" : "edge",
		    v & APIC_LVT_POLARITY_LOW ? "low" : "high", (v & APIC_LVT_REMOTE_IRR) != 0);
	out(", %s\n", v & APIC_LVT_DELIVERY_PENDING ? "send pending" : "idle");
}

/* The divide configuration's bits 3, 1, 0 as one value: 111b divides by 1, n by 2 << n (SDM Vol. 3, Figure 11-10). */
static unsigned timer_divisor(uint32_t dcr)
{
	unsigned n = ((dcr & APIC_TIMER_DIVIDE_HIGH) >> TIMER_DIVIDE_HIGH_TO_BIT2) | (dcr & APIC_TIMER_DIVIDE_LOW_MASK);

	return n == APIC_TIMER_DIVIDE_BY_1 ? 1 : 2u << n;
}

static void lvt_timer(const struct vcpu_snapshot *s)
{
	uint32_t dcr = reg(s, APIC_REG_TIMER_DIVIDE);

	for (size_t i = 0; i < ARRAY_LEN(lvts); i++)
		lvt_entry(lvts[i].name, reg(s, lvts[i].reg), lvts[i].has);
	out("timer initial count %u, current count %u, divide 0x%x (by %u)\n", reg(s, APIC_REG_TIMER_INITIAL),
	    s->timer_current, dcr & APIC_TIMER_DIVIDE_MASK, timer_divisor(dcr));
}

/* ---- the VMX side and the inbox ---- */

static void vmx_side(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	uint32_t status = (uint32_t)SNAP_FIELD(s, GUEST_INTR_STATUS);

	if (!s->vmcs_current) {
		out("vmx: the VMCS was not current: no VMCS field was read\n");
		return;
	}
	out("vmx: TPR shadow %s, virtual-interrupt delivery %s, posted-interrupt processing %s\n",
	    a->tpr_shadow ? "on" : "off", a->vid ? "on" : "off", a->posted ? "on" : "off");
	if (a->status)
		out("RVI 0x%02x  SVI 0x%02x\n", status & GUEST_INTR_STATUS_RVI_MASK,
		    status >> GUEST_INTR_STATUS_SVI_SHIFT);
	if (a->tpr_shadow && SNAP_HAS(s, TPR_THRESHOLD))
		out("TPR_THRESHOLD 0x%llx\n", (unsigned long long)SNAP_FIELD(s, TPR_THRESHOLD));
	if (a->vid) {
		out("EOI-exit bitmap");
		dump_vectors(s->eoi_exit);
		out("\n");
	}
	if (SNAP_HAS(s, POSTED_INTR_NV) || SNAP_HAS(s, POSTED_INTR_DESC_ADDR))
		out("POSTED_INTR_NV 0x%02llx  POSTED_INTR_DESC_ADDR 0x%llx\n",
		    (unsigned long long)SNAP_FIELD(s, POSTED_INTR_NV),
		    (unsigned long long)SNAP_FIELD(s, POSTED_INTR_DESC_ADDR));
}

/*
 * NDST addresses the host core's APIC, whose mode the snapshot does not
 * record: an xAPIC NDST has only bits 15:8 (VT-d spec 9.11), so name both
 * readings unless the reserved bits rule the xAPIC one out.
 */
static void ndst(uint32_t d)
{
	if (d & NDST_XAPIC_RESERVED)
		out("0x%08x (x2APIC ID %u)", d, d);
	else
		out("0x%08x (xAPIC ID %u, or x2APIC ID %u)", d, d >> NDST_XAPIC_SHIFT, d);
}

static void posted(const struct vcpu_snapshot *s)
{
	const struct pi_desc *pi = &s->pi;

	out("PI descriptor: PIR");
	dump_vectors(pi->pir);
	out("; ON %u, SN %u, NV 0x%02x, NDST ", (pi->control & PI_ON) != 0, (pi->control & PI_SN) != 0, pi->nv);
	ndst(pi->ndst);
	out("\n");
}

static const struct dump_flag mail_names[] = {
        {PI_MAIL_NMI, "NMI"},
        {PI_MAIL_INIT, "INIT"},
        {PI_MAIL_SIPI, "SIPI"},
};

static void inbox(const struct vcpu_snapshot *s)
{
	out("inbox: level");
	dump_vectors(s->inbox_level);
	out("; mail ");
	dump_flags(s->inbox_mail, mail_names, ARRAY_LEN(mail_names), " ");
	out("\n");
}

/* ---- the summary: the first line to read for a lost interrupt ---- */

/* One reason in a "(blocked: a, b)" list. */
static void blocker(const char **sep, const char *why)
{
	out("%s%s", *sep, why);
	*sep = ", ";
}

/*
 * What keeps the CPU from taking an interrupt the APIC would deliver: RFLAGS.IF,
 * blocking by STI or MOV SS (SDM Vol. 3, 25.4.2, 30.2.1), the activity state,
 * and an event the next entry injects first. Prints them; false if none.
 */
static bool cpu_blockers(const struct vcpu_snapshot *s)
{
	static const char first[] = " (blocked: ";
	const char *sep = first;
	uint32_t intr = (uint32_t)SNAP_FIELD(s, GUEST_INTERRUPTIBILITY_INFO);
	uint32_t act = (uint32_t)SNAP_FIELD(s, GUEST_ACTIVITY_STATE);

	if (SNAP_HAS(s, GUEST_RFLAGS) && !(SNAP_FIELD(s, GUEST_RFLAGS) & RFLAGS_IF))
		blocker(&sep, "guest IF=0");
	if (SNAP_HAS(s, GUEST_INTERRUPTIBILITY_INFO) && (intr & GUEST_INTR_STATE_STI))
		blocker(&sep, "blocking by STI");
	if (SNAP_HAS(s, GUEST_INTERRUPTIBILITY_INFO) && (intr & GUEST_INTR_STATE_MOV_SS))
		blocker(&sep, "blocking by MOV SS");
	if (s->state == VCPU_WAIT_SIPI || (SNAP_HAS(s, GUEST_ACTIVITY_STATE) && act == GUEST_ACTIVITY_WAIT_SIPI))
		blocker(&sep, "the vCPU waits for SIPI");
	if (s->state == VCPU_STOPPED || (SNAP_HAS(s, GUEST_ACTIVITY_STATE) && act == GUEST_ACTIVITY_SHUTDOWN))
		blocker(&sep, "the vCPU is stopped or shut down");
	if (SNAP_HAS(s, VM_ENTRY_INTR_INFO_FIELD) && (SNAP_FIELD(s, VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK))
		blocker(&sep, "the next entry injects another event first");
	if (sep == first)
		return false;
	out(")");
	return true;
}

/* The highest requested vector against PPR (SDM Vol. 3, 11.8.3.1; with VID, RVI against VPPR, 30.2.1). */
static void pending_line(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	const char *ppr = a->status ? "VPPR" : "PPR";
	unsigned p = (unsigned)a->pending;

	out("pending: %s 0x%02x", a->pending == a->rvi ? "RVI" : "IRR", p);
	if (vlapic_prio_class(p) <= vlapic_prio_class(a->ppr)) {
		out(" (blocked: ");
		if (a->in_service >= 0 && vlapic_prio_class((uint32_t)a->in_service) >= vlapic_prio_class(p))
			out("in service 0x%02x, ", a->in_service);
		out("%s 0x%02x >= vector class 0x%02x)", ppr, a->ppr, p & APIC_PRIO_CLASS_MASK);
		return;
	}
	if (cpu_blockers(s))
		return;
	if (s->state == VCPU_HALTED)
		out(" (deliverable, but the vCPU is halted: it should have been woken)");
	else if (a->vid)
		out(" (deliverable: the CPU delivers it when the guest runs, SDM 30.2.1)");
	else
		out(" (deliverable: the hypervisor injects it at the next entry)");
}

/* Vectors posted into PIR and not yet in IRR: the next entry (or a notification) moves them there (30.6). */
static bool pir_only(const struct vcpu_snapshot *s, const struct apic_view *a, const char *sep)
{
	uint64_t only[DUMP_VECTOR_WORDS];
	bool any = false;

	for (unsigned i = 0; i < DUMP_VECTOR_WORDS; i++) {
		only[i] = s->pi.pir[i] & ~a->irr[i];
		any |= only[i] != 0;
	}
	if (!any)
		return false;
	out("%sin PIR only:", sep);
	dump_vectors(only);
	out(" (ON %u: awaiting the notification or the next entry)", (s->pi.control & PI_ON) != 0);
	return true;
}

/* The hypervisor's own queue: level vectors, NMI/INIT/SIPI, and the NMIs held for the guest (one or two). */
static bool held(const struct vcpu_snapshot *s, const char *sep)
{
	bool said = false;

	if (dump_highest_vector(s->inbox_level) >= 0) {
		out("%sin the inbox (level):", sep);
		dump_vectors(s->inbox_level);
		sep = "; ";
		said = true;
	}
	if (s->inbox_mail) {
		out("%sin the inbox: mail ", sep);
		dump_flags(s->inbox_mail, mail_names, ARRAY_LEN(mail_names), " ");
		sep = "; ";
		said = true;
	}
	if (s->nmi_pending) {
		out("%s%u NMI%s held until the guest can take %s", sep, s->nmi_pending, s->nmi_pending == 1 ? "" : "s",
		    s->nmi_pending == 1 ? "it" : "them");
		said = true;
	}
	return said;
}

static void summary(const struct vcpu_snapshot *s, const struct apic_view *a)
{
	bool said = true;

	out("summary: ");
	if (!a->enabled)
		out("APIC disabled (IA32_APIC_BASE[11] = 0): it accepts no interrupt");
	else if (a->pending >= 0)
		pending_line(s, a);
	else if (a->in_service >= 0)
		out("in service: 0x%02x (awaiting the guest's EOI)", a->in_service);
	else
		said = false;
	/* Software-disabled, the APIC holds IRR and ISR and masks its LVT (SDM Vol. 3, 11.4.7.2). */
	if (a->enabled && !(reg(s, APIC_REG_SVR) & APIC_SVR_ENABLE)) {
		out("%sAPIC software-disabled (SVR[8] = 0)", said ? "; " : "");
		said = true;
	}
	said |= pir_only(s, a, said ? "; " : "");
	said |= held(s, said ? "; " : "");
	if (a->status && (a->rvi != a->irr_hi || a->svi != a->isr_hi)) {
		out("%sRVI/SVI 0x%02x/0x%02x lag VIRR/VISR 0x%02x/0x%02x until the next entry", said ? "; " : "",
		    a->rvi < 0 ? 0 : a->rvi, a->svi < 0 ? 0 : a->svi, a->irr_hi < 0 ? 0 : a->irr_hi,
		    a->isr_hi < 0 ? 0 : a->isr_hi);
		said = true;
	}
	if (SNAP_HAS(s, VM_ENTRY_INTR_INFO_FIELD) && (SNAP_FIELD(s, VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK)) {
		out("%snext entry injects vector 0x%02llx", said ? "; " : "",
		    (unsigned long long)(SNAP_FIELD(s, VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VECTOR_MASK));
		said = true;
	}
	out("%s\n", said ? "" : "nothing pending");
}

void dump_apic(const struct vcpu_snapshot *s)
{
	struct apic_view a;

	if (!s->has_vcpu) {
		out("cpu %u runs no vCPU\n", s->cpu);
		return;
	}
	view_init(s, &a);
	out("cpu %u: guest %s, vcpu %u, apicv %s\n", s->cpu, s->guest, s->vcpu_index,
	    vmx_apicv_mode_name(s->apicv_mode));
	identity(s, &a);
	priorities(s, &a);
	logical(s, &a);
	svr(s);
	vector_regs(&a);
	esr_icr(s, &a);
	lvt_timer(s);
	vmx_side(s, &a);
	posted(s);
	inbox(s);
	summary(s, &a);
}
