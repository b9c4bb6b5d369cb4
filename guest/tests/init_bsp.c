/*
 * init_bsp.c: an INIT to the first vCPU, the BSP, resets the guest (SDM
 * Vol. 3, 9.1: the BSP starts again at the reset vector, it does not wait
 * for a SIPI). The hypervisor must stop (or, with restart=yes, restart) the
 * guest with a message naming the INIT: this guest then never prints its
 * SUMMARY. If it is still running a while after the INIT, it reports that
 * as a failure and exits with it.
 * Options: from=self (default: vCPU 0 to its own APIC ID), from=ap (vCPU 1
 * to vCPU 0), from=all (vCPU 0 to all including self, so that every vCPU
 * waits for a SIPI), from=ioapic (an I/O APIC entry with delivery mode
 * INIT, its pin driven by HC_IOAPIC_LINE); mode=xapic|x2apic, cpus=N.
 */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/smp.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"

#define INIT_PIN 10          /* no ISA device uses IRQ 10 */
#define INIT_WAIT_US 1000000 /* the reset comes long before this */
#define INIT_ASSERT (APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT)

static volatile uint32_t ap_ready, ap_go;

static bool from_is(const char *cmdline, const char *want)
{
	size_t len;
	const char *v = cmdline_find(cmdline, "from", &len);

	return v ? len == hv_strlen(want) && hv_strncmp(v, want, len) == 0 : hv_strcmp(want, "self") == 0;
}

/* vCPU 1: wait for the word, then INIT vCPU 0; it then waits for the reset with interrupts off. */
static void ap_run(unsigned cpu)
{
	(void)cpu;
	apic_suite_setup_local();
	ap_ready = 1;
	for (;;) {
		cli(); /* Bochs 2.7 takes host kicks in a spin only when it touches IF (platform notes) */
		if (ap_go)
			break;
		cpu_relax();
	}
	apic_send_ipi(suite.madt.apic_ids[0], INIT_ASSERT);
	for (;;) {
		cli();
		cpu_relax();
	}
}

static bool start_ap(void)
{
	if (!expect_true("the MADT lists 2 vCPUs", suite.madt.cpus >= 2))
		return false;
	if (!expect_true("vCPU 1 reports in after INIT-SIPI-SIPI", smp_start_ap(1, suite.madt.apic_ids[1], ap_run)))
		return false;
	for (unsigned i = 0; i < 100 && !ap_ready; i++)
		udelay(1000);
	return expect_true("vCPU 1 set itself up", ap_ready);
}

/* An edge-triggered entry with delivery mode INIT (82093AA datasheet, 3.2.4) to vCPU 0, and a rising edge. */
static void init_by_ioapic(void)
{
	uint32_t ret = 0;

	ioapic_write(suite.ioapic_base, IOAPIC_RTE_HI(INIT_PIN), suite.madt.apic_ids[0] << 24);
	ioapic_write(suite.ioapic_base, IOAPIC_RTE_LO(INIT_PIN), IOAPIC_DM_INIT << IOAPIC_RTE_DELIVERY_SHIFT);
	expect_fault("HC_IOAPIC_LINE", vmcall_safe(HC_IOAPIC_LINE, INIT_PIN, 1, 0, &ret), GUEST_NO_FAULT);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi);

	(void)magic;
	apic_suite_start("init_bsp", "an INIT to vCPU 0 resets the guest", mbi);
	apic_suite_enter_mode();
	apic_suite_setup();
	cli();
	if ((from_is(cl, "ap") || from_is(cl, "all")) && !start_ap())
		guest_finish();
	guest_puts("# init_bsp: sending the INIT now: the hypervisor must reset this guest, no SUMMARY follows\n");
	if (from_is(cl, "ap"))
		ap_go = 1;
	else if (from_is(cl, "all"))
		apic_send_ipi(0, APIC_ICR_DEST_ALL | INIT_ASSERT); /* vCPU 1 goes back to waiting for a SIPI too */
	else if (from_is(cl, "ioapic"))
		init_by_ioapic();
	else
		apic_send_ipi(apic_id(), INIT_ASSERT);
	for (unsigned i = 0; i < INIT_WAIT_US / 1000; i++) {
		cli();
		udelay(1000);
	}
	expect_true("the INIT to vCPU 0 reset the guest", false);
	guest_finish();
}
