/* apic.c: local APIC and I/O APIC access for test guests, a 256-vector IDT that counts what arrives, suite helpers. */
#include "guest/lib/apic.h"
#include "guest/lib/guest.h"
#include "guest/lib/trap.h"

#include <stdarg.h>

#include "vmm/lib/fmt.h"
#include "vmm/lib/string.h"

#define GATE_INTR32 0x8e /* present, DPL 0, 32-bit interrupt gate */
#define SEL_CODE 0x08    /* start.asm's GDT */
#define ISR_REG(v) ((v) >> 5)
#define ISR_BIT(v) (1u << ((v)&31))
#define X2APIC_LDR_CLUSTER_SHIFT 16
#define PIC1_DATA 0x21 /* the legacy PIC's masks: QEMU's firmware leaves its timer on, through LINT0 */
#define PIC2_DATA 0xa1
#define PIC_MASK_ALL 0xff

static enum guest_apic_mode mode = GUEST_APIC_XAPIC;
static uint32_t mmio_base = APIC_BASE_DEFAULT;

void apic_use(enum guest_apic_mode m, uint32_t base)
{
	mode = m;
	mmio_base = base;
}

enum guest_apic_mode apic_mode(void) { return mode; }
uint32_t apic_mmio_base(void) { return mmio_base; }

static volatile uint32_t *mmio(enum apic_reg reg) { return (volatile uint32_t *)(mmio_base + APIC_MMIO_OFFSET(reg)); }

uint32_t apic_read(enum apic_reg reg)
{
	if (mode == GUEST_APIC_X2APIC)
		return (uint32_t)rdmsr(APIC_X2APIC_MSR(reg));
	return *mmio(reg);
}

void apic_write(enum apic_reg reg, uint32_t val)
{
	if (mode == GUEST_APIC_X2APIC)
		wrmsr(APIC_X2APIC_MSR(reg), val);
	else
		*mmio(reg) = val;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_REG_ID);

	return mode == GUEST_APIC_X2APIC ? id : id >> APIC_XAPIC_DEST_SHIFT;
}

void apic_eoi(void) { apic_write(APIC_REG_EOI, 0); }

bool apic_vector_bit(enum apic_reg first, uint8_t vector)
{
	return (apic_read((enum apic_reg)(first + ISR_REG(vector))) & ISR_BIT(vector)) != 0;
}

/* xAPIC: ICR_HIGH then ICR_LOW, no interrupt between (a handler's IPI would change ICR_HIGH). */
static bool xapic_send(uint32_t dest, uint32_t icr_low)
{
	uint32_t flags = read_eflags();
	unsigned spins = 0;

	cli();
	*mmio(APIC_REG_ICR_HIGH) = dest << APIC_XAPIC_DEST_SHIFT;
	*mmio(APIC_REG_ICR_LOW) = icr_low;
	while ((*mmio(APIC_REG_ICR_LOW) & APIC_ICR_DELIVERY_PENDING) && ++spins < APIC_SPIN_LIMIT)
		cpu_relax();
	if (flags & EFLAGS_IF)
		sti();
	return spins < APIC_SPIN_LIMIT;
}

bool apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
	if (mode == GUEST_APIC_XAPIC)
		return xapic_send(dest, icr_low);
	wrmsr(APIC_X2APIC_MSR(APIC_REG_ICR_LOW), (uint64_t)dest << APIC_X2APIC_DEST_SHIFT | icr_low);
	return true;
}

uint32_t cpuid_1_ecx(void)
{
	uint32_t r[4];

	cpuid(CPUID_LEAF_FEATURES, 0, r);
	return r[2];
}

uint32_t cpuid_1_edx(void)
{
	uint32_t r[4];

	cpuid(CPUID_LEAF_FEATURES, 0, r);
	return r[3];
}

static volatile uint32_t *ioapic_reg(uint32_t base, uint32_t offset) { return (volatile uint32_t *)(base + offset); }

uint32_t ioapic_read(uint32_t base, uint32_t reg)
{
	*ioapic_reg(base, IOAPIC_MMIO_IOREGSEL) = reg;
	return *ioapic_reg(base, IOAPIC_MMIO_IOWIN);
}

