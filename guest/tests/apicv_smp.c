/*
 * apicv_smp.c: interrupts across cores, with the exit cost of each mode
 * (docs/hypercalls.md, HC_EXIT_STATS). Every receiver counts its own VM
 * exits around the event: a snapshot, a signal to the sender through memory,
 * a spin with interrupts on (never HLT) until its handler ran, a snapshot.
 * What each event may cost follows from the mode and the controls that
 * snapshot reports (SDM Vol. 3, chapter 30):
 *   - posted: a fixed IPI from another core arrives with no exit at all;
 *   - vid: one external-interrupt exit per notification, then the CPU
 *     delivers (what is posted while the receiver is out of its guest
 *     anyway costs nothing); an EOI of an edge vector and register reads
 *     do not exit;
 *   - tpr, emulated: the kick's external-interrupt exit, the hypervisor
 *     injects, and the handler's APIC ID read and EOI exit.
 * Sends cost their ICR accesses on the sender. Every count is checked
 * against a sum of these parts, so an exit nobody accounted for fails.
 *
 * Cases: a fixed IPI each way, a ping-pong, a burst of 64 vectors taken in
 * priority order, TPR masking across cores, a level-triggered I/O APIC pin
 * on another core (its EOI through the EOI-exit bitmap), every core to every
 * other at once, and (mode=xapic only) the switch to x2APIC with an
 * interrupt pending, and a self-IPI held by RFLAGS.IF = 0 on vCPU 0 while
 * another core's IPI reaches it.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (2 to 4), ipis=N (per
 * ordered pair of vCPUs in the stress, default 200), cpu_selfipi=1 (section 8
 * also with the self-IPI the CPU virtualizes in modes vid and posted).
 *
 * Only vCPU 0 prints: the APs leave what they measure in memory for it.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"

#define MAX_CPUS 4
#define VEC_TO_AP 0x91
#define VEC_TO_BSP 0xa1
#define VEC_TO_LAST 0x93
#define VEC_X2_TO_AP 0x94
#define VEC_X2_TO_BSP 0xa4
#define VEC_PING 0xc0
#define VEC_PONG 0xc1
#define PING_ROUNDS 32
#define BURST_N 64
#define BURST_VEC(i) (0x20 + 3 * (i)) /* 0x20-0xdd: classes 2 to 0xd, five or six vectors each */
#define BURST_STRIDE 37               /* sent in the order i * 37 mod 64: neither ascending nor descending */
#define VEC_TPR 0x55
#define TPR_ALL 0xf0 /* holds every vector: none has a class above 0xf (SDM Vol. 3, 11.8.3.1) */
#define VEC_LEVEL 0x66
#define IOAPIC_TEST_PIN 10 /* no ISA device uses IRQ 10 (as apic_irq.c) */
#define VEC_SWITCH 0x77
#define STRESS_VECS 8
#define STRESS_VEC(s, k) (0x80 + STRESS_VECS * (s) + (k))
#define VEC_IF_HELD 0x5a  /* section 8: the self-IPI IF = 0 holds */
#define VEC_IF_KNOCK 0xb2 /* ... and another core's IPI meanwhile, of a higher class */
#define IF_ROUNDS 3
#define IF_HOLD_US 2000 /* IF = 0 this long after the other core sent */
#define STRESS_DEFAULT 200
#define IRR_REGS 8
#define SHOW_LINE_MAX 150 /* characters of a cost line before it goes on in the next */
#define ACK_WAITS 40      /* an AP's command: its own waits are bounded; this bounds a hung AP */

/* ---- exit counts ---- */

/* Measurement slots: every vCPU writes only its own row, vCPU 0 reads them once the AP acknowledged. */
enum slot { M_RECV, M_SEND, M_EOI, M_MORE, M_SLOTS };
static struct hc_exit_stats m_before[MAX_CPUS][M_SLOTS], m_after[MAX_CPUS][M_SLOTS];

static uint32_t snap(struct hc_exit_stats *s) { return vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0); }
static void m_begin(unsigned cpu, enum slot s) { snap(&m_before[cpu][s]); }
static void m_end(unsigned cpu, enum slot s) { snap(&m_after[cpu][s]); }

/* Exits between the two snapshots, not counting the second snapshot's own VMCALL. */
static uint64_t m_exits(unsigned cpu, enum slot s) { return m_after[cpu][s].total - m_before[cpu][s].total - 1; }
static uint64_t m_reason(unsigned cpu, enum slot s, unsigned r)
{
	return m_after[cpu][s].exits[r] - m_before[cpu][s].exits[r] - (r == EXIT_REASON_VMCALL ? 1 : 0);
}
static uint64_t m_ext(unsigned cpu, enum slot s) { return m_reason(cpu, s, EXIT_REASON_EXTERNAL_INTERRUPT); }
static uint64_t m_window(unsigned cpu, enum slot s) { return m_reason(cpu, s, EXIT_REASON_INTERRUPT_WINDOW); }
static uint64_t m_interrupts(unsigned cpu, enum slot s)
{
	return m_after[cpu][s].interrupts - m_before[cpu][s].interrupts;
}

static const char *mode_name(uint32_t m)
{
	static const char *const names[] = {"emulated", "tpr", "vid", "posted"};
	return m < 4 ? names[m] : "?";
}

static const char *reason_name(unsigned r)
{
	switch (r) {
	case EXIT_REASON_EXTERNAL_INTERRUPT: return "external interrupt";
	case EXIT_REASON_INTERRUPT_WINDOW: return "interrupt window";
	case EXIT_REASON_VMCALL: return "VMCALL";
	case EXIT_REASON_MSR_READ: return "RDMSR";
	case EXIT_REASON_MSR_WRITE: return "WRMSR";
	case EXIT_REASON_TPR_BELOW_THRESHOLD: return "TPR below threshold";
	case EXIT_REASON_APIC_ACCESS: return "APIC access";
	case EXIT_REASON_EOI_INDUCED: return "EOI-induced";
	case EXIT_REASON_EPT_VIOLATION: return "EPT violation";
	case EXIT_REASON_APIC_WRITE: return "APIC write";
	default: return NULL;
	}
}

/*
 * "# cost(<mode>, <apic mode>): <what>, vCPU n: N exit(s) [reason count] ...": the numbers a reader looks
 * for. Long lines go on in "#   " lines (the console cuts a guest's line at 200 characters).
 */
