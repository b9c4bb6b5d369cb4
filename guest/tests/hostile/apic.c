/*
 * apic.c: attacks through the guest's own local APIC (docs/hostile-suite.md): the ICR in every delivery mode,
 * shorthand and destination with vectors 0-15, floods of IPIs, NMIs, INITs and SIPIs at APIC IDs it does not own,
 * moves of the APIC base and illegal mode changes, timer storms, and x2APIC mode. IPIs reach only the vCPUs of
 * the sender's own guest (a guest's vCPU i has APIC ID i): what the guest can see of each is checked here, and
 * the benign guest next to it checks that none of it reached it.
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/exit/hypercall.h"
#include "vmm/partition/guest_layout.h"

#define VEC_ICR 0x50
#define VEC_FLOOD 0x51
#define VEC_BASE 0x52
#define VEC_TIMER 0x53
#define VEC_ILLEGAL 3 /* below 16: never delivered (SDM Vol. 3, 11.5.3) */
#define DM_RESERVED_3 (3u << 8)
#define DM_RESERVED_7 (7u << 8)
#define XAPIC_LDR_BIT0 (1u << 24) /* logical ID: bit 0 of the flat model's 8 */
#define SHORTHAND_SHIFT 18
#define ALL_ONES 0xffffffffu
#define ESR_SEND_ILLEGAL APIC_ESR_SEND_ILLEGAL_VECTOR
#define ESR_RECV_ILLEGAL APIC_ESR_RECV_ILLEGAL_VECTOR
#define DIVIDE_BY_1 0xbu
#define TIMER_ROUNDS 200
#define STORM_US 20000
#define FAST_PERIOD 20000 /* ticks: 400 us at 50 MHz, far above what a VM exit costs */
#define STORM_STUCK_MS 50
#define STORM_STUCK 3 /* the exit status vCPU 1 ends the guest with when vCPU 0 is stuck in the storm */
/* What the hypervisor's timer floor (docs/vlapic.md) allows in a storm: one interrupt per floor, and one more */
#define STORM_IRQS (STORM_US / GUEST_APIC_TIMER_FLOOR_US + 1)
/* Exits per interrupt in the slowest mode (emulated: the timer, an interrupt window, the EOI's), and around the
 * storm (the APIC writes that start and stop it, the hypercalls that count, and the odd host kick) */
#define STORM_EXITS_PER_IRQ 4
#define STORM_EXITS_AROUND 16
#define BASE_MOVES 16
#define LCG_MUL 1664525u /* Numerical Recipes' LCG: destinations that look random and repeat run to run */
#define LCG_ADD 1013904223u

static const uint32_t xapic_dests[] = {0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xfe, 0xff};
static const uint32_t x2apic_dests[] = {0, 1, 2, 0xff, 0x100, 0xffff, 0x10000, 0x10001, 0xfffffffe, 0xffffffff};
static const uint32_t modes[] = {APIC_ICR_DM_FIXED, APIC_ICR_DM_LOWEST, APIC_ICR_DM_SMI,     DM_RESERVED_3,
                                 APIC_ICR_DM_NMI,   APIC_ICR_DM_INIT,   APIC_ICR_DM_STARTUP, DM_RESERVED_7};

static uint32_t nmis(void) { return irq_count(0, APIC_NMI_VECTOR); }

/* Whether an IPI with this shorthand and destination reaches this vCPU (its LDR set by own_ldr). */
static bool hits_me(uint32_t shorthand, bool logical, uint32_t dest)
{
	if (shorthand == APIC_ICR_DEST_SELF || shorthand == APIC_ICR_DEST_ALL)
		return true;
	if (shorthand == APIC_ICR_DEST_ALL_BUT_SELF)
		return false;
	if (dest == broadcast_id())
		return true;
	if (!logical)
		return dest == h.me;
	return in_x2apic() ? (dest >> 16) == (h.me >> 4) && (dest & (1u << (h.me & 0xf))) : (dest & 1) != 0;
}

/* A logical destination to match: flat model, logical ID bit 0 (x2APIC derives its own from the ID). */
static void own_ldr(void)
{
	if (in_x2apic())
		return;
	apic_write(APIC_REG_DFR, APIC_DFR_MODEL_FLAT);
	apic_write(APIC_REG_LDR, XAPIC_LDR_BIT0);
}

