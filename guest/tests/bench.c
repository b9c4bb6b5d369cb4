/*
 * bench.c: what interrupt delivery costs, in TSC cycles, under the
 * hypervisor in whatever mode it runs, and natively (GRUB boots the same
 * multiboot kernel on the bare machine or emulator) for the baseline.
 *
 * Figures, each over iters= samples, reported as median, p90 and p99:
 *   self_ipi     the TSC at the SELF IPI write (x2APIC) or ICR write with the
 *                self shorthand (xAPIC) to the handler's first TSC read;
 *   ipi_rtt      vCPU 0 pings vCPU 1 (fixed IPI, physical destination), vCPU
 *                1's handler pongs: the round trip, on vCPU 0's TSC alone;
 *   ipi_oneway   pings alone, one at a time: the receiver's handler TSC minus
 *                the sender's TSC at the ICR write; reported only when a TSC
 *                exchange shows the two cores' TSCs agree (tsc_agree=yes);
 *   timer_*      TSC-deadline timer (one-shot LVT timer without it) armed for
 *                now + delta= cycles: from the deadline to the handler's entry;
 *   eoi, tpr     an EOI write alone; a TPR write that unmasks nothing;
 *   tsc_read     two back-to-back TSC reads: what every figure includes once.
 * Every TSC read is fenced (rdtsc_fenced: LFENCE on both sides), so that on
 * an out-of-order core it stays where the code puts it.
 * Under the hypervisor (CPUID.1:ECX.hypervisor and the "apicvisor" signature
 * of leaf 0x40000000; natively no VMCALL is executed) every figure also gets
 * the VM exits per operation on the sender (exits_tx) and the receiver
 * (exits_rx) from HC_EXIT_STATS snapshots around the whole loop (the EOI:
 * around each EOI alone), and the end lists the root-mode cycles per exit
 * reason (HC_ROOT_CYCLES, since the guest started) of each vCPU. For ipi_rtt
 * tx is vCPU 0 (ping out, pong in) and rx vCPU 1 (ping in, pong out); for
 * ipi_oneway tx is the send alone and rx the delivery and its EOI. timer
 * names the mode: timer_deadline or timer_oneshot; its exits include arming it.
 *
 * The interrupt handlers are gates of their own (patched into the library's
 * IDT): their first instruction after the register saves reads the TSC, with
 * no dispatch (whose APIC ID read would be an exit) in front.
 *
 * Output, one line per figure (only vCPU 0 prints):
 *   BENCH op=<op> mode=<posted|vid|tpr|emulated|native> apic=<xapic|x2apic> n=<iters>
 *         median=<c> p90=<c> p99=<c> exits_tx=<x.xx|-> exits_rx=<x.xx|->
 *   BENCH tsc_agree=<yes|no> offset_bound=<c>
 *   BENCH root cpu=<n> reason=<r> name=<name|-> count=<n> median=<c> p99=<c> max=<c>
 * then the usual ok / not ok lines, the figures as a Markdown table (for a
 * person at the console of a real machine), and SUMMARY. Natively the run ends through
 * QEMU's isa-debug-exit port and the Bochs shutdown port.
 * Options: mode=xapic|x2apic (default xapic), cpus=N (2 for the cross-core
 * figures; 1 skips them), iters=N (default 200, at most BENCH_MAX_ITERS),
 * delta=N (timer lead in TSC cycles, default 50000), timer=oneshot (the
 * one-shot LVT timer even where TSC-deadline mode is there).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/lib/fmt.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"

#define BENCH_MAX_ITERS 4096
#define ITERS_DEFAULT 200
#define DELTA_DEFAULT 50000
#define TSC_ROUNDS 64 /* handshakes of the TSC exchange */

#define VEC_SELF 0x61
#define VEC_NOEOI 0x62 /* left in service for the EOI figure */
#define VEC_TIMER 0x71
#define VEC_PING 0xc0
#define VEC_PONG 0xc1

#define TPR_NOTHING 0 /* TPR stays 0: a write that unmasks nothing */
#define TIMER_CAL_TICKS 1000000u
#define TIMER_INITIAL_MAX 0xffffffffu
#define APIC_TIMER_DIVIDE_1 0xbu
#define FIXED_SHIFT 16 /* TSC cycles per APIC timer tick, 16.16 fixed point */

