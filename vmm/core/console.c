/* console.c: the hypervisor's serial console: log levels, CPU-prefixed lines, one lock. */
#include "vmm/core/console.h"

#include <stdarg.h>

#include "arch/x86/apic_regs.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/madt.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "arch/x86/uart16550.h"
#include "vmm/core/percpu.h"
#include "vmm/lib/array.h"
#include "vmm/lib/cmdline.h"
#include "vmm/lib/fmt.h"
#include "vmm/lib/parse.h"
#include "vmm/lib/spinlock.h"
#include "vmm/lib/string.h"
#include "vmm/mm/memmap.h"
#include "vmm/mm/mm.h"

#ifndef HV_EARLY_CONSOLE_PORT
#define HV_EARLY_CONSOLE_PORT 0x3f8
#endif
#define CONSOLE_DEFAULT_BAUD UART_BAUD_BASE
#define CONSOLE_LINE_MAX 512
#define CONSOLE_NAME_MAX 40
#define IO_PORT_LAST 0xfff8          /* the last base with 8 ports above it */
#define MMIO_ADDR_LIMIT (1ull << 52) /* MAXPHYADDR is at most 52 (SDM Vol. 3, 4.1.4) */
#define MMIO_PAGE 4096ull
/* A write to 0xfee00000-0xfeefffff is an interrupt message: an MSI address's bits 31:20 (SDM Vol. 3, 11.11.1). */
#define MSI_WINDOW_BASE APIC_BASE_DEFAULT
#define MSI_WINDOW_SIZE (1ull << 20)
#define IOAPIC_DEFAULT_PHYS 0xfec00000ull /* the first I/O APIC of a PC (82093AA datasheet, 3.0; the MADT's) */
#define CONSOLE_RANGES_MAX (3 + 1 + MADT_MAX_IOAPICS) /* fixed_ranges, then madt_ranges */
/* What was logged before an MMIO console could take over, replayed on it; generous for a firmware's map. */
#define CONSOLE_EARLY_LOG 16384

#define CONSOLE_NO_BLOCK 0xffffffffu