/* ---- the ICR: every delivery mode, shorthand and destination; vectors 0-15 ---- */

static void icr_low_vectors(void)
{
	uint32_t flags_ok = 0;

	for (unsigned v = 0; v < 16; v++)
		for (unsigned m = 0; m < 2; m++)
			for (uint32_t sh = 0; sh < 4; sh++) {
				esr_latch();
				sti();
				apic_send_ipi(h.me, modes[m] | sh << SHORTHAND_SHIFT | v);
				cli();
				flags_ok += (esr_latch() & ESR_SEND_ILLEGAL) != 0;
			}
	settle_irqs(); /* a vector 0-15 that arrived would be an exception here: a failure of its own */
	expect_eq("vectors 0-15, fixed and lowest priority, each shorthand: ESR says send illegal vector", flags_ok,
	          16 * 2 * 4);
	if (in_x2apic()) {
		for (unsigned v = 0; v < 16; v++) {
			esr_latch();
			apic_write(APIC_REG_SELF_IPI, v);
			flags_ok += (esr_latch() & (ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL)) ==
			            (ESR_SEND_ILLEGAL | ESR_RECV_ILLEGAL);
		}
		settle_irqs();
		expect_eq("x2APIC SELF IPI with vectors 0-15: ESR says send and receive illegal vector", flags_ok,
		          16 * 2 * 4 + 16);
	}
}

/*
 * One ICR write (mode: delivery mode, trigger and level bits); what it must deliver to this vCPU is counted into
 * *fixed and *nmi. A level-triggered IPI is taken edge-triggered (SDM Vol. 3, Table 11-3, note 2); an INIT level
 * de-assert is no INIT at all (11.6.1).
 */
static void icr_one(uint32_t mode, uint32_t sh, bool logical, uint32_t dest, uint32_t *fixed, uint32_t *nmi)
{
	bool me = hits_me(sh, logical, dest);
	bool deassert = (mode & APIC_ICR_TRIGGER_LEVEL) && !(mode & APIC_ICR_LEVEL_ASSERT);
	uint32_t low = mode | sh | (logical ? APIC_ICR_DEST_LOGICAL : 0) | VEC_ICR;

	if ((mode & APIC_ICR_DM_MASK) == APIC_ICR_DM_INIT && me && !deassert)
		return; /* an INIT to vCPU 0 resets this guest: attack init-bsp */
	if ((mode & APIC_ICR_DM_MASK) == APIC_ICR_DM_STARTUP)
		low = (low & ~APIC_ICR_VECTOR_MASK) | (SMP_TRAMPOLINE_GPA >> 12);
	sti();
	apic_send_ipi(dest, low);
	cli();
	mode &= APIC_ICR_DM_MASK;
	if (me && (mode == APIC_ICR_DM_FIXED || mode == APIC_ICR_DM_LOWEST))
		await_irq(VEC_ICR, ++*fixed);
	if (me && mode == APIC_ICR_DM_NMI)
		*nmi += 1; /* an NMI to itself is delivered before the next instruction */
}

static void icr(void)
{
	const uint32_t *dests = in_x2apic() ? x2apic_dests : xapic_dests;
	unsigned ndests = in_x2apic() ? sizeof(x2apic_dests) / 4 : sizeof(xapic_dests) / 4;
	uint32_t fixed = 0, nmi = 0, sends = 0;

	own_ldr();
	irq_set_handler(VEC_ICR, irq_handler_eoi);
	irq_reset();
	icr_low_vectors();
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (uint32_t s = 0; s < 4; s++) {
			uint32_t sh = s << SHORTHAND_SHIFT;
			for (unsigned logical = 0; logical < 2; logical++)
				for (unsigned d = 0; d < ndests; d++, sends++)
					icr_one(modes[m] | APIC_ICR_LEVEL_ASSERT, sh, logical, dests[d], &fixed, &nmi);
		}
	icr_one(APIC_ICR_DM_FIXED | APIC_ICR_TRIGGER_LEVEL | APIC_ICR_LEVEL_ASSERT, 0, false, h.me, &fixed, &nmi);
	icr_one(APIC_ICR_DM_INIT | APIC_ICR_TRIGGER_LEVEL, 0, false, h.me, &fixed, &nmi); /* de-assert: nothing */
	icr_one(APIC_ICR_DM_INIT | APIC_ICR_TRIGGER_LEVEL, APIC_ICR_DEST_ALL, false, 0, &fixed, &nmi);
	settle_irqs();
	guest_printf("# hostile: %u ICR writes: %u fixed IPIs and %u NMIs were for itself\n", sends, fixed, nmi);
	expect_eq("every fixed or lowest-priority IPI that names it arrived once, no other", irq_count(0, VEC_ICR),
	          fixed);
	expect_eq("every NMI that names it arrived once, no other", nmis(), nmi);
	expect_eq("nothing else arrived", irq_stray(0), 0);
}

