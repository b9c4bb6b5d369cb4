/* cpus.c: finding every logical CPU, starting it, and bringing it into VMX root operation. */
#include "vmm/core/cpus.h"

#include "apicv/mode.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/madt.h"
#include "arch/x86/paging.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx.h"
#include "vmm/core/percpu.h"
#include "vmm/core/vectors.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"

#define AP_START_TIMEOUT_US 200000 /* generous: an emulator may be slow to schedule the AP */

/* The processors to run on, by APIC ID, the boot CPU first. */
static struct {
	uint32_t count;
	uint32_t apic_id[HV_MAX_CPUS];
	uint32_t left_out; /* listed beyond HV_MAX_CPUS */
	const char *source;
} found;

/* Where the ISA IRQs arrive, from the MADT; without one nothing is routed. */
static struct madt_isa_irq isa_irqs[MADT_ISA_IRQS];
static bool isa_irqs_known;

bool cpus_isa_irq(unsigned irq, struct madt_isa_irq *out)
{
	if (!isa_irqs_known || irq >= MADT_ISA_IRQS)
		return false;
	*out = isa_irqs[irq];
	return true;
}

/* The boot CPU's decoded capabilities, and whether they allow VMXON on every CPU. */
static struct vmx_caps vmx_caps;
static bool vmx_allowed;

const struct vmx_caps *cpus_vmx_caps(void) { return &vmx_caps; }

static void cpus_log_line(void *ctx, const char *line)
{
	(void)ctx;
	pr_info("vmx: %s", line);
}

static void add_found(uint32_t apic_id)
{
	for (uint32_t i = 0; i < found.count; i++)
		if (found.apic_id[i] == apic_id)
			return;
	if (found.count == HV_MAX_CPUS) {
		found.left_out++;
		return;
	}
	found.apic_id[found.count++] = apic_id;
}

static bool discover_madt(void)
{
	static struct madt_info madt;
	const struct acpi_sdt_header *t = acpi_table("APIC");

	if (!t)
		return false;
	enum acpi_err e = madt_parse(t, &madt);
	if (e != ACPI_OK) {
		pr_err("cpu: the MADT is %s: ignoring it", acpi_strerror(e));
		return false;
	}
	for (uint32_t i = 0; i < madt.cpu_count; i++)
		add_found(madt.cpus[i].apic_id);
	for (uint32_t i = 0; i < madt.ioapic_count; i++)
		pr_info("cpu: I/O APIC %u at %#x: %u redirection entries masked", madt.ioapics[i].id,
		        madt.ioapics[i].address, ioapic_add(madt.ioapics[i].address, madt.ioapics[i].gsi_base));
	memcpy(isa_irqs, madt.isa, sizeof(isa_irqs));
	isa_irqs_known = madt.ioapic_count != 0;
	found.left_out += madt.overflow_count;
	found.source = "the ACPI MADT";
	if (madt.disabled_count || madt.duplicate_count)
		pr_info("cpu: MADT also lists %u disabled processor(s) and %u duplicate entr(ies), not started",
		        madt.disabled_count, madt.duplicate_count);
	return true;
}

static bool discover_loader(const struct boot_info *bi)
{
	if (!bi->cpu_count)
		return false;
	for (uint32_t i = 0; i < bi->cpu_count && i < BOOT_CPU_MAX; i++)
		if (bi->cpus[i].flags & BOOT_CPU_ENABLED)
			add_found(bi->cpus[i].apic_id);
	found.source = "the UEFI loader (MP services)";
	return true;
}

/*
 * debug.phantom_apic=<id> lists a processor that does not exist, to exercise
 * (and test) the path of a CPU that never answers its SIPI.
 */
