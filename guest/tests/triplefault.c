/*
 * triplefault.c: an exception with an empty IDT (#UD, then #GP, then #DF,
 * each undeliverable): a triple fault, which stops the guest.
 * Options: on=bsp (default: vCPU 0 faults); on=ap (vCPU 1 faults just after
 * it starts, and vCPU 0 writes the exit port with status 0 a moment later:
 * the hypervisor must report the AP's triple fault as the guest's end, not
 * the later exit, and print its dump as one block).
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "vmm/lib/string.h"

#define EXIT_AFTER_US 2000 /* the AP's fault exits within microseconds; its dump takes far longer to print */

static const struct dtr empty_idt = {0, 0};

static bool on_ap(const char *cmdline)
{
	size_t len;
	const char *v = cmdline_find(cmdline, "on", &len);

	return v && len == 2 && hv_strncmp(v, "ap", 2) == 0;
}

static void triple_fault(void)
{
	lidt(&empty_idt);
	__asm__ volatile("ud2");
}

static void ap_run(unsigned cpu)
{
	(void)cpu;
	triple_fault();
	for (;;)
		cpu_relax(); /* not reached: the guest stopped */
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi);

	(void)magic;
	if (on_ap(cl)) {
		apic_suite_start("triplefault", "vCPU 1 triple-faults, then vCPU 0 exits with status 0", mbi);
		apic_suite_enter_mode();
		apic_suite_setup();
		if (expect_true("the MADT lists 2 vCPUs", suite.madt.cpus >= 2))
			smp_start_ap(1, suite.madt.apic_ids[1], ap_run);
		udelay(EXIT_AFTER_US);
		guest_puts("triplefault: vCPU 0 writes the exit port now; the AP's triple fault must stand\n");
		guest_exit(0);
	}
	guest_puts("triplefault: loading an empty IDT and raising #UD\n");
	triple_fault();
	idt_init();
	guest_puts("triplefault: FAIL: survived a triple fault\n");
	expect_true("the guest is stopped by its triple fault", false);
	guest_finish();
}
