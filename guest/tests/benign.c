/*
 * benign.c: the well-behaved neighbour of the hostile-guest suite (docs/hostile-suite.md): it fills its RAM with
 * a pattern and checks it, counts every interrupt it arms and takes, and prints a heartbeat, while hostile guests
 * on the other cores attack the hypervisor. Every count is checked with equality: an interrupt, NMI or error it
 * did not ask for, a word of its memory changed, an APIC register moved, is a failure. An INIT reaching it would
 * reset it (no SUMMARY); a SIPI to a running vCPU must change nothing.
 *
 * Each heartbeat: one self-IPI of each of IPI_VECTORS vectors and one fixed IPI to its own APIC ID through the
 * ICR, each awaited and counted; a one-shot timer and a TSC deadline, each awaited alone and then given time to
 * come twice; its APIC registers read back; one slice of its memory checked; then HLT until the beat is over.
 * At the end: the whole memory, and the totals.
 *
 * Options: mode=xapic|x2apic (default xapic), beats=N (heartbeats, default 10), beat_us=U (the period of a
 * heartbeat, TSC microseconds, default 100000): it runs about beats * beat_us microseconds.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "vmm/exit/hypercall.h"
#include "vmm/partition/guest_layout.h"

#define VEC_IPI_FIRST 0x40
#define IPI_VECTORS 16      /* 0x40-0x4f: one self-IPI each, every beat */
#define VEC_ICR_SELF 0x81   /* a fixed IPI to its own APIC ID, physical destination */
#define VEC_ONESHOT 0x90    /* the one-shot timer */
#define VEC_DEADLINE 0x91   /* the TSC-deadline timer */
#define DIVIDE_BY_1 0xbu    /* bits 3, 1, 0 all set (SDM Vol. 3, Figure 11-10) */
#define TIMER_TICKS 20000u  /* TSC ticks to each timer's expiry (divide by 1: one count per tick) */
#define AGAIN_TICKS 100000u /* time for a second expiry, or a second IPI, to show up: none may */
#define WAIT_US 200000u     /* for an interrupt that must come */
#define DEFAULT_BEATS 10
#define DEFAULT_BEAT_US 100000
#define LOW_FILL_START 0x1000u /* RAM below 640 KiB from here (page 0 untouched) */
#define PAGE 4096u
#define PATTERN_MUL 0x9e3779b1u /* the word at each address differs from its neighbours' and from other runs' */
#define PATTERN_XOR 0x5bd1e995u
#define NO_BAD 0xffffffffu

static struct {
	unsigned beats;
	uint32_t beat_us;
	uint32_t me; /* its APIC ID */
	uint32_t high_start, high_end;
	uint32_t words;                   /* of RAM filled */
	uint32_t ipis_sent, ipis_seen_ok; /* every IPI it sent, and those that arrived exactly once */
	uint32_t timers_armed;
	uint32_t sent[APIC_NR_VECTORS]; /* per vector: what it asked for */
	volatile uint32_t errors, spurious, nmis;
} b;

static uint32_t pattern(uint32_t addr) { return addr * PATTERN_MUL ^ PATTERN_XOR; }

static uint32_t low_words(void) { return (GUEST_LOW_RAM_END - LOW_FILL_START) / 4; }

/* Word idx of the filled RAM, low RAM first. */
static volatile uint32_t *word_at(uint32_t idx)
{
	uint32_t lw = low_words();

	return (volatile uint32_t *)(idx < lw ? LOW_FILL_START + 4 * idx : b.high_start + 4 * (idx - lw));
}

static void fill_memory(void)
{
	for (uint32_t i = 0; i < b.words; i++) {
		volatile uint32_t *w = word_at(i);
		*w = pattern((uint32_t)w);
	}
}

/* Words [first, first + n) against the pattern: how many changed; *bad is the first changed address. */
static uint32_t check_words(uint32_t first, uint32_t n, uint32_t *bad)
{
	uint32_t changed = 0;

	*bad = NO_BAD;
	for (uint32_t i = first; i < first + n && i < b.words; i++) {
		volatile uint32_t *w = word_at(i);
		if (*w == pattern((uint32_t)w))
			continue;
		if (!changed++)
			*bad = (uint32_t)w;
	}
	return changed;
}