static void m_show(unsigned cpu, enum slot s, const char *what)
{
	char line[SHOW_LINE_MAX + 64];
	int len = hv_snprintf(line, sizeof(line), "# cost(%s, %s): %s, vCPU %u: %llu exit(s)",
	                      mode_name(m_before[cpu][s].apicv_mode), suite.x2apic ? "x2apic" : "xapic", what, cpu,
	                      (unsigned long long)m_exits(cpu, s));

	for (unsigned r = 0; r < HC_EXIT_REASONS; r++) {
		uint64_t n = m_reason(cpu, s, r);
		char item[48];
		if (!n)
			continue;
		if (reason_name(r))
			hv_snprintf(item, sizeof(item), " [%s %llu]", reason_name(r), (unsigned long long)n);
		else
			hv_snprintf(item, sizeof(item), " [reason %u: %llu]", r, (unsigned long long)n);
		if (len + (int)hv_strlen(item) > SHOW_LINE_MAX) {
			guest_printf("%s\n", line);
			len = hv_snprintf(line, sizeof(line), "#  ");
		}
		len += hv_snprintf(line + len, sizeof(line) - (size_t)len, "%s", item);
	}
	guest_printf("%s\n", line);
}

/*
 * What an operation costs on a vCPU with the controls a snapshot of it
 * reports (apicv.c derives the same for one vCPU).
 */
struct cost {
	bool posted, vid, regvirt, tpr_virt;
	unsigned ext;      /* external-interrupt exits for one fixed IPI from another core */
	unsigned dispatch; /* the library's dispatch reads the APIC ID */
	unsigned eoi;      /* EOI of an edge-triggered vector */
	unsigned reg_read; /* a read of IRR (or another register on the virtual-APIC page) */
	unsigned send;     /* one IPI to another core (below) */
};

static struct cost cost_of(const struct hc_exit_stats *s)
{
	uint32_t f = s->apicv_flags;
	struct cost c;

	c.vid = (f & HC_APICV_F_INTR_DELIVERY) != 0;
	c.posted = (f & HC_APICV_F_POSTED) != 0;
	c.regvirt = (f & HC_APICV_F_REGISTER_VIRT) != 0;
	c.tpr_virt =
	        (f & HC_APICV_F_TPR_SHADOW) && (f & (suite.x2apic ? HC_APICV_F_X2APIC_MODE : HC_APICV_F_APIC_ACCESSES));
	c.ext = c.posted ? 0 : 1;
	c.dispatch = c.regvirt ? 0 : 1;
	c.eoi = c.vid ? 0 : 1;
	c.reg_read = c.regvirt ? 0 : 1;
	/*
	 * x2APIC: the ICR WRMSR exits. xAPIC: ICR high, ICR low, then the
	 * delivery status read back; with APIC-register virtualization the ICR
	 * high write and the read stay on the virtual-APIC page (APIC-write
	 * emulation of ICR high makes no exit, SDM Vol. 3, 30.4.3.3) and only
	 * ICR low makes an APIC-write exit.
	 */
	c.send = suite.x2apic ? 1 : 1 + 2 * c.reg_read;
	return c;
}

/* ---- vCPUs and waiting ---- */

static unsigned id_of(unsigned cpu) { return suite.madt.apic_ids[cpu]; }
static const volatile uint32_t *cnt(unsigned cpu, uint8_t vector) { return irq_counter(id_of(cpu), vector); }
static uint32_t count(unsigned cpu, uint8_t vector) { return irq_count(id_of(cpu), vector); }
static bool send_fixed(unsigned cpu, uint8_t vector) { return apic_send_ipi(id_of(cpu), APIC_ICR_DM_FIXED | vector); }

/* Spin (interrupts as they are) until *p == want, or ticks passed. */
static bool wait_eq(const volatile uint32_t *p, uint32_t want, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (*p != want && rdtsc() - t0 < ticks)
		cpu_relax();
	return *p == want;
}

/* Interrupts on, a PAUSE loop (no HLT: it would exit) until *c reaches n, or ticks passed. */
static bool spin_count(const volatile uint32_t *c, uint32_t n, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	sti();
	while (*c < n && rdtsc() - t0 < ticks)
		cpu_relax();
	return *c >= n;
}

/* vCPU 0 writes cmd, a, b, then seq; the AP runs the command and writes ack = seq. */
enum ap_cmd {
	CMD_RECV,   /* a = vector, b = count: measure receiving them */
	CMD_SEND,   /* a = vCPU, b = vector: measure sending one fixed IPI */
	CMD_PING,   /* a = rounds: answer each ping with a pong (in the handler), measured */
	CMD_BURST,  /* TPR 0xf0, let vCPU 0 send the burst, then TPR 0 and take it, measured */
	CMD_TPR,    /* TPR 0xf0, let vCPU 0 send, then unmask, measured */
	CMD_LEVEL,  /* a = deliveries expected of the level pin, measured in the handler */
	CMD_STRESS, /* everyone to everyone */
	CMD_HOLD,   /* xAPIC TPR 0xf0, let vCPU 0 send, look at IRR */
	CMD_SWITCH, /* to x2APIC with the vector pending, then unmask through the MSR, measured */
	CMD_X2APIC, /* to x2APIC, nothing else */
	CMD_DONE,
};

static volatile struct {
	uint32_t cmd, a, b;
	uint32_t seq, ack;
	uint32_t armed; /* = seq: the AP took its first snapshot */
	uint32_t go;    /* = seq: vCPU 0 has done its part (sent) */
	uint32_t ok;    /* the AP's own waits ended in time */
	uint32_t ready;
} box[MAX_CPUS];

static uint32_t ap_post(unsigned cpu, uint32_t cmd, uint32_t a, uint32_t b)
{
	uint32_t seq = box[cpu].seq + 1;

	box[cpu].cmd = cmd;
	box[cpu].a = a;
	box[cpu].b = b;
	box[cpu].ok = 0;
	smp_mb();
	box[cpu].seq = seq;
	return seq;
}

static bool ap_armed(unsigned cpu, uint32_t seq) { return wait_eq(&box[cpu].armed, seq, suite_wait_ticks()); }
static void ap_go(unsigned cpu, uint32_t seq)
{
	smp_mb();
	box[cpu].go = seq;
}

/* The AP finished the command, and its own waits ended in time. */
static bool ap_done(unsigned cpu, uint32_t seq, const char *what)
{
	bool acked = wait_eq(&box[cpu].ack, seq, ACK_WAITS * suite_wait_ticks());

	smp_mb();
	return expect_eqf(acked && box[cpu].ok, true, "%s: vCPU %u done in time", what, cpu);
}

/* ---- 1. a fixed IPI to another core ---- */

static void expect_fixed_receive(const char *what, unsigned cpu, enum slot s)
{
	struct cost c = cost_of(&m_before[cpu][s]);

	m_show(cpu, s, what);
	expect_eqf(m_ext(cpu, s), c.ext, "%s: vCPU %u: external-interrupt exits", what, cpu);
	expect_eqf(m_exits(cpu, s), c.ext + c.dispatch + c.eoi, "%s: vCPU %u: exits (kick, ID read, EOI)", what, cpu);
	expect_eqf(m_interrupts(cpu, s), 1, "%s: vCPU %u: interrupts the hypervisor delivered", what, cpu);
}

static void expect_send(const char *what, unsigned cpu)
{
	m_show(cpu, M_SEND, what);
	expect_eqf(m_exits(cpu, M_SEND), cost_of(&m_before[cpu][M_SEND]).send, "%s: vCPU %u: exits of one send", what,
	           cpu);
}

