/* posted.c: a vCPU's inbox: the posted-interrupt descriptor (SDM Vol. 3, 30.6) and how any core posts into it. */
#include "apicv/posted.h"

#include "vmm/lib/string.h"

/*
 * The protocol, and the races it closes.
 *
 * Actors: posters (any core, in the hypervisor, interrupts off), the owner
 * (the vCPU's core, in the hypervisor), and the owner's CPU itself, which in
 * mode posted processes a notification that arrives while the guest runs:
 * clear ON, EOI, PIR -> VIRR, RVI, all without the lock (SDM 30.6).
 *
 * State: SN says where the owner is. It is clear from just before VM entry
 * until just after VM exit (pi_allow ... pi_suppress), set otherwise. ON says
 * that PIR holds something not yet taken, and that whoever will take it has
 * been told: either a notification was sent (SN was clear) or the owner will
 * look before its next entry (SN was set).
 *
 * Invariant (I): while SN is clear and ON is clear, no notification is
 * outstanding. A notification is sent only by the poster that turns ON from
 * clear to set while SN is clear; it is consumed either by the CPU (which
 * clears ON) or, if the owner left its guest before it arrived, by the
 * owner's interrupt window before pi_allow (which clears SN only when ON is
 * clear). So the CPU finds in PIR at least the bit its notification was
 * sent for. Two hardware-only exceptions, both harmless by the SDM (an empty
 * PIR leaves RVI unchanged): a notification still in flight across a whole
 * exit and entry, and a poster that turns ON on between the CPU's clearing
 * ON and its reading PIR (the CPU takes that poster's bit early). Bochs 3.0
 * processes a notification between two instructions, atomically, and turns
 * an empty PIR with an empty VIRR into vector 255: there (I) is what keeps
 * the guest from seeing it.
 */

void pi_init(struct pi_inbox *in, struct pi_desc *desc, uint8_t nv, uint32_t ndst)
{
	memset(in, 0, sizeof(*in));
	in->desc = desc;
	in->lock = (struct spinlock)SPINLOCK_INIT;
	memset(desc, 0, sizeof(*desc));
	desc->nv = nv;
	desc->ndst = ndst;
	desc->control = PI_SN;
}

void pi_reset(struct pi_inbox *in)
{
	struct pi_taken drop;

	pi_take(in, &drop);
	__atomic_or_fetch(&in->desc->control, PI_SN, __ATOMIC_SEQ_CST);
	in->blocked = false;
}

void pi_lock(struct pi_inbox *in) { spin_lock(&in->lock); }
void pi_unlock(struct pi_inbox *in) { spin_unlock(&in->lock); }

static bool pir_test(const struct pi_desc *d, uint8_t vector)
{
	return __atomic_load_n(&d->pir[vector / 64], __ATOMIC_SEQ_CST) >> (vector % 64) & 1;
}

/* The signal for a poster that has just turned ON on (or posted mail): by where the owner is. */
static enum pi_signal signal_for(const struct pi_inbox *in, uint16_t control)
{
	if (!(control & PI_SN))
		return PI_SIGNAL_NOTIFY;
	return in->blocked ? PI_SIGNAL_KICK : PI_SIGNAL_NONE;
}

/*
 * ON first, then the PIR bit: the usual order (PIR, then ON) leaves a window
 * in which the CPU, processing an earlier notification, takes the new bit
 * and clears ON, after which this poster would turn ON on again and notify
 * for a PIR that is empty by then.
 *
 *  - ON was clear: by (I) nothing is outstanding, so nothing can take PIR
 *    before this poster's own notification, which finds the bit. With SN set
 *    the owner takes it under the lock before its next entry instead.
 *  - ON was set: an outstanding notification, or the owner's next take,
 *    carries the bit along, unless the CPU processed that notification
 *    between the two steps (ON clear again, the bit still in PIR): then this
 *    poster turns ON on itself. If the bit is gone the CPU took it: done.
 *    Nothing else clears ON meanwhile: the owner's take needs the lock.
 */
enum pi_signal pi_post_edge(struct pi_inbox *in, uint8_t vector)
{
	struct pi_desc *d = in->desc;
	uint16_t old = __atomic_fetch_or(&d->control, PI_ON, __ATOMIC_SEQ_CST);

