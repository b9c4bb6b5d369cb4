/*
 * hlt_wake.c: HC_WAKE_AFTER as docs/hypercalls.md documents it: the next HLT
 * ends no later than that many microseconds after it began, 0 included (it
 * ends at once). Interrupts stay off, so nothing else could end the HLT: a
 * wake-up that never comes hangs the guest, and the test that runs it fails.
 */
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/hypercall.h"

#define LONG_WAKE_US 2000
#define SHORT_LIMIT_US 1000 /* a 0 µs wake-up ends well before this */

static struct hc_exit_stats stats;

static uint64_t hlt_exits(void)
{
	vmcall(HC_EXIT_STATS, (uint32_t)(uintptr_t)&stats, sizeof(stats), 0);
	return stats.exits[EXIT_REASON_HLT];
}

/* HC_WAKE_AFTER us, then one HLT; returns the TSC ticks it took, and checks that the HLT exited. */
static uint64_t timed_hlt(const char *what, uint32_t us, bool interrupts_on)
{
	uint64_t before = hlt_exits(), t0, t1;

	expect_eq("HC_WAKE_AFTER returns 0", vmcall(HC_WAKE_AFTER, us, 0, 0), 0);
	if (interrupts_on)
		__asm__ volatile("sti" ::: "memory");
	t0 = rdtsc();
	hlt();
	t1 = rdtsc();
	cli();
	expect_eq(what, hlt_exits() - before, 1);
	return t1 - t0;
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint64_t zero, zero_if, longer;

	(void)magic;
	(void)mbi;
	guest_puts("hlt_wake: HC_WAKE_AFTER and HLT with nothing else to wake it\n");
	cli();
	zero = timed_hlt("HC_WAKE_AFTER 0, interrupts off: the HLT exited once and ended", 0, false);
	zero_if = timed_hlt("HC_WAKE_AFTER 0, interrupts on: the HLT exited once and ended", 0, true);
	longer = timed_hlt("HC_WAKE_AFTER 2000: the HLT exited once and ended", LONG_WAKE_US, false);
	guest_printf("# TSC ticks across HLT: %llu (0 us), %llu (0 us, IF=1), %llu (%u us); %llu ticks per us\n",
	             (unsigned long long)zero, (unsigned long long)zero_if, (unsigned long long)longer, LONG_WAKE_US,
	             (unsigned long long)tsc_per_us());
	expect_true("0 us: the HLT ended at once (under 1 ms)", zero < SHORT_LIMIT_US * tsc_per_us());
	expect_true("0 us, IF=1: the HLT ended at once (under 1 ms)", zero_if < SHORT_LIMIT_US * tsc_per_us());
	expect_true("2000 us: the HLT lasted longer than the 0 us one", longer > zero);
	expect_eq("HC_WAKE_AFTER 1000000 returns 0", vmcall(HC_WAKE_AFTER, 1000000, 0, 0), 0);
	zero = timed_hlt("HC_WAKE_AFTER 1 s, then 0: the HLT exited once and ended", 0, false);
	expect_true("the last HC_WAKE_AFTER counts: 0 us, under 1 ms", zero < SHORT_LIMIT_US * tsc_per_us());
	guest_finish();
}