#define BOCHS_SHUTDOWN_PORT 0x8900
#define UART_LSR_TEMT (1u << 6) /* transmitter empty: holding and shift register */
#define UART_DRAIN_SPINS 10000000u
#define HV_SIGNATURE "apicvisor"

/* ---- what every vCPU and handler shares ---- */

static int64_t samples[BENCH_MAX_ITERS];
static uint64_t ping_t0[BENCH_MAX_ITERS]; /* vCPU 0's TSC at each ping's ICR write */
static uint64_t ping_rx[BENCH_MAX_ITERS]; /* vCPU 1's TSC at each ping's handler */

static volatile uint64_t t_handler; /* the TSC the last handler read first */
static volatile uint32_t n_self, n_noeoi, n_timer, n_ping, n_pong;
static volatile uint32_t pong_dest; /* vCPU 0's APIC ID */
static volatile bool pong_enabled;  /* vCPU 1 answers each ping (ipi_rtt), or only counts it (ipi_oneway) */

static bool under_hv;
static unsigned iters;
static uint32_t delta;
static bool oneshot; /* timer=oneshot: the one-shot LVT timer even with TSC-deadline mode */
static uint64_t wait_ticks;

/* ---- handlers: one gate each ---- */

struct interrupt_frame;

/* A gate that reads the TSC first, counts its interrupt and ends it. */
#define STAMP_GATE(name, counter)                                              \
	static __attribute__((interrupt)) void name(struct interrupt_frame *f) \
	{                                                                      \
		uint64_t t = rdtsc_fenced();                                   \
		(void)f;                                                       \
		t_handler = t;                                                 \
		counter++;                                                     \
		apic_eoi();                                                    \
	}
STAMP_GATE(gate_self, n_self)
STAMP_GATE(gate_timer, n_timer)
STAMP_GATE(gate_pong, n_pong)

static __attribute__((interrupt)) void gate_noeoi(struct interrupt_frame *f)
{
	(void)f;
	n_noeoi++;
}

/*
 * A fixed IPI, physical destination; returns the TSC read just before the
 * write that sends it (ICR low). Interrupts must be off (xAPIC: two writes).
 * No wait for delivery status: the next send comes after the answer.
 */
static uint64_t send_fixed(uint32_t dest, uint8_t vector)
{
	uint64_t t0;

	if (suite.x2apic) {
		t0 = rdtsc_fenced();
		wrmsr(APIC_X2APIC_MSR(APIC_REG_ICR_LOW),
		      (uint64_t)dest << APIC_X2APIC_DEST_SHIFT | APIC_ICR_DM_FIXED | vector);
	} else {
		apic_write(APIC_REG_ICR_HIGH, dest << APIC_XAPIC_DEST_SHIFT);
		t0 = rdtsc_fenced();
		apic_write(APIC_REG_ICR_LOW, APIC_ICR_DM_FIXED | vector);
	}
	return t0;
}

/* vCPU 1: note the TSC, then the pong to vCPU 0 (interrupts are off in here: the two xAPIC writes stay together). */
static __attribute__((interrupt)) void gate_ping(struct interrupt_frame *f)
{
	uint64_t t = rdtsc_fenced();
	uint32_t n = n_ping;

	(void)f;
	if (n < BENCH_MAX_ITERS)
		ping_rx[n] = t;
	n_ping = n + 1;
	apic_eoi();
	if (pong_enabled)
		send_fixed(pong_dest, VEC_PONG);
}

/* ---- the hypervisor ---- */

static bool detect_hv(void)
{
	uint32_t r[4];
	char sig[13];

	if (!(cpuid_1_ecx() & CPUID_1_ECX_HYPERVISOR))
		return false;
	cpuid(CPUID_LEAF_HV_BASE, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	return hv_strncmp(sig, HV_SIGNATURE, sizeof(HV_SIGNATURE) - 1) == 0;
}

static struct hc_exit_stats hv_mode; /* vCPU 0's first snapshot: the mode and controls */

static void snap(struct hc_exit_stats *s)
{
	if (under_hv)
		vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)s, sizeof(*s), 0);
}

/* Exits between two snapshots, not counting the second one's own VMCALL. */
static uint64_t exits_between(const struct hc_exit_stats *a, const struct hc_exit_stats *b)
{
	return b->total - a->total - 1;
}