/* ---- floods at APIC IDs it does not own ---- */

static uint32_t other_id(uint32_t *seed)
{
	uint32_t id;

	do {
		*seed = *seed * LCG_MUL + LCG_ADD;
		id = in_x2apic() ? *seed : *seed >> 24;
	} while (id == h.me || id == broadcast_id() || id < h.cpus);
	return id;
}

static void flood_mode(uint32_t mode, uint32_t vector, uint32_t n, uint32_t *seed)
{
	for (uint32_t i = 0; i < n; i++) {
		apic_send_ipi(other_id(seed), mode | APIC_ICR_LEVEL_ASSERT | vector);
		if (!in_x2apic() && (i & 1)) /* logical: destinations without its own bit 0 */
			apic_send_ipi((other_id(seed) & 0xfe),
			              mode | APIC_ICR_DEST_LOGICAL | APIC_ICR_LEVEL_ASSERT | vector);
		if (!(i & 15))
			apic_send_ipi(0, mode | APIC_ICR_DEST_ALL_BUT_SELF | APIC_ICR_LEVEL_ASSERT | vector);
	}
}

static void flood(void)
{
	uint32_t seed = 1, sipi = SMP_TRAMPOLINE_GPA >> 12, n = h.flood;

	own_ldr();
	irq_set_handler(VEC_FLOOD, irq_handler_eoi);
	irq_reset();
	cli();
	flood_mode(APIC_ICR_DM_FIXED, VEC_FLOOD, n, &seed);
	flood_mode(APIC_ICR_DM_LOWEST, VEC_FLOOD, n / 4, &seed);
	flood_mode(APIC_ICR_DM_NMI, 0, n, &seed);
	flood_mode(APIC_ICR_DM_INIT, 0, n, &seed);
	flood_mode(APIC_ICR_DM_STARTUP, sipi, n, &seed);
	for (uint32_t i = 0; i < n / 4; i++) {
		apic_send_ipi(0, APIC_ICR_DEST_ALL | APIC_ICR_DM_STARTUP | sipi); /* itself runs: ignored */
		apic_send_ipi(0, APIC_ICR_DEST_ALL | APIC_ICR_DM_SMI);
	}
	settle_irqs();
	expect_eq("floods at other APIC IDs: nothing came back to it", irq_count(0, VEC_FLOOD) + nmis(), 0);
	for (uint32_t i = 0; i < n; i++)
		apic_send_ipi(h.me, APIC_ICR_DM_FIXED | VEC_FLOOD);
	expect_eq("a flood of one vector to itself, interrupts off: not yet delivered", irq_count(0, VEC_FLOOD), 0);
	settle_irqs();
	expect_eq("one IRR bit: delivered once when interrupts came on", irq_count(0, VEC_FLOOD), 1);
	for (uint32_t i = 0; i < n / 4; i++)
		apic_send_ipi(h.me, APIC_ICR_DM_NMI);
	settle_irqs();
	expect_eq("a flood of NMIs to itself: each delivered before the next ICR write", nmis(), n / 4);
	expect_eq("nothing else arrived", irq_stray(0), 0);
}

/* ---- the APIC base: reserved bits, illegal mode changes, moves ---- */

static int set_base(uint64_t v) { return wrmsr_safe(MSR_IA32_APICBASE, v); }

/* The APIC answers at base: its version, and a self-IPI delivered. */
static void expect_apic_at(uint32_t base, const char *what)
{
	irq_reset();
	apic_use(GUEST_APIC_XAPIC, base);
	expect_eqf(rd32(base + APIC_MMIO_OFFSET(APIC_REG_VERSION)), suite.version, "%s: the version register at %#x",
	           what, base);
	apic_self_ipi(VEC_BASE);
	expect_true(what, await_irq(VEC_BASE, 1));
}

