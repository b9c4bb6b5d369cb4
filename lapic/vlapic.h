/* vlapic.h: the virtual local APIC, a pure model of SDM Vol. 3 chapter 11 that never reads a clock or touches VMX. */
#ifndef LAPIC_VLAPIC_H
#define LAPIC_VLAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/apic_regs.h"

/*
 * The register state lives in one 4 KiB page laid out as the virtual-APIC
 * page (SDM Vol. 3, 30.1): register index n is the 32-bit word at byte n << 4;
 * ISR, TMR and IRR are 8 such words each. Later, VMX's virtual-APIC page is
 * this very page. The model keeps beside it only what hardware does not show
 * there: the APIC base MSR, errors not yet latched into ESR, and the timer.
 *
 * Time is abstract: callers pass `now` in TSC ticks; the timer returns when
 * it is next due (VLAPIC_NEVER for never). Nothing is performed: every
 * access returns its effects (an IPI to send, an EOI to broadcast, ...) in a
 * struct vlapic_effect for the caller to carry out. See docs/vlapic.md.
 */

#define VLAPIC_PAGE_SIZE 4096
#define VLAPIC_NEVER UINT64_MAX
#define VLAPIC_VERSION 0x14u /* integrated APIC, the value KVM reports (the SDM fixes only 1xH) */
#define VLAPIC_MAX_LVT 6     /* CMCI, timer, thermal, PMC, LINT0, LINT1, error */
#define VLAPIC_MAXPHYADDR_DEFAULT 36
#define VLAPIC_TIMER_FLOOR_MAX (1ull << 32) /* a larger cfg.timer_floor counts as this (about 1 s at 4 GHz) */

/* What the model was built to look like: fixed for the guest's lifetime (CPUID tells the guest). */
struct vlapic_config {
	uint64_t tsc_per_bus_tick; /* TSC ticks per timer input tick (divide by 1); 0 counts as 1 */
	uint64_t timer_floor;      /* the shortest one-shot or periodic countdown, in TSC ticks; 0: none */
	uint8_t maxphyaddr;        /* APIC base bits at and above it are reserved; 0: 36 */
	bool x2apic;               /* CPUID.1:ECX.x2APIC: else APIC base EXTD is reserved */
	bool tsc_deadline;         /* CPUID.1:ECX.TSC_Deadline: else LVT timer bit 18 is reserved */
};

/* One-shot and periodic countdown, and the TSC-deadline MSR (SDM Vol. 3, 11.5.4). */
struct vlapic_timer {
	uint64_t start;        /* TSC when the current countdown began */
	uint32_t first;        /* the count at start: the initial count, or what remained at a rebase */
	bool armed;            /* a countdown runs (one-shot or periodic) */
	uint64_t next;         /* when it is next due (TSC), VLAPIC_NEVER if never; unused while masked */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE; 0: disarmed */
};

struct vlapic {
	uint8_t *page;          /* 4 KiB, 4 KiB aligned: the registers */
	uint32_t id;            /* the vCPU's initial (x2)APIC ID; the xAPIC ID is its low 8 bits */
	uint64_t apic_base_msr; /* IA32_APIC_BASE */
	struct vlapic_config cfg;
	uint32_t esr_pending; /* errors since the last ESR write (SDM Vol. 3, 11.5.3) */
	struct vlapic_timer timer;
};

enum vlapic_mode { VLAPIC_MODE_DISABLED, VLAPIC_MODE_XAPIC, VLAPIC_MODE_X2APIC };

enum vlapic_result {
	VLAPIC_OK,
	VLAPIC_GP,         /* inject #GP(0); effect.gp says why */
	VLAPIC_NOT_APIC,   /* an MMIO access while not in xAPIC mode: the page is not an APIC now */
	VLAPIC_BAD_ACCESS, /* an MMIO access other than an aligned 32-bit one: undefined (SDM Vol. 3, 11.4.1) */
};