static const char *mode_name(void)
{
	static const char *const names[] = {"emulated", "tpr", "vid", "posted"};

	if (!under_hv)
		return "native";
	return hv_mode.apicv_mode < 4 ? names[hv_mode.apicv_mode] : "?";
}

static const char *reason_name(unsigned r)
{
	switch (r) {
	case EXIT_REASON_EXCEPTION_NMI: return "exception_nmi";
	case EXIT_REASON_EXTERNAL_INTERRUPT: return "external_interrupt";
	case EXIT_REASON_INIT_SIGNAL: return "init";
	case EXIT_REASON_SIPI_SIGNAL: return "sipi";
	case EXIT_REASON_INTERRUPT_WINDOW: return "interrupt_window";
	case EXIT_REASON_CPUID: return "cpuid";
	case EXIT_REASON_HLT: return "hlt";
	case EXIT_REASON_VMCALL: return "vmcall";
	case EXIT_REASON_CR_ACCESS: return "cr_access";
	case EXIT_REASON_IO_INSTRUCTION: return "io";
	case EXIT_REASON_MSR_READ: return "rdmsr";
	case EXIT_REASON_MSR_WRITE: return "wrmsr";
	case EXIT_REASON_TPR_BELOW_THRESHOLD: return "tpr_below_threshold";
	case EXIT_REASON_APIC_ACCESS: return "apic_access";
	case EXIT_REASON_EOI_INDUCED: return "eoi_induced";
	case EXIT_REASON_EPT_VIOLATION: return "ept_violation";
	case EXIT_REASON_PREEMPTION_TIMER: return "preemption_timer";
	case EXIT_REASON_APIC_WRITE: return "apic_write";
	default: return "-";
	}
}

/* ---- statistics and output ---- */

