/* stats.c: every vCPU's VM exits by reason around a workload, read with HC_EXIT_STATS from user space. */
#include <cpuid.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/x86/vmx_exit.h"
#include "lxbench.h"
#include "vmm/exit/hypercall.h"

#define LX_MAX_CPUS 8
#define PAGE 4096u
#define CPUID_LEAF_HV 0x40000000u
#define PAGEMAP_PRESENT (1ull << 63)
#define PAGEMAP_PFN_MASK ((1ull << 55) - 1)

static struct hc_exit_stats *buf; /* one locked page: the hypervisor writes it by physical address */
static uint64_t buf_gpa;
static struct hc_exit_stats before[LX_MAX_CPUS], after[LX_MAX_CPUS];
static enum lx_stats state = LX_STATS_NONE;

static uint32_t vmcall(uint32_t nr, uint32_t a1, uint32_t a2)
{
	__asm__ volatile("vmcall" : "+a"(nr) : "b"(a1), "c"(a2), "d"(0) : "memory");
	return nr;
}

/* apicvisor's signature in CPUID leaf 0x40000000: only then is VMCALL safe to execute (else #UD). */
static int under_apicvisor(void)
{
	unsigned a, b, c, d;
	char sig[13] = {0};

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31))) /* CPUID.1:ECX[31], the hypervisor bit */
		return 0;
	__cpuid(CPUID_LEAF_HV, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	return strcmp(sig, "apicvisor") == 0;
}

/* The guest-physical address of a locked page, from /proc/self/pagemap (needs CAP_SYS_ADMIN: init's root). */
static uint64_t phys_of(void *p)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, sizeof(entry), (off_t)((uintptr_t)p / PAGE * 8)) != sizeof(entry))
		lx_die("cannot read /proc/self/pagemap: %m");
	close(fd);
	if (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN_MASK))
		lx_die("pagemap gives no frame for the statistics page (not root?)");
	return (entry & PAGEMAP_PFN_MASK) * PAGE;
}

enum lx_stats lx_stats_probe(void)
{
	_Static_assert(sizeof(struct hc_exit_stats) <= PAGE, "the statistics fit one page");
	if (!under_apicvisor())
		return state = LX_STATS_NONE;
	if (vmcall(HC_VERSION, 0, 0) == HC_EPERM)
		return state = LX_STATS_REFUSED;
	if (posix_memalign((void **)&buf, PAGE, PAGE) || mlock(buf, PAGE) < 0)
		lx_die("cannot lock a page for the statistics: %m");
	memset(buf, 0, PAGE);
	buf_gpa = phys_of(buf);
	if (buf_gpa + PAGE > 1ull << 32)
		lx_die("the statistics page lies above 4 GiB (%#llx)", (unsigned long long)buf_gpa);
	return state = LX_STATS_ON;
}

/* One vCPU's counts: the calling thread moves to it, since the hypercall reports the caller's vCPU. */
static void read_cpu(int cpu, struct hc_exit_stats *out)
{
	uint32_t r;

	lx_pin(cpu);
	r = vmcall(HC_EXIT_STATS, (uint32_t)buf_gpa, PAGE);
	if (r != 0)
		lx_die("HC_EXIT_STATS on CPU %d returned %#x", cpu, r);
	*out = *buf;
}

void lx_stats_begin(int ncpus)
{
	if (state != LX_STATS_ON)
		return;
	for (int c = 0; c < ncpus && c < LX_MAX_CPUS; c++)
		read_cpu(c, &before[c]);
}

/* Every vCPU's counts at the end of the workload, before anything is printed (the console costs exits). */
void lx_stats_end(int ncpus)
{
	if (state != LX_STATS_ON)
		return;
	for (int c = 0; c < ncpus && c < LX_MAX_CPUS; c++)
		read_cpu(c, &after[c]);
}

/*
 * LXEXITS op=<op> cpu=<c> ops=<n> mode=<m> total=<exits> interrupts=<n> <REASON>=<exits>...: the exits of
 * each vCPU between lx_stats_begin and lx_stats_end. The VMCALL that reads them counts one
 * (docs/hypercalls.md): it is taken off. Moving the reading thread between CPUs costs a few exits more,
 * spread over ops.
 */
void lx_stats_print(const char *op, int ncpus, long ops)
{
	if (state != LX_STATS_ON)
		return;
	for (int c = 0; c < ncpus && c < LX_MAX_CPUS; c++) {
		const struct hc_exit_stats *a = &after[c], *b = &before[c];

		printf("LXEXITS op=%s cpu=%d ops=%ld mode=%u total=%llu interrupts=%llu", op, c, ops, a->apicv_mode,
		       (unsigned long long)(a->total - b->total - 1),
		       (unsigned long long)(a->interrupts - b->interrupts));
		for (uint32_t r = 0; r < HC_EXIT_REASONS && r < EXIT_REASON_MAX; r++) {
			uint64_t d = a->exits[r] - b->exits[r] - (r == EXIT_REASON_VMCALL);

			if (d)
				printf(" %s=%llu", exit_reason_name(r), (unsigned long long)d);
		}
		putchar('\n');
	}
	fflush(stdout);
}