static void add_phantom(const char *cmdline)
{
	char val[16];
	uint64_t id;

	if (!cmdline_get(cmdline, "debug.phantom_apic", val, sizeof(val)))
		return;
	if (!cmdline_parse_size(val, &id) || id > UINT32_MAX) {
		pr_err("debug.phantom_apic=%s: expected an APIC ID; ignored", val);
		return;
	}
	pr_warn("debug: listing a processor with APIC ID %llu that may not exist", (unsigned long long)id);
	add_found((uint32_t)id);
}

/* The list always starts with the boot CPU, whatever the tables say. */
static void discover(const struct boot_info *bi, const char *cmdline, uint32_t bsp_apic_id)
{
	add_found(bsp_apic_id);
	if (!discover_madt() && !discover_loader(bi)) {
		found.source = "nowhere";
		pr_warn("cpu: no ACPI MADT and no processor list from the boot loader: running on the boot CPU alone");
	}
	add_phantom(cmdline);
	pr_info("cpu: %u processor(s) listed by %s", found.count, found.source);
	if (found.left_out)
		pr_warn("cpu: %u more processor(s) listed: only %u are supported; they stay off", found.left_out,
		        HV_MAX_CPUS);
}

/* After a successful probe: VMXON if the boot CPU's checks allow it. */
static void vmx_enter(struct percpu *p)
{
	if (p->vmx_state == VMX_CPU_NOT_TRIED)
		p->vmx_state = vmx_allowed ? vmx_cpu_vmxon(p->cpu_id, &p->vmx_raw, &p->vmxon_region) : VMX_CPU_MISSING;
}

static cpus_continue_t ap_continue;

/* Where every AP arrives from the trampoline, on its own stack, GS not yet set; arg is its struct percpu. */
static __attribute__((noreturn)) void ap_entry(void *arg)
{
	struct percpu *p = arg;

	percpu_install(p);
	write_cr3(paging_root());
	write_cr4(read_cr4() | CR4_PGE);
	percpu_setup_tables(p);
	if (!lapic_init_cpu(false))
		panic("cpu: CPU %u lost its local APIC after starting", p->cpu_id);
	if (lapic_id() != p->apic_id)
		pr_warn("cpu: CPU %u reports APIC ID %u, the firmware listed %u", p->cpu_id, lapic_id(), p->apic_id);
	p->vmx_state = vmx_cpu_probe(p->cpu_id, &p->vmx_raw, &per_cpu(0)->vmx_raw);
	vmx_enter(p);
	pr_info("cpu: CPU %u (APIC ID %u) online, %s", p->cpu_id, p->apic_id, vmx_cpu_state_name(p->vmx_state));
	__atomic_store_n(&p->online, 1, __ATOMIC_RELEASE);
	ap_continue();
}

static void start_aps(void)
{
	uint32_t next_id = 1;

	if (found.count < 2 || !smp_trampoline_prepare())
		return;
	for (uint32_t i = 1; i < found.count; i++) {
		uint64_t stack = page_alloc(HV_STACK_SIZE / PAGE_SIZE);
		if (!stack)
			panic("cpu: out of memory for CPU stacks");
		struct percpu *p = per_cpu(next_id);
		p->cpu_id = next_id;
		p->apic_id = found.apic_id[i];
		p->stack_bottom = (uint64_t)phys_to_virt(stack);
		p->stack_top = p->stack_bottom + HV_STACK_SIZE;
		if (smp_start_ap(p->apic_id, p, p->stack_top, ap_entry, &p->online, AP_START_TIMEOUT_US)) {
			next_id++;
		} else {
			pr_err("cpu: the processor with APIC ID %u did not start within %u ms: left out", p->apic_id,
			       AP_START_TIMEOUT_US / 1000);
			page_free(stack, HV_STACK_SIZE / PAGE_SIZE);
			*p = (struct percpu){0};
		}
	}
	smp_trampoline_retire();
}

