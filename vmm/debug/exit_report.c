/* exit_report.c: a guest's VM exits per reason and per vCPU, printed as a table when it ends. */
#include "vmm/debug/exit_report.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/spinlock.h"

/* vCPU columns per table: a guest with more vCPUs gets one table per group of them. */
#define REPORT_COLUMNS 8u
#define MS_PER_S 1000u

static uint64_t exits_of(const struct vcpu *v) { return v->exits_total; }
static uint64_t interrupts_of(const struct vcpu *v) { return v->interrupts; }

/* One row of a per-vCPU counter, with its total. */
static void total_row(const struct guest *g, uint32_t first, uint32_t end, const char *what,
                      uint64_t (*count)(const struct vcpu *))
{
	char line[32 + 12 * (REPORT_COLUMNS + 1)];
	uint32_t len = (uint32_t)hv_snprintf(line, sizeof(line), "  %-27s", what);
	uint64_t sum = 0;

	for (uint32_t i = first; i < end; i++) {
		uint64_t n = count(g->vcpus[i]);
		sum += n;
		len += (uint32_t)hv_snprintf(line + len, sizeof(line) - len, " %12llu", (unsigned long long)n);
	}
	console_printf_raw("%s %11llu\n", line, (unsigned long long)sum);
}

static void report_columns(const struct guest *g, uint32_t first, uint32_t end)
{
	char line[32 + 12 * (REPORT_COLUMNS + 1)];
	uint32_t len;

	len = (uint32_t)hv_snprintf(line, sizeof(line), "  %-27s", "reason");
	for (uint32_t i = first; i < end; i++) {
		char name[16];

		hv_snprintf(name, sizeof(name), "vcpu%u", i);
		len += (uint32_t)hv_snprintf(line + len, sizeof(line) - len, " %12s", name);
	}
	console_printf_raw("%s %11s\n", line, "total");
	for (uint32_t r = 0; r < EXIT_REASON_MAX; r++) {
		uint64_t sum = 0;

		for (uint32_t i = first; i < end; i++)
			sum += g->vcpus[i]->exits[r];
		if (!sum)
			continue;
		len = (uint32_t)hv_snprintf(line, sizeof(line), "  %2u %-24s", r, exit_reason_name(r));
		for (uint32_t i = first; i < end; i++)
			len += (uint32_t)hv_snprintf(line + len, sizeof(line) - len, " %12llu",
			                             (unsigned long long)g->vcpus[i]->exits[r]);
		console_printf_raw("%s %11llu\n", line, (unsigned long long)sum);
	}
	total_row(g, first, end, "all exits", exits_of);
	total_row(g, first, end, "interrupts injected", interrupts_of);
}

/*
 * Guests that end together report together: one table at a time, so that
 * their rows do not interleave (other log lines still may: each row keeps
 * its own shape, and conftest.exit_reports skips what is not a row).
 */
static struct spinlock report_lock = SPINLOCK_INIT;

void exit_report_guest(const struct guest *g)
{
	uint64_t hz = tsc_hz();
	uint64_t ms = g->entered && hz ? (rdtsc() - g->entered_tsc) / (hz / MS_PER_S) : 0;

	spin_lock(&report_lock);
	pr_info("guest %s: VM exits of this run (%llu.%03llu s since its first entry), per reason and vCPU:", g->name,
	        (unsigned long long)(ms / MS_PER_S), (unsigned long long)(ms % MS_PER_S));
	for (uint32_t first = 0; first < g->nvcpus; first += REPORT_COLUMNS)
		report_columns(g, first, first + REPORT_COLUMNS < g->nvcpus ? first + REPORT_COLUMNS : g->nvcpus);
	uint64_t fast = 0;
	for (uint32_t i = 0; i < g->nvcpus; i++)
		fast += g->vcpus[i]->fastpaths;
	pr_info("guest %s: %llu of these exits taken whole by a fast path (vmm/exit/fastpath.c)", g->name,
	        (unsigned long long)fast);
	spin_unlock(&report_lock);
}
