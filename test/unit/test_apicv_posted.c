/* sources: apicv/posted.c */
/* test_apicv_posted.c: the posted-interrupt descriptor: layout, posting rules, and the protocol under concurrency. */
#include "test/unit/unit.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "apicv/posted.h"

static struct pi_desc desc;
static struct pi_inbox in;

static bool pir_bit(uint8_t v) { return desc.pir[v / 64] >> (v % 64) & 1; }

static int setup(void **state)
{
	(void)state;
	pi_init(&in, &desc, 0xf3, 0x0300);
	return 0;
}

/* Bit 256 is ON, 257 SN, 279:272 NV, 319:288 NDST (SDM Vol. 3, Table 30-1; VT-d 9.11). */
static void test_layout(void **state)
{
	(void)state;
	const uint8_t *raw = (const uint8_t *)&desc;
	assert_int_equal(raw[34], 0xf3);
	assert_int_equal(raw[36] | raw[37] << 8, 0x0300);
	assert_int_equal(raw[32] & 3, 2); /* a new inbox's owner is outside its guest: SN */
	pi_post_edge(&in, 0x41);
	assert_int_equal(raw[32] & 1, 1);
	assert_int_equal(raw[8], 0x02); /* vector 0x41: PIR bit 65 */
}

/* The owner is in the hypervisor (SN): a post needs no signal; the take finds it and clears ON. */
static void test_post_to_owner_outside(void **state)
{
	(void)state;
	struct pi_taken t;

	assert_int_equal(pi_post_edge(&in, 0x30), PI_SIGNAL_NONE);
	assert_int_equal(pi_post_edge(&in, 0xfe), PI_SIGNAL_NONE);
	assert_true(desc.control & PI_ON);
	assert_false(pi_allow(&in)); /* something came since the last take */
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.edge[0], 1ull << 0x30);
	assert_int_equal(t.edge[3], 1ull << (0xfe - 192));
	assert_int_equal(t.level[0] | t.level[1] | t.level[2] | t.level[3] | t.mail, 0);
	assert_false(desc.control & PI_ON);
	assert_false(pi_take(&in, &t));
	assert_true(pi_allow(&in));
	assert_false(desc.control & PI_SN);
}

/* In its guest: the first post notifies, the next ones ride along until the CPU clears ON. */
static void test_notify_once_per_on(void **state)
{
	(void)state;
	assert_true(pi_allow(&in));
	assert_int_equal(pi_post_edge(&in, 0x50), PI_SIGNAL_NOTIFY);
	assert_int_equal(pi_post_edge(&in, 0x51), PI_SIGNAL_NONE);
	assert_int_equal(pi_post_edge(&in, 0x50), PI_SIGNAL_NONE);
	/* What the CPU does with the notification (SDM Vol. 3, 30.6): ON cleared, PIR taken. */
	desc.control &= (uint16_t)~PI_ON;
	uint64_t w1 = desc.pir[1];
	desc.pir[1] = 0;
	assert_int_equal(w1, 3ull << (0x50 - 64));
	assert_int_equal(pi_post_edge(&in, 0x52), PI_SIGNAL_NOTIFY);
	assert_true(pir_bit(0x52));
}

/* ON outstanding: later posts ride along; once the CPU has cleared it, the next post notifies again. */
static void test_on_outstanding(void **state)
{
	(void)state;
	assert_true(pi_allow(&in));
	assert_int_equal(pi_post_edge(&in, 0x60), PI_SIGNAL_NOTIFY);
	assert_int_equal(pi_post_edge(&in, 0x61), PI_SIGNAL_NONE);
	assert_true(pir_bit(0x60) && pir_bit(0x61));
	desc.control &= (uint16_t)~PI_ON; /* the CPU: ON, then PIR */
	desc.pir[1] = 0;
	assert_int_equal(pi_post_edge(&in, 0x62), PI_SIGNAL_NOTIFY);
	assert_true(pir_bit(0x62));
}

/* Level-triggered vectors and mail never go to PIR: a running owner is kicked out of its guest. */
static void test_level_and_mail(void **state)
{
	(void)state;
	struct pi_taken t;

	assert_int_equal(pi_post_level(&in, 0x70), PI_SIGNAL_NONE); /* SN: the owner looks before entry */
	assert_false(pi_allow(&in));
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.level[1], 1ull << (0x70 - 64));
	assert_int_equal(t.edge[1], 0);
	assert_true(pi_allow(&in));
	assert_int_equal(pi_post_level(&in, 0x71), PI_SIGNAL_KICK);
	assert_int_equal(pi_post_mail(&in, PI_MAIL_SIPI, 0x9a), PI_SIGNAL_KICK);
	assert_false(desc.control & PI_ON);
	pi_suppress(&in);
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.mail, PI_MAIL_SIPI);
	assert_int_equal(t.sipi_vector, 0x9a);
	assert_int_equal(t.level[1], 1ull << (0x71 - 64));
}