static void sort(int64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		int64_t v = a[i];
		unsigned j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static int64_t pct(const int64_t *sorted, unsigned n, unsigned p) { return sorted[(n - 1) * p / 100]; }

/* "x.xx" exits per operation into buf, or "-" without the hypervisor or without a count. */
static void per_op(char *buf, size_t size, bool have, uint64_t exits, unsigned n)
{
	uint64_t h;

	if (!under_hv || !have || !n) {
		hv_snprintf(buf, size, "-");
		return;
	}
	h = (exits * 100 + n / 2) / n;
	hv_snprintf(buf, size, "%llu.%02llu", (unsigned long long)(h / 100), (unsigned long long)(h % 100));
}

/* One figure, kept for the table at the end. */
struct figure {
	const char *op;
	int64_t median, p90, p99;
	char tx[24], rx[24];
};

#define MAX_FIGURES 8
static struct figure figures[MAX_FIGURES];
static unsigned n_figures;

/*
 * Sort the n samples, print the BENCH line and check it: every sample taken
 * (n == iters) and a positive median. tx/rx: exit totals over the loop.
 */
static void report(const char *op, unsigned n, bool have_tx, uint64_t tx, bool have_rx, uint64_t rx)
{
	static struct figure spare;
	struct figure *f = n_figures < MAX_FIGURES ? &figures[n_figures++] : &spare;

	f->op = op;
	if (n) {
		sort(samples, n);
		f->median = pct(samples, n, 50);
		f->p90 = pct(samples, n, 90);
		f->p99 = pct(samples, n, 99);
	}
	per_op(f->tx, sizeof(f->tx), have_tx, tx, n);
	per_op(f->rx, sizeof(f->rx), have_rx, rx, n);
	guest_printf("BENCH op=%s mode=%s apic=%s n=%u median=%lld p90=%lld p99=%lld exits_tx=%s exits_rx=%s\n", op,
	             mode_name(), suite.x2apic ? "x2apic" : "xapic", n, (long long)f->median, (long long)f->p90,
	             (long long)f->p99, f->tx, f->rx);
	expect_eqf(n, iters, "%s: %u samples", op, iters);
	expect_eqf(f->median > 0 && f->median <= f->p90 && f->p90 <= f->p99, true, "%s: 0 < median <= p90 <= p99", op);
}

/*
 * The figures again as a Markdown table, for a person at the serial console
 * (a real machine has no report script): the same columns as one row of
 * build/bench/report.md, which test/bench/report.py makes from BENCH lines.
 */
static void print_table(void)
{
	guest_printf("\n### %s, APIC %s, %u iterations (TSC cycles)\n\n", mode_name(),
	             suite.x2apic ? "x2apic" : "xapic", iters);
	guest_printf("| op | median | p90 | p99 | exits tx | exits rx |\n");
	guest_printf("| --- | ---: | ---: | ---: | ---: | ---: |\n");
	for (unsigned i = 0; i < n_figures; i++)
		guest_printf("| %s | %lld | %lld | %lld | %s | %s |\n", figures[i].op, (long long)figures[i].median,
		             (long long)figures[i].p90, (long long)figures[i].p99, figures[i].tx, figures[i].rx);
	guest_printf("\n");
}

/* Spin with interrupts on (PAUSE, never HLT) until *c reaches want, or the wait ran out. */
static bool wait_count(const volatile uint32_t *c, uint32_t want)
{
	uint64_t t0 = rdtsc_fenced();

	sti();
	while (*c < want && rdtsc_fenced() - t0 < wait_ticks)
		cpu_relax();
	return *c >= want;
}

static bool wait_eq(const volatile uint32_t *p, uint32_t want)
{
	uint64_t t0 = rdtsc_fenced();

	while (*p != want && rdtsc_fenced() - t0 < wait_ticks)
		cpu_relax();
	return *p == want;
}

/* ---- vCPU 1 ---- */

enum ap_cmd { CMD_NONE, CMD_TSC, CMD_PING, CMD_DONE };

static volatile struct {
	uint32_t cmd, seq, ack, armed, ok, ready;
	uint32_t taken;      /* pings whose handler has returned (ap_ping) */
	uint32_t req, reply; /* the TSC exchange's handshake */
	uint64_t tb;         /* vCPU 1's TSC in it */
} box;

static struct hc_exit_stats ap_before, ap_after;
static struct hc_root_cycles root[2];
static struct hc_root_phases phases[2];
static uint32_t root_rc[2], phases_rc[2];

static bool ap_tsc_exchange(void)
{
	for (uint32_t i = 1; i <= TSC_ROUNDS; i++) {
		if (!wait_eq(&box.req, i))
			return false;
		box.tb = rdtsc_fenced();
		smp_mb();
		box.reply = i;
	}
	return true;
}

/*
 * Take iters pings with interrupts on. Each one's count is handed back in
 * box.taken from here, after its handler has returned: ipi_oneway sends the
 * next ping only then, so that every ping finds vCPU 1 idle with interrupts on.
 */
static bool ap_ping(uint32_t seq)
{
	uint32_t seen = 0;
	uint64_t t0;

	sti();
	snap(&ap_before);
	smp_mb();
	box.armed = seq;
	t0 = rdtsc_fenced();
	while (seen < iters && rdtsc_fenced() - t0 < wait_ticks) {
		uint32_t n = n_ping;

		if (n != seen) {
			seen = n;
			box.taken = n;
		}
		cpu_relax();
	}
	/* the last pong is sent from the handler: once vCPU 0 counted it, nothing more is on its way */
	snap(&ap_after);
	return seen >= iters;
}

static void ap_run(unsigned cpu)
{
	uint32_t seen = 0, cmd;

	(void)cpu;
	apic_suite_setup_local();
	smp_mb();
	box.ready = 1;
	sti();
	do {
		while (box.seq == seen)
			cpu_relax();
		seen = box.seq;
		smp_mb();
		cmd = box.cmd;
		switch (cmd) {
		case CMD_TSC: box.ok = ap_tsc_exchange(); break;
		case CMD_PING: box.ok = ap_ping(seen); break;
		case CMD_DONE:
			cli();
			if (under_hv)
				root_rc[1] = vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&root[1], sizeof(root[1]), 0);
			if (under_hv)
				phases_rc[1] =
				        vmcall(HC_ROOT_PHASES, (uint32_t)(uintptr_t)&phases[1], sizeof(phases[1]), 0);
			box.ok = 1;
			break;
		default: box.ok = 0;
		}
		smp_mb();
		box.ack = seen;
		sti();
	} while (cmd != CMD_DONE);
	cli();
}

static uint32_t ap_post(uint32_t cmd)
{
	uint32_t seq = box.seq + 1;

	box.cmd = cmd;
	box.ok = 0;
	smp_mb();
	box.seq = seq;
	return seq;
}

