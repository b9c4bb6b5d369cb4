/* platform.c: the default guest; checks what docs/guest-platform.md promises, one section per heading there. */
#include "guest/lib/guest.h"

#include "vmm/lib/fmt.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/exit/hypercall.h"
#include "vmm/lib/string.h"
#include "vmm/lib/array.h"

#define ENTRY_EFLAGS EFLAGS_RESERVED1
#define ENTRY_CR0 (CR0_PE | CR0_ET)
#define ENTRY_DTR_LIMIT 0xffff
#define HV_SIGNATURE "apicvisor\0\0\0" /* CPUID 0x40000000 EBX:ECX:EDX */
#define HV_SIGNATURE_LEN 12
#define MAX_MMAP_ROWS 16
#define MMAP_ROWS 3 /* low RAM, firmware, high RAM */
#define WAKE_AFTER_US 1000
#define HC_UNKNOWN 0x7fff /* no such hypercall */
#define UNUSED_PORT 0x510 /* no device behind it */
#define PIC1_DATA 0x21    /* master PIC: IMR */
#define PIC2_DATA 0xa1    /* slave PIC: IMR */
#define PIC_MASK_ALL 0xff
#define RSDP_SIGNATURE "RSD PTR " /* ACPI 6.5, 5.2.5.3 */

/* Values to write to the allowed MSRs: legal, and different from what a reset leaves. */
#define PAT_TEST 0x0007010600070106ull /* entries 1 and 5 write-combining */
#define SYSENTER_CS_TEST 0x08
#define SYSENTER_ESP_TEST 0x00123450
#define SYSENTER_EIP_TEST 0x00123460

static uint64_t ram_end; /* guest-physical end of RAM, from mem_upper */

static void section(const char *name) { guest_printf("# %s\n", name); }

static void check_entry_state(void)
{
	static const struct {
		const char *what;
		const uint16_t *sel;
	} data_sels[] = {{"entry DS", &guest_entry_ds},
	                 {"entry ES", &guest_entry_es},
	                 {"entry FS", &guest_entry_fs},
	                 {"entry GS", &guest_entry_gs},
	                 {"entry SS", &guest_entry_ss}};
	uint64_t efer = 0;

	section("entry state");
	expect_eq("entry EAX is the multiboot magic", guest_entry_eax, MULTIBOOT_BOOTLOADER_MAGIC);
	expect_eq("entry CS", guest_entry_cs, GUEST_SEL_CODE);
	for (unsigned i = 0; i < ARRAY_LEN(data_sels); i++)
		expect_eq(data_sels[i].what, *data_sels[i].sel, GUEST_SEL_DATA);
	expect_eq("entry EFLAGS.IF clear", guest_entry_eflags & EFLAGS_IF, 0);
	expect_eq("entry EFLAGS", guest_entry_eflags, ENTRY_EFLAGS);
	expect_eq("entry ESP", guest_entry_esp, GUEST_INITIAL_ESP);
	expect_eq("entry GDTR base", guest_entry_gdtr.base, 0);
	expect_eq("entry GDTR limit", guest_entry_gdtr.limit, ENTRY_DTR_LIMIT);
	expect_eq("entry IDTR base", guest_entry_idtr.base, 0);
	expect_eq("entry IDTR limit", guest_entry_idtr.limit, ENTRY_DTR_LIMIT);
	expect_eq("CR0.PE set", read_cr0() & CR0_PE, CR0_PE);
	expect_eq("CR0.PG clear", read_cr0() & CR0_PG, 0);
	expect_eq("CR0 is PE|ET", read_cr0(), ENTRY_CR0);
	expect_eq("CR4 reads 0", read_cr4(), 0);
	expect_fault("rdmsr EFER", rdmsr_safe(MSR_EFER, &efer), GUEST_NO_FAULT);
	expect_eq("EFER is 0", efer, 0);
}

/* Is [addr, addr + len) inside high RAM, at or above the end of this image? */
static bool above_image(uint32_t addr, uint32_t len)
{
	return addr >= (uint32_t)guest_image_end && addr + (uint64_t)len <= ram_end;
}

static bool in_high_ram(uint32_t addr) { return addr >= GUEST_HIGH_RAM_BASE && addr < ram_end; }