/* A blocked owner is kicked by the first post; pi_block refuses to block with something posted. */
static void test_block(void **state)
{
	(void)state;
	struct pi_taken t;

	assert_false(pi_block(&in));
	assert_int_equal(pi_post_edge(&in, 0x80), PI_SIGNAL_KICK);
	assert_int_equal(pi_post_edge(&in, 0x81), PI_SIGNAL_NONE);
	assert_int_equal(pi_post_mail(&in, PI_MAIL_NMI, 0), PI_SIGNAL_KICK);
	pi_unblock(&in);
	assert_true(pi_block(&in)); /* pending: not blocked */
	assert_int_equal(pi_post_edge(&in, 0x82), PI_SIGNAL_NONE);
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.edge[2], 7ull);
	assert_int_equal(t.mail, PI_MAIL_NMI);
	pi_reset(&in);
	assert_false(pi_take(&in, &t));
}

/* NMIs are counted, not merged: two posted before the take are two; the inbox keeps two at most (SDM 6.7.1). */
static void test_nmis_counted(void **state)
{
	(void)state;
	struct pi_taken t;

	assert_int_equal(pi_post_mail(&in, PI_MAIL_NMI, 0), PI_SIGNAL_NONE);
	assert_int_equal(pi_post_mail(&in, PI_MAIL_NMI, 0), PI_SIGNAL_NONE);
	assert_false(pi_allow(&in));
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.mail, PI_MAIL_NMI);
	assert_int_equal(t.nmis, 2);
	assert_false(pi_take(&in, &t));
	assert_int_equal(t.nmis, 0);
	for (unsigned i = 0; i < 3; i++)
		pi_post_mail(&in, PI_MAIL_NMI, 0);
	pi_post_mail(&in, PI_MAIL_SIPI, 0x12); /* other mail leaves the count alone */
	assert_true(pi_take(&in, &t));
	assert_int_equal(t.mail, PI_MAIL_NMI | PI_MAIL_SIPI);
	assert_int_equal(t.nmis, PI_NMI_MAX);
	assert_true(pi_allow(&in));
	assert_int_equal(pi_post_mail(&in, PI_MAIL_NMI, 0), PI_SIGNAL_KICK); /* in its guest: kicked out */
	pi_suppress(&in);
	pi_reset(&in);
	assert_false(pi_take(&in, &t));
	assert_int_equal(t.nmis, 0);
}

/* The owner's cap: one in service and one latched (SDM Vol. 3, 6.7.1); any further NMI is lost. */
static void test_nmi_cap(void **state)
{
	(void)state;
	/* Nothing in service: the first is delivered next, the second waits. */
	assert_int_equal(pi_nmi_pending(0, 1, false), 1);
	assert_int_equal(pi_nmi_pending(0, 2, false), 2);
	assert_int_equal(pi_nmi_pending(1, 1, false), 2);
	assert_int_equal(pi_nmi_pending(1, 2, false), 2);
	assert_int_equal(pi_nmi_pending(2, 2, false), 2);
	/* One in service (NMI blocking until its IRET): one more waits, the rest are lost. */
	assert_int_equal(pi_nmi_pending(0, 1, true), 1);
	assert_int_equal(pi_nmi_pending(0, 2, true), 1);
	assert_int_equal(pi_nmi_pending(1, 1, true), 1);
	assert_int_equal(pi_nmi_pending(0, 0, true), 0);
	assert_int_equal(pi_nmi_pending(0, 0, false), 0);
}

/*
 * The protocol under concurrency. Poster threads post edge and level vectors
 * to one owner thread, which plays both the hypervisor and its CPU: in its
 * guest it processes notifications as the CPU does (SDM 30.6) and leaves on
 * a kick or at random; outside it takes the inbox, halts at times (waiting
 * for a kick only, never polling, so a lost wake-up hangs and fails), and
 * re-enters through the interrupt window and pi_allow as irq_before_entry
 * does. The notification and the kick are one pending bit each, like the
 * IRR bits of their vectors at the owner's APIC.
 *
 * Checked: every post is delivered exactly once (a poster re-posts a vector
 * only after it was delivered: the APIC coalesces duplicates by design);
 * NMIs, posted two in a row by one poster now and then, are delivered as
 * many times as posted (counted, never merged); and, at random points in the
 * guest, under the lock: ON is set exactly when a notification is pending,
 * anything in PIR has ON set, and a pending level vector or NMI has a kick
 * pending. A notification that finds PIR empty is
 * counted, not refused: here the CPU's steps interleave with the posters'
 * (a poster can turn ON on between the CPU's clearing ON and its reading
 * PIR), which the SDM makes harmless. Bochs processes a notification
 * between two instructions, where posted.c's invariant rules it out.
 */