/* A fixed IPI with a physical destination, from vCPU `from` to vCPU `to` (one of them vCPU 0). */
static void fixed_ipi(const char *what, unsigned from, unsigned to, uint8_t vector)
{
	uint32_t seq;

	irq_reset();
	irq_set_handler(vector, irq_handler_eoi);
	sti();
	if (from == 0) {
		seq = ap_post(to, CMD_RECV, vector, 1);
		if (ap_armed(to, seq)) {
			m_begin(0, M_SEND);
			send_fixed(to, vector);
			m_end(0, M_SEND);
		}
	} else {
		m_begin(0, M_RECV);
		seq = ap_post(from, CMD_SEND, to, vector); /* the signal: the AP sends at once */
		spin_count(cnt(0, vector), 1, suite_wait_ticks());
		m_end(0, M_RECV);
	}
	ap_done(from ? from : to, seq, what);
	suite_settle();
	for (unsigned cpu = 0; cpu < suite.cpus; cpu++)
		expect_eqf(count(cpu, vector), cpu == to, "%s: vCPU %u received it %u time(s)", what, cpu, cpu == to);
	expect_fixed_receive(what, to, M_RECV);
	expect_send(what, from);
}

static void check_fixed(void)
{
	apic_section("1. fixed IPI across cores, physical destination");
	fixed_ipi("fixed IPI 0 -> 1", 0, 1, VEC_TO_AP);
	fixed_ipi("fixed IPI 1 -> 0", 1, 0, VEC_TO_BSP);
	if (suite.cpus > 2)
		fixed_ipi("fixed IPI 0 -> last", 0, suite.cpus - 1, VEC_TO_LAST);
}

/* ---- 2. ping-pong ---- */

static void ping_handler(uint8_t v)
{
	(void)v;
	apic_eoi();
	send_fixed(0, VEC_PONG);
}

static void check_ping_pong(void)
{
	const char *what = "ping-pong";
	unsigned i = 0;
	uint32_t seq;

	apic_section("2. ping-pong between vCPU 0 and vCPU 1, 32 rounds");
	irq_reset();
	irq_set_handler(VEC_PING, ping_handler);
	irq_set_handler(VEC_PONG, irq_handler_eoi);
	sti();
	seq = ap_post(1, CMD_PING, PING_ROUNDS, 0);
	if (ap_armed(1, seq))
		for (i = 0; i < PING_ROUNDS; i++) {
			send_fixed(1, VEC_PING);
			if (!spin_count(cnt(0, VEC_PONG), i + 1, suite_wait_ticks()))
				break;
		}
	ap_done(1, seq, what);
	suite_settle();
	expect_eqf(i, PING_ROUNDS, "ping-pong: %u round trips", PING_ROUNDS);
	expect_eqf(count(1, VEC_PING), PING_ROUNDS, "ping-pong: vCPU 1 took %u pings", PING_ROUNDS);
	expect_eqf(count(0, VEC_PONG), PING_ROUNDS, "ping-pong: vCPU 0 got %u pongs", PING_ROUNDS);
	expect_eq("ping-pong: no ping on vCPU 0, no pong on vCPU 1", count(0, VEC_PING) + count(1, VEC_PONG), 0);

	/* vCPU 1: 32 pings in, 32 pongs out (sent from its handler). */
	struct cost c = cost_of(&m_before[1][M_RECV]);
	uint64_t ext = m_ext(1, M_RECV), win = m_window(1, M_RECV);
	m_show(1, M_RECV, "ping-pong: 32 pings in, 32 pongs out");
	expect_eqf(m_exits(1, M_RECV), PING_ROUNDS * c.send + ext + win + PING_ROUNDS * (c.dispatch + c.eoi),
	           "ping-pong: vCPU 1: exits = %u sends x %u + kicks + windows + %u x (ID read %u + EOI %u)",
	           PING_ROUNDS, c.send, PING_ROUNDS, c.dispatch, c.eoi);
	expect_eqf(ext <= PING_ROUNDS && ext >= (c.posted ? 0 : 1), true,
	           "ping-pong: vCPU 1: external-interrupt exits (%llu) between %u and %u", (unsigned long long)ext,
	           c.posted ? 0 : 1, PING_ROUNDS);
	if (c.posted)
		expect_eq("ping-pong: posted: receiving costs vCPU 1 no exit", ext + win, 0);
	else if (c.vid)
		expect_eq("ping-pong: vid: no interrupt-window exit on vCPU 1", win, 0);
	else
		expect_eqf(win <= PING_ROUNDS, true, "ping-pong: vCPU 1: interrupt-window exits (%llu) at most %u",
		           (unsigned long long)win, PING_ROUNDS);
	expect_eq("ping-pong: vCPU 1: interrupts the hypervisor delivered", m_interrupts(1, M_RECV), PING_ROUNDS);
}

/* ---- 3. a burst of 64 vectors while the receiver's TPR holds them ---- */

/*
 * The receiver holds the burst back with TPR 0xf0, interrupts enabled, not
 * with CLI: Bochs (2.7 and 3.0) re-evaluates its interrupt mask in VM entry
 * before it counts as in the guest, so after an entry with RFLAGS.IF = 0 a
 * kick makes no external-interrupt exit until the guest changes IF. The
 * vector would sit in the hypervisor until then, out of IRR's sight (there
 * is no exit to take it in under virtual-interrupt delivery).
 */
static volatile uint32_t burst_seen, burst_reads, burst_held;
static volatile uint32_t burst_irr[IRR_REGS];

static void burst_handler(uint8_t v)
{
	(void)v;
	burst_seen++;
	apic_eoi();
}

static bool burst_irr_complete(void)
{
	for (unsigned i = 0; i < BURST_N; i++)
		if (!(burst_irr[BURST_VEC(i) >> 5] >> (BURST_VEC(i) & 31) & 1))
			return false;
	return true;
}

/* The AP: TPR 0xf0 across the sends, IRR read until all 64 are there, then TPR 0. */
static bool ap_burst(unsigned cpu, uint32_t seq)
{
	uint64_t t0;
	bool ok;

	apic_write(APIC_REG_TPR, TPR_ALL);
	sti();
	m_begin(cpu, M_RECV);
	box[cpu].armed = seq;
	ok = wait_eq(&box[cpu].go, seq, suite_wait_ticks());
	t0 = rdtsc();
	burst_reads = 0;
	do {
		for (unsigned r = 0; r < IRR_REGS; r++)
			burst_irr[r] = apic_read((enum apic_reg)(APIC_REG_IRR0 + r));
		burst_reads++;
	} while (!burst_irr_complete() && rdtsc() - t0 < suite_wait_ticks());
	burst_held = burst_seen;
	apic_write(APIC_REG_TPR, 0);
	ok = spin_count(&burst_seen, BURST_N, suite_wait_ticks()) && ok;
	m_end(cpu, M_RECV);
	return ok;
}