void ioapic_write(uint32_t base, uint32_t reg, uint32_t val)
{
	*ioapic_reg(base, IOAPIC_MMIO_IOREGSEL) = reg;
	*ioapic_reg(base, IOAPIC_MMIO_IOWIN) = val;
}

uint32_t ioapic_read_sel(uint32_t base) { return *ioapic_reg(base, IOAPIC_MMIO_IOREGSEL); }
void ioapic_write_eoi(uint32_t base, uint8_t vector) { *ioapic_reg(base, IOAPIC_MMIO_EOI) = vector; }

/* Interrupts: counters per APIC ID, written by handlers on that CPU only, read by any. */
struct irq_stats {
	volatile uint32_t count[APIC_NR_VECTORS];
	volatile uint32_t stray; /* since irq_init: irq_reset keeps it */
	volatile uint8_t stray_vector;
	volatile uint32_t log_len;
	volatile uint8_t log[IRQ_LOG_MAX];
};

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type;
	uint16_t offset_hi;
};
_Static_assert(sizeof(struct idt_gate) == 8, "SDM Vol. 3, 6.11: IDT gate descriptor");

struct interrupt_frame;
typedef void (*irq_stub_fn)(struct interrupt_frame *);

static _Alignas(8) struct idt_gate idt[APIC_NR_VECTORS];
static irq_handler_fn handlers[APIC_NR_VECTORS];
static struct irq_stats stats[IRQ_MAX_CPUS];

static unsigned this_cpu(void)
{
	uint32_t id = apic_id();

	return id < IRQ_MAX_CPUS ? id : IRQ_MAX_CPUS - 1;
}

static void irq_dispatch(uint8_t vector)
{
	struct irq_stats *s = &stats[this_cpu()];

	s->count[vector]++;
	if (s->log_len < IRQ_LOG_MAX)
		s->log[s->log_len] = vector;
	s->log_len++;
	if (handlers[vector]) {
		handlers[vector](vector);
		return;
	}
	s->stray++;
	s->stray_vector = vector;
	if (vector != APIC_NMI_VECTOR)
		apic_eoi();
}

/* One stub per vector: gcc's interrupt attribute saves the registers it uses and ends with IRET. */
#define STUB(v)                                                                    \
	static __attribute__((interrupt)) void stub_##v(struct interrupt_frame *f) \
	{                                                                          \
		(void)f;                                                           \
		irq_dispatch(v);                                                   \
	}