static void expect_memory(const char *what, uint32_t first, uint32_t n)
{
	uint32_t bad, changed = check_words(first, n, &bad);

	if (changed)
		guest_printf("# benign: %s: first changed word at %#x\n", what, bad);
	expect_eq(what, changed, 0);
}

static void count_error(uint8_t v)
{
	(void)v;
	b.errors++;
	apic_eoi();
}

static void count_spurious(uint8_t v)
{
	(void)v;
	b.spurious++;
}

static void count_nmi(uint8_t v)
{
	(void)v;
	b.nmis++;
}

/* Wait with interrupts on (HLT, bounded by HC_WAKE_AFTER) until vector has arrived n times or the time is up. */
static bool await(uint8_t vector, uint32_t n, uint32_t us)
{
	const volatile uint32_t *c = irq_counter(b.me, vector);
	uint64_t end = rdtsc() + us * tsc_per_us();

	while (*c < n && rdtsc() < end) {
		vmcall(HC_WAKE_AFTER, 1000, 0, 0);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	return *c >= n;
}

/* Give a second arrival time to come (none may), interrupts on. */
static void linger(void)
{
	sti();
	tsc_delay(AGAIN_TICKS);
	cli();
}

static void beat_ipis(void)
{
	for (unsigned i = 0; i < IPI_VECTORS; i++) {
		uint8_t v = (uint8_t)(VEC_IPI_FIRST + i);
		b.sent[v]++;
		b.ipis_sent++;
		apic_self_ipi(v);
		await(v, b.sent[v], WAIT_US);
	}
	b.sent[VEC_ICR_SELF]++;
	b.ipis_sent++;
	apic_send_ipi(b.me, APIC_ICR_DM_FIXED | VEC_ICR_SELF);
	await(VEC_ICR_SELF, b.sent[VEC_ICR_SELF], WAIT_US);
	linger();
	for (unsigned v = VEC_IPI_FIRST; v <= VEC_ICR_SELF; v++)
		if (b.sent[v])
			b.ipis_seen_ok += irq_count(b.me, (uint8_t)v) == b.sent[v];
}

/* One expiry of each timer, awaited alone, then time for a second that must not come. */
static void beat_timers(void)
{
	apic_write(APIC_REG_TIMER_DIVIDE, DIVIDE_BY_1);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC_ONESHOT);
	b.sent[VEC_ONESHOT]++;
	b.timers_armed++;
	apic_write(APIC_REG_TIMER_INITIAL, TIMER_TICKS);
	await(VEC_ONESHOT, b.sent[VEC_ONESHOT], WAIT_US);
	linger();
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | VEC_DEADLINE);
	b.sent[VEC_DEADLINE]++;
	b.timers_armed++;
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + TIMER_TICKS);
	await(VEC_DEADLINE, b.sent[VEC_DEADLINE], WAIT_US);
	linger();
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
}

/* Its APIC as it left it: nobody else's IPI, INIT or register write reached it. */
static bool apic_untouched(void)
{
	bool ok = apic_id() == b.me && apic_read(APIC_REG_TPR) == 0 &&
	          apic_read(APIC_REG_SVR) == (APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS) &&
	          apic_read(APIC_REG_LVT_ERROR) == SUITE_VEC_ERROR;

	apic_write(APIC_REG_ESR, 0);
	ok = ok && apic_read(APIC_REG_ESR) == 0;
	for (unsigned r = 0; r < APIC_NR_VECTORS / APIC_VECTORS_PER_REG; r++)
		ok = ok && apic_read((enum apic_reg)(APIC_REG_ISR0 + r)) == 0 &&
		     apic_read((enum apic_reg)(APIC_REG_IRR0 + r)) == 0;
	return ok;
}