static bool ap_done(uint32_t seq, const char *what)
{
	uint64_t t0 = rdtsc_fenced();

	while (box.ack != seq && rdtsc_fenced() - t0 < 8 * wait_ticks)
		cpu_relax();
	smp_mb();
	return expect_eqf(box.ack == seq && box.ok, true, "%s: vCPU 1 done in time", what);
}

/* ---- the figures, on vCPU 0 ---- */

static void bench_tsc_read(void)
{
	for (unsigned i = 0; i < iters; i++) {
		uint64_t a = rdtsc_fenced();
		uint64_t b = rdtsc_fenced();

		samples[i] = (int64_t)(b - a);
	}
	report("tsc_read", iters, false, 0, false, 0);
}

static void bench_self_ipi(void)
{
	struct hc_exit_stats a, b;
	unsigned n = 0;

	irq_set_gate(VEC_SELF, (void *)gate_self);
	n_self = 0;
	sti();
	snap(&a);
	for (unsigned i = 0; i < iters; i++) {
		uint64_t t0 = rdtsc_fenced();

		apic_self_ipi(VEC_SELF);
		if (!wait_count(&n_self, i + 1))
			break;
		samples[n++] = (int64_t)(t_handler - t0);
	}
	snap(&b);
	cli();
	report("self_ipi", n, true, exits_between(&a, &b), false, 0);
	expect_eqf(n_self, iters, "self_ipi: %u delivered", iters);
}

/* TSC cycles per APIC timer tick at divide 1, 16.16 fixed point (for the one-shot fallback). */
static uint64_t timer_ratio(void)
{
	uint64_t t0, ticks;
	uint32_t cur;

	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	apic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_1);
	apic_write(APIC_REG_TIMER_INITIAL, TIMER_INITIAL_MAX);
	t0 = rdtsc_fenced();
	tsc_delay(TIMER_CAL_TICKS);
	cur = apic_read(APIC_REG_TIMER_CURRENT);
	ticks = rdtsc_fenced() - t0;
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	return (TIMER_INITIAL_MAX - cur) ? (ticks << FIXED_SHIFT) / (TIMER_INITIAL_MAX - cur) : 0;
}

static void bench_timer(void)
{
	struct hc_exit_stats a, b;
	bool deadline = suite.cpu_tsc_deadline && !oneshot;
	uint64_t ratio = 0;
	uint32_t count = 0;
	unsigned n = 0;

	irq_set_gate(VEC_TIMER, (void *)gate_timer);
	n_timer = 0;
	if (deadline) {
		apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | VEC_TIMER);
	} else {
		ratio = timer_ratio();
		count = ratio ? (uint32_t)(((uint64_t)delta << FIXED_SHIFT) / ratio) : 0;
		guest_printf(
		        "# timer: one-shot LVT timer (TSC-deadline %s), %llu/65536 TSC cycles per tick, count %u\n",
		        suite.cpu_tsc_deadline ? "skipped by timer=oneshot" : "not in CPUID", (unsigned long long)ratio,
		        count);
		apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC_TIMER);
		apic_write(APIC_REG_TIMER_DIVIDE, APIC_TIMER_DIVIDE_1);
	}
	sti();
	snap(&a);
	for (unsigned i = 0; i < iters && (deadline || count); i++) {
		uint64_t due;

		if (deadline) {
			due = rdtsc_fenced() + delta;
			wrmsr(MSR_IA32_TSC_DEADLINE, due);
		} else {
			uint64_t t0 = rdtsc_fenced();

			apic_write(APIC_REG_TIMER_INITIAL, count);
			due = t0 + ((ratio * count) >> FIXED_SHIFT);
		}
		if (!wait_count(&n_timer, i + 1))
			break;
		samples[n++] = (int64_t)(t_handler - due);
	}
	snap(&b);
	cli();
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	guest_printf("# timer: %s, delta %u TSC cycles\n", deadline ? "TSC-deadline" : "one-shot", delta);
	report(deadline ? "timer_deadline" : "timer_oneshot", n, true, exits_between(&a, &b), false, 0);
	expect_eqf(n_timer, iters, "timer: %u expiries", iters);
}