static const uint16_t com_ports[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

static struct {
	struct spinlock lock;
	struct console_cfg cfg; /* where output goes now */
	bool present;           /* something answered at cfg.uart */
	struct console_cfg pending;
	bool has_pending; /* an MMIO console waits for the page tables */
	bool can_map;     /* console_late_init has run */
	enum log_level level;
	console_sink_t sink;
	bool rx_irq;
	uint32_t rx_busy;   /* one reader at a time: the interrupt and a poller may race */
	uint32_t block_cpu; /* the core printing a block (console_block_begin), or CONSOLE_NO_BLOCK */
} con = {
        .lock = SPINLOCK_INIT,
        .block_cpu = CONSOLE_NO_BLOCK,
        .cfg = {false, {UART_IO, HV_EARLY_CONSOLE_PORT}, CONSOLE_DEFAULT_BAUD},
        .level = LOG_INFO,
};

/* A copy of everything written until console_late_init, whether or not a UART took it. */
static struct {
	char buf[CONSOLE_EARLY_LOG];
	size_t len;
	size_t dropped;
	bool done;
} early;

void console_init_early(void) { con.present = uart16550_init(&con.cfg.uart, con.cfg.baud); }

static void early_keep(const char *s, size_t n)
{
	size_t room = sizeof(early.buf) - early.len, take = n < room ? n : room;

	memcpy(early.buf + early.len, s, take);
	early.len += take;
	early.dropped += n - take;
}

/* Write n bytes, turning "\n" into "\r\n"; caller holds the lock. */
static void con_write(const char *s, size_t n)
{
	if (!early.done)
		early_keep(s, n);
	if (!con.present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart16550_putc(&con.cfg.uart, '\r');
		uart16550_putc(&con.cfg.uart, s[i]);
	}
}

static enum console_spec_err parse_mmio(const char *s, size_t len, enum uart_access access, struct uart16550 *u)
{
	uint64_t v;

	if (!parse_uint_n(s, len, MMIO_ADDR_LIMIT - 1, &v) || v == 0 || (access == UART_MMIO32 && v % 4))
		return CONSOLE_SPEC_BAD_ADDRESS;
	*u = (struct uart16550){access, v};
	return CONSOLE_SPEC_OK;
}

/* The UART part of a console= value (what comes before any comma). */
static enum console_spec_err parse_device(const char *s, size_t len, struct uart16550 *u)
{
	uint64_t v;

	if (len == 4 && hv_strncmp(s, "com", 3) == 0 && s[3] >= '1' && s[3] <= '4') {
		*u = (struct uart16550){UART_IO, com_ports[s[3] - '1']};
		return CONSOLE_SPEC_OK;
	}
	if (len >= 7 && hv_strncmp(s, "mmio32:", 7) == 0)
		return parse_mmio(s + 7, len - 7, UART_MMIO32, u);
	if (len >= 5 && hv_strncmp(s, "mmio:", 5) == 0)
		return parse_mmio(s + 5, len - 5, UART_MMIO8, u);
	if (!parse_uint_n(s, len, UINT64_MAX, &v))
		return CONSOLE_SPEC_BAD_DEVICE;
	if (v == 0 || v > IO_PORT_LAST)
		return CONSOLE_SPEC_BAD_PORT;
	*u = (struct uart16550){UART_IO, v};
	return CONSOLE_SPEC_OK;
}

enum console_spec_err console_parse_spec(const char *spec, struct console_cfg *out)
{
	size_t len = hv_strlen(spec), comma = len;
	struct console_cfg c = {false, {UART_IO, 0}, CONSOLE_DEFAULT_BAUD};
	uint64_t baud;

	if (hv_strcmp(spec, "none") == 0) {
		*out = (struct console_cfg){true, {UART_IO, 0}, CONSOLE_DEFAULT_BAUD};
		return CONSOLE_SPEC_OK;
	}
	for (size_t i = 0; i < len; i++)
		if (spec[i] == ',') {
			comma = i;
			break;
		}
	enum console_spec_err e = parse_device(spec, comma, &c.uart);
	if (e != CONSOLE_SPEC_OK)
		return e;
	if (comma < len) {
		/* The divisor latch is 16 bits wide and holds an integer: 115200 / baud must be one. */
		if (!parse_uint_n(spec + comma + 1, len - comma - 1, UART_BAUD_BASE, &baud) || baud == 0 ||
		    UART_BAUD_BASE % baud || UART_BAUD_BASE / baud > 0xffff)
			return CONSOLE_SPEC_BAD_BAUD;
		c.baud = (uint32_t)baud;
	}
	*out = c;
	return CONSOLE_SPEC_OK;
}

const char *console_spec_strerror(enum console_spec_err e)
{
	switch (e) {
	case CONSOLE_SPEC_OK: return "no error";
	case CONSOLE_SPEC_BAD_DEVICE:
		return "expected com1..com4, an I/O port (0x2f8), mmio:<addr> or mmio32:<addr>, then optionally "
		       ",<baud>; or none";
	case CONSOLE_SPEC_BAD_PORT: return "an I/O port is 0x1 to 0xfff8 (the UART takes 8 ports)";
	case CONSOLE_SPEC_BAD_ADDRESS:
		return "mmio: and mmio32: need a physical address (mmio32:0xfe032000), not 0, below 2^52, "
		       "4-byte aligned for mmio32";
	case CONSOLE_SPEC_BAD_BAUD:
		return "the baud rate must divide 115200 (the 16550 divisor is 115200/baud): 115200, 57600, 38400, "
		       "19200, 9600, 4800, 2400, 1200 ...";
	}
	return "unknown error";
}

void console_describe(const struct console_cfg *c, char *buf, size_t size)
{
	static const char *const kinds[] = {[UART_IO] = "port", [UART_MMIO8] = "mmio", [UART_MMIO32] = "mmio32"};

	if (c->none)
		hv_snprintf(buf, size, "none");
	else
		hv_snprintf(buf, size, "%s %#llx", kinds[c->uart.access], (unsigned long long)c->uart.base);
}

const struct boot_mem_range *console_range_memory(const struct memmap *m, uint64_t base, uint64_t len)
{
	for (uint32_t i = 0; i < m->count; i++) {
		const struct boot_mem_range *r = &m->r[i];
		if (r->type != BOOT_MEM_RESERVED && base < r->base + r->length && r->base < base + len)
			return r;
	}
	return NULL;
}

const struct console_range *console_range_conflict(uint64_t base, uint64_t len, const struct console_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (base < r[i].base + r[i].len && r[i].base < base + len)
			return &r[i];
	return NULL;
}

static bool same_cfg(const struct console_cfg *a, const struct console_cfg *b)
{
	if (a->none || b->none)
		return a->none == b->none;
	return a->uart.access == b->uart.access && a->uart.base == b->uart.base && a->baud == b->baud;
}

/*
 * Where no UART is, known without any table: the local APIC's page and the
 * interrupt-message window around it, the I/O APIC's default page, and the
 * boot CPU's own local APIC page wherever IA32_APIC_BASE put it. Probing a
 * UART there writes the host's own interrupt controllers (Bochs aborts).
 */
static size_t fixed_ranges(struct console_range *r)
{
	size_t n = 0;
	uint64_t lapic = lapic_phys_base();

	r[n++] = (struct console_range){MSI_WINDOW_BASE, MSI_WINDOW_SIZE,
	                                "the local APIC and interrupt-message window 0xfee00000-0xfeefffff "
	                                "(SDM Vol. 3, 11.11.1)"};
	r[n++] = (struct console_range){IOAPIC_DEFAULT_PHYS, MMIO_PAGE, "the I/O APIC's default page 0xfec00000"};
	if (lapic)
		r[n++] = (struct console_range){lapic, MMIO_PAGE, "the boot CPU's local APIC page (IA32_APIC_BASE)"};
	return n;
}

/* What the MADT adds once ACPI is read: its local APIC address and every I/O APIC's page. */
static size_t madt_ranges(struct console_range *r)
{
	static struct madt_info madt;
	const struct acpi_sdt_header *t = acpi_table("APIC");
	size_t n = 0;

	if (!t || madt_parse(t, &madt) != ACPI_OK)
		return 0;
	r[n++] = (struct console_range){madt.lapic_address & ~(MMIO_PAGE - 1), MMIO_PAGE,
	                                "the local APIC page the MADT names"};
	for (uint32_t i = 0; i < madt.ioapic_count; i++)
		r[n++] = (struct console_range){madt.ioapics[i].address & ~(MMIO_PAGE - 1), MMIO_PAGE,
		                                "an I/O APIC's page (the MADT lists it)"};
	return n;
}

/*
 * Why c's registers cannot be a UART, or NULL. Before the page tables (late
 * false) only the fixed ranges are known; after, the memory map (the page
 * allocator, and through it every guest's EPT, owns usable memory; a device
 * window is never in it) and the MADT too. buf holds the text if needed.
 */
static const char *not_a_uart(const struct console_cfg *c, bool late, char *buf, size_t size)
{
	struct console_range r[CONSOLE_RANGES_MAX];
	uint64_t base = c->uart.base, span = uart16550_span(c->uart.access);
	size_t n = fixed_ranges(r);

	if (late)
		n += madt_ranges(r + n);
	const struct console_range *hit = console_range_conflict(base, span, r, n);
	if (hit)
		return hit->what;
	const struct boot_mem_range *m = late ? console_range_memory(mm_map(), base, span) : NULL;
	if (!m)
		return NULL;
	hv_snprintf(buf, size, "memory in the firmware's map (%s)", memmap_type_name(m->type));
	return buf;
}

/* An MMIO UART's registers, uncached in the hypervisor's identity map, once nothing says they are not a UART. */
static bool map_mmio(const struct console_cfg *c, const char *name)
{
	uint64_t base = c->uart.base, span = uart16550_span(c->uart.access);
	char buf[80];
	const char *why = not_a_uart(c, true, buf, sizeof(buf));

	if (why) {
		pr_err("console: %s is %s, not a device; the console stays put", name, why);
		return false;
	}
	for (uint64_t pa = base & ~(MMIO_PAGE - 1); pa < base + span; pa += MMIO_PAGE)
		if (!paging_identity_page(pa, PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX)) {
			pr_err("console: out of memory for a page table to map %s; the console stays put", name);
			return false;
		}
	return true;
}

/* Move output to c, if its UART answers; else stay and say so. */
static bool console_switch(const struct console_cfg *c, const char *from)
{
	char to[CONSOLE_NAME_MAX];

	console_describe(c, to, sizeof(to));
	if (!c->none && c->uart.access != UART_IO && !map_mmio(c, to))
		return false;
	if (c->none)
		pr_info("console: console=none: nothing more is printed");
	else
		pr_info("console: moving to %s at %u baud", to, c->baud);
	spin_lock(&con.lock);
	/* Let the line above leave first: the new settings may be the same UART's at another rate. */
	if (con.present)
		uart16550_flush(&con.cfg.uart);
	bool ok = c->none || uart16550_init(&c->uart, c->baud);
	if (ok) {
		con.cfg = *c;
		con.present = !c->none;
		if (con.present && con.sink)
			uart16550_rx_irq(&con.cfg.uart, con.rx_irq);
	}
	spin_unlock(&con.lock);
	if (!ok)
		pr_err("console: nothing answers at %s (its scratch register does not keep a value); staying on %s", to,
		       from);
	else if (!c->none)
		pr_info("console: now on %s at %u baud", to, c->baud);
	return ok;
}

/* Replay what was logged before the MMIO console took over: on a machine without that port it went nowhere. */
static void early_replay(const char *from)
{
	pr_info("console: the %llu bytes logged before the switch (on %s) follow", (unsigned long long)early.len, from);
	spin_lock(&con.lock);
	con_write(early.buf, early.len);
	spin_unlock(&con.lock);
	if (early.dropped)
		pr_info("console: end of the earlier log (its last %llu bytes did not fit and are not shown)",
		        (unsigned long long)early.dropped);
	else
		pr_info("console: end of the earlier log");
}

void console_late_init(void)
{
	char from[CONSOLE_NAME_MAX];

	con.can_map = true;
	early.done = true;
	if (!con.has_pending)
		return;
	con.has_pending = false;
	console_describe(&con.cfg, from, sizeof(from));
	if (console_switch(&con.pending, from))
		early_replay(from);
}

/* console=: move now, or (MMIO before the page tables exist) later, or say why not. */
static void apply_console(const char *val)
{
	char cur[CONSOLE_NAME_MAX], to[CONSOLE_NAME_MAX];
	struct console_cfg cfg;
	enum console_spec_err e = console_parse_spec(val, &cfg);

	console_describe(&con.cfg, cur, sizeof(cur));
	if (e != CONSOLE_SPEC_OK) {
		pr_err("console=%s: %s; keeping the console on %s at %u baud", val, console_spec_strerror(e), cur,
		       con.cfg.baud);
		return;
	}
	bool mmio = !cfg.none && cfg.uart.access != UART_IO;
	const char *why = mmio ? not_a_uart(&cfg, false, NULL, 0) : NULL;
	if (why) {
		console_describe(&cfg, to, sizeof(to));
		pr_err("console=%s: %s is %s, not a UART; keeping the console on %s at %u baud", val, to, why, cur,
		       con.cfg.baud);
		return;
	}
	if (mmio && !con.can_map) {
		if (con.has_pending && same_cfg(&cfg, &con.pending))
			return;
		console_describe(&cfg, to, sizeof(to));
		pr_info("console: %s at %u baud takes over once the page tables are up; until then the console stays "
		        "on %s",
		        to, cfg.baud, cur);
		con.pending = cfg;
		con.has_pending = true;
		return;
	}
	con.has_pending = false;
	if (!same_cfg(&cfg, &con.cfg))
		console_switch(&cfg, cur);
}

bool console_parse_level(const char *s, enum log_level *out)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	for (int i = 0; i <= LOG_DEBUG; i++)
		if (hv_strcmp(s, names[i]) == 0 || (s[0] == '0' + i && s[1] == '\0')) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

void console_set_level(enum log_level level) { con.level = level; }
enum log_level console_level(void) { return con.level; }

void console_apply_cmdline(const char *cmdline)
{
	char val[64];
	enum log_level level;

	if (cmdline_get(cmdline, "console", val, sizeof(val)))
		apply_console(val);
	if (cmdline_get(cmdline, "loglevel", val, sizeof(val))) {
		if (console_parse_level(val, &level))
			con.level = level;
		else
			pr_err("loglevel=%s: expected error, warn, info or debug", val);
	}
}

/*
 * The lock around every write, unless this core holds it already for a
 * block: only the owner ever sees its own ID in block_cpu, so the unlocked
 * read is safe.
 */
static bool con_lock(void)
{
	if (__atomic_load_n(&con.block_cpu, __ATOMIC_RELAXED) == this_cpu()->cpu_id)
		return false;
	spin_lock(&con.lock);
	return true;
}

static void con_unlock(bool locked)
{
	if (locked)
		spin_unlock(&con.lock);
}

void console_block_begin(void)
{
	spin_lock(&con.lock);
	__atomic_store_n(&con.block_cpu, this_cpu()->cpu_id, __ATOMIC_RELAXED);
}

void console_block_end(void)
{
	__atomic_store_n(&con.block_cpu, CONSOLE_NO_BLOCK, __ATOMIC_RELAXED);
	spin_unlock(&con.lock);
}

static const char *const level_tags[] = {"ERROR: ", "WARNING: ", "", "debug: "};

bool hv_log_enabled(enum log_level level) { return level <= con.level; }

void hv_log(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

void hv_vlog(enum log_level level, const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];

	if (level > con.level)
		return;
	int n = hv_snprintf(line, sizeof(line), "[cpu%u] %s", this_cpu()->cpu_id, level_tags[level]);
	n += hv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	bool locked = con_lock();
	con_write(line, (size_t)n);
	con_unlock(locked);
}

void console_printf_raw(const char *fmt, ...)
{
	char buf[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	bool locked = con_lock();
	con_write(buf, (size_t)n);
	con_unlock(locked);
}

void console_write_bytes(const void *buf, size_t n)
{
	const char *s = buf;

	bool locked = con_lock();
	if (!early.done)
		early_keep(s, n);
	for (size_t i = 0; con.present && i < n; i++)
		uart16550_putc(&con.cfg.uart, s[i]);
	con_unlock(locked);
}

void console_rx_start(console_sink_t sink, bool irq)
{
	spin_lock(&con.lock);
	con.sink = sink;
	con.rx_irq = irq;
	if (con.present)
		uart16550_rx_irq(&con.cfg.uart, irq);
	spin_unlock(&con.lock);
}

/*
 * Drain the receive FIFO into the sink. The UART's interrupt line stays up
 * while a byte waits, so reading until LSR.DR is clear lets it fall: the next
 * byte makes a fresh edge (PC16550D datasheet, Table IV).
 */
void console_rx_poll(void)
{
	int c;

	if (!con.present || !con.sink || __atomic_exchange_n(&con.rx_busy, 1, __ATOMIC_ACQUIRE))
		return;
	while ((c = uart16550_getc(&con.cfg.uart)) >= 0)
		con.sink((uint8_t)c);
	__atomic_store_n(&con.rx_busy, 0, __ATOMIC_RELEASE);
}

void console_rx_takeover(console_sink_t sink)
{
	con.sink = sink;
	con.rx_irq = false;
	__atomic_store_n(&con.rx_busy, 0, __ATOMIC_RELEASE);
}

int console_port_isa_irq(uint16_t port)
{
	for (unsigned i = 0; i < ARRAY_LEN(com_ports); i++)
		if (port == com_ports[i])
			return i % 2 == 0 ? 4 : 3; /* COM1 and COM3 share IRQ 4, COM2 and COM4 IRQ 3 */
	return -1;
}

int console_isa_irq(void)
{
	if (con.cfg.none || con.cfg.uart.access != UART_IO)
		return -1;
	return console_port_isa_irq((uint16_t)con.cfg.uart.base);
}

void console_flush(void)
{
	if (con.present)
		uart16550_flush(&con.cfg.uart);
}

/*
 * A holder that is alive lets go within microseconds: wait for that (and take
 * and drop the lock properly) before breaking it, because breaking a lock
 * whose holder then unlocks leaves it closed for good (spinlock.h).
 */
#define CONSOLE_BREAK_WAIT_MS 100

void console_break_lock(void)
{
	uint64_t deadline = rdtsc() + tsc_hz() / 1000 * CONSOLE_BREAK_WAIT_MS;

	do {
		if (spin_trylock(&con.lock)) {
			spin_unlock(&con.lock);
			return;
		}
		cpu_relax();
	} while (rdtsc() < deadline);
	spin_lock_reset(&con.lock);
	__atomic_store_n(&con.block_cpu, CONSOLE_NO_BLOCK, __ATOMIC_RELAXED);
}
