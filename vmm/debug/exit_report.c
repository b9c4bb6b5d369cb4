/* exit_report.c: a guest's VM exits per reason and per vCPU, printed as a table when it ends. */
#include "vmm/debug/exit_report.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"

/* vCPU columns per table: a guest with more vCPUs gets one table per group of them. */
#define REPORT_COLUMNS 8u
#define MS_PER_S 1000u

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
	uint64_t all = 0, irqs = 0;
	len = (uint32_t)hv_snprintf(line, sizeof(line), "  %-27s", "all exits");
	for (uint32_t i = first; i < end; i++) {
		all += g->vcpus[i]->exits_total;
		len += (uint32_t)hv_snprintf(line + len, sizeof(line) - len, " %12llu",
		                             (unsigned long long)g->vcpus[i]->exits_total);
	}
	console_printf_raw("%s %11llu\n", line, (unsigned long long)all);
	len = (uint32_t)hv_snprintf(line, sizeof(line), "  %-27s", "interrupts injected");
	for (uint32_t i = first; i < end; i++) {
		irqs += g->vcpus[i]->interrupts;
		len += (uint32_t)hv_snprintf(line + len, sizeof(line) - len, " %12llu",
		                             (unsigned long long)g->vcpus[i]->interrupts);
	}
	console_printf_raw("%s %11llu\n", line, (unsigned long long)irqs);
}

void exit_report_guest(const struct guest *g)
{
	uint64_t hz = tsc_hz();
	uint64_t ms = g->entered && hz ? (rdtsc() - g->entered_tsc) / (hz / MS_PER_S) : 0;

	pr_info("guest %s: VM exits of this run (%llu.%03llu s since its first entry), per reason and vCPU:", g->name,
	        (unsigned long long)(ms / MS_PER_S), (unsigned long long)(ms % MS_PER_S));
	for (uint32_t first = 0; first < g->nvcpus; first += REPORT_COLUMNS)
		report_columns(g, first, first + REPORT_COLUMNS < g->nvcpus ? first + REPORT_COLUMNS : g->nvcpus);
}