/* Decode the boot CPU's capabilities, print the report, decide whether VMXON may run. */
static void vmx_report_and_decide(const struct percpu *bsp, const char *cmdline)
{
	if (bsp->vmx_state == VMX_CPU_UNSUPPORTED) {
		pr_info("vmx: VMX: not available on this CPU (CPUID.1:ECX.VMX is 0)");
		if (cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR)
			pr_info("vmx: hint: under QEMU, run with KVM and nested virtualization: -enable-kvm -cpu host "
			        "(host: kvm_intel nested=1); QEMU's TCG emulates no VMX");
		return;
	}
	if (bsp->vmx_state != VMX_CPU_NOT_TRIED)
		return;
	if (cmdline_get(cmdline, "vmx.raw", 0, 0))
		vmx_caps_format_raw(&bsp->vmx_raw, cpus_log_line, 0);
	vmx_caps_decode(&bsp->vmx_raw, &vmx_caps);
	vmx_caps_report(&vmx_caps, cpus_log_line, 0);
	char missing[128];
	if (vmx_caps_missing(&vmx_caps, missing, sizeof(missing))) {
		pr_err("vmx: this CPU's VMX lacks what the hypervisor requires: %s; VMX stays off", missing);
		return;
	}
	vmx_allowed = true;
}

/* What the ready line reports. */
static struct cpus_summary summary;
static volatile uint32_t ready_printed;

void cpu_kick(uint32_t cpu)
{
	if (!lapic_send_ipi(per_cpu(cpu)->apic_id, APIC_ICR_DM_FIXED | HV_VECTOR_KICK))
		pr_warn("cpu: kick to CPU %u: delivery status stuck", cpu);
}

void cpus_ready_line(uint32_t guests)
{
	if (__atomic_exchange_n(&ready_printed, 1, __ATOMIC_ACQ_REL))
		return;
	console_printf_raw("HV READY cpus=%u vmx=%s apicv=%s guests=%u\n", summary.online, summary.vmx,
	                   guests ? vmx_apicv_mode_name(apicv_mode()) : "none", guests);
}

static void summarize(struct cpus_summary *out)
{
	bool any_vmx = false;

	out->listed = found.count + found.left_out;
	out->online = out->vmx_on = 0;
	for (uint32_t id = 0; id < HV_MAX_CPUS; id++) {
		const struct percpu *p = per_cpu(id);
		if (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
			continue;
		out->online++;
		out->vmx_on += p->vmx_state == VMX_CPU_ON;
		any_vmx |= p->vmx_state != VMX_CPU_UNSUPPORTED;
	}
	out->vmx = !any_vmx ? "unsupported" : out->vmx_on == out->online ? "on" : "off";
	pr_info("cpu: %u of %u listed CPU(s) online, %u in VMX root", out->online, out->listed, out->vmx_on);
	summary = *out;
}

void cpus_init(const struct boot_info *bi, const char *cmdline, cpus_continue_t ap_run, struct cpus_summary *out)
{
	struct percpu *bsp = this_cpu();

	ap_continue = ap_run;
	if (!lapic_init_cpu(true))
		panic("cpu: the boot CPU has no usable local APIC");
	bsp->apic_id = lapic_id();
	tsc_calibrate();
	uint64_t timer_hz = lapic_timer_calibrate();
	pr_info("lapic: %s mode, boot CPU APIC ID %u, timer %llu.%03llu MHz at divide 16",
	        lapic_x2apic_mode() ? "x2APIC" : "xAPIC", bsp->apic_id, (unsigned long long)(timer_hz / 1000000),
	        (unsigned long long)(timer_hz / 1000 % 1000));
	discover(bi, cmdline, bsp->apic_id);
	bsp->vmx_state = vmx_cpu_probe(0, &bsp->vmx_raw, 0);
	vmx_report_and_decide(bsp, cmdline);
	vmx_enter(bsp);
	pr_info("cpu: CPU 0 (APIC ID %u) online, %s", bsp->apic_id, vmx_cpu_state_name(bsp->vmx_state));
	__atomic_store_n(&bsp->online, 1, __ATOMIC_RELEASE);
	start_aps();
	summarize(out);
}