static void to_xapic(void)
{
	uint64_t b = apic_base_msr();

	if (b & APIC_BASE_EXTD)
		set_base(b & ~(APIC_BASE_ENABLE | APIC_BASE_EXTD));
	set_base((b & ~APIC_BASE_EXTD) | APIC_BASE_ENABLE);
	apic_use(GUEST_APIC_XAPIC, (uint32_t)(b & APIC_BASE_ADDR_MASK));
	suite.x2apic = false;
	apic_suite_setup_local();
}

static void reserved_bits(uint64_t b)
{
	uint32_t gps = 0, tried = 0;

	for (unsigned bit = 0; bit < 64; bit++) {
		if (bit == 8 || bit == 10 || bit == 11 || (bit >= 12 && bit < h.maxphyaddr))
			continue;
		tried++;
		gps += set_base(b | 1ull << bit) == X86_TRAP_GP;
	}
	expect_eq("every reserved bit of IA32_APIC_BASE (7:0, 9, MAXPHYADDR and up): #GP", gps, tried);
	expect_eq("and the base is unchanged", apic_base_msr(), b);
	expect_fault("the BSP flag written 0: taken", set_base(b & ~APIC_BASE_BSP), GUEST_NO_FAULT);
	expect_eq("the BSP flag is the hardware's: still set", apic_base_msr() & APIC_BASE_BSP, APIC_BASE_BSP);
	expect_fault("EXTD without EN (invalid): #GP", set_base((b & ~APIC_BASE_ENABLE) | APIC_BASE_EXTD), X86_TRAP_GP);
}

static void moves(uint64_t b)
{
	static const uint32_t away[] = {0xfed00000u, 0xc0000000u, GUEST_LEGACY_HOLE_BASE, GUEST_IOAPIC_BASE};
	uint32_t ram_page = (uint32_t)h.ram_end - 4096; /* the top of RAM, far above this image */

	for (unsigned i = 0; i < sizeof(away) / sizeof(away[0]); i++) {
		if (away[i] < h.ram_end && away[i] >= GUEST_HIGH_RAM_BASE)
			continue;
		expect_fault("move the APIC base", set_base((b & 0xfff) | away[i]), GUEST_NO_FAULT);
		expect_apic_at(away[i], "the APIC works at its new base");
		expect_eq("its old page is no device now", rd32((uint32_t)GUEST_LAPIC_BASE), ALL_ONES);
		set_base(b);
		expect_apic_at((uint32_t)GUEST_LAPIC_BASE, "and back at 0xfee00000");
	}
	expect_fault("a base just below 2^MAXPHYADDR: taken", set_base((b & 0xfff) | ((1ull << h.maxphyaddr) - 4096)),
	             GUEST_NO_FAULT);
	set_base(b);
	for (unsigned i = 0; i < BASE_MOVES; i++)
		set_base((b & 0xfff) | (ram_page - i * 4096)); /* into RAM: not trapped, said each time */
	wr32(ram_page, 0x5a5a5a5a);
	expect_eq("a base moved into RAM: the page is RAM", rd32(ram_page), 0x5a5a5a5a);
	set_base(b);
	expect_apic_at((uint32_t)GUEST_LAPIC_BASE, "back at 0xfee00000 after moves into RAM");
}

static void mode_changes(uint64_t b)
{
	uint64_t off = b & ~(APIC_BASE_ENABLE | APIC_BASE_EXTD);

	expect_fault("disable", set_base(off), GUEST_NO_FAULT);
	expect_eq("disabled: its page is no device", rd32((uint32_t)GUEST_LAPIC_BASE + 0x30), ALL_ONES);
	expect_eq("disabled: CPUID.1:EDX.APIC is 0", cpuid_1_edx() & CPUID_1_EDX_APIC, 0);
	expect_fault("disabled to x2APIC at once: #GP", set_base(off | APIC_BASE_ENABLE | APIC_BASE_EXTD), X86_TRAP_GP);
	expect_fault("enable", set_base(off | APIC_BASE_ENABLE), GUEST_NO_FAULT);
	expect_eq("enabled again: SVR as after power-up", apic_read(APIC_REG_SVR), 0xff);
	expect_fault("to x2APIC", set_base(off | APIC_BASE_ENABLE | APIC_BASE_EXTD), GUEST_NO_FAULT);
	expect_fault("x2APIC to xAPIC directly: #GP", set_base(off | APIC_BASE_ENABLE), X86_TRAP_GP);
	expect_fault("x2APIC to disabled", set_base(off), GUEST_NO_FAULT);
	expect_fault("and xAPIC again", set_base(off | APIC_BASE_ENABLE), GUEST_NO_FAULT);
	apic_suite_setup_local();
	expect_apic_at((uint32_t)GUEST_LAPIC_BASE, "the APIC works after the mode changes");
}

