/*
 * cpu.c: attacks that end the guest through its processors (docs/hostile-suite.md): a triple fault on the BSP and
 * on an AP, an AP's access outside RAM, an INIT from an AP to the BSP, a task switch, and an 8-byte MMX read of
 * the APIC. The hypervisor stops the whole guest, on all its cores, naming the reason.
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/partition/guest_layout.h"

#define STOP_WAIT_US 1000000 /* the stop comes within microseconds; after this the guest survived */
#define SEL_TSS 0x18
#define TSS_DESC_LIMIT 0x67ull
#define TSS_DESC_TYPE 0x89ull /* present, DPL 0, 32-bit available TSS */

static const struct dtr empty_idt = {0, 0};
static volatile uint32_t ap_go;

static void triple_fault(void)
{
	lidt(&empty_idt);
	__asm__ volatile("ud2");
}

/* The BSP waits for the stop with interrupts off (touching IF: Bochs 2.7 then takes the kick). */
static void wait_for_stop(void)
{
	for (unsigned i = 0; i < STOP_WAIT_US / 1000; i++) {
		cli();
		udelay(1000);
	}
}

static void ap_triple(unsigned cpu)
{
	(void)cpu;
	triple_fault();
}

static void ap_past_ram(unsigned cpu)
{
	(void)cpu;
	(void)rd32((uint32_t)h.ram_end + 0x1000);
}

static void ap_init_bsp(unsigned cpu)
{
	(void)cpu;
	apic_suite_setup_local();
	apic_send_ipi(0, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT);
	for (;;) {
		cli();
		cpu_relax();
	}
}

static void on_ap(ap_entry_fn fn)
{
	if (!expect_true("the MADT lists a second vCPU", suite.madt.cpus >= 2))
		return;
	guest_printf("# hostile: starting vCPU 1 for the attack\n");
	smp_start_ap(1, suite.madt.apic_ids[1], fn);
	wait_for_stop();
}

static void triple_bsp(void) { triple_fault(); }
static void triple_ap(void) { on_ap(ap_triple); }
static void ap_mem(void) { on_ap(ap_past_ram); }
static void init_bsp(void) { on_ap(ap_init_bsp); }

/* A far jump through a TSS descriptor: a task switch, which VMX always hands the hypervisor. */
static void task_switch(void)
{
	static uint64_t gdt[4] __attribute__((aligned(8)));
	static uint8_t tss[104] __attribute__((aligned(16)));
	static struct dtr gdtr;
	uint32_t t = (uint32_t)tss;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	for (unsigned i = 0; i < 3; i++)
		gdt[i] = ((const uint64_t *)gdtr.base)[i];
	gdt[SEL_TSS >> 3] =
	        TSS_DESC_LIMIT | (uint64_t)(t & 0xffffff) << 16 | TSS_DESC_TYPE << 40 | (uint64_t)(t >> 24) << 56;
	gdtr.base = (uint32_t)gdt;
	gdtr.limit = sizeof(gdt) - 1;
	__asm__ volatile("lgdt %0\n ljmp %1, $0" : : "m"(gdtr), "i"(SEL_TSS) : "memory");
}

/* MOVQ MM0 from the APIC's version register: 8 bytes, which no APIC register is. */
static void apic_movq(void)
{
	uint32_t a = (uint32_t)GUEST_LAPIC_BASE + APIC_MMIO_OFFSET(APIC_REG_VERSION);

	if (in_x2apic()) {
		expect_true("apic-movq runs in xAPIC mode", false);
		return;
	}
	__asm__ volatile(".byte 0x0f, 0x6f, 0x00" : : "a"(a) : "memory"); /* movq (%eax), %mm0 */
}

const struct attack cpu_attacks[] = {
        {"triple-bsp", STOPS, 1, "an exception with an empty IDT on vCPU 0: stopped, 'triple fault (shutdown)'",
         triple_bsp},
        {"triple-ap", STOPS, 2, "the same on vCPU 1: the whole guest stopped, 'triple fault (shutdown)'", triple_ap},
        {"ap-mem", STOPS, 2, "vCPU 1 reads past RAM: the whole guest stopped, 'read at guest-physical'", ap_mem},
        {"init-bsp", STOPS, 2, "vCPU 1 sends INIT to vCPU 0: 'reset by an INIT to vCPU 0 (its BSP)'", init_bsp},
        {"task-switch", STOPS, 1, "a far jump through a TSS: stopped, 'unhandled VM exit TASK_SWITCH'", task_switch},
        {"apic-movq", STOPS, 1, "an 8-byte MMX read of the APIC: stopped, 'cannot decode' on an APIC", apic_movq},
        {0},
};