#define POSTERS 4
#define VECTORS_PER_POSTER 12 /* 8 edge, 4 level */
#define POSTS_PER_POSTER 3000
#define WAIT_NS 10000000000ll /* 10 s: a post not delivered by then was lost */

static struct pi_desc cdesc;
static struct pi_inbox cin;
static atomic_int notify_pending, kick_pending, stop;
static atomic_uint delivered[256];
static unsigned posted[256];
static atomic_uint empty_notifications, violations, notifications, kicks, lost;
static atomic_uint nmis_posted, nmis_delivered;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static bool is_level(uint8_t v) { return (v - 32) % VECTORS_PER_POSTER >= 8; }

/*
 * Two NMIs back to back (each under the lock, as post_mail does), but only
 * once the last two arrived: at most two are outstanding, which the inbox
 * must count, not merge.
 */
static void post_nmi_pair(void)
{
	if (atomic_load(&nmis_delivered) != atomic_load(&nmis_posted))
		return;
	for (unsigned k = 0; k < 2; k++) {
		pi_lock(&cin);
		atomic_fetch_add(&nmis_posted, 1);
		if (pi_post_mail(&cin, PI_MAIL_NMI, 0) == PI_SIGNAL_KICK) {
			atomic_store(&kick_pending, 1);
			atomic_fetch_add(&kicks, 1);
		}
		pi_unlock(&cin);
	}
}

static void *poster(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint32_t seed = 12345u + id;

	for (unsigned n = 0; n < POSTS_PER_POSTER; n++) {
		seed = seed * 1103515245u + 12345u;
		uint8_t v = (uint8_t)(32 + id * VECTORS_PER_POSTER + (seed >> 16) % VECTORS_PER_POSTER);
		int64_t t0 = now_ns();
		while (atomic_load(&delivered[v]) != posted[v])
			if (now_ns() - t0 > WAIT_NS) {
				atomic_fetch_add(&lost, 1);
				return NULL;
			}
		posted[v]++;
		pi_lock(&cin);
		enum pi_signal s = is_level(v) ? pi_post_level(&cin, v) : pi_post_edge(&cin, v);
		if (s == PI_SIGNAL_NOTIFY) {
			atomic_store(&notify_pending, 1);
			atomic_fetch_add(&notifications, 1);
		} else if (s == PI_SIGNAL_KICK) {
			atomic_store(&kick_pending, 1);
			atomic_fetch_add(&kicks, 1);
		}
		pi_unlock(&cin);
		if (id == 0 && n % 8 == 0)
			post_nmi_pair();
		if ((seed >> 8) % 16 == 0)
			sched_yield();
	}
	return NULL;
}

static void deliver_bits(const uint64_t bits[4])
{
	for (unsigned w = 0; w < 4; w++)
		for (uint64_t b = bits[w]; b; b &= b - 1)
			atomic_fetch_add(&delivered[w * 64 + (unsigned)__builtin_ctzll(b)], 1);
}

/* The CPU's posted-interrupt processing (SDM Vol. 3, 30.6): ON cleared first, then PIR into VIRR. */
static void cpu_process_notification(void)
{
	uint64_t pir[4], any = 0;

	__atomic_and_fetch(&cdesc.control, (uint16_t)~PI_ON, __ATOMIC_SEQ_CST);
	for (unsigned w = 0; w < 4; w++)
		any |= pir[w] = __atomic_exchange_n(&cdesc.pir[w], 0, __ATOMIC_SEQ_CST);
	if (!any)
		atomic_fetch_add(&empty_notifications, 1);
	deliver_bits(pir);
}