static void check_burst(void)
{
	const char *what = "burst";
	uint8_t log[IRQ_LOG_MAX];
	unsigned wrong = 0, order = 0, n;
	uint32_t seq;

	apic_section("3. burst: 64 vectors to vCPU 1 while its TPR holds them, taken by priority");
	irq_reset();
	burst_seen = 0;
	for (unsigned i = 0; i < BURST_N; i++)
		irq_set_handler(BURST_VEC(i), burst_handler);
	seq = ap_post(1, CMD_BURST, 0, 0);
	if (ap_armed(1, seq)) {
		for (unsigned i = 0; i < BURST_N; i++)
			send_fixed(1, BURST_VEC(i * BURST_STRIDE % BURST_N));
		ap_go(1, seq);
	}
	ap_done(1, seq, what);
	suite_settle();
	expect_true("burst: all 64 vectors pending in vCPU 1's IRR before TPR 0", burst_irr_complete());
	expect_eq("burst: none delivered under TPR 0xf0", burst_held, 0);
	for (unsigned i = 0; i < BURST_N; i++)
		if (count(1, BURST_VEC(i)) != 1 && !wrong++)
			guest_printf("# burst: vector %#x arrived %u time(s)\n", BURST_VEC(i), count(1, BURST_VEC(i)));
	expect_eq("burst: vectors not taken exactly once", wrong, 0);
	n = irq_log(id_of(1), log, IRQ_LOG_MAX);
	expect_eq("burst: deliveries logged on vCPU 1", n, BURST_N);
	for (unsigned i = 0; i < n; i++)
		if (log[i] != BURST_VEC(BURST_N - 1 - i) && !order++)
			guest_printf("# burst: delivery %u was %#x, expected %#x\n", i + 1, log[i],
			             BURST_VEC(BURST_N - 1 - i));
	expect_eq("burst: deliveries out of descending priority order", order, 0);

	struct cost c = cost_of(&m_before[1][M_RECV]);
	uint64_t ext = m_ext(1, M_RECV), win = m_window(1, M_RECV);
	guest_printf("# burst: vCPU 1 read its 8 IRR registers %u time(s)\n", burst_reads);
	m_show(1, M_RECV, "burst of 64, received");
	/* The TPR write that unmasks them: emulated, the write; tpr, TPR below threshold; vid, posted: none. */
	expect_eqf(m_exits(1, M_RECV),
	           ext + win + (c.vid ? 0 : 1) + BURST_N * (c.dispatch + c.eoi) +
	                   (uint64_t)burst_reads * IRR_REGS * c.reg_read,
	           "burst: vCPU 1: exits = kicks + windows + TPR 0 %u + 64 x (ID read %u + EOI %u) + IRR reads x %u",
	           c.vid ? 0 : 1, c.dispatch, c.eoi, c.reg_read);
	expect_eqf(ext <= BURST_N && ext >= (c.posted ? 0 : 1), true,
	           "burst: vCPU 1: external-interrupt exits (%llu) between %u and 64", (unsigned long long)ext,
	           c.posted ? 0 : 1);
	if (c.posted)
		expect_eq("burst: posted: vCPU 1 takes all 64 with no exit", m_exits(1, M_RECV), 0);
	else if (c.vid)
		expect_eq("burst: vid: no interrupt-window exit on vCPU 1", win, 0);
	expect_eq("burst: vCPU 1: interrupts the hypervisor delivered", m_interrupts(1, M_RECV), BURST_N);
}

/* ---- 4. TPR masking across cores ---- */

static volatile struct {
	uint32_t held;
	bool irr;
} tpr_res;

/*
 * On the receiver: hold every vector back with TPR, tell the sender to send
 * vector, wait for its go, and after a settle note whether the vector got
 * through (it must not) and whether it waits in IRR (it must).
 */
static bool hold_back(unsigned cpu, uint32_t seq, uint8_t vector, volatile uint32_t *held, volatile bool *irr)
{
	bool ok;

	apic_write(APIC_REG_TPR, TPR_ALL);
	sti();
	box[cpu].armed = seq;
	ok = wait_eq(&box[cpu].go, seq, suite_wait_ticks());
	tsc_delay(SUITE_SETTLE_TICKS);
	*held = count(cpu, vector);
	*irr = apic_vector_bit(APIC_REG_IRR0, vector);
	return ok;
}

/* On vCPU 0, hold_back's other half: vCPU 1 runs cmd (a hold_back), vector is sent once it is armed. */
static uint32_t send_held(uint32_t cmd, uint8_t vector)
{
	uint32_t seq;

	irq_reset();
	irq_set_handler(vector, irq_handler_none); /* its EOI is measured on its own */
	seq = ap_post(1, cmd, 0, 0);
	if (ap_armed(1, seq)) {
		send_fixed(1, vector);
		ap_go(1, seq);
	}
	return seq;
}

static bool ap_tpr(unsigned cpu, uint32_t seq)
{
	bool ok = hold_back(cpu, seq, VEC_TPR, &tpr_res.held, &tpr_res.irr);

	m_begin(cpu, M_RECV);
	apic_write(APIC_REG_TPR, 0);
	ok = spin_count(cnt(cpu, VEC_TPR), 1, suite_wait_ticks()) && ok;
	m_end(cpu, M_RECV);
	m_begin(cpu, M_EOI);
	apic_eoi();
	m_end(cpu, M_EOI);
	m_begin(cpu, M_MORE);
	apic_write(APIC_REG_TPR, TPR_ALL);
	apic_write(APIC_REG_TPR, 0);
	m_end(cpu, M_MORE);
	return ok;
}

/* The TPR write that lets a held interrupt through (apicv.c, the same on one vCPU), and the EOI after it. */
static void expect_unmask(const char *what, unsigned cpu)
{
	struct cost c = cost_of(&m_before[cpu][M_RECV]);

	m_show(cpu, M_RECV, what);
	/* Emulated: the write itself exits. tpr: TPR-below-threshold exit. vid, posted: evaluated in hardware. */
	expect_eqf(m_exits(cpu, M_RECV), (c.vid ? 0 : 1) + c.dispatch, "%s: exits (the write, the ID read)", what);
	expect_eqf(m_reason(cpu, M_RECV, EXIT_REASON_TPR_BELOW_THRESHOLD), c.tpr_virt && !c.vid ? 1 : 0,
	           "%s: TPR-below-threshold exits", what);
	expect_eqf(m_interrupts(cpu, M_RECV), c.vid ? 0 : 1, "%s: interrupts injected at it", what);
	m_show(cpu, M_EOI, "its EOI");
	expect_eqf(m_exits(cpu, M_EOI), c.eoi, "%s: the EOI after it: exits", what);
}

