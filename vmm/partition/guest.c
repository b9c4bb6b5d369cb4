/* guest.c: guest partitions: building them from the configuration, their memory, their end. */
#include "vmm/partition/guest.h"

#include "apicv/apicv.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/log.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"
#include "vmm/partition/guest_acpi.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/kernel_kind.h"
#include "vmm/partition/linux_load.h"

#define BUILTIN_GUEST_NAME "platform.elf (built in)"
#define BUILTIN_GUEST_MEMORY (16ull << 20)
/* How long a stopping guest's vCPUs are waited for, each, before the report goes on without them. */
#define STOPPED_WAIT_MS 500u
#define HUGE_PAGES (512ull) /* 2 MiB in 4 KiB pages: guest RAM is 2 MiB aligned for EPT large pages */

/* The default test guest, linked into the image (guest/tests/platform.c). */
extern const char builtin_guest_start[], builtin_guest_end[];
extern const uint8_t guest_dsdt_start[], guest_dsdt_end[]; /* guest_dsdt.asm */

static struct guest guests[CFG_MAX_GUESTS];
static uint32_t nguests;
static struct vcpu vcpu_pool[HV_MAX_CPUS]; /* indexed by the core that runs the vCPU */
static volatile uint32_t pending_entry;    /* guests neither entered nor failed yet */
static volatile uint32_t running;          /* guests not stopped */

uint32_t guests_count(void) { return nguests; }

/* The ready line counts the guests that were entered (guest_mark_entered). */
static void print_ready_line(void)
{
	uint32_t entered = 0;

	for (uint32_t i = 0; i < nguests; i++)
		entered += guests[i].entered;
	cpus_ready_line(entered);
}
struct guest *guest_by_id(uint32_t id) { return id < nguests ? &guests[id] : 0; }

static const struct boot_module *find_module(const struct boot_info *bi, const char *name)
{
	for (uint32_t i = 0; i < bi->module_count; i++)
		if (hv_strcmp(bi->modules[i].name, name) == 0)
			return &bi->modules[i];
	return 0;
}

/* The built-in default: the platform test guest on every online core, one guest per core. */
static void default_config(struct hv_config *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t cpu = 0; cpu < HV_MAX_CPUS && c->nguests < CFG_MAX_GUESTS; cpu++) {
		if (!per_cpu(cpu)->online || per_cpu(cpu)->vmx_state != VMX_CPU_ON)
			continue;
		struct cfg_guest *g = &c->guests[c->nguests++];
		hv_snprintf(g->name, sizeof(g->name), "test%u", cpu);
		hv_strlcpy(g->image, BUILTIN_GUEST_NAME, sizeof(g->image));
		g->cpus = 1ull << cpu;
		g->memory = BUILTIN_GUEST_MEMORY;
	}
}

bool guests_check_cores(const struct hv_config *c)
{
	for (uint32_t i = 0; i < c->nguests; i++)
		for (uint32_t cpu = 0; cpu < 64; cpu++)
			if ((c->guests[i].cpus >> cpu & 1) &&
			    (cpu >= HV_MAX_CPUS || !per_cpu(cpu)->online || per_cpu(cpu)->vmx_state != VMX_CPU_ON)) {
				pr_err("config: hv.conf:%u: guest '%s' wants CPU %u, which is not online in VMX root",
				       c->guests[i].line, c->guests[i].name, cpu);
				return false;
			}
	return true;
}

static bool fail(struct guest *g, const char *what)
{
	pr_err("guest %s: %s: not started", g->name, what);
	return false;
}

static bool find_images(struct guest *g, const struct boot_info *bi)
{
	if (hv_strcmp(g->cfg.image, BUILTIN_GUEST_NAME) == 0) {
		g->image = builtin_guest_start;
		g->image_size = (uint64_t)builtin_guest_end - (uint64_t)builtin_guest_start;
	} else {
		const struct boot_module *m = find_module(bi, g->cfg.image);
		if (!m)
			return fail(g, "its image is not among the boot modules");
		g->image = phys_to_virt(m->base);
		g->image_size = m->size;
	}
	for (unsigned i = 0; i < g->cfg.nmodules; i++) {
		const struct boot_module *m = find_module(bi, g->cfg.modules[i]);
		if (!m)
			return fail(g, "a module it names is not among the boot modules");
		g->mods[i] = (struct mb_module){phys_to_virt(m->base), m->size, g->cfg.modules[i]};
	}
	g->nmods = g->cfg.nmodules;
	if (g->cfg.initrd[0]) {
		const struct boot_module *m = find_module(bi, g->cfg.initrd);
		if (!m)
			return fail(g, "its initrd is not among the boot modules");
		g->initrd = phys_to_virt(m->base);
		g->initrd_size = m->size;
	}
	return true;
}

