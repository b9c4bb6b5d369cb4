/* main.c: bring-up of the hypervisor on the boot CPU, from boot info to the ready line. */
#include "vmm/main.h"

#include "apicv/apicv.h"
#include "apicv/mode.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/power.h"
#include "vmm/core/console.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/debug/conin.h"
#include "vmm/debug/onpanic.h"
#include "vmm/debug/switches.h"
#include "vmm/exit/exits.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"
#include "vmm/partition/config.h"
#include "vmm/partition/guest.h"
#include "vmm/run/sched.h"

#ifndef HV_VERSION
#define HV_VERSION "unknown"
#endif

extern uint8_t *const bsp_boot_stack_top_ptr;

void hv_stop(const char *reason)
{
	console_printf_raw("HV STOPPED: %s\n", reason);
	stop_machine(POWEROFF_CODE_FAILED);
}

static const char *boot_path_name(uint32_t p)
{
	switch (p) {
	case BOOT_PATH_MULTIBOOT2: return "multiboot2";
	case BOOT_PATH_UEFI: return "UEFI loader";
	default: return "unknown";
	}
}

static void apply_cmdline(const char *cmdline)
{
	char val[32];
	enum panic_action a;

	console_apply_cmdline(cmdline);
	if (cmdline_get(cmdline, "onpanic", val, sizeof(val))) {
		if (panic_parse_action(val, &a))
			panic_set_action(a);
		else
			pr_err("onpanic=%s: expected shell, halt, poweroff or reboot; keeping %s", val,
			       panic_action_name());
	}
}

static void print_banner(const struct boot_info *bi)
{
	console_printf_raw("\n");
	pr_info("%s %s: a micro-hypervisor for studying APIC virtualization", HV_NAME, HV_VERSION);
	pr_info("boot: entered through %s from \"%s\"", boot_path_name(bi->boot_path),
	        bi->loader_name[0] ? bi->loader_name : "an unnamed loader");
	pr_info("boot: command line \"%s\"", bi->cmdline);
	pr_info("boot: image at physical %#llx, %llu KiB", (unsigned long long)bi->image_phys_base,
	        (unsigned long long)(bi->image_phys_size / 1024));
}

static void print_modules(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		pr_info("boot: module %u \"%s\" at %#llx, %llu bytes", i, bi->modules[i].name,
		        (unsigned long long)bi->modules[i].base, (unsigned long long)bi->modules[i].size);
}

static struct hv_config config;
static char effective_cmdline[sizeof(config.cmdline) + BOOT_CMDLINE_MAX + 1];

/* The configuration module: named "hv.conf" (or ".../hv.conf") by every loader. */
static const struct boot_module *find_config(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->module_count; i++) {
		size_t n = hv_strlen(bi->modules[i].name);
		if (n >= 7 && hv_strcmp(bi->modules[i].name + n - 7, "hv.conf") == 0)
			return &bi->modules[i];
	}
	return 0;
}

/* Parse hv.conf and build the command line: the file's first, the loader's after it. */
static void load_config(const struct boot_info *bi)
{
	const struct boot_module *m = find_config(bi);
	struct cfg_error err;

	if (!m) {
		pr_info("config: no hv.conf module: built-in defaults");
	} else if (!hv_config_parse(phys_to_virt(m->base), m->size, &config, &err)) {
		pr_err("config: %s:%u:%u: %s", m->name, err.line, err.col, err.msg);
		hv_stop("bad configuration file (see above)");
	} else {
		pr_info("config: %s parsed (%llu bytes)", m->name, (unsigned long long)m->size);
	}
	hv_snprintf(effective_cmdline, sizeof(effective_cmdline), "%s%s%s", config.cmdline,
	            config.cmdline[0] && bi->cmdline[0] ? " " : "", bi->cmdline);
}

/* mem=<size>: use no RAM at or above this address (for experiments and tests). */
static uint64_t mem_limit(const char *cmdline)
{
	char val[32];
	uint64_t limit = 0;

	if (cmdline_get(cmdline, "mem", val, sizeof(val)) && !cmdline_parse_size(val, &limit))
		pr_err("mem=%s: expected a size such as 512M or 0x20000000; ignored", val);
	return limit;
}

/* The ACPI RSDP as this boot path gave it: a copy (multiboot2) or an address. */
static enum acpi_err init_acpi(const struct boot_info *bi)
{
	if (bi->rsdp_copy_len)
		return acpi_init((const struct acpi_rsdp *)bi->rsdp_copy, "a copy from the boot loader");
	if (bi->rsdp_phys)
		return acpi_init(phys_to_virt(bi->rsdp_phys), "from the UEFI configuration table");
	return acpi_init(0, 0);
}

void hv_main(struct boot_info *bi)
{
	struct percpu *bsp = this_cpu();

	bsp->stack_top = (uint64_t)bsp_boot_stack_top_ptr;
	bsp->stack_bottom = bsp->stack_top - HV_STACK_SIZE;
	percpu_setup_tables(bsp);
	apply_cmdline(bi->cmdline); /* early: the console and onpanic for what follows */
	print_banner(bi);
	pr_info("cpu: boot CPU has its GDT, TSS (IST stacks for #DF, NMI, #MC) and IDT");
	print_modules(bi);
	load_config(bi);
	apply_cmdline(effective_cmdline);
	pr_info("boot: effective command line \"%s\"", effective_cmdline);
	if (!mm_init(bi, mem_limit(effective_cmdline)))
		hv_stop("no usable memory for the hypervisor");
	if (!paging_init(memmap_top_memory(mm_map())))
		hv_stop("out of memory while building the hypervisor's page tables");
	enum acpi_err e = init_acpi(bi);
	if (e != ACPI_OK && e != ACPI_ERR_NOT_FOUND)
		hv_stop("corrupt ACPI tables (see above)");
	console_late_init(); /* an MMIO console needs the page tables and the MADT's APICs; before the other CPUs start
	                      */
	debug_switches_apply(effective_cmdline);
	struct cpus_summary cpus;
	cpus_init(bi, effective_cmdline, sched_ap_wait, &cpus);
	sched_init();
	if (cpus.vmx_on == 0) {
		pr_info("guest: no core is in VMX root: no guest can run");
	} else {
		apicv_init(cpus_vmx_caps(), effective_cmdline);
		cpuid_init(cpus_vmx_caps());
		if (!vmx_bitmaps_init() || !apicv_bitmaps_init())
			hv_stop("out of memory for the VMX bitmaps");
	}
	if (cpus.vmx_on != 0 && !guests_check_cores(&config))
		hv_stop("the configuration names CPUs that cannot run guests");
	if (cpus.vmx_on == 0 || guests_create(&config, bi) == 0) {
		cpus_ready_line(0);
		pr_info("no guests to run: powering off");
		platform_poweroff(POWEROFF_CODE_OK);
	}
	conin_start();
	sched_start();
}