static void check_tpr(void)
{
	const char *what = "TPR";
	uint32_t seq;

	apic_section("4. TPR 0xf0 on vCPU 1 holds vector 0x55 from vCPU 0; TPR 0 lets it in");
	seq = send_held(CMD_TPR, VEC_TPR);
	ap_done(1, seq, what);
	suite_settle();
	expect_eq("TPR 0xf0: vector 0x55 not delivered after a settle delay", tpr_res.held, 0);
	expect_eq("TPR 0xf0: vector 0x55 waits in vCPU 1's IRR", tpr_res.irr, true);
	expect_eq("TPR 0: vector 0x55 delivered exactly once", count(1, VEC_TPR), 1);
	expect_unmask("TPR write 0xf0 -> 0 with 0x55 pending", 1);
	struct cost c = cost_of(&m_before[1][M_MORE]);
	m_show(1, M_MORE, "two TPR writes with nothing pending");
	expect_eqf(m_exits(1, M_MORE), c.tpr_virt ? 0 : 2, "TPR writes that unmask nothing: exits");
}

/* ---- 5. a level-triggered I/O APIC pin on another core ---- */

static volatile struct {
	uint32_t calls;
	bool keep_asserted; /* leave the line high across the first EOI */
	bool tmr, isr_after;
	uint32_t rte_in, rte_after;
} lvl;
static unsigned level_cpu = 1;

static void set_line(bool asserted) { (void)vmcall(HC_IOAPIC_LINE, IOAPIC_TEST_PIN, asserted, 0); }

static void level_handler(uint8_t v)
{
	unsigned cpu = level_cpu;

	if (lvl.calls++ == 0)
		m_end(cpu, M_RECV);
	lvl.tmr = apic_vector_bit(APIC_REG_TMR0, v);
	lvl.rte_in = ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN));
	/* As a device's handler does: quiet the device, then EOI (else the level pin fires again). */
	if (lvl.keep_asserted)
		lvl.keep_asserted = false;
	else
		set_line(false);
	m_begin(cpu, M_EOI);
	apic_eoi();
	m_end(cpu, M_EOI);
	lvl.rte_after = ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN));
	lvl.isr_after = apic_vector_bit(APIC_REG_ISR0, v);
}

static bool ap_level(unsigned cpu, uint32_t seq, uint32_t calls)
{
	bool ok;

	sti();
	m_begin(cpu, M_RECV);
	box[cpu].armed = seq;
	ok = spin_count(&lvl.calls, calls, suite_wait_ticks());
	m_end(cpu, M_MORE);
	return ok;
}

static void level_round(uint32_t calls, bool keep)
{
	uint32_t seq;

	irq_reset();
	lvl.calls = 0;
	lvl.keep_asserted = keep;
	seq = ap_post(level_cpu, CMD_LEVEL, calls, 0);
	if (ap_armed(level_cpu, seq))
		set_line(true);
	ap_done(level_cpu, seq, "level pin");
	suite_settle();
	memcpy(&m_before[level_cpu][M_MORE], &m_before[level_cpu][M_RECV], sizeof(m_before[0][0]));
}

static void check_level(void)
{
	const uint32_t rte = VEC_LEVEL | IOAPIC_RTE_LEVEL; /* fixed, physical, active high, unmasked */
	const unsigned cpu = level_cpu;
	uint32_t ret;

	apic_section("5. level-triggered I/O APIC pin to vCPU 1: EOI through the EOI-exit bitmap");
	irq_set_handler(VEC_LEVEL, level_handler);
	if (vmcall_safe(HC_IOAPIC_LINE, IOAPIC_TEST_PIN, 0, 0, &ret) != GUEST_NO_FAULT || ret != 0) {
		expect_true("HC_IOAPIC_LINE drives the test pin: level-triggered checks skipped", false);
		return;
	}
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(IOAPIC_TEST_PIN), id_of(cpu) << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), rte);
	level_round(1, false);
	expect_eq("level pin: delivered to vCPU 1 exactly once", count(cpu, VEC_LEVEL), 1);
	expect_eq("level pin: not delivered to vCPU 0", count(0, VEC_LEVEL), 0);
	expect_eq("level pin: TMR bit set while in service", lvl.tmr, true);
	expect_eq("level pin: remote IRR set while in service", lvl.rte_in & IOAPIC_RTE_REMOTE_IRR,
	          IOAPIC_RTE_REMOTE_IRR);
	expect_eq("level pin: the EOI clears remote IRR (read on vCPU 1)", lvl.rte_after & IOAPIC_RTE_REMOTE_IRR, 0);
	expect_eq("level pin: remote IRR clear (read on vCPU 0)",
	          ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)) & IOAPIC_RTE_REMOTE_IRR, 0);
	expect_eq("level pin: the EOI clears its ISR bit", lvl.isr_after, false);

	struct cost c = cost_of(&m_before[cpu][M_RECV]);
	m_show(cpu, M_RECV, "level pin, to the handler");
	expect_eq("level pin: vCPU 1: one external-interrupt exit (handed over with a kick)", m_ext(cpu, M_RECV), 1);
	expect_eqf(m_exits(cpu, M_RECV), 1 + c.dispatch, "level pin: vCPU 1: exits to the handler (kick, ID read)");
	expect_eq("level pin: vCPU 1: interrupts the hypervisor delivered", m_interrupts(cpu, M_RECV), 1);
	m_show(cpu, M_EOI, "level pin, its EOI");
	expect_eq("level pin: the EOI: exits", m_exits(cpu, M_EOI), 1);
	if (c.vid)
		expect_eq("level pin: the EOI: an EOI-induced exit (EOI-exit bitmap)",
		          m_reason(cpu, M_EOI, EXIT_REASON_EOI_INDUCED), 1);

	/* An EOI while the line is still asserted sends the interrupt again (82093AA, 3.2.4). */
	level_round(2, true);
	expect_eq("level pin: still asserted at the EOI, delivered again", count(cpu, VEC_LEVEL), 2);
	expect_eq("level pin: remote IRR clear after the second EOI",
	          ioapic_read(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN)) & IOAPIC_RTE_REMOTE_IRR, 0);
	m_show(cpu, M_MORE, "level pin again, high at the first EOI (VMCALLs included)");
	expect_eq("level pin: the second delivery is local: one external-interrupt exit in all", m_ext(cpu, M_MORE), 1);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(IOAPIC_TEST_PIN), (uint32_t)IOAPIC_RTE_MASKED);
}

/* ---- 7. every vCPU to every other ---- */

static uint32_t stress_n = STRESS_DEFAULT;
static volatile uint32_t stress_sent[MAX_CPUS][MAX_CPUS][STRESS_VECS];

static uint32_t stress_received(unsigned me)
{
	uint32_t n = 0;

	for (unsigned s = 0; s < suite.cpus; s++)
		for (unsigned k = 0; s != me && k < STRESS_VECS; k++)
			n += *cnt(me, STRESS_VEC(s, k));
	return n;
}

/*
 * Send stress_n fixed IPIs to every other vCPU, round robin over the
 * targets and this sender's 8 vectors. A vector goes to a target again only
 * once the target counted the previous one: IRR would merge two pending
 * copies, legitimately. A target that counted more than was sent (a
 * duplicate) blocks its vector: the no-progress timeout ends the run then,
 * as it does for a lost one. Then wait for what the others send here.
 */