static void bench_eoi(void)
{
	struct hc_exit_stats a, b;
	uint64_t exits = 0;
	unsigned n = 0;

	irq_set_gate(VEC_NOEOI, (void *)gate_noeoi);
	n_noeoi = 0;
	for (unsigned i = 0; i < iters; i++) {
		uint64_t t0, t1;

		sti();
		apic_self_ipi(VEC_NOEOI);
		if (!wait_count(&n_noeoi, i + 1))
			break;
		cli();
		snap(&a);
		t0 = rdtsc_fenced();
		apic_eoi();
		t1 = rdtsc_fenced();
		snap(&b);
		exits += exits_between(&a, &b);
		samples[n++] = (int64_t)(t1 - t0);
	}
	cli();
	report("eoi", n, true, exits, false, 0);
	expect_eq("eoi: nothing left in service", apic_vector_bit(APIC_REG_ISR0, VEC_NOEOI), false);
	if (under_hv)
		expect_eqf(exits, (hv_mode.apicv_flags & HC_APICV_F_INTR_DELIVERY) ? 0 : n,
		           "eoi: exits as the mode says (1 each, none with virtual-interrupt delivery)");
}

static void bench_tpr(void)
{
	struct hc_exit_stats a, b;
	uint32_t f = hv_mode.apicv_flags;
	bool tpr_virt =
	        (f & HC_APICV_F_TPR_SHADOW) && (f & (suite.x2apic ? HC_APICV_F_X2APIC_MODE : HC_APICV_F_APIC_ACCESSES));

	cli();
	apic_write(APIC_REG_TPR, TPR_NOTHING);
	snap(&a);
	for (unsigned i = 0; i < iters; i++) {
		uint64_t t0 = rdtsc_fenced(), t1;

		apic_write(APIC_REG_TPR, TPR_NOTHING);
		t1 = rdtsc_fenced();
		samples[i] = (int64_t)(t1 - t0);
	}
	snap(&b);
	report("tpr", iters, true, exits_between(&a, &b), false, 0);
	if (under_hv)
		expect_eqf(exits_between(&a, &b), tpr_virt ? 0 : iters,
		           "tpr: exits as the mode says (none with a TPR shadow, else 1 each)");
}

/*
 * The TSC exchange: vCPU 0 reads ta, raises req; vCPU 1 reads tb, replies;
 * vCPU 0 reads tc. So tsc1 - tsc0 lies in [tb - tc, tb - ta] each round; the
 * rounds' intersection bounds the offset. The TSCs agree when it holds 0.
 */
static bool tsc_exchange(void)
{
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	uint32_t seq = ap_post(CMD_TSC);
	bool ok = true, agree;
	uint64_t bound = 0;

	for (uint32_t i = 1; i <= TSC_ROUNDS && ok; i++) {
		uint64_t ta = rdtsc_fenced(), tc;
		int64_t l, h;

		smp_mb();
		box.req = i;
		ok = wait_eq(&box.reply, i);
		smp_mb();
		tc = rdtsc_fenced();
		l = (int64_t)(box.tb - tc);
		h = (int64_t)(box.tb - ta);
		lo = l > lo ? l : lo;
		hi = h < hi ? h : hi;
	}
	ap_done(seq, "TSC exchange");
	expect_true("TSC exchange: every round answered", ok);
	agree = ok && lo <= 0 && hi >= 0;
	if (ok) {
		uint64_t alo = (uint64_t)(lo < 0 ? -lo : lo), ahi = (uint64_t)(hi < 0 ? -hi : hi);

		bound = alo > ahi ? alo : ahi; /* |offset| is at most this when they agree */
	}
	guest_printf("# TSC exchange, %u rounds: vCPU 1's TSC - vCPU 0's in [%lld, %lld]\n", TSC_ROUNDS, (long long)lo,
	             (long long)hi);
	guest_printf("BENCH tsc_agree=%s offset_bound=%llu\n", agree ? "yes" : "no", (unsigned long long)bound);
	return agree;
}

/* Arm vCPU 1 for iters pings (answered with a pong when pong is set); false if it did not get ready. */
static bool arm_pings(uint32_t *seq, bool pong)
{
	n_ping = n_pong = 0;
	box.taken = 0;
	pong_enabled = pong;
	pong_dest = suite.madt.apic_ids[0];
	*seq = ap_post(CMD_PING);
	return wait_eq(&box.armed, *seq);
}