	__atomic_fetch_or(&d->pir[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	if (!(old & PI_ON))
		return signal_for(in, old);
	if (__atomic_load_n(&d->control, __ATOMIC_SEQ_CST) & PI_ON || !pir_test(d, vector))
		return PI_SIGNAL_NONE;
	old = __atomic_fetch_or(&d->control, PI_ON, __ATOMIC_SEQ_CST);
	return old & PI_ON ? PI_SIGNAL_NONE : signal_for(in, old);
}

/* Level-triggered vectors and mail wait for the owner's take: a running owner must leave its guest. */
static enum pi_signal mail_signal(const struct pi_inbox *in)
{
	uint16_t control = __atomic_load_n(&in->desc->control, __ATOMIC_SEQ_CST);

	return !(control & PI_SN) || in->blocked ? PI_SIGNAL_KICK : PI_SIGNAL_NONE;
}

/* Level vectors and mail are stored atomically, for the owner's look without the lock (pi_pending). */
enum pi_signal pi_post_level(struct pi_inbox *in, uint8_t vector)
{
	__atomic_fetch_or(&in->level[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	return mail_signal(in);
}

enum pi_signal pi_post_mail(struct pi_inbox *in, uint32_t mail, uint8_t sipi_vector)
{
	if (mail & PI_MAIL_SIPI)
		in->sipi_vector = sipi_vector;
	if ((mail & PI_MAIL_NMI) && in->nmis < PI_NMI_MAX)
		in->nmis++; /* a third before the take is lost in any state: the CPU latches two at most */
	__atomic_fetch_or(&in->mail, mail, __ATOMIC_SEQ_CST);
	return mail_signal(in);
}

unsigned pi_nmi_pending(unsigned pending, unsigned arrived, bool in_service)
{
	unsigned cap = in_service ? PI_NMI_MAX - 1 : PI_NMI_MAX;
	unsigned n = pending + arrived;

	return n < cap ? n : cap;
}

void pi_suppress(struct pi_inbox *in) { __atomic_or_fetch(&in->desc->control, PI_SN, __ATOMIC_SEQ_CST); }

static bool inbox_has_level_or_mail(const struct pi_inbox *in)
{
	return __atomic_load_n(&in->mail, __ATOMIC_SEQ_CST) ||
	       (__atomic_load_n(&in->level[0], __ATOMIC_SEQ_CST) | __atomic_load_n(&in->level[1], __ATOMIC_SEQ_CST) |
	        __atomic_load_n(&in->level[2], __ATOMIC_SEQ_CST) | __atomic_load_n(&in->level[3], __ATOMIC_SEQ_CST));
}

/*
 * The owner's look before it takes the lock to take: at most every entry
 * skips the lock when nothing is there. A post this look misses (not yet
 * visible, or made after it) is not lost: the poster wrote under the lock,
 * and pi_allow, under the same lock, sees its ON, level bit or mail and
 * refuses to clear SN, so the owner takes again. (I) holds as before:
 * SN is still cleared only under the lock, with ON, level and mail clear.
 */
bool pi_pending(const struct pi_inbox *in)
{
	return (__atomic_load_n(&in->desc->control, __ATOMIC_SEQ_CST) & PI_ON) || inbox_has_level_or_mail(in);
}

/*
 * SN is set: posters do not notify and the CPU does not process (the owner
 * is in the hypervisor). ON is cleared before PIR is read, so a bit posted
 * after this take finds ON clear and turns it on again: pi_allow sees it.
 */
bool pi_take(struct pi_inbox *in, struct pi_taken *out)
{
	struct pi_desc *d = in->desc;
	uint64_t any = 0;

	spin_lock(&in->lock);
	__atomic_and_fetch(&d->control, (uint16_t)~PI_ON, __ATOMIC_SEQ_CST);
	for (unsigned w = 0; w < 4; w++) {
		out->edge[w] = __atomic_exchange_n(&d->pir[w], 0, __ATOMIC_SEQ_CST);
		out->level[w] = in->level[w];
		in->level[w] = 0;
		any |= out->edge[w] | out->level[w];
	}
	out->mail = in->mail;
	out->nmis = in->nmis;
	out->sipi_vector = in->sipi_vector;
	in->mail = 0;
	in->nmis = 0;
	spin_unlock(&in->lock);
	return any || out->mail;
}

/*
 * Before this, the owner took its inbox and then opened an interrupt window:
 * a notification sent while SN was still clear (the owner had left its guest
 * just after the poster looked) is consumed there, in the hypervisor, and
 * not by the CPU after the next entry, where it would find PIR empty. With
 * the lock held no poster is halfway; anything posted since the take shows
 * as ON, level or mail, and the owner takes again instead.
 */
bool pi_allow(struct pi_inbox *in)
{
	struct pi_desc *d = in->desc;
	bool clear;

	spin_lock(&in->lock);
	clear = !(__atomic_load_n(&d->control, __ATOMIC_SEQ_CST) & PI_ON) && !inbox_has_level_or_mail(in);
	if (clear)
		__atomic_and_fetch(&d->control, (uint16_t)~PI_SN, __ATOMIC_SEQ_CST);
	spin_unlock(&in->lock);
	return clear;
}

/*
 * The owner stays blocked only if nothing is posted; a poster that comes
 * later sees `blocked` under the lock and kicks. The owner's wait takes
 * interrupts, so a kick sent between this and the wait is not lost.
 */
bool pi_block(struct pi_inbox *in)
{
	spin_lock(&in->lock);
	bool pending = (__atomic_load_n(&in->desc->control, __ATOMIC_SEQ_CST) & PI_ON) || in->mail ||
	               (in->level[0] | in->level[1] | in->level[2] | in->level[3]);
	in->blocked = !pending;
	spin_unlock(&in->lock);
	return pending;
}

void pi_unblock(struct pi_inbox *in)
{
	spin_lock(&in->lock);
	in->blocked = false;
	spin_unlock(&in->lock);
}