static uint64_t ept_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc(1);
}

static void *ept_to_virt(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

/* EPT: RAM read/write/execute, the firmware area read-only, the hole and everything else unmapped. */
static bool map_memory(struct guest *g)
{
	const struct ept_ops ops = {ept_alloc, ept_to_virt, 0};
	const uint64_t ram = EPT_RWX | EPT_MEMTYPE_WB, rom = EPT_READ | EPT_EXEC | EPT_MEMTYPE_WB;

	return ept_init(&g->ept, &ops) && ept_map(&g->ept, 0, g->ram_hpa, GUEST_LOW_RAM_END, ram) &&
	       ept_map(&g->ept, GUEST_FIRMWARE_BASE, g->ram_hpa + GUEST_FIRMWARE_BASE,
	               GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE, rom) &&
	       ept_map(&g->ept, GUEST_HIGH_RAM_BASE, g->ram_hpa + GUEST_HIGH_RAM_BASE,
	               g->ram.size - GUEST_HIGH_RAM_BASE, ram);
}

/* A multiboot kernel: flat 32-bit protected mode at its entry, EAX the magic, EBX the information block. */
static bool load_multiboot(struct guest *g)
{
	struct mb_result res;

	if (g->initrd)
		return fail(g, "initrd= is for a Linux kernel; a multiboot kernel takes its files as module=");
	if (!mb_load(&g->ram, g->image, g->image_size, g->cfg.cmdline, g->mods, g->nmods, &res))
		return fail(g, res.error);
	g->entry = (struct vmx_entry_state){.rip = res.entry,
	                                    .eax = MULTIBOOT_BOOTLOADER_MAGIC,
	                                    .ebx = res.mbi,
	                                    .esp = GUEST_INITIAL_ESP,
	                                    .code_sel = GUEST_SEL_CODE,
	                                    .data_sel = GUEST_SEL_DATA};
	return true;
}

/* A Linux kernel, a bzImage (64-bit entry) or a PVH vmlinux (32-bit entry): docs/guest-platform.md. */
static bool load_linux(struct guest *g, enum kernel_kind kind)
{
	struct linux_result res;
	const struct linux_args a = {g->image, g->image_size, g->cfg.cmdline, g->initrd, g->initrd_size};

	if (g->nmods)
		return fail(g, "module= is for a multiboot kernel; a Linux kernel takes initrd=");
	if (!(kind == KERNEL_BZIMAGE ? linux_bz_load(&g->ram, &a, &res) : linux_pvh_load(&g->ram, &a, &res)))
		return fail(g, res.error);
	g->entry = (struct vmx_entry_state){.rip = res.entry.rip,
	                                    .ebx = res.entry.ebx,
	                                    .esp = GUEST_INITIAL_ESP,
	                                    .code_sel = res.entry.code_sel,
	                                    .data_sel = res.entry.data_sel,
	                                    .long_mode = res.entry.long_mode,
	                                    .rsi = res.entry.rsi,
	                                    .cr3 = res.entry.cr3,
	                                    .gdt_base = res.entry.gdt_base,
	                                    .gdt_limit = res.entry.gdt_limit};
	return true;
}

/*
 * Load the image and the firmware tables into RAM (zeroed first): at
 * creation and at each restart. The loader follows from the image's contents
 * (kernel_kind).
 */
bool guest_load(struct guest *g)
{
	const struct guest_acpi_cfg acpi = {
	        g->nvcpus,         GUEST_LAPIC_BASE, true,
	        GUEST_IOAPIC_BASE, guest_dsdt_start, (uint32_t)((uint64_t)guest_dsdt_end - (uint64_t)guest_dsdt_start)};
	enum kernel_kind kind = kernel_kind(g->image, g->image_size);
	char why[160];

	memset(g->ram.ram, 0, g->ram.size);
	vioapic_reset(&g->ioapic, (uint8_t)g->nvcpus); /* the MADT gives it the ID after the vCPUs' */
	vuart_reset(&g->uart);
	g->uart_out = (struct sanitize_line){0}; /* a partial line of the last start is dropped */
	g->sleep_typ = 0;
	g->sleep_status = 0;
	g->sleep_typ_said = false;
	if (kind == KERNEL_UNKNOWN) {
		kernel_unknown_why(g->image, g->image_size, why, sizeof(why));
		return fail(g, why);
	}
	if (!(kind == KERNEL_MULTIBOOT ? load_multiboot(g) : load_linux(g, kind)))
		return false;
	if (!guest_acpi_build(&g->ram, &acpi))
		return fail(g, "its firmware tables do not fit");
	return true;
}

static bool guest_build(struct guest *g, const struct boot_info *bi)
{
	uint64_t pages = g->cfg.memory / PAGE_SIZE;

	if (!find_images(g, bi))
		return false;
	g->ram_hpa = page_alloc_aligned(pages, HUGE_PAGES);
	if (!g->ram_hpa)
		return fail(g, "not enough contiguous memory for its RAM");
	g->ram = (struct guest_ram){phys_to_virt(g->ram_hpa), g->cfg.memory};
	bool mapped = map_memory(g) && apicv_guest_create(&g->ept, GUEST_LAPIC_BASE, &g->apic_access_page);
	if (!mapped || !guest_load(g)) { /* guest_load said why it refused the image */
		page_free(g->ram_hpa, pages);
		g->ram_hpa = 0;
		return mapped ? false : fail(g, "its memory could not be set up");
	}
	pr_info("guest %s: %llu MiB at host %#llx, %s kernel, entry %#llx%s, %u vCPU(s), EPT %llu pages", g->name,
	        (unsigned long long)(g->cfg.memory >> 20), (unsigned long long)g->ram_hpa,
	        kernel_kind_name(kernel_kind(g->image, g->image_size)), (unsigned long long)g->entry.rip,
	        g->entry.long_mode ? " (64-bit)" : "", g->nvcpus, (unsigned long long)g->ept.pages);
	return true;
}

/* Give each of g's cores its vCPU: the n-th core it owns runs vCPU n. */
static void assign_vcpus(struct guest *g)
{
	for (uint32_t cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		if (!(g->cfg.cpus >> cpu & 1))
			continue;
		struct vcpu *v = &vcpu_pool[cpu];
		vcpu_create(v, g, g->nvcpus, cpu);
		g->vcpus[g->nvcpus++] = v;
		per_cpu(cpu)->vcpu = v;
	}
}

uint32_t guests_create(const struct hv_config *cfg, const struct boot_info *bi)
{
	static struct hv_config fallback;
	uint32_t ready = 0;

	if (cfg->nguests == 0) {
		default_config(&fallback);
		cfg = &fallback;
		pr_info("guest: the configuration defines no guest: the built-in platform test guest on each of %u "
		        "core(s)",
		        cfg->nguests);
	}
	for (uint32_t i = 0; i < cfg->nguests; i++) {
		struct guest *g = &guests[nguests];
		*g = (struct guest){.id = nguests, .cfg = cfg->guests[i], .lock = SPINLOCK_INIT};
		hv_strlcpy(g->name, g->cfg.name, sizeof(g->name));
		for (uint32_t cpu = 0; cpu < HV_MAX_CPUS; cpu++)
			g->nvcpus += (uint32_t)(g->cfg.cpus >> cpu & 1);
		if (!guest_build(g, bi))
			continue;
		g->nvcpus = 0;
		assign_vcpus(g);
		nguests++;
		ready++;
	}
	pending_entry = running = ready;
	return ready;
}

bool guest_restart(struct guest *g)
{
	if (!guest_load(g))
		return false;
	spin_lock(&g->lock);
	g->starts++;
	g->state = GUEST_LOADED;
	g->stop_reason[0] = '\0';
	spin_unlock(&g->lock);
	pr_info("guest %s: start %u", g->name, g->starts + 1);
	for (uint32_t i = 1; i < g->nvcpus; i++)
		cpu_kick(g->vcpus[i]->cpu); /* its other vCPUs wait for the reload in their idle loop */
	return true;
}

/*
 * The APIC-access page and the vCPUs' APICs (modes tpr and up). Mapped at
 * GUEST_LAPIC_BASE, the page turns the guest's accesses there into APIC
 * virtualization (SDM Vol. 3, 30.4) for a vCPU in xAPIC mode; for any other
 * vCPU it would be plain memory, while its APIC's old page must read as
 * absent-device memory (all ones, writes dropped), as a disabled, x2APIC or
 * moved APIC leaves it on hardware and as mode emulated shows it. The EPT is
 * the guest's, one for all its vCPUs, and no permission in it serves both: a
 * readable page is memory to the vCPUs whose APIC is away, and a page that
 * is not readable makes every access an EPT violation, which takes priority
 * over an APIC-access exit (30.4.1), for the xAPIC vCPUs too: as no page.
 * So the page stays mapped only while every vCPU's APIC is in xAPIC mode at
 * the default base, and is removed as soon as one leaves. Then every access
 * there is an EPT violation that the MMIO path (vmm/exit/mmio.c) gives to
 * the vCPU's own APIC when it is at that address, and to no device
 * otherwise. The page comes back when the last one returns. A vCPU still in
 * xAPIC mode loses only speed meanwhile: with or without the page its
 * accesses reach its APIC. Its stale translations are therefore harmless,
 * and only the vCPU that left must flush before it enters again: each vCPU
 * compares ept_gen before every entry (guest_ept_sync).
 */
void guest_apic_away(struct guest *g, bool away)
{
	spin_lock(&g->lock);
	bool was_mapped = !g->apic_away;
	g->apic_away = away ? g->apic_away + 1 : g->apic_away - 1;
	bool map = !g->apic_away;
	if (map != was_mapped && g->apic_access_page) {
		if (!apicv_guest_map_apic_page(&g->ept, GUEST_LAPIC_BASE, g->apic_access_page, map))
			pr_err("guest %s: its EPT refused to %s the APIC-access page", g->name, map ? "map" : "remove");
		else if (!map)
			__atomic_add_fetch(&g->ept_gen, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&g->lock);
}

void guest_ept_flush(struct vcpu *v)
{
	uint32_t gen = __atomic_load_n(&v->guest->ept_gen, __ATOMIC_ACQUIRE);

	vmx_invept(cpus_vmx_caps(), ept_pointer(&v->guest->ept));
	v->ept_seen = gen;
}

void guest_mark_entered(struct guest *g)
{
	spin_lock(&g->lock);
	bool first = !g->entered;
	g->entered_tsc = rdtsc(); /* each start's first entry: its uptime and exit report count from here */
	g->entered = true;
	spin_unlock(&g->lock);
	if (first && __atomic_sub_fetch(&pending_entry, 1, __ATOMIC_ACQ_REL) == 0)
		print_ready_line();
}

/* Kick every core of g but this one (this one looks at g's state before its next entry). */
static void kick_vcpus(struct guest *g)
{
	for (uint32_t i = 0; i < g->nvcpus; i++)
		if (g->vcpus[i]->cpu != this_cpu()->cpu_id)
			cpu_kick(g->vcpus[i]->cpu);
}

/* Under g's lock: stopped, and a new run generation, which vCPUs of the old one see before any entry. */
static void mark_stopped(struct guest *g)
{
	g->state = GUEST_STOPPED;
	__atomic_add_fetch(&g->run_gen, 1, __ATOMIC_RELEASE);
}

bool guest_stop(struct guest *g, const char *reason, uint32_t status)
{
	spin_lock(&g->lock);
	bool was_running = g->state != GUEST_STOPPED;
	if (was_running) {
		mark_stopped(g);
		g->reported = false;
		g->shell_stopped = false;
		g->exit_status = status;
		hv_strlcpy(g->stop_reason, reason, sizeof(g->stop_reason));
	}
	spin_unlock(&g->lock);
	if (!was_running)
		return false;
	kick_vcpus(g); /* before the line below: on a serial console it takes milliseconds */
	pr_info("guest %s: %s%s", g->name, reason, g->cfg.restart ? "; restarting it (restart=yes)" : "");
	if (!g->entered && __atomic_sub_fetch(&pending_entry, 1, __ATOMIC_ACQ_REL) == 0)
		print_ready_line();
	if (g->cfg.restart)
		return true;
	g->ended = true;
	__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
	return true;
}

void guest_wait_stopped(const struct guest *g, const struct vcpu *self)
{
	uint64_t hz = tsc_hz(), deadline = rdtsc() + (hz ? hz / 1000 * STOPPED_WAIT_MS : 0);

	for (uint32_t i = 0; i < g->nvcpus; i++)
		while (g->vcpus[i] != self && __atomic_load_n(&g->vcpus[i]->state, __ATOMIC_ACQUIRE) != VCPU_STOPPED &&
		       rdtsc() < deadline)
			cpu_relax();
}

bool guest_stop_fatal(struct vcpu *v, const char *reason)
{
	if (!guest_stop(v->guest, reason, 0))
		return false;
	guest_wait_stopped(v->guest, v);
	return true;
}

void guest_reported(struct guest *g) { __atomic_store_n(&g->reported, true, __ATOMIC_RELEASE); }

bool guests_all_ended(void)
{
	if (__atomic_load_n(&running, __ATOMIC_ACQUIRE) != 0)
		return false;
	for (uint32_t i = 0; i < nguests; i++)
		if (!__atomic_load_n(&guests[i].reported, __ATOMIC_ACQUIRE))
			return false; /* its report is still being printed: the last reporter powers off */
	return true;
}

bool guest_hold(struct guest *g)
{
	spin_lock(&g->lock);
	bool was_running = g->state != GUEST_STOPPED;
	if (was_running) {
		g->held = true;
		g->shell_stopped = true;
		mark_stopped(g);
		g->exit_status = 0;
		hv_strlcpy(g->stop_reason, "stopped from the shell", sizeof(g->stop_reason));
	}
	spin_unlock(&g->lock);
	if (!was_running)
		return false;
	pr_info("guest %s: stopped from the shell; start or reset runs it again", g->name);
	if (!g->entered && __atomic_sub_fetch(&pending_entry, 1, __ATOMIC_ACQ_REL) == 0)
		print_ready_line();
	kick_vcpus(g);
	return true;
}

bool guest_start(struct guest *g, bool reset)
{
	spin_lock(&g->lock);
	bool was_running = g->state != GUEST_STOPPED;
	if (was_running && !reset) {
		spin_unlock(&g->lock);
		return false;
	}
	if (was_running) {
		mark_stopped(g);
		g->shell_stopped = true;
		g->exit_status = 0;
		hv_strlcpy(g->stop_reason, "reset from the shell", sizeof(g->stop_reason));
	}
	bool ended = g->ended;
	g->ended = false;
	g->held = false;
	g->start_asked = true;
	spin_unlock(&g->lock);
	if (ended)
		__atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
	pr_info("guest %s: %s from the shell", g->name, reset ? "reset" : "started");
	kick_vcpus(g);
	return true;
}

bool guest_reboot(struct guest *g, const char *reason)
{
	spin_lock(&g->lock);
	bool was_running = g->state != GUEST_STOPPED;
	if (was_running) {
		mark_stopped(g);
		g->shell_stopped = false;
		g->exit_status = 0;
		hv_strlcpy(g->stop_reason, reason, sizeof(g->stop_reason));
		g->start_asked = true; /* restart_wanted (vmm/run/sched.c) then reloads it */
	}
	spin_unlock(&g->lock);
	if (!was_running)
		return false;
	pr_info("guest %s: %s", g->name, reason);
	if (!g->entered && __atomic_sub_fetch(&pending_entry, 1, __ATOMIC_ACQ_REL) == 0)
		print_ready_line();
	kick_vcpus(g);
	return true;
}

bool guest_read_ram(const struct guest *g, uint64_t gpa, void *buf, uint64_t len)
{
	/* Guest RAM and the firmware area, not the hole between them (docs/guest-platform.md). */
	if (gpa >= g->ram.size || len > g->ram.size - gpa ||
	    (gpa < GUEST_FIRMWARE_BASE && gpa + len > GUEST_LOW_RAM_END))
		return false;
	memcpy(buf, g->ram.ram + gpa, len);
	return true;
}

bool guest_write_ram(struct guest *g, uint64_t gpa, const void *buf, uint64_t len)
{
	bool low = gpa < GUEST_LOW_RAM_END && len <= GUEST_LOW_RAM_END - gpa;
	bool high = gpa >= GUEST_HIGH_RAM_BASE && gpa < g->ram.size && len <= g->ram.size - gpa;

	if (!low && !high)
		return false;
	memcpy(g->ram.ram + gpa, buf, len);
	return true;
}

static void uart_line_out(void *ctx, const char *line)
{
	const struct guest *g = ctx;

	console_printf_raw("[%s] %s\n", g->name, line);
}

/*
 * A guest's bytes could drive the operator's terminal: erase a line and
 * print a forged hypervisor line, reset it, set its title. So they are shown,
 * not obeyed, unless the configuration trusts the guest (console=raw).
 */
void guest_uart_putc(struct guest *g, uint8_t c)
{
	spin_lock(&g->lock);
	if (g->cfg.console_raw)
		console_write_bytes(&c, 1);
	else
		sanitize_line_feed(&g->uart_out, c, uart_line_out, g);
	spin_unlock(&g->lock);
}