/* The rest of the beat in HLT, interrupts on: nothing may arrive. */
static void rest_until(uint64_t end)
{
	while (rdtsc() < end) {
		uint64_t left_us = (end - rdtsc()) / tsc_per_us();
		vmcall(HC_WAKE_AFTER, left_us > 0xffffffffu ? 0xffffffffu : (uint32_t)left_us + 1, 0, 0);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

static uint32_t received_total(void)
{
	uint32_t n = 0;

	for (unsigned v = APIC_FIRST_VECTOR; v < APIC_NR_VECTORS; v++)
		n += irq_count(b.me, (uint8_t)v);
	return n;
}

static void heartbeat(unsigned beat)
{
	uint64_t end = rdtsc() + (uint64_t)b.beat_us * tsc_per_us();
	uint32_t slice = (b.words + b.beats - 1) / b.beats, bad;
	uint32_t ok_before = b.ipis_seen_ok;

	beat_ipis();
	beat_timers();
	uint32_t changed = check_words(beat * slice, slice, &bad);
	bool apic_ok = apic_untouched();
	bool counts_ok = b.ipis_seen_ok - ok_before == IPI_VECTORS + 1 && irq_stray(b.me) == 0 && !b.errors &&
	                 !b.spurious && !b.nmis && received_total() == b.ipis_sent + b.timers_armed;
	guest_printf("# benign: heartbeat %u of %u: %u IPIs and %u timer interrupts so far, %s; memory slice %s; "
	             "APIC %s\n",
	             beat + 1, b.beats, b.ipis_sent, b.timers_armed, counts_ok ? "each counted once" : "COUNTS WRONG",
	             changed ? "CHANGED" : "intact", apic_ok ? "as it left it" : "CHANGED");
	if (changed || !apic_ok || !counts_ok) {
		expect_eq("this beat: changed words in its memory slice", changed, 0);
		expect_true("this beat: its APIC as it left it", apic_ok);
		expect_true("this beat: every interrupt it sent arrived once, nothing else", counts_ok);
	}
	rest_until(end);
}

static void setup(const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi);

	b.beats = cmdline_uint(cl, "beats", DEFAULT_BEATS);
	b.beat_us = cmdline_uint(cl, "beat_us", DEFAULT_BEAT_US);
	if (!b.beats)
		b.beats = 1;
	b.high_start = ((uint32_t)guest_image_end + PAGE - 1) & ~(PAGE - 1);
	b.high_end = (uint32_t)(GUEST_HIGH_RAM_BASE + (uint64_t)mbi->mem_upper * 1024);
	b.words = low_words() + (b.high_end - b.high_start) / 4;
	apic_suite_enter_mode();
	apic_suite_setup();
	irq_set_handler(SUITE_VEC_ERROR, count_error);
	irq_set_handler(SUITE_VEC_SPURIOUS, count_spurious);
	irq_set_handler(APIC_NMI_VECTOR, count_nmi);
	for (unsigned i = 0; i < IPI_VECTORS; i++)
		irq_set_handler((uint8_t)(VEC_IPI_FIRST + i), irq_handler_eoi);
	irq_set_handler(VEC_ICR_SELF, irq_handler_eoi);
	irq_set_handler(VEC_ONESHOT, irq_handler_eoi);
	irq_set_handler(VEC_DEADLINE, irq_handler_eoi);
	b.me = apic_id();
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	apic_suite_start("benign", "the neighbour: memory, interrupts and APIC checked while others attack", mbi);
	setup(mbi);
	guest_printf("# benign: %u heartbeats of %u us; memory [%#x, %#x) and [%#x, %#x) filled\n", b.beats, b.beat_us,
	             LOW_FILL_START, (uint32_t)GUEST_LOW_RAM_END, b.high_start, b.high_end);
	fill_memory();
	for (unsigned beat = 0; beat < b.beats; beat++)
		heartbeat(beat);
	expect_memory("its whole memory as it wrote it", 0, b.words);
	for (unsigned v = APIC_FIRST_VECTOR; v < APIC_NR_VECTORS; v++)
		if (b.sent[v] || irq_count(b.me, (uint8_t)v))
			expect_eqf(irq_count(b.me, (uint8_t)v), b.sent[v],
			           "vector %#x: arrived as often as sent or armed", v);
	expect_eq("interrupts it did not arm (strays)", irq_stray(b.me), 0);
	expect_eq("spurious interrupts", b.spurious, 0);
	expect_eq("APIC error interrupts", b.errors, 0);
	expect_eq("NMIs", b.nmis, 0);
	expect_true("its APIC as it left it", apic_untouched());
	guest_printf("# benign: totals: %u IPIs sent, %u received; %u timer interrupts armed, %u received; %u strays, "
	             "%u NMIs; %u words of memory checked\n",
	             b.ipis_sent, received_total() - b.timers_armed, b.timers_armed,
	             irq_count(b.me, VEC_ONESHOT) + irq_count(b.me, VEC_DEADLINE), irq_stray(b.me), b.nmis, b.words);
	guest_finish();
}