static bool stress_run(unsigned me)
{
	uint32_t pair[MAX_CPUS] = {0}, left = (suite.cpus - 1) * stress_n, got = 0;
	unsigned next[MAX_CPUS] = {0};
	uint64_t last = rdtsc();

	sti();
	while (left) {
		bool progress = false;
		for (unsigned t = 0; t < suite.cpus; t++) {
			for (unsigned j = 0; t != me && pair[t] < stress_n && j < STRESS_VECS; j++) {
				unsigned k = (next[t] + j) % STRESS_VECS;
				uint8_t v = STRESS_VEC(me, k);
				if (*cnt(t, v) != stress_sent[me][t][k])
					continue;
				stress_sent[me][t][k]++;
				send_fixed(t, v);
				pair[t]++;
				left--;
				next[t] = (k + 1) % STRESS_VECS;
				progress = true;
				break;
			}
		}
		if (progress)
			last = rdtsc();
		else if (rdtsc() - last > suite_wait_ticks())
			return false;
		else
			cpu_relax();
	}
	last = rdtsc();
	while (stress_received(me) < (suite.cpus - 1) * stress_n) {
		uint32_t now = stress_received(me);
		if (now != got) {
			got = now;
			last = rdtsc();
		} else if (rdtsc() - last > suite_wait_ticks())
			return false;
		cpu_relax();
	}
	return true;
}

static bool ap_stress(unsigned cpu, uint32_t seq)
{
	bool ok;

	sti();
	m_begin(cpu, M_RECV);
	box[cpu].armed = seq;
	ok = wait_eq(&box[cpu].go, seq, suite_wait_ticks());
	ok = ok && stress_run(cpu);
	m_end(cpu, M_RECV);
	return ok;
}

static uint32_t stress_all_received(void)
{
	uint32_t n = 0;

	for (unsigned cpu = 0; cpu < suite.cpus; cpu++)
		n += stress_received(cpu);
	return n;
}

/* vCPU 0: wait for an AP of the stress as long as interrupts keep arriving somewhere. */
static bool stress_wait(unsigned cpu, uint32_t seq)
{
	uint32_t seen = stress_all_received();
	uint64_t last = rdtsc();

	while (box[cpu].ack != seq) {
		uint32_t now = stress_all_received();
		if (now != seen) {
			seen = now;
			last = rdtsc();
		} else if (rdtsc() - last > 2 * suite_wait_ticks())
			break;
		cpu_relax();
	}
	smp_mb();
	return expect_eqf(box[cpu].ack == seq && box[cpu].ok, true, "stress: vCPU %u done in time", cpu);
}

static void expect_stress_costs(unsigned cpu)
{
	struct cost c = cost_of(&m_before[cpu][M_RECV]);
	uint32_t sends = (suite.cpus - 1) * stress_n, recv = stress_received(cpu);
	uint64_t ext = m_ext(cpu, M_RECV), win = m_window(cpu, M_RECV);
	char what[64];

	hv_snprintf(what, sizeof(what), "stress: %u sent, %u received", sends, recv);
	m_show(cpu, M_RECV, what);
	expect_eqf(m_exits(cpu, M_RECV), (uint64_t)sends * c.send + ext + win + (uint64_t)recv * (c.dispatch + c.eoi),
	           "stress: vCPU %u: exits = %u sends x %u + kicks + windows + %u x (ID read %u + EOI %u)", cpu, sends,
	           c.send, recv, c.dispatch, c.eoi);
	expect_eqf(ext <= recv, true, "stress: vCPU %u: external-interrupt exits (%llu) at most one per interrupt", cpu,
	           (unsigned long long)ext);
	if (c.posted)
		expect_eqf(ext + win, 0, "stress: vCPU %u: posted: receiving costs no exit", cpu);
	else if (c.vid)
		expect_eqf(win, 0, "stress: vCPU %u: vid: no interrupt-window exit", cpu);
	expect_eqf(m_interrupts(cpu, M_RECV), recv, "stress: vCPU %u: interrupts the hypervisor delivered", cpu);
}

static void check_stress(void)
{
	uint32_t seq[MAX_CPUS] = {0};
	unsigned wrong = 0, self = 0, short_pairs = 0;
	bool ok0;

	apic_section("7. stress: every vCPU to every other at once, flow-controlled");
	guest_printf("# stress: %u vCPUs, %u IPIs per ordered pair, 8 vectors per sender\n", suite.cpus, stress_n);
	irq_reset();
	memset((void *)stress_sent, 0, sizeof(stress_sent));
	for (unsigned s = 0; s < suite.cpus; s++)
		for (unsigned k = 0; k < STRESS_VECS; k++)
			irq_set_handler(STRESS_VEC(s, k), irq_handler_eoi);
	for (unsigned cpu = 1; cpu < suite.cpus; cpu++) {
		seq[cpu] = ap_post(cpu, CMD_STRESS, 0, 0);
		ap_armed(cpu, seq[cpu]);
	}
	sti();
	m_begin(0, M_RECV);
	for (unsigned cpu = 1; cpu < suite.cpus; cpu++)
		ap_go(cpu, seq[cpu]);
	ok0 = stress_run(0);
	m_end(0, M_RECV);
	expect_true("stress: vCPU 0 done in time", ok0);
	for (unsigned cpu = 1; cpu < suite.cpus; cpu++)
		stress_wait(cpu, seq[cpu]);
	suite_settle();
	for (unsigned s = 0; s < suite.cpus; s++)
		for (unsigned t = 0; t < suite.cpus; t++) {
			uint32_t pair = 0;
			for (unsigned k = 0; k < STRESS_VECS; k++) {
				uint8_t v = STRESS_VEC(s, k);
				pair += stress_sent[s][t][k];
				if (s == t) {
					self += count(t, v);
				} else if (count(t, v) != stress_sent[s][t][k] && !wrong++) {
					guest_printf(
					        "# stress: vCPU %u got vector %#x from vCPU %u %u time(s), sent %u\n",
					        t, v, s, count(t, v), stress_sent[s][t][k]);
				}
			}
			if (s != t && pair != stress_n && !short_pairs++)
				guest_printf("# stress: vCPU %u sent %u to vCPU %u\n", s, pair, t);
		}
	expect_eq("stress: (sender, target, vector) triples received not exactly as often as sent", wrong, 0);
	expect_eqf(short_pairs, 0, "stress: pairs that did not send all %u", stress_n);
	expect_eq("stress: a sender's own vectors never arrived at itself", self, 0);
	for (unsigned cpu = 0; cpu < suite.cpus; cpu++)
		expect_eqf(irq_stray(id_of(cpu)), 0, "stress: vCPU %u: no stray interrupts", cpu);
	for (unsigned cpu = 0; cpu < suite.cpus; cpu++)
		expect_stress_costs(cpu);
}