/* Why an access raised #GP; vlapic_gp_name() names each for logs. */
enum vlapic_gp {
	VLAPIC_GP_NONE,
	VLAPIC_GP_NOT_X2APIC,       /* an x2APIC MSR while not in x2APIC mode (11.12.1.2) */
	VLAPIC_GP_RESERVED_REG,     /* an MSR in 0x800-0x8ff that is no register (Table 11-6) */
	VLAPIC_GP_READ_ONLY,        /* WRMSR to a read-only register */
	VLAPIC_GP_WRITE_ONLY,       /* RDMSR of EOI or SELF IPI */
	VLAPIC_GP_RESERVED_BITS,    /* WRMSR with a reserved bit set (11.12.1.3); non-zero EOI/ESR */
	VLAPIC_GP_BASE_RESERVED,    /* IA32_APIC_BASE: a reserved bit set */
	VLAPIC_GP_BASE_INVALID,     /* IA32_APIC_BASE: EN=0 with EXTD=1 (11.12.5) */
	VLAPIC_GP_BASE_X2_TO_XAPIC, /* x2APIC to xAPIC without going through disabled */
	VLAPIC_GP_BASE_OFF_TO_X2,   /* disabled straight to x2APIC */
	VLAPIC_GP_NO_TSC_DEADLINE,  /* IA32_TSC_DEADLINE on a model without it */
	VLAPIC_GP_COUNT,
};

/* Delivery modes, as encoded in ICR bits 10:8 (SDM Vol. 3, 11.6.1). */
enum vlapic_delivery {
	VLAPIC_DM_FIXED = 0,
	VLAPIC_DM_LOWEST = 1,
	VLAPIC_DM_SMI = 2,
	VLAPIC_DM_NMI = 4,
	VLAPIC_DM_INIT = 5,
	VLAPIC_DM_STARTUP = 6,
	VLAPIC_DM_RESERVED = 3, /* reserved in the ICR; so is 7 (ExtINT, for LVTs and I/O APICs only) */
	VLAPIC_DM_EXTINT = 7,
};

enum vlapic_dest_mode { VLAPIC_DEST_PHYSICAL, VLAPIC_DEST_LOGICAL };

/* ICR bits 19:18. */
enum vlapic_shorthand {
	VLAPIC_SH_NONE = 0,
	VLAPIC_SH_SELF = 1,
	VLAPIC_SH_ALL = 2,         /* all including self */
	VLAPIC_SH_ALL_BUT_SELF = 3 /* all excluding self */
};

/*
 * A decoded IPI. Receivers take it edge-triggered whatever the trigger bit
 * says (SDM Vol. 3, Table 11-3, note 2): pass level_triggered = false to
 * vlapic_accept(). `level` and `trigger_level` are the bits as written.
 */
struct vlapic_ipi {
	enum vlapic_delivery mode;
	uint8_t vector; /* the SIPI page number for VLAPIC_DM_STARTUP */
	uint32_t dest;  /* 8 bits (xAPIC) or 32 bits (x2APIC); unused with a shorthand */
	enum vlapic_dest_mode dest_mode;
	enum vlapic_shorthand shorthand;
	bool level;         /* ICR bit 14: assert */
	bool trigger_level; /* ICR bit 15 */
	bool x2apic;        /* dest is in x2APIC format (broadcast 0xffffffff, not 0xff) */
	uint64_t icr;       /* the ICR as written, for logs */
};

/* Effects of one access, for the caller to carry out. */
#define VLAPIC_FX_IPI (1u << 0)   /* send fx.ipi */
#define VLAPIC_FX_EOI (1u << 1)   /* an EOI of fx.eoi_vector was done */
#define VLAPIC_FX_TIMER (1u << 2) /* the timer was reprogrammed: next due at fx.timer_next */
#define VLAPIC_FX_BASE (1u << 3)  /* mode or base address changed: remap MMIO, redo MSR intercepts */
#define VLAPIC_FX_DEST (1u << 4)  /* ID, LDR, DFR or software enable changed: destinations may differ */

struct vlapic_effect {
	unsigned flags;
	enum vlapic_gp gp; /* with VLAPIC_GP */
	struct vlapic_ipi ipi;
	uint8_t eoi_vector;
	bool eoi_level;     /* the vector was level-triggered (TMR) */
	bool eoi_broadcast; /* level and not suppressed by SVR[12]: broadcast the EOI to the I/O APICs */
	uint64_t timer_next;
};

/* Setup and reset (SDM Vol. 3, 11.4.7 and 11.12.5.1). */