/* ipi_rtt: a ping and its pong, on vCPU 0's TSC alone. */
static void bench_round_trip(void)
{
	struct hc_exit_stats a = {0}, b = {0};
	uint32_t dest = suite.madt.apic_ids[1];
	uint32_t seq;
	unsigned n = 0;

	if (arm_pings(&seq, true)) {
		sti();
		snap(&a);
		for (unsigned i = 0; i < iters; i++) {
			uint64_t t0;

			cli();
			t0 = send_fixed(dest, VEC_PING);
			if (!wait_count(&n_pong, i + 1))
				break;
			samples[n++] = (int64_t)(t_handler - t0);
		}
		snap(&b);
	}
	ap_done(seq, "ping-pong");
	cli();
	report("ipi_rtt", n, true, exits_between(&a, &b), true, exits_between(&ap_before, &ap_after));
	expect_eqf(n_ping, iters, "ping-pong: vCPU 1 took %u pings", iters);
	expect_eqf(n_pong, iters, "ping-pong: vCPU 0 got %u pongs", iters);
}

/*
 * ipi_oneway: pings alone, each sent once the last one's handler has
 * returned (vCPU 0 watches box.taken, interrupts off): the receiver's
 * handler TSC minus the sender's at the ICR write. Its exit counts are those
 * of one IPI on each side: exits_tx the send, exits_rx the delivery and EOI.
 */
static void bench_one_way(bool agree)
{
	struct hc_exit_stats a = {0}, b = {0};
	uint32_t dest = suite.madt.apic_ids[1];
	uint32_t seq;
	unsigned n = 0, neg = 0;

	cli();
	if (arm_pings(&seq, false)) {
		snap(&a);
		for (unsigned i = 0; i < iters; i++) {
			ping_t0[i] = send_fixed(dest, VEC_PING);
			if (!wait_eq(&box.taken, i + 1))
				break;
			n++;
		}
		snap(&b);
	}
	ap_done(seq, "one-way pings");
	expect_eqf(n_ping, iters, "one-way: vCPU 1 took %u pings", iters);
	if (!agree) {
		guest_printf("# ipi_oneway: not reported, the TSCs do not agree\n");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		int64_t d = (int64_t)(ping_rx[i] - ping_t0[i]);

		neg += d < 0;
		samples[i] = d;
	}
	if (neg)
		guest_printf("# ipi_oneway: %u sample(s) below 0 (within the TSC offset bound)\n", neg);
	report("ipi_oneway", n, true, exits_between(&a, &b), true, exits_between(&ap_before, &ap_after));
}

static void root_lines(unsigned cpu)
{
	const struct hc_root_cycles *c = &root[cpu];
	bool sane = true;
	unsigned reasons = 0;

	if (!expect_eqf(root_rc[cpu] == 0 && c->version == HC_ROOT_CYCLES_VERSION, true,
	                "HC_ROOT_CYCLES of vCPU %u answers version 1", cpu))
		return;
	for (unsigned r = 0; r < HC_EXIT_REASONS; r++) {
		const struct hc_root_cost *x = &c->reason[r];

		if (!x->count)
			continue;
		reasons++;
		sane &= x->median > 0 && x->median <= x->p99 && x->p99 <= x->max;
		guest_printf("BENCH root cpu=%u reason=%u name=%s count=%llu median=%llu p99=%llu max=%llu\n", cpu, r,
		             reason_name(r), (unsigned long long)x->count, (unsigned long long)x->median,
		             (unsigned long long)x->p99, (unsigned long long)x->max);
	}
	expect_eqf(reasons > 0 && sane, true, "root cycles of vCPU %u: some reasons, 0 < median <= p99 <= max", cpu);
}

/* The phases of each reason's root cycles (HC_ROOT_PHASES): the mean of each, from its total. */
static void phase_lines(unsigned cpu)
{
	const struct hc_root_phases *c = &phases[cpu];
	bool sane = true;

	if (!expect_eqf(phases_rc[cpu] == 0 && c->version == HC_ROOT_PHASES_VERSION, true,
	                "HC_ROOT_PHASES of vCPU %u answers version 1", cpu))
		return;
	for (unsigned r = 0; r < HC_EXIT_REASONS; r++) {
		const struct hc_root_phase *x = &c->reason[r];
		uint64_t n = c->count[r];

		if (!n)
			continue;
		sane &= n <= root[cpu].reason[r].count + 1; /* the HC_ROOT_CYCLES call itself is one more VMCALL */
		guest_printf("BENCH phase cpu=%u reason=%u name=%s count=%llu exit=%llu handler=%llu entry=%llu\n", cpu,
		             r, reason_name(r), (unsigned long long)n,
		             (unsigned long long)(x->total[HC_ROOT_PHASE_EXIT] / n),
		             (unsigned long long)(x->total[HC_ROOT_PHASE_HANDLER] / n),
		             (unsigned long long)(x->total[HC_ROOT_PHASE_ENTRY] / n));
	}
	expect_eqf(sane, true, "root phases of vCPU %u: no more exits than HC_ROOT_CYCLES counted", cpu);
}