/* clang-format off */
#define STUB16(h)                                                                                                      \
	STUB(h##0) STUB(h##1) STUB(h##2) STUB(h##3) STUB(h##4) STUB(h##5) STUB(h##6) STUB(h##7)                         \
	STUB(h##8) STUB(h##9) STUB(h##a) STUB(h##b) STUB(h##c) STUB(h##d) STUB(h##e) STUB(h##f)
/* clang-format on */
#define ROW16(h)                                                                                                \
	stub_##h##0, stub_##h##1, stub_##h##2, stub_##h##3, stub_##h##4, stub_##h##5, stub_##h##6, stub_##h##7, \
	        stub_##h##8, stub_##h##9, stub_##h##a, stub_##h##b, stub_##h##c, stub_##h##d, stub_##h##e, stub_##h##f

STUB(0x02)
STUB16(0x2)
STUB16(0x3)
STUB16(0x4)
STUB16(0x5)
STUB16(0x6)
STUB16(0x7)
STUB16(0x8)
STUB16(0x9)
STUB16(0xa)
STUB16(0xb)
STUB16(0xc)
STUB16(0xd)
STUB16(0xe)
STUB16(0xf)

/* Vectors 32-255, in order. */
static const irq_stub_fn irq_stubs[APIC_NR_VECTORS - APIC_FIRST_VECTOR] = {
        ROW16(0x2), ROW16(0x3), ROW16(0x4), ROW16(0x5), ROW16(0x6), ROW16(0x7), ROW16(0x8),
        ROW16(0x9), ROW16(0xa), ROW16(0xb), ROW16(0xc), ROW16(0xd), ROW16(0xe), ROW16(0xf),
};

static struct idt_gate gate(uint32_t entry)
{
	return (struct idt_gate){(uint16_t)entry, SEL_CODE, 0, GATE_INTR32, (uint16_t)(entry >> 16)};
}

void irq_load(void)
{
	static struct dtr desc;

	desc.limit = sizeof(idt) - 1;
	desc.base = (uint32_t)idt;
	lidt(&desc);
}

void irq_init(void)
{
	for (unsigned v = 0; v < X86_NR_EXCEPTIONS; v++)
		idt[v] = gate(isr_stubs[v]);
	idt[APIC_NMI_VECTOR] = gate((uint32_t)stub_0x02);
	for (unsigned v = APIC_FIRST_VECTOR; v < APIC_NR_VECTORS; v++)
		idt[v] = gate((uint32_t)irq_stubs[v - APIC_FIRST_VECTOR]);
	irq_load();
}

void irq_set_handler(uint8_t vector, irq_handler_fn fn) { handlers[vector] = fn; }
void irq_set_gate(uint8_t vector, void *entry) { idt[vector] = gate((uint32_t)(uintptr_t)entry); }
void irq_handler_eoi(uint8_t vector) { (void)vector, apic_eoi(); }
void irq_handler_none(uint8_t vector) { (void)vector; }

void irq_reset(void)
{
	uint32_t flags = read_eflags();

	cli();
	for (unsigned cpu = 0; cpu < IRQ_MAX_CPUS; cpu++) {
		memset((void *)stats[cpu].count, 0, sizeof(stats[cpu].count));
		stats[cpu].log_len = 0;
	}
	if (flags & EFLAGS_IF)
		sti();
}

uint32_t irq_count(unsigned cpu, uint8_t vector) { return cpu < IRQ_MAX_CPUS ? stats[cpu].count[vector] : 0; }
uint32_t irq_stray(unsigned cpu) { return cpu < IRQ_MAX_CPUS ? stats[cpu].stray : 0; }
uint8_t irq_stray_vector(unsigned cpu) { return cpu < IRQ_MAX_CPUS ? stats[cpu].stray_vector : 0; }

const volatile uint32_t *irq_counter(unsigned cpu, uint8_t vector)
{
	return &stats[cpu < IRQ_MAX_CPUS ? cpu : IRQ_MAX_CPUS - 1].count[vector];
}

unsigned irq_log(unsigned cpu, uint8_t *vectors, unsigned max)
{
	unsigned n;

	if (cpu >= IRQ_MAX_CPUS)
		return 0;
	n = stats[cpu].log_len < IRQ_LOG_MAX ? stats[cpu].log_len : IRQ_LOG_MAX;
	n = n < max ? n : max;
	for (unsigned i = 0; i < n; i++)
		vectors[i] = stats[cpu].log[i];
	return n;
}

/* ---- Suites ---- */

struct apic_suite suite;

static void suite_options(const char *name, const struct multiboot_info *mbi)
{
	const char *cl = guest_cmdline(mbi);
	size_t len = 0;
	const char *opt = cmdline_find(cl, "mode", &len);

	suite.want_x2apic = opt && len == 6 && hv_strncmp(opt, "x2apic", 6) == 0;
	suite.cpus = cmdline_uint(cl, "cpus", 1);
	hv_snprintf(suite.name, sizeof(suite.name), "%s(%s)", name, suite.want_x2apic ? "x2apic" : "xapic");
	if (opt && !suite.want_x2apic && !(len == 5 && hv_strncmp(opt, "xapic", 5) == 0))
		expect_true("mode= is xapic or x2apic", false);
}

void apic_suite_start(const char *name, const char *what, const struct multiboot_info *mbi)
{
	const struct madt_apics *m = &suite.madt;

	suite_options(name, mbi);
	guest_printf("%s: %s, cpus=%u\n", suite.name, what, suite.cpus);
	suite.cpu_x2apic = (cpuid_1_ecx() & CPUID_1_ECX_X2APIC) != 0;
	suite.cpu_tsc_deadline = (cpuid_1_ecx() & CPUID_1_ECX_TSC_DEADLINE) != 0;
	madt_find(&suite.madt);
	suite.lapic_base = m->found && m->lapic_base ? m->lapic_base : APIC_BASE_DEFAULT;
	suite.ioapic_base = m->has_ioapic ? m->ioapic_base : IOAPIC_DEFAULT_BASE;
	guest_printf("# CPUID.1:ECX: x2APIC %u, TSC-deadline %u; MADT: %s, %u vCPUs; delays assume a %llu MHz TSC\n",
	             suite.cpu_x2apic, suite.cpu_tsc_deadline, m->found ? "found" : "none (standard addresses)",
	             m->cpus, (unsigned long long)tsc_per_us());
	apic_use(GUEST_APIC_XAPIC, suite.lapic_base);
	suite.version = apic_read(APIC_REG_VERSION);
	irq_init();
}

int apic_suite_enter_mode(void)
{
	uint64_t base = apic_base_msr() | APIC_BASE_ENABLE | APIC_BASE_EXTD;
	int fault;

	if (suite.want_x2apic && !suite.cpu_x2apic)
		guest_printf("# %s: CPUID.1:ECX.x2APIC is 0: x2APIC checks skipped, the suite runs in xAPIC mode\n",
		             suite.name);
	if (!suite.want_x2apic || !suite.cpu_x2apic)
		return GUEST_NO_FAULT;
	fault = wrmsr_safe(MSR_IA32_APICBASE, base);
	if (fault == GUEST_NO_FAULT) {
		suite.x2apic = true;
		apic_use(GUEST_APIC_X2APIC, suite.lapic_base);
	}
	return fault;
}

void apic_suite_setup_local(void)
{
	apic_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | SUITE_VEC_SPURIOUS);
	apic_write(APIC_REG_TPR, 0);
	apic_write(APIC_REG_LVT_ERROR, SUITE_VEC_ERROR);
	apic_write(APIC_REG_ESR, 0);
}

/* QEMU's SeaBIOS leaves LINT0 as ExtINT from an unmasked PIC timer, and LINT1 as NMI. */
void apic_suite_setup(void)
{
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
	apic_suite_setup_local();
	irq_set_handler(SUITE_VEC_SPURIOUS, irq_handler_none);
	irq_set_handler(SUITE_VEC_ERROR, irq_handler_eoi);
	irq_set_handler(APIC_NMI_VECTOR, irq_handler_none);
}

void apic_section(const char *what) { guest_printf("# %s: %s\n", suite.name, what); }

bool expect_eqf(uint64_t got, uint64_t expected, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return expect_eq(what, got, expected);
}

uint64_t suite_wait_ticks(void) { return SUITE_WAIT_US * tsc_per_us(); }

bool irq_wait(unsigned cpu, uint8_t vector, uint32_t n, uint64_t ticks)
{
	const volatile uint32_t *c = irq_counter(cpu, vector);
	uint64_t t0 = rdtsc();

	while (*c < n && rdtsc() - t0 < ticks)
		cpu_relax();
	return *c >= n;
}

void suite_settle(void) { tsc_delay(SUITE_SETTLE_TICKS); }

bool apic_send_self(uint8_t vector) { return apic_send_ipi(0, APIC_ICR_DEST_SELF | APIC_ICR_DM_FIXED | vector); }

void apic_self_ipi(uint8_t vector)
{
	if (suite.x2apic)
		apic_write(APIC_REG_SELF_IPI, vector);
	else
		apic_write(APIC_REG_ICR_LOW, APIC_ICR_DEST_SELF | APIC_ICR_DM_FIXED | vector);
}

uint32_t x2apic_ldr(uint32_t id) { return (id >> 4) << X2APIC_LDR_CLUSTER_SHIFT | 1u << (id & 0xf); }

uint64_t apic_base_msr(void)
{
	uint64_t v = 0;

	rdmsr_safe(MSR_IA32_APICBASE, &v);
	return v;
}