static void check_mmap_row(unsigned i, const struct multiboot_mmap *row, uint64_t addr, uint64_t len, uint32_t type)
{
	char what[48];

	hv_snprintf(what, sizeof(what), "mmap row %u base", i);
	expect_eq(what, row->addr, addr);
	hv_snprintf(what, sizeof(what), "mmap row %u length", i);
	expect_eq(what, row->len, len);
	hv_snprintf(what, sizeof(what), "mmap row %u type", i);
	expect_eq(what, row->type, type);
}

static void check_mmap(const struct multiboot_info *mbi)
{
	const struct multiboot_mmap *rows[MAX_MMAP_ROWS];
	uint32_t off = 0;
	unsigned n = 0;

	while (off + sizeof(struct multiboot_mmap) <= mbi->mmap_length && n < MAX_MMAP_ROWS) {
		const struct multiboot_mmap *row = (const void *)(mbi->mmap_addr + off);

		guest_printf("# mmap: %#llx + %#llx type %u\n", row->addr, row->len, row->type);
		rows[n++] = row;
		off += row->size + sizeof(row->size);
	}
	if (!expect_eq("mmap rows", n, MMAP_ROWS))
		return;
	check_mmap_row(0, rows[0], 0, GUEST_LOW_RAM_END, MB_MMAP_AVAILABLE);
	check_mmap_row(1, rows[1], GUEST_FIRMWARE_BASE, GUEST_FIRMWARE_END - GUEST_FIRMWARE_BASE, MB_MMAP_RESERVED);
	check_mmap_row(2, rows[2], GUEST_HIGH_RAM_BASE, (uint64_t)mbi->mem_upper * MBI_KIB, MB_MMAP_AVAILABLE);
}

static void check_strings(const struct multiboot_info *mbi)
{
	const char *cmdline = (const char *)mbi->cmdline, *name = (const char *)mbi->boot_loader_name;

	expect_true("cmdline in RAM above 1 MiB", in_high_ram(mbi->cmdline));
	if (in_high_ram(mbi->cmdline))
		guest_printf("# cmdline: \"%s\"\n", cmdline);
	expect_true("loader name in RAM above 1 MiB", in_high_ram(mbi->boot_loader_name));
	expect_str("boot loader name", in_high_ram(mbi->boot_loader_name) ? name : NULL, "apicvisor");
}

static void check_multiboot_info(const struct multiboot_info *mbi)
{
	const uint32_t want = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP | MBI_FLAG_LOADER_NAME;

	section("multiboot information");
	if (!expect_true("EBX points at an information block", guest_entry_eax == MULTIBOOT_BOOTLOADER_MAGIC && mbi))
		return;
	guest_printf("# mbi at %p, flags %#x, mem_upper %u KiB\n", (const void *)mbi, mbi->flags, mbi->mem_upper);
	if (!expect_eq("mbi flags: mem, cmdline, mmap, loader name", mbi->flags & want, want))
		return;
	ram_end = GUEST_HIGH_RAM_BASE + (uint64_t)mbi->mem_upper * MBI_KIB;
	expect_true("mbi placed above the kernel image", above_image((uint32_t)mbi, sizeof(*mbi)));
	expect_eq("mem_lower", mbi->mem_lower, MBI_MEM_LOWER_KIB);
	check_mmap(mbi);
	check_strings(mbi);
}

static void check_firmware(void)
{
	section("firmware tables");
	expect_true("RSDP signature at 0xe0000",
	            memcmp((const void *)GUEST_RSDP_GPA, RSDP_SIGNATURE, sizeof(RSDP_SIGNATURE) - 1) == 0);
}

