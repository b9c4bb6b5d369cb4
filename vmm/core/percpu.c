/* percpu.c: per-CPU state: the areas, the GS-based accessor, stacks and tables. */
#include "vmm/core/percpu.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/panic.h"
#include "vmm/mm/mm.h"

static struct percpu percpu_area[HV_MAX_CPUS];

/*
 * The boot CPU's interrupt stacks are static so that its own descriptor
 * tables can be loaded before the page allocator exists: the firmware's GDT
 * and IDT may sit in memory the allocator is about to hand out.
 */
__attribute__((aligned(16))) static uint8_t bsp_ist_stacks[IST_COUNT][HV_IST_STACK_SIZE];

struct percpu *per_cpu(uint32_t cpu_id)
{
	if (cpu_id >= HV_MAX_CPUS)
		panic("per_cpu(%u): only %u CPUs are supported", cpu_id, HV_MAX_CPUS);
	return &percpu_area[cpu_id];
}

void percpu_install(struct percpu *p)
{
	p->self = p;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}

void percpu_init_bsp_early(void) { percpu_install(&percpu_area[0]); }

void percpu_setup_tables(struct percpu *p)
{
	for (int i = 0; i < IST_COUNT; i++) {
		if (p->cpu_id == 0) {
			p->ist_top[i] = (uint64_t)bsp_ist_stacks[i] + HV_IST_STACK_SIZE;
			continue;
		}
		uint64_t s = page_alloc(HV_IST_STACK_SIZE / PAGE_SIZE);
		if (!s)
			panic("percpu: out of memory for CPU %u's interrupt stacks", p->cpu_id);
		p->ist_top[i] = (uint64_t)phys_to_virt(s) + HV_IST_STACK_SIZE;
	}
	cpu_tables_load(&p->tables, p->ist_top);
}
