/* posted.h: a vCPU's inbox: the posted-interrupt descriptor (SDM Vol. 3, 30.6) and how any core posts into it. */
#ifndef APICV_POSTED_H
#define APICV_POSTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/lib/spinlock.h"

/*
 * Posted-interrupt descriptor (SDM Vol. 3, 30.6, Table 30-1; the SN, NV and
 * NDST fields are VT-d's layout of the same 64 bytes, VT-d spec 9.11). The
 * CPU reads PIR and ON only: it clears ON and moves PIR into VIRR when the
 * notification vector arrives in VMX non-root operation. SN, NV and NDST are
 * the hypervisor's: whether posters notify, with what vector, to which APIC.
 */
#define PI_ON (1u << 0) /* outstanding notification: a notification is sent, or the owner will look */
#define PI_SN (1u << 1) /* suppress notification: the owner is not in VMX non-root operation */

struct pi_desc {
	uint64_t pir[4];  /* bits 255:0, one per vector */
	uint16_t control; /* bit 256 ON, bit 257 SN */
	uint8_t nv;       /* bits 279:272: notification vector */
	uint8_t reserved0;
	uint32_t ndst; /* bits 319:288: the owner's core, as its APIC is addressed (xAPIC: ID in bits 15:8) */
	uint64_t reserved1[3];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct pi_desc) == 64, "SDM Vol. 3, 30.6: 512 bits");
_Static_assert(offsetof(struct pi_desc, control) == 32, "ON is bit 256");
_Static_assert(offsetof(struct pi_desc, nv) == 34, "NV is bits 279:272");
_Static_assert(offsetof(struct pi_desc, ndst) == 36, "NDST is bits 319:288");

/* Messages that never go through PIR (they need the hypervisor at the target). */
#define PI_MAIL_NMI (1u << 0)
#define PI_MAIL_INIT (1u << 1)
#define PI_MAIL_SIPI (1u << 2)

/*
 * NMIs are counted, not merged: a CPU holds one NMI in service and latches
 * one more (SDM Vol. 3, 6.7.1), so two that arrive before the owner looks
 * are two. The inbox keeps at most two; the owner applies the CPU's cap
 * (pi_nmi_pending), which depends on whether one is in service.
 */
#define PI_NMI_MAX 2

/*
 * Everything other cores hand one vCPU. Fixed, edge-triggered vectors go to
 * the descriptor's PIR, which the CPU itself drains in mode posted. A
 * level-triggered vector goes to `level`: its TMR bit must be set as it is
 * accepted, which posted-interrupt processing cannot do (30.6 ORs PIR into
 * VIRR only). NMI, INIT and SIPI go to `mail`. All of it is posted and taken
 * under `lock`; the CPU's own processing of PIR takes no lock (below).
 */
struct pi_inbox {
	struct pi_desc *desc; /* at the start of its own page: valid on every implementation (Bochs 3.0 wants 4 KiB) */
	struct spinlock lock;
	bool blocked; /* the owner waits in the hypervisor (halted, wait-for-SIPI): wake it with a kick */
	uint64_t level[4];
	uint32_t mail; /* PI_MAIL_* */
	uint8_t nmis;  /* NMIs posted since the last take, at most PI_NMI_MAX (PI_MAIL_NMI is set with them) */
	uint8_t sipi_vector;
};

/* What a poster must send after posting (while it still holds the lock, see posted.c). */
enum pi_signal {
	PI_SIGNAL_NONE,   /* the owner will look before it enters its guest, or a notification is outstanding */
	PI_SIGNAL_NOTIFY, /* the notification vector, to NDST: the owner runs (or is about to run) its guest */
	PI_SIGNAL_KICK,   /* the hypervisor's kick: an exit from the guest, or the end of a wait */
};

/* What the owner took out of its inbox. */
struct pi_taken {
	uint64_t edge[4], level[4];
	uint32_t mail;
	uint8_t nmis; /* with PI_MAIL_NMI: how many (1 or 2) */
	uint8_t sipi_vector;
};

/* Set up an empty inbox around desc (zeroed here); the owner starts outside its guest (SN set). */
void pi_init(struct pi_inbox *in, struct pi_desc *desc, uint8_t nv, uint32_t ndst);
/* Forget everything posted (a restart of the guest). Owner only, outside its guest. */
void pi_reset(struct pi_inbox *in);

/*
 * Posters: take the lock with pi_lock, post, send the signal returned, then
 * pi_unlock. The signal is sent before the lock is dropped so that it has
 * reached the owner's APIC before the owner can take what it announces.
 */
void pi_lock(struct pi_inbox *in);
void pi_unlock(struct pi_inbox *in);
enum pi_signal pi_post_edge(struct pi_inbox *in, uint8_t vector);
enum pi_signal pi_post_level(struct pi_inbox *in, uint8_t vector);
enum pi_signal pi_post_mail(struct pi_inbox *in, uint32_t mail, uint8_t sipi_vector);

/*
 * Owner: the NMIs its vCPU holds undelivered after `arrived` more came, as
 * the CPU caps them (SDM Vol. 3, 6.7.1): with one in service (the guest's
 * NMI blocking, from delivery to the next IRET, 25.4.2) one more waits and
 * the rest are lost; with none in service one is delivered next and one
 * more waits. Pure.
 */
unsigned pi_nmi_pending(unsigned pending, unsigned arrived, bool in_service);

/* Owner, right after a VM exit: posters stop notifying (an atomic OR; no lock). */
void pi_suppress(struct pi_inbox *in);
/*
 * Owner, outside its guest, without the lock: might anything be posted (ON,
 * a level vector, mail)? False means nothing was as this looked; whatever
 * comes later, pi_allow sees under the lock.
 */
bool pi_pending(const struct pi_inbox *in);
/* Owner, outside its guest: take everything posted (ON cleared). Returns whether anything was there. */
bool pi_take(struct pi_inbox *in, struct pi_taken *out);
/*
 * Owner, outside its guest with interrupts off, after pi_take and after a
 * window in which pending host interrupts were taken: let posters notify
 * again (SN cleared) if nothing was posted since the take. False: take again.
 */
bool pi_allow(struct pi_inbox *in);
/*
 * Owner, about to wait in the hypervisor: mark it blocked and say whether
 * something is posted already (then it should not wait). pi_unblock ends it.
 */
bool pi_block(struct pi_inbox *in);
void pi_unblock(struct pi_inbox *in);

#endif