static void check_cpuid(void)
{
	uint32_t r[4];
	char sig[HV_SIGNATURE_LEN + 1] = {0};

	section("CPUID");
	cpuid(CPUID_LEAF_FEATURES, 0, r);
	expect_eq("CPUID.1:ECX.VMX clear", r[2] & CPUID_1_ECX_VMX, 0);
	expect_eq("CPUID.1:ECX.hypervisor set", r[2] & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
	expect_eq("CPUID.1:EBX initial APIC ID", r[1] >> CPUID_1_EBX_APIC_ID_SHIFT, 0);
	cpuid(CPUID_LEAF_HV_BASE, 0, r);
	memcpy(sig, &r[1], 4), memcpy(sig + 4, &r[2], 4), memcpy(sig + 8, &r[3], 4);
	guest_printf("# CPUID 0x40000000: eax %#x signature \"%s\"\n", r[0], sig);
	expect_true("CPUID 0x40000000 signature \"apicvisor\\0\\0\\0\"",
	            memcmp(sig, HV_SIGNATURE, HV_SIGNATURE_LEN) == 0);
	expect_true("CPUID 0x40000000 EAX >= 0x40000001", r[0] >= CPUID_LEAF_HV_VERSION);
	cpuid(CPUID_LEAF_HV_VERSION, 0, r);
	expect_eq("CPUID 0x40000001 EAX: interface version", r[0], HC_INTERFACE_VERSION);
}

/* Write val, read it back, put the old value back. */
static void msr_roundtrip(const char *name, uint32_t msr, uint64_t val)
{
	char what[64];
	uint64_t old = 0, back = 0;
	int fault = rdmsr_safe(msr, &old);

	if (fault == GUEST_NO_FAULT)
		fault = wrmsr_safe(msr, val);
	if (fault == GUEST_NO_FAULT)
		fault = rdmsr_safe(msr, &back);
	hv_snprintf(what, sizeof(what), "rdmsr/wrmsr %s", name);
	if (expect_fault(what, fault, GUEST_NO_FAULT)) {
		hv_snprintf(what, sizeof(what), "%s reads back the value written", name);
		expect_eq(what, back, val);
		wrmsr_safe(msr, old);
	}
}

static void check_msrs(void)
{
	uint64_t v = 0;

	section("MSRs");
	msr_roundtrip("EFER", MSR_EFER, EFER_SCE);
	msr_roundtrip("PAT", MSR_IA32_PAT, PAT_TEST);
	msr_roundtrip("SYSENTER_CS", MSR_IA32_SYSENTER_CS, SYSENTER_CS_TEST);
	msr_roundtrip("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, SYSENTER_ESP_TEST);
	msr_roundtrip("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, SYSENTER_EIP_TEST);
	expect_fault("rdmsr IA32_APIC_BASE", rdmsr_safe(MSR_IA32_APICBASE, &v), GUEST_NO_FAULT);
	expect_eq("IA32_APIC_BASE: 0xfee00000, enabled, BSP", v, GUEST_LAPIC_BASE | APICBASE_ENABLE | APICBASE_BSP);
	v = 0;
	expect_fault("rdmsr IA32_FEATURE_CONTROL", rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v), GUEST_NO_FAULT);
	expect_eq("IA32_FEATURE_CONTROL: locked, VMX off",
	          v & (FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_IN_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX),
	          FEATURE_CONTROL_LOCKED);
	expect_fault("rdmsr IA32_VMX_BASIC raises #GP", rdmsr_safe(MSR_IA32_VMX_BASIC, &v), X86_TRAP_GP);
	expect_fault("wrmsr IA32_VMX_BASIC raises #GP", wrmsr_safe(MSR_IA32_VMX_BASIC, 0), X86_TRAP_GP);
	expect_fault("rdmsr 0xc0010000 raises #GP", rdmsr_safe(MSR_AMD_PERF_CTL0, &v), X86_TRAP_GP);
}

static void check_halt(void)
{
	volatile bool resumed = false;
	uint32_t ret = 0;
	int fault = vmcall_safe(HC_WAKE_AFTER, WAKE_AFTER_US, 0, 0, &ret);
	uint64_t t0, t1;

	expect_fault("VMCALL HC_WAKE_AFTER", fault, GUEST_NO_FAULT);
	/* With interrupts off and no wake-up asked for, HLT would never end. */
	if (!expect_true("HC_WAKE_AFTER is known", fault == GUEST_NO_FAULT && ret != HC_ENOSYS)) {
		guest_puts("# HLT skipped\n");
		return;
	}
	t0 = rdtsc();
	hlt();
	resumed = true;
	t1 = rdtsc();
	expect_true("execution continues after HLT", resumed);
	guest_printf("# TSC advanced by %llu across HLT with a %u us wake-up\n", t1 - t0, WAKE_AFTER_US);
	expect_true("TSC advanced across HLT", t1 > t0);
}

static void check_hypercalls(void)
{
	uint32_t ret = 0;

	section("hypercalls");
	expect_fault("VMCALL HC_VERSION", vmcall_safe(HC_VERSION, 0, 0, 0, &ret), GUEST_NO_FAULT);
	expect_eq("HC_VERSION returns the interface version", ret, HC_INTERFACE_VERSION);
	ret = 0;
	expect_fault("VMCALL unknown number", vmcall_safe(HC_UNKNOWN, 0, 0, 0, &ret), GUEST_NO_FAULT);
	expect_eq("an unknown hypercall returns HC_ENOSYS", ret, HC_ENOSYS);
	check_halt();
}

static void do_vmxon(void *p) { __asm__ volatile("vmxon %0" ::"m"(*(uint64_t *)p) : "memory"); }

static void do_vmread(void *p)
{
	uint32_t v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(0u));
	*(uint32_t *)p = v;
}

static void check_instructions(void)
{
	uint64_t region = 0;
	uint32_t v = 0;

	section("instructions");
	expect_fault("VMXON raises #UD", guest_catch(do_vmxon, &region), X86_TRAP_UD);
	expect_fault("VMREAD raises #UD", guest_catch(do_vmread, &v), X86_TRAP_UD);
}

/* volatile operands: the divisions happen at run time, through libgcc.c. */
static void do_divide(void *p)
{
	uint64_t *nd = p; /* dividend, divisor */

	nd[0] /= nd[1];
}

static void check_division(void)
{
	volatile uint64_t max = UINT64_MAX, big = 0x123456789abcdef0ull, tera = 1000000000000ull;
	volatile int64_t m7 = -7, p7 = 7, min = INT64_MIN;
	uint64_t by_zero[2] = {1, 0};
	char buf[24];

	section("64-bit division helpers");
	EXPECT_EQ(max / 10, 0x1999999999999999ull);
	EXPECT_EQ(max % 10, 5);
	EXPECT_EQ(big / 0x12345, 0x100005b00205ull);
	EXPECT_EQ(big % 0x12345, 0xa497);
	EXPECT_EQ(max / 0xfffffffffull, 0x10000000);
	EXPECT_EQ(max % 0xfffffffffull, 0xfffffff);
	EXPECT_EQ(tera / 3, 333333333333ull);
	EXPECT_EQ(tera % 3, 1);
	EXPECT_EQ((uint64_t)(m7 / 2), (uint64_t)-3);
	EXPECT_EQ((uint64_t)(m7 % 2), (uint64_t)-1);
	EXPECT_EQ((uint64_t)(p7 / -2), (uint64_t)-3);
	EXPECT_EQ((uint64_t)(p7 % -2), 1);
	EXPECT_EQ((uint64_t)(min / 2), (uint64_t)(INT64_MIN / 2));
	hv_snprintf(buf, sizeof(buf), "%llu", (unsigned long long)max);
	expect_str("%llu of UINT64_MAX", buf, "18446744073709551615");
	expect_fault("64-bit division by zero raises #DE", guest_catch(do_divide, by_zero), X86_TRAP_DE);
}

static void do_pic_masks(void *p)
{
	(void)p;
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
}

static void check_ports(void)
{
	section("I/O ports");
	expect_true("COM1 LSR reports the transmitter empty", inb(COM1_PORT + UART_LSR) & UART_LSR_THRE);
	expect_eq("inb from an unused port", inb(UNUSED_PORT), 0xff);
	expect_eq("inl from an unused port", inl(UNUSED_PORT), 0xffffffff);
	expect_fault("PIC mask writes", guest_catch(do_pic_masks, NULL), GUEST_NO_FAULT);
	expect_eq("master PIC reads 0xff", inb(PIC1_DATA), 0xff);
	expect_eq("slave PIC reads 0xff", inb(PIC2_DATA), 0xff);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic; /* saved by start.asm as guest_entry_eax */
	guest_puts("platform: checking docs/guest-platform.md\n");
	check_entry_state();
	check_multiboot_info(mbi);
	check_firmware();
	check_cpuid();
	check_msrs();
	check_hypercalls();
	check_instructions();
	check_division();
	check_ports();
	guest_finish();
}