/* ---- 6. to x2APIC with an interrupt pending ---- */

static volatile struct {
	uint32_t held, held_x2, tpr, id;
	bool irr, irr_x2;
	uint64_t base;
} sw;

static bool ap_hold(unsigned cpu, uint32_t seq) { return hold_back(cpu, seq, VEC_SWITCH, &sw.held, &sw.irr); }

/* vCPU 0 has switched the library's accessors already: from here on this vCPU must be in x2APIC mode too. */
static bool ap_switch(unsigned cpu)
{
	const uint32_t irr = APIC_X2APIC_MSR(APIC_REG_IRR0 + (VEC_SWITCH >> 5));
	bool ok;

	cli();
	wrmsr(MSR_IA32_APICBASE, rdmsr(MSR_IA32_APICBASE) | APIC_BASE_EXTD);
	sw.base = rdmsr(MSR_IA32_APICBASE);
	sw.irr_x2 = (rdmsr(irr) >> (VEC_SWITCH & 31) & 1) != 0;
	sw.tpr = (uint32_t)rdmsr(APIC_X2APIC_MSR(APIC_REG_TPR));
	sw.id = (uint32_t)rdmsr(APIC_X2APIC_MSR(APIC_REG_ID));
	sti();
	tsc_delay(SUITE_SETTLE_TICKS);
	sw.held_x2 = count(cpu, VEC_SWITCH);
	m_begin(cpu, M_RECV);
	wrmsr(APIC_X2APIC_MSR(APIC_REG_TPR), 0);
	ok = spin_count(cnt(cpu, VEC_SWITCH), 1, suite_wait_ticks());
	m_end(cpu, M_RECV);
	m_begin(cpu, M_EOI);
	wrmsr(APIC_X2APIC_MSR(APIC_REG_EOI), 0);
	m_end(cpu, M_EOI);
	return ok;
}

static void check_switch(void)
{
	uint32_t seq;
	int fault;

	apic_section("6. vCPU 1 switches to x2APIC with vector 0x77 pending under TPR 0xf0");
	if (suite.x2apic) {
		guest_printf("# %s: 6. the switch from xAPIC to x2APIC: covered by the mode=xapic run\n", suite.name);
		return;
	}
	if (!expect_true("CPUID.1:ECX.x2APIC for the switch to x2APIC", suite.cpu_x2apic))
		return;
	seq = send_held(CMD_HOLD, VEC_SWITCH);
	ap_done(1, seq, "hold under TPR 0xf0");
	expect_eq("xAPIC, TPR 0xf0: vector 0x77 not delivered", sw.held, 0);
	expect_eq("xAPIC, TPR 0xf0: vector 0x77 pending in IRR", sw.irr, true);

	/* Every vCPU to x2APIC: the library's accessors are the same for all. Nothing is on its way now. */
	cli();
	fault = wrmsr_safe(MSR_IA32_APICBASE, apic_base_msr() | APIC_BASE_EXTD);
	if (!expect_fault("vCPU 0 enters x2APIC mode", fault, GUEST_NO_FAULT))
		return;
	apic_use(GUEST_APIC_X2APIC, suite.lapic_base);
	suite.x2apic = true;
	for (unsigned cpu = 2; cpu < suite.cpus; cpu++)
		ap_done(cpu, ap_post(cpu, CMD_X2APIC, 0, 0), "enter x2APIC mode");
	seq = ap_post(1, CMD_SWITCH, 0, 0);
	ap_done(1, seq, "switch to x2APIC, then TPR 0");
	suite_settle();
	expect_eq("vCPU 1: IA32_APIC_BASE has EXTD after the switch", sw.base & APIC_BASE_EXTD, APIC_BASE_EXTD);
	expect_eq("vCPU 1: x2APIC ID (MSR 0x802) is the MADT's", sw.id, id_of(1));
	expect_eq("x2APIC: TPR (MSR 0x808) still 0xf0", sw.tpr, TPR_ALL);
	expect_eq("x2APIC: vector 0x77 still pending in IRR (MSR 0x813)", sw.irr_x2, true);
	expect_eq("x2APIC: vector 0x77 still held after a settle delay", sw.held_x2, 0);
	expect_eq("x2APIC: TPR 0 through the MSR: 0x77 delivered exactly once", count(1, VEC_SWITCH), 1);
	expect_unmask("x2APIC TPR MSR write 0xf0 -> 0 with 0x77 pending", 1);
	fixed_ipi("after the switch, x2APIC fixed IPI 0 -> 1", 0, 1, VEC_X2_TO_AP);
	fixed_ipi("after the switch, x2APIC fixed IPI 1 -> 0", 1, 0, VEC_X2_TO_BSP);
}

/* ---- 8. IF = 0 holds a pending interrupt, whatever arrives meanwhile ---- */

static bool cpu_selfipi; /* cpu_selfipi=1 */

/*
 * With RFLAGS.IF = 0 no maskable interrupt is delivered, virtual ones
 * included (SDM Vol. 3, 6.8.1; 30.2.2: delivery needs IF = 1), however a
 * vector was requested and whatever else arrives meanwhile. vCPU 0 holds a
 * self-IPI with interrupts off while vCPU 1 sends it an IPI of a higher
 * class: in mode posted a notification reaches vCPU 0's CPU while the guest
 * runs, in the other modes the hypervisor's kick and an external-interrupt
 * exit. Neither vector may arrive before STI; after it both arrive, the
 * higher first. `by_cpu`: the self-IPI the CPU virtualizes in modes vid and
 * posted (x2APIC SELF IPI, xAPIC ICR with the self shorthand: SDM Vol. 3,
 * 30.1.3 and 30.5), else one through the hypervisor (the ICR with vCPU 0's
 * own ID, which exits in every mode).
 */
static void if_round(const char *what, bool by_cpu)
{
	uint8_t order[IRQ_LOG_MAX];

	irq_reset();
	irq_set_handler(VEC_IF_HELD, irq_handler_eoi);
	irq_set_handler(VEC_IF_KNOCK, irq_handler_eoi);
	cli();
	if (by_cpu && suite.x2apic)
		apic_write(APIC_REG_SELF_IPI, VEC_IF_HELD);
	else
		apic_send_ipi(by_cpu ? 0 : id_of(0),
		              APIC_ICR_DM_FIXED | (by_cpu ? APIC_ICR_DEST_SELF : 0) | VEC_IF_HELD);
	uint32_t seq = ap_post(1, CMD_SEND, 0, VEC_IF_KNOCK);
	ap_done(1, seq, what);
	udelay(IF_HOLD_US);
	uint32_t early_held = count(0, VEC_IF_HELD), early_knock = count(0, VEC_IF_KNOCK);
	sti();
	spin_count(cnt(0, VEC_IF_HELD), 1, suite_wait_ticks());
	spin_count(cnt(0, VEC_IF_KNOCK), 1, suite_wait_ticks());
	expect_eqf(early_held, 0, "%s: IF = 0 holds the self-IPI", what);
	expect_eqf(early_knock, 0, "%s: IF = 0 holds vCPU 1's IPI", what);
	expect_eqf(count(0, VEC_IF_HELD) * 2 + count(0, VEC_IF_KNOCK), 3, "%s: after STI both arrive, once each", what);
	unsigned n = irq_log(id_of(0), order, IRQ_LOG_MAX);
	expect_eqf(n == 2 && order[0] == VEC_IF_KNOCK && order[1] == VEC_IF_HELD, true,
	           "%s: vCPU 1's vector (class 0xb) first, then the self-IPI (class 5)", what);
}