/* Attach the page (4 KiB, 4 KiB aligned, owned by the caller) and the config; call vlapic_reset() next. */
void vlapic_setup(struct vlapic *l, void *page, const struct vlapic_config *cfg);
/* Power-up or RESET: xAPIC mode at 0xfee00000, software-disabled, every LVT masked. */
void vlapic_reset(struct vlapic *l, uint32_t id, bool bsp);
/* INIT: as RESET, except that the APIC ID and IA32_APIC_BASE (hence the mode) stay. */
void vlapic_init_reset(struct vlapic *l);

enum vlapic_mode vlapic_mode(const struct vlapic *l);
bool vlapic_hw_enabled(const struct vlapic *l); /* IA32_APIC_BASE.EN: what CPUID.1:EDX.APIC shows */
bool vlapic_sw_enabled(const struct vlapic *l); /* SVR bit 8 */
uint64_t vlapic_mmio_base(const struct vlapic *l);
const char *vlapic_gp_name(enum vlapic_gp gp);

/* IA32_APIC_BASE: a legal transition, or #GP with the reason in fx->gp (11.12.5.1). */
enum vlapic_result vlapic_write_apic_base(struct vlapic *l, uint64_t value, struct vlapic_effect *fx);

/*
 * Register access by index. x2apic_access: through an MSR (0x800 + reg),
 * else through the MMIO page. Reads give 32 bits, or 64 for the x2APIC ICR.
 * An xAPIC access to a reserved register sets ESR's illegal-register bit
 * (reads give 0); an x2APIC one raises #GP. `now` dates the current count.
 */
enum vlapic_result vlapic_read(struct vlapic *l, enum apic_reg reg, bool x2apic_access, uint64_t now, uint64_t *value,
                               struct vlapic_effect *fx);
enum vlapic_result vlapic_write(struct vlapic *l, enum apic_reg reg, uint64_t value, bool x2apic_access, uint64_t now,
                                struct vlapic_effect *fx);

/* The same, from an MMIO offset in the APIC page and an access size in bytes. */
enum vlapic_result vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned size, uint64_t now, uint32_t *value,
                                    struct vlapic_effect *fx);
enum vlapic_result vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned size, uint32_t value, uint64_t now,
                                     struct vlapic_effect *fx);

/* The same, from an MSR number; precondition: vlapic_is_x2apic_msr(msr). */
bool vlapic_is_x2apic_msr(uint32_t msr);
enum vlapic_result vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t now, uint64_t *value,
                                   struct vlapic_effect *fx);
enum vlapic_result vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value, uint64_t now,
                                    struct vlapic_effect *fx);
/*
 * The common x2APIC ICR write, for the exit's fast path: in x2APIC mode, a
 * fixed, edge-triggered IPI with a legal vector to a physical destination,
 * no shorthand (ICR bits 31:8 all clear but level assert). Stores what
 * vlapic_msr_write(ICR) would and gives the vector and destination it would
 * send to; false, with nothing done, for any other write, which takes the
 * general path. Storing twice is harmless: the general path after this one
 * stores the same.
 */
bool vlapic_x2apic_icr_fixed(struct vlapic *l, uint64_t icr, uint8_t *vector, uint32_t *dest);

/* Delivery (SDM Vol. 3, 11.8). */

/*
 * A fixed or lowest-priority interrupt arrives: IRR set, TMR set or cleared
 * by the trigger mode. Dropped (false) while globally or software disabled;
 * vectors 0-15 set ESR's receive-illegal-vector bit instead (false).
 */
bool vlapic_accept(struct vlapic *l, uint8_t vector, bool level_triggered);
/* A vector's, TPR's or PPR's priority class: bits 7:4 (SDM Vol. 3, 11.8.3). */
static inline uint32_t vlapic_prio_class(uint32_t v) { return (v & APIC_PRIO_CLASS_MASK) >> APIC_PRIO_CLASS_SHIFT; }
/*
 * SDM Vol. 3, 11.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0,
 * where ISRV is the highest in-service vector (isrv, -1 for none: 0). From
 * values, not a struct vlapic: VPPR is the same of VTPR and SVI (30.1.3).
 */