/* ---- the end ---- */

__attribute__((noreturn)) static void bench_finish(void)
{
	print_table();
	if (under_hv)
		guest_finish();
	guest_printf("SUMMARY: %u tests, %u failures\n", guest_tests_run(), guest_tests_failed());
	cli();
	for (unsigned spins = 0; !(inb(COM1_PORT + UART_LSR) & UART_LSR_TEMT) && spins < UART_DRAIN_SPINS; spins++)
		cpu_relax();                   /* the last bytes out of the UART before the power goes */
	outl(EXIT_PORT, guest_tests_failed()); /* QEMU's isa-debug-exit, if present */
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s); /* Bochs */
	for (;;)
		hlt();
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi), *opt;
	size_t len = 0;
	bool smp;

	(void)magic;
	iters = cmdline_uint(cl, "iters", ITERS_DEFAULT);
	delta = cmdline_uint(cl, "delta", DELTA_DEFAULT);
	opt = cmdline_find(cl, "timer", &len);
	oneshot = opt && len == 7 && hv_strncmp(opt, "oneshot", 7) == 0;
	under_hv = detect_hv();
	apic_suite_start("bench", "interrupt-delivery costs in TSC cycles", mbi);
	if (iters < 1 || iters > BENCH_MAX_ITERS) {
		guest_printf("# iters=%u out of range: %u\n", iters, ITERS_DEFAULT);
		iters = ITERS_DEFAULT;
	}
	wait_ticks = suite_wait_ticks();
	apic_suite_enter_mode();
	apic_suite_setup();
	if (under_hv) {
		snap(&hv_mode);
		if (!expect_eq("HC_EXIT_STATS answers version 1", hv_mode.version, HC_EXIT_STATS_VERSION))
			bench_finish();
	}
	guest_printf("# %s, mode %s, APIC %s, iters %u, TSC %llu MHz (assumed)\n",
	             under_hv ? "under apicvisor" : "native", mode_name(), suite.x2apic ? "x2apic" : "xapic", iters,
	             (unsigned long long)tsc_per_us());
	smp = suite.cpus >= 2;
	if (smp) {
		expect_eqf(suite.madt.found && suite.madt.cpus >= 2, true, "the MADT lists %u CPUs or more", 2);
		smp = suite.madt.cpus >= 2;
		smp = smp && expect_true("vCPU 1 reports in after INIT-SIPI-SIPI",
		                         smp_start_ap(1, suite.madt.apic_ids[1], ap_run));
		smp = smp && expect_true("vCPU 1 set itself up", wait_eq(&box.ready, 1));
	} else {
		guest_printf("# cpus=%u: the cross-core figures are skipped\n", suite.cpus);
	}
	bench_tsc_read();
	bench_self_ipi();
	bench_timer();
	bench_eoi();
	bench_tpr();
	if (smp) {
		bool agree = tsc_exchange();

		irq_set_gate(VEC_PING, (void *)gate_ping);
		irq_set_gate(VEC_PONG, (void *)gate_pong);
		bench_round_trip();
		bench_one_way(agree);
	}
	cli();
	if (smp)
		ap_done(ap_post(CMD_DONE), "the end");
	if (under_hv) {
		root_rc[0] = vmcall(HC_ROOT_CYCLES, (uint32_t)(uintptr_t)&root[0], sizeof(root[0]), 0);
		phases_rc[0] = vmcall(HC_ROOT_PHASES, (uint32_t)(uintptr_t)&phases[0], sizeof(phases[0]), 0);
		root_lines(0);
		phase_lines(0);
		if (smp) {
			root_lines(1);
			phase_lines(1);
		}
	}
	expect_eq("no stray interrupts on vCPU 0", irq_stray(suite.madt.apic_ids[0]), 0);
	if (smp)
		expect_eq("no stray interrupts on vCPU 1", irq_stray(suite.madt.apic_ids[1]), 0);
	bench_finish();
}