static void check_if_holds(void)
{
	apic_section("8. IF = 0 on vCPU 0 holds a self-IPI while vCPU 1's IPI arrives");
	for (unsigned i = 0; i < IF_ROUNDS; i++) {
		if_round("self-IPI through the hypervisor, IF = 0", false);
		if (cpu_selfipi)
			if_round("self-IPI the CPU virtualizes, IF = 0", true);
	}
	if (!cpu_selfipi)
		guest_printf("# the self-IPI the CPU virtualizes: with cpu_selfipi=1 (Bochs fails it, "
		             "docs/benchmarks.md)\n");
}

/* ---- the APs ---- */

static void ap_command(unsigned cpu, uint32_t cmd, uint32_t seq)
{
	bool ok = true;

	switch (cmd) {
	case CMD_RECV:
		m_begin(cpu, M_RECV);
		box[cpu].armed = seq;
		ok = spin_count(cnt(cpu, (uint8_t)box[cpu].a), box[cpu].b, suite_wait_ticks());
		m_end(cpu, M_RECV);
		break;
	case CMD_SEND:
		m_begin(cpu, M_SEND);
		ok = send_fixed(box[cpu].a, (uint8_t)box[cpu].b);
		m_end(cpu, M_SEND);
		break;
	case CMD_PING:
		sti();
		m_begin(cpu, M_RECV);
		box[cpu].armed = seq;
		ok = spin_count(cnt(cpu, VEC_PING), box[cpu].a, box[cpu].a * suite_wait_ticks());
		m_end(cpu, M_RECV);
		break;
	case CMD_BURST: ok = ap_burst(cpu, seq); break;
	case CMD_TPR: ok = ap_tpr(cpu, seq); break;
	case CMD_LEVEL: ok = ap_level(cpu, seq, box[cpu].a); break;
	case CMD_STRESS: ok = ap_stress(cpu, seq); break;
	case CMD_HOLD: ok = ap_hold(cpu, seq); break;
	case CMD_SWITCH: ok = ap_switch(cpu); break;
	case CMD_X2APIC: wrmsr(MSR_IA32_APICBASE, rdmsr(MSR_IA32_APICBASE) | APIC_BASE_EXTD); break;
	case CMD_DONE:
		cli();
		remote_expect_eq(cpu, "no stray interrupts", irq_stray(id_of(cpu)), 0);
		remote_expect_eq(cpu, "TPR 0 at the end", apic_read(APIC_REG_TPR), 0);
		break;
	default: ok = false;
	}
	box[cpu].ok = ok;
}

/* Set up like vCPU 0, then serve the mailbox with interrupts on until told to stop. */
static void ap_run(unsigned cpu)
{
	uint32_t seen = 0, cmd;

	remote_expect_eq(cpu, "APIC ID is the MADT's", apic_id(), id_of(cpu));
	apic_suite_setup_local();
	box[cpu].ready = 1;
	sti();
	do {
		while (box[cpu].seq == seen)
			cpu_relax();
		seen = box[cpu].seq;
		smp_mb();
		cmd = box[cpu].cmd;
		ap_command(cpu, cmd, seen);
		smp_mb();
		box[cpu].ack = seen;
		sti();
	} while (cmd != CMD_DONE);
	cli();
}

/* ---- vCPU 0 ---- */

static bool start_aps(void)
{
	bool ok = true;

	for (unsigned cpu = 1; cpu < suite.cpus; cpu++) {
		ok = expect_eqf(smp_start_ap(cpu, id_of(cpu), ap_run), true, "vCPU %u reports in after INIT-SIPI-SIPI",
		                cpu) &&
		     ok;
		ok = expect_eqf(wait_eq(&box[cpu].ready, 1, suite_wait_ticks()), true, "vCPU %u set itself up", cpu) &&
		     ok;
	}
	return ok;
}

static bool check_mode(void)
{
	struct hc_exit_stats *s = &m_before[0][M_MORE];
	uint32_t f;

	if (!expect_eq("HC_EXIT_STATS answers", snap(s), 0) ||
	    !expect_eq("HC_EXIT_STATS version 1", s->version, HC_EXIT_STATS_VERSION))
		return false;
	f = s->apicv_flags;
	guest_printf("# mode %s, controls %#x on vCPU 0\n", mode_name(s->apicv_mode), f);
	expect_eq("a TPR shadow exactly in modes tpr and above", (f & HC_APICV_F_TPR_SHADOW) != 0,
	          s->apicv_mode >= HC_APICV_TPR);
	expect_eq("virtual-interrupt delivery exactly in modes vid and above", (f & HC_APICV_F_INTR_DELIVERY) != 0,
	          s->apicv_mode >= HC_APICV_VID);
	expect_eq("posted-interrupt processing exactly in mode posted", (f & HC_APICV_F_POSTED) != 0,
	          s->apicv_mode == HC_APICV_POSTED);
	return true;
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("apicv_smp", "interrupts across cores, with the exit cost of each mode", mbi);
	stress_n = cmdline_uint(guest_cmdline(mbi), "ipis", STRESS_DEFAULT);
	cpu_selfipi = cmdline_uint(guest_cmdline(mbi), "cpu_selfipi", 0) != 0;
	apic_suite_enter_mode();
	apic_suite_setup();
	if (!check_mode())
		guest_finish();
	expect_eqf(suite.madt.cpus, suite.cpus, "MADT lists cpus=%u vCPUs", suite.cpus);
	if (suite.cpus < 2 || suite.cpus > MAX_CPUS || suite.madt.cpus != suite.cpus) {
		expect_true("cpus= between 2 and 4, as the MADT lists", false);
		guest_finish();
	}
	if (!start_aps())
		guest_finish();
	check_fixed();
	check_ping_pong();
	check_burst();
	check_tpr();
	check_level();
	check_if_holds();
	check_stress();
	check_switch(); /* last: it leaves every vCPU in x2APIC mode */
	cli();
	for (unsigned cpu = 1; cpu < suite.cpus; cpu++) {
		ap_done(cpu, ap_post(cpu, CMD_DONE, 0, 0), "the end");
		remote_report(cpu);
	}
	if (!expect_eq("no stray interrupts on vCPU 0", irq_stray(id_of(0)), 0))
		guest_printf("# the last stray vector: %#x\n", irq_stray_vector(id_of(0)));
	guest_finish();
}