static void base(void)
{
	bool was_x2apic = in_x2apic();
	uint64_t b;

	irq_set_handler(VEC_BASE, irq_handler_eoi);
	to_xapic();
	b = apic_base_msr();
	expect_eq("IA32_APIC_BASE: enabled BSP at 0xfee00000", b, GUEST_LAPIC_BASE | APIC_BASE_ENABLE | APIC_BASE_BSP);
	reserved_bits(b);
	moves(b);
	mode_changes(b);
	if (was_x2apic) {
		set_base(b | APIC_BASE_EXTD);
		apic_use(GUEST_APIC_X2APIC, (uint32_t)GUEST_LAPIC_BASE);
		suite.x2apic = true;
		apic_suite_setup_local();
	}
}

/* ---- timer storms ---- */

static volatile uint32_t rearms;

static void rearm_handler(uint8_t v)
{
	(void)v;
	if (++rearms < TIMER_ROUNDS)
		apic_write(APIC_REG_TIMER_INITIAL, 1);
	apic_eoi();
}

/* The LVT timer as given, periodic with initial count period, for STORM_US with interrupts on: how many came. */
static uint32_t periodic(uint32_t lvt, uint32_t period)
{
	irq_reset();
	apic_write(APIC_REG_LVT_TIMER, lvt | APIC_LVT_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, period);
	sti();
	udelay(STORM_US);
	cli();
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	settle_irqs();
	return irq_count(0, VEC_TIMER);
}

static void timer(void)
{
	uint32_t got = 0, most = (uint32_t)(STORM_US * tsc_per_us() / FAST_PERIOD) + 1;

	irq_set_handler(VEC_TIMER, rearm_handler);
	apic_write(APIC_REG_TIMER_DIVIDE, DIVIDE_BY_1);
	irq_reset();
	rearms = 0;
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, 1);
	await_irq(VEC_TIMER, TIMER_ROUNDS);
	settle_irqs();
	expect_eq("one-shot, count 1, re-armed from its handler: each expiry once", irq_count(0, VEC_TIMER),
	          TIMER_ROUNDS);
	irq_set_handler(VEC_TIMER, irq_handler_eoi);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | VEC_TIMER);
	irq_reset();
	for (uint32_t i = 0; i < TIMER_ROUNDS; i++) {
		wrmsr(MSR_IA32_TSC_DEADLINE, 1); /* long past: fires at once */
		got += await_irq(VEC_TIMER, i + 1);
	}
	expect_eq("TSC deadlines in the past: each fires at once, once", irq_count(0, VEC_TIMER), TIMER_ROUNDS);
	expect_eq("(each awaited)", got, TIMER_ROUNDS);
	esr_latch();
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | VEC_ILLEGAL);
	apic_write(APIC_REG_TIMER_INITIAL, 1);
	settle_irqs(); /* vector 3 delivered would be #BP: a failure of its own */
	expect_eq("the timer with vector 3: ESR says receive illegal vector", esr_latch() & ESR_RECV_ILLEGAL,
	          ESR_RECV_ILLEGAL);
	got = periodic(0, FAST_PERIOD);
	guest_printf("# hostile: periodic, %u ticks, for %u us: %u interrupts (at most %u)\n", FAST_PERIOD, STORM_US,
	             got, most);
	expect_true("a fast periodic timer: interrupts come, never more than its period allows", got && got <= most);
	expect_eq("masked, the same timer raises none", periodic(APIC_LVT_MASKED, FAST_PERIOD), 0);
	expect_eq("nothing else arrived", irq_stray(0), 0);
}