static inline uint32_t vlapic_compute_ppr(uint32_t tpr, int isrv)
{
	uint32_t i = isrv < 0 ? 0 : (uint32_t)isrv;

	return vlapic_prio_class(tpr) >= vlapic_prio_class(i) ? tpr : (i & APIC_PRIO_CLASS_MASK);
}
/* PPR from TPR and the highest in-service vector (vlapic_compute_ppr); also stored on the page. */
uint8_t vlapic_ppr(struct vlapic *l);
/* The highest IRR vector whose priority class is above PPR's, or -1 (none, or APIC disabled). */
int vlapic_highest_pending(struct vlapic *l);
/* The same, for a caller that has IRR's highest vector already (irr, -1 for none). */
int vlapic_pending_of(struct vlapic *l, int irr);
int vlapic_highest_irr(const struct vlapic *l); /* -1 if IRR is empty */
int vlapic_highest_isr(const struct vlapic *l); /* -1 if ISR is empty */
/* The CPU takes `vector` (precondition: vlapic_highest_pending()): IRR to ISR. False if not in IRR. */
bool vlapic_ack(struct vlapic *l, uint8_t vector);
/* An error the caller detected (APIC_ESR_SEND_ACCEPT, say): latched, and the LVT error interrupt raised. */
void vlapic_report_error(struct vlapic *l, uint32_t esr_bits);

/* Destinations (SDM Vol. 3, 11.6.2 and 11.12.10). */

/*
 * Does `l` take a message for dest? Physical: its ID, or the broadcast ID
 * (0xff, 0xffffffff in x2APIC format). Logical: flat, cluster (DFR), or
 * x2APIC cluster, against its LDR; the broadcast ID takes every APIC.
 * x2apic_format: the sender's format. A globally disabled APIC takes nothing.
 */
bool vlapic_match(const struct vlapic *l, uint32_t dest, enum vlapic_dest_mode mode, bool x2apic_format);
/* Does `target` receive `ipi` sent by `sender` (shorthands included)? */
bool vlapic_ipi_hits(const struct vlapic *target, const struct vlapic *sender, const struct vlapic_ipi *ipi);
/* Lowest-priority arbitration among n matched APICs: lowest PPR, ties to the lowest APIC ID. Index, or n if none. */
size_t vlapic_lowest_priority(struct vlapic *const *cands, size_t n);

/* Timer (SDM Vol. 3, 11.5.4). */

/* When next due (TSC), or VLAPIC_NEVER; a masked one-shot or periodic timer is never due (docs/vlapic.md). */
uint64_t vlapic_timer_next(const struct vlapic *l);
/* Raise the LVT timer interrupt if due at `now` (rearming periodic); returns the next due time. Never early. */
uint64_t vlapic_timer_expire(struct vlapic *l, uint64_t now);
/* IA32_TSC_DEADLINE (11.5.4.1): reads 0 and ignores writes outside TSC-deadline mode. */
enum vlapic_result vlapic_read_tsc_deadline(const struct vlapic *l, uint64_t *value, struct vlapic_effect *fx);
enum vlapic_result vlapic_write_tsc_deadline(struct vlapic *l, uint64_t value, uint64_t now, struct vlapic_effect *fx);

/* Used between the model's own files (vlapic*.c). */

/* A write to EOI: the highest in-service vector retires (11.8.5); fx says which and whether to broadcast. */
void vlapic_eoi(struct vlapic *l, struct vlapic_effect *fx);
/*
 * The same after hardware retired vector itself (EOI virtualization cleared
 * its ISR bit, SDM Vol. 3, 30.1.4): only the effects, for an EOI-induced exit.
 */
void vlapic_eoi_done(struct vlapic *l, uint8_t vector, struct vlapic_effect *fx);
/* A local source fires through its LVT entry (timer, error, ...): fixed, edge-triggered, unless masked. */
void vlapic_deliver_lvt(struct vlapic *l, enum apic_reg lvt);
/* A write to LVT timer, initial count or divide configuration (value already stripped of read-only bits). */
void vlapic_timer_write(struct vlapic *l, enum apic_reg reg, uint32_t value, uint64_t now, struct vlapic_effect *fx);
uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now);
void vlapic_timer_stop(struct vlapic *l);

/* Page access, for the model and for tests: register index reg as a 32-bit word. */
static inline uint32_t vlapic_reg(const struct vlapic *l, unsigned reg)
{
	return *(const uint32_t *)(const void *)(l->page + (reg << 4));
}

static inline void vlapic_set_reg(struct vlapic *l, unsigned reg, uint32_t v)
{
	*(uint32_t *)(void *)(l->page + (reg << 4)) = v;
}

#endif