static void check_in_guest(void)
{
	pi_lock(&cin);
	bool on = __atomic_load_n(&cdesc.control, __ATOMIC_SEQ_CST) & PI_ON;
	bool pir = cdesc.pir[0] | cdesc.pir[1] | cdesc.pir[2] | cdesc.pir[3];
	bool level = cin.level[0] | cin.level[1] | cin.level[2] | cin.level[3] | cin.mail;
	if (on != (atomic_load(&notify_pending) != 0) || (pir && !on) || (level && !atomic_load(&kick_pending)))
		atomic_fetch_add(&violations, 1);
	pi_unlock(&cin);
}

static void take_and_deliver(void)
{
	struct pi_taken t;

	if (pi_pending(&cin) && pi_take(&cin, &t)) { /* the look without the lock, as take_inbox does */
		deliver_bits(t.edge);
		deliver_bits(t.level);
		if (t.mail & PI_MAIL_NMI)
			atomic_fetch_add(&nmis_delivered, t.nmis);
	}
}

static void *owner(void *arg)
{
	(void)arg;
	uint32_t seed = 777;

	while (!atomic_load(&stop)) {
		/* Enter: take, interrupt window (pending notification and kick are taken in the hypervisor), allow. */
		do {
			take_and_deliver();
			atomic_store(&notify_pending, 0);
			atomic_store(&kick_pending, 0);
		} while (!pi_allow(&cin));
		/* In the guest. */
		seed = seed * 1103515245u + 12345u;
		for (unsigned k = (seed >> 16) % 512; k && !atomic_load(&stop); k--) {
			if (atomic_exchange(&notify_pending, 0))
				cpu_process_notification();
			if (atomic_load(&kick_pending))
				break;
			if (k % 32 == 0)
				check_in_guest();
		}
		pi_suppress(&cin);
		/* Halt sometimes: sleep until a kick, unless something is posted already. */
		if ((seed >> 8) % 4 == 0 && !pi_block(&cin)) {
			int64_t t0 = now_ns();
			while (!atomic_load(&kick_pending) && !atomic_load(&stop) && now_ns() - t0 < WAIT_NS)
				sched_yield();
			pi_unblock(&cin);
		}
	}
	return NULL;
}

static void test_concurrent_posting(void **state)
{
	(void)state;
	pthread_t posters[POSTERS], own;

	pi_init(&cin, &cdesc, 0xf3, 0);
	assert_int_equal(pthread_create(&own, NULL, owner, NULL), 0);
	for (unsigned i = 0; i < POSTERS; i++)
		assert_int_equal(pthread_create(&posters[i], NULL, poster, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < POSTERS; i++)
		pthread_join(posters[i], NULL);
	/* Let the owner deliver the last posts, then stop it. */
	int64_t t0 = now_ns();
	for (unsigned v = 0; v < 256; v++)
		while (atomic_load(&delivered[v]) != posted[v] && now_ns() - t0 < WAIT_NS)
			sched_yield();
	while (atomic_load(&nmis_delivered) != atomic_load(&nmis_posted) && now_ns() - t0 < WAIT_NS)
		sched_yield();
	atomic_store(&stop, 1);
	pthread_join(own, NULL);

	unsigned total = 0;
	for (unsigned v = 0; v < 256; v++) {
		if (atomic_load(&delivered[v]) != posted[v])
			fail_msg("vector %#x: posted %u times, delivered %u", v, posted[v], atomic_load(&delivered[v]));
		total += posted[v];
	}
	print_message("%u posts, %u notifications (%u found PIR empty), %u kicks\n", total, atomic_load(&notifications),
	              atomic_load(&empty_notifications), atomic_load(&kicks));
	print_message("%u NMIs posted, %u delivered\n", atomic_load(&nmis_posted), atomic_load(&nmis_delivered));
	assert_int_equal(atomic_load(&lost), 0);
	assert_int_equal(total, POSTERS * POSTS_PER_POSTER);
	assert_true(atomic_load(&nmis_posted) > 0);
	assert_int_equal(atomic_load(&nmis_delivered), atomic_load(&nmis_posted));
	assert_int_equal(atomic_load(&violations), 0);
	assert_true(atomic_load(&notifications) > 0); /* both paths were taken */
	assert_true(atomic_load(&kicks) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_layout, setup),
	        cmocka_unit_test_setup(test_post_to_owner_outside, setup),
	        cmocka_unit_test_setup(test_notify_once_per_on, setup),
	        cmocka_unit_test_setup(test_on_outstanding, setup),
	        cmocka_unit_test_setup(test_level_and_mail, setup),
	        cmocka_unit_test_setup(test_block, setup),
	        cmocka_unit_test_setup(test_nmis_counted, setup),
	        cmocka_unit_test(test_nmi_cap),
	        cmocka_unit_test(test_concurrent_posting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