/*
 * The storm proper: periodic with initial count 1, unmasked and masked, on vCPU 0, while vCPU 1 watches that
 * vCPU 0 still moves. Contained either way: only vCPU 0's core is busy, and the guest can still end. How far
 * vCPU 0 gets is the hypervisor's choice of a floor: with none, each VM entry finds the timer due again and the
 * VMX-preemption timer at 0, so vCPU 0 runs no instruction, and vCPU 1 ends the guest through the exit port
 * (status STORM_STUCK, its last line says so); with a floor on the period (and masked timers that expire only
 * when read), vCPU 0 goes on at a cost of at most STORM_US over the floor in exits, and finishes. vCPU 1 counts
 * stillness only while a storm runs: between them vCPU 0 settles for longer than STORM_STUCK_MS, on purpose.
 */
static volatile uint32_t storm_progress, storm_running, storm_over;

static void storm_watch(unsigned cpu)
{
	uint32_t last = storm_progress, still = 0;

	(void)cpu;
	while (!storm_over) {
		cli(); /* Bochs 2.7 takes host kicks in a spin only when it touches IF (platform notes) */
		udelay(1000);
		still = storm_running && storm_progress == last ? still + 1 : 0;
		last = storm_progress;
		if (still < STORM_STUCK_MS)
			continue;
		guest_printf("# hostile: vCPU 0 made no progress for %u ms in the timer storm: vCPU 1 ends the guest\n",
		             STORM_STUCK_MS);
		guest_exit(STORM_STUCK);
	}
	for (;;) {
		cli();
		hlt();
	}
}

static uint64_t exits_now(void)
{
	static struct hc_exit_stats s;

	vmcall(HC_EXIT_STATS, (uint32_t)&s, sizeof(s), 0);
	return s.total;
}

/* One storm of STORM_US with the LVT as given: the interrupts and VM exits it cost, printed for the test. */
static void storm(const char *what, uint32_t lvt, uint32_t most_irqs, uint64_t most_exits)
{
	uint64_t before = exits_now(), end, exits;

	irq_reset();
	apic_write(APIC_REG_LVT_TIMER, lvt | APIC_LVT_TIMER_PERIODIC | VEC_TIMER);
	apic_write(APIC_REG_TIMER_INITIAL, 1);
	end = rdtsc() + STORM_US * tsc_per_us();
	storm_running = 1;
	sti();
	while (rdtsc() < end)
		storm_progress++;
	cli();
	storm_running = 0;
	apic_write(APIC_REG_TIMER_INITIAL, 0);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	exits = exits_now() - before;
	guest_printf("# hostile: %s for %u us: %u interrupts, %llu VM exits\n", what, STORM_US, irq_count(0, VEC_TIMER),
	             (unsigned long long)exits);
	expect_true("at most the interrupts the floor allows", irq_count(0, VEC_TIMER) <= most_irqs);
	expect_true("at most the VM exits the floor allows", exits <= most_exits);
	settle_irqs();
}

static void timer_storm(void)
{
	if (!expect_true("the MADT lists a second vCPU", suite.madt.cpus >= 2) ||
	    !expect_true("vCPU 1 watches", smp_start_ap(1, suite.madt.apic_ids[1], storm_watch)))
		return;
	irq_set_handler(VEC_TIMER, irq_handler_eoi);
	apic_write(APIC_REG_TIMER_DIVIDE, DIVIDE_BY_1);
	storm("periodic, count 1", 0, STORM_IRQS, STORM_IRQS * STORM_EXITS_PER_IRQ + STORM_EXITS_AROUND);
	storm("periodic, count 1, masked", APIC_LVT_MASKED, 0, STORM_EXITS_AROUND);
	storm_over = 1;
}

/* ---- APIC MMIO in every width and alignment, with LOCK (docs/vlapic.md, xAPIC (MMIO)) ---- */

static const uint32_t readable[] = {0x20,  0x30,  0x80,  0xa0,  0xd0,  0xe0,  0xf0,  0x100, 0x180, 0x200, 0x280,
                                    0x2f0, 0x300, 0x310, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x3e0};

static uint32_t rd8(uint32_t a) { return *(volatile uint8_t *)a; }
static uint32_t rd16(uint32_t a) { return *(volatile uint16_t *)a; }
static void wr8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static void wr16(uint32_t a, uint16_t v) { *(volatile uint16_t *)a = v; }

/* Each readable register's bytes and words within its low 4 bytes are its parts; past them, and across, 0. */
static void narrow_reads(uint32_t b)
{
	uint32_t wrong = 0, nonzero = 0;

	for (unsigned i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
		uint32_t a = b + readable[i], v = rd32(a);
		for (unsigned k = 0; k < 4; k++)
			wrong += rd8(a + k) != ((v >> (8 * k)) & 0xff);
		for (unsigned k = 0; k < 3; k++)
			wrong += rd16(a + k) != ((v >> (8 * k)) & 0xffff);
		nonzero += rd16(a + 3) != 0; /* across bytes 3 and 4 */
		for (unsigned k = 1; k < 4; k++)
			nonzero += rd32(a + k) != 0;
	}
	expect_eq("1- and 2-byte reads within a register's low 4 bytes: its bytes", wrong, 0);
	for (uint32_t off = 0; off < 0x1000; off += 4)
		if (off & 0xf)
			nonzero += rd32(b + off) != 0 || rd8(b + off + 1) != 0;
	expect_eq("every access past a register's low 4 bytes, or across them, reads 0", nonzero, 0);
}

static void narrow_writes(uint32_t b)
{
	uint32_t tpr = b + APIC_MMIO_OFFSET(APIC_REG_TPR), svr = b + APIC_MMIO_OFFSET(APIC_REG_SVR);
	uint32_t timer = b + APIC_MMIO_OFFSET(APIC_REG_LVT_TIMER), icr = b + APIC_MMIO_OFFSET(APIC_REG_ICR_LOW);

	wr32(tpr, 0);
	wr8(tpr, 0x20);
	expect_eq("a byte written to the TPR", rd32(tpr), 0x20);
	wr16(tpr, 0x1030);
	expect_eq("a word written to the TPR: bits 15:8 are reserved", rd32(tpr), 0x30);
	wr8(tpr + 1, 0x40);
	expect_eq("its byte 1 written: reserved, the TPR stays", rd32(tpr), 0x30);
	wr32(tpr + 4, 0x50);
	wr8(tpr + 8, 0x60);
	expect_eq("writes to its bytes 4-15: dropped", rd32(tpr), 0x30);
	wr8(svr, VEC_ICR);
	expect_eq("a byte over the SVR's vector: the enable bit kept", rd32(svr), APIC_SVR_ENABLE | VEC_ICR);
	wr32(svr, APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	wr32(timer, APIC_LVT_MASKED | VEC_TIMER);
	wr8(timer + 2, 0);
	expect_eq("byte 2 of the LVT timer: its mask bit cleared", rd32(timer), VEC_TIMER);
	wr32(timer, APIC_LVT_MASKED);
	irq_reset();
	wr32(b + APIC_MMIO_OFFSET(APIC_REG_ICR_HIGH), 0);
	wr32(icr, APIC_ICR_DEST_SELF | VEC_ICR);
	await_irq(VEC_ICR, 1);
	wr8(icr, VEC_FLOOD); /* the vector byte: that ICR is sent again, to itself, with this vector */
	expect_true("a byte over ICR low's vector: the ICR is sent with it", await_irq(VEC_FLOOD, 1));
	settle_irqs();
	expect_eq("(once)", irq_count(0, VEC_FLOOD), 1);
	wr32(tpr, 0);
}

/* LOCK'd read-modify-writes of every width the APIC takes, as on RAM (the TPR keeps bits 7:0). */
static void locked(uint32_t b)
{
	uint32_t tpr = b + APIC_MMIO_OFFSET(APIC_REG_TPR), svr = b + APIC_MMIO_OFFSET(APIC_REG_SVR);

	wr32(tpr, 0x20);
	__asm__ volatile("lock addl $0x10, (%0)" : : "r"(tpr) : "memory", "cc");
	expect_eq("LOCK ADD on the TPR", rd32(tpr), 0x30);
	__asm__ volatile("lock orb $0x48, (%0)" : : "r"(tpr) : "memory", "cc");
	expect_eq("LOCK OR of a byte", rd32(tpr), 0x78);
	__asm__ volatile("lock andw $0x0f0, (%0)" : : "r"(tpr) : "memory", "cc");
	expect_eq("LOCK AND of a word", rd32(tpr), 0x70);
	__asm__ volatile("lock incl (%0)\n lock decb (%0)\n lock xorl $0x70, (%0)" : : "r"(tpr) : "memory", "cc");
	expect_eq("LOCK INC, DEC, XOR", rd32(tpr), 0);
	__asm__ volatile("lock orl $0x100, (%0)" : : "r"(svr) : "memory", "cc");
	expect_eq("LOCK OR of the SVR's enable bit: it stays", rd32(svr), APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	__asm__ volatile("lock incl (%0)" : : "r"(tpr + 4) : "memory", "cc");
	expect_eq("LOCK INC of the TPR's bytes 4-7: dropped", rd32(tpr + 4) | rd32(tpr), 0);
}

static void mmio(void)
{
	uint32_t b = (uint32_t)GUEST_LAPIC_BASE;

	if (in_x2apic()) {
		expect_true("mmio runs in xAPIC mode", false);
		return;
	}
	irq_set_handler(VEC_ICR, irq_handler_eoi);
	irq_set_handler(VEC_FLOOD, irq_handler_eoi);
	cli();
	narrow_reads(b);
	narrow_writes(b);
	locked(b);
	expect_eq("nothing else arrived", irq_stray(0), 0);
}

/* ---- x2APIC mode: the next attacks use it ---- */

static void x2apic(void)
{
	suite.want_x2apic = true;
	expect_fault("x2APIC mode", apic_suite_enter_mode(), GUEST_NO_FAULT);
	apic_suite_setup_local();
	expect_eq("its x2APIC ID", apic_id(), h.me);
}

/* ---- stops ---- */

/* REP STOSD onto the TPR: a string instruction on an APIC's registers, which are not memory. */
static void apic_string(void)
{
	uint32_t a = (uint32_t)GUEST_LAPIC_BASE + APIC_MMIO_OFFSET(APIC_REG_TPR), n = 2;

	to_xapic();
	__asm__ volatile("rep stosl" : "+D"(a), "+c"(n) : "a"(0) : "memory");
}

/* A call to the APIC's page: an instruction fetch from a device. */
static void apic_fetch(void)
{
	to_xapic();
	((void (*)(void))(uint32_t)GUEST_LAPIC_BASE)();
}

/* XCHG with the current count: not among the instructions the hypervisor emulates on a device. */
static void apic_xchg(void)
{
	uint32_t v = 0;

	to_xapic();
	__asm__ volatile("xchg %0, (%1)"
	                 : "+r"(v)
	                 : "r"((uint32_t)GUEST_LAPIC_BASE + APIC_MMIO_OFFSET(APIC_REG_TIMER_CURRENT))
	                 : "memory");
}

const struct attack apic_attacks[] = {
        {"icr", CONTAINED, 1,
         "every delivery mode, shorthand, physical and logical destination, vectors 0-15: only its own APIC gets "
         "anything; 0-15 set ESR",
         icr},
        {"flood", CONTAINED, 1,
         "fixed, lowest-priority, NMI, INIT, SIPI and SMI IPIs at APIC IDs it does not own: nothing anywhere", flood},
        {"base", CONTAINED, 1,
         "IA32_APIC_BASE: reserved bits and illegal mode changes #GP; moves work, into RAM untrapped and said", base},
        {"timer", CONTAINED, 1,
         "one-shot and TSC-deadline storms and a fast periodic timer counted exactly; vector 3 sets ESR", timer},
        {"timer-storm", CONTAINED, 2,
         "periodic count 1, unmasked and masked: one interrupt per floor at most, none masked; vCPU 0 comes through",
         timer_storm},
        {"mmio", CONTAINED, 1,
         "APIC MMIO of 1, 2 and 4 bytes at every alignment, with LOCK: a register's low 4 bytes as on APICv, the "
         "rest reads 0",
         mmio},
        {"x2apic", CONTAINED, 1, "x2APIC mode for the attacks after it", x2apic},
        {"apic-string", STOPS, 1, "REP STOSD onto the TPR: stopped, 'a string instruction on an APIC's registers'",
         apic_string},
        {"apic-fetch", STOPS, 1, "a call into the APIC's page: stopped, an instruction fetch named", apic_fetch},
        {"apic-xchg", STOPS, 1, "XCHG with the timer's current count: stopped, 'cannot decode' on an APIC", apic_xchg},
        {0},
};
