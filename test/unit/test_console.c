/* sources: vmm/core/console.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/fmt.c vmm/lib/string.c arch/x86/madt.c vmm/mm/memmap.c */
/* test_console.c: console=, loglevel= values, and the console's moves between UARTs (I/O, MMIO, none). */
#include "test/unit/unit.h"

#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch/x86/lapic.h"
#include "arch/x86/madt.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "arch/x86/uart16550.h"
#include "vmm/core/console.h"
#include "vmm/mm/mm.h"
#include "vmm/core/percpu.h"

/*
 * A fake machine for console.c: UARTs that record what they are told, a
 * firmware memory map and the page-table call. this_cpu() reads %gs:0, so
 * main() points GS at a percpu of its own (glibc and ASan use FS, not GS).
 */
struct fake_uart {
	enum uart_access access;
	uint64_t base;
	bool present;
	int inits;
	uint32_t baud;
	int flushes;
	bool irq;
	const char *rx; /* bytes waiting in its receive FIFO */
	char out[65536];
	size_t len;
};

#define COM1 0
#define COM2 1
#define COM3 2
#define LPSS 3  /* an Intel LPSS UART: mmio32 */
#define MMIO8 4 /* a UART with byte registers */
#define GHOST 5 /* an MMIO address where nothing answers */
static struct fake_uart uarts[] = {
        {UART_IO, 0x3f8, true},          {UART_IO, 0x2f8, true},         {UART_IO, 0x3e8, false},
        {UART_MMIO32, 0xfe032000, true}, {UART_MMIO8, 0xfedc9000, true}, {UART_MMIO32, 0xfe034000, false},
};

static struct fake_uart *fake(const struct uart16550 *u)
{
	for (size_t i = 0; i < ARRAY_LEN(uarts); i++)
		if (uarts[i].access == u->access && uarts[i].base == u->base)
			return &uarts[i];
	fail_msg("the console touched a UART that is not there: access %d base %#llx", u->access,
	         (unsigned long long)u->base);
	return NULL;
}

static struct fake_uart *answering(const struct uart16550 *u)
{
	struct fake_uart *f = fake(u);

	if (!f->present)
		fail_msg("the console uses %#llx after its probe failed", (unsigned long long)u->base);
	return f;
}

bool uart16550_init(const struct uart16550 *u, uint32_t baud)
{
	struct fake_uart *f = fake(u);

	f->inits++;
	f->baud = baud;
	return f->present;
}

void uart16550_putc(const struct uart16550 *u, char c)
{
	struct fake_uart *f = answering(u);

	assert_true(f->len < sizeof(f->out) - 1);
	f->out[f->len++] = c;
}

void uart16550_flush(const struct uart16550 *u) { answering(u)->flushes++; }
void uart16550_rx_irq(const struct uart16550 *u, bool on) { answering(u)->irq = on; }

int uart16550_getc(const struct uart16550 *u)
{
	struct fake_uart *f = answering(u);

	return f->rx && *f->rx ? (uint8_t)*f->rx++ : -1;
}

/* Low memory and 1 GiB of RAM usable, the hypervisor's image carved out, the top 32 MiB below 4 GiB reserved. */
static struct memmap map = {
        5,
        {
                {0x0, 0x9f000, BOOT_MEM_USABLE},
                {0x100000, 0x300000, BOOT_MEM_USABLE},
                {0x400000, 0x100000, BOOT_MEM_HV_IMAGE},
                {0x500000, 0x3fb00000, BOOT_MEM_USABLE},
                {0xfe000000, 0x2000000, BOOT_MEM_RESERVED},
        },
};
const struct memmap *mm_map(void) { return &map; }

static uint64_t mapped[8], mapped_flags[8];
static int map_calls;

bool paging_identity_page(uint64_t pa, uint64_t flags)
{
	assert_true(map_calls < (int)ARRAY_LEN(mapped));
	mapped[map_calls] = pa;
	mapped_flags[map_calls++] = flags;
	return true;
}

/* The boot CPU's IA32_APIC_BASE page: the default, unless a test moves it. */
static uint64_t fake_lapic = 0xfee00000;
uint64_t lapic_phys_base(void) { return fake_lapic; }

/*
 * The firmware's MADT (ACPI 6.5, 5.2.12): the local APIC at its default, an
 * I/O APIC at the default 0xfec00000 and a second one at 0xfec01000. NULL
 * until ACPI is "read" (the console must not ask before console_late_init).
 */
static struct __attribute__((packed)) {
	struct acpi_sdt_header h;
	uint32_t lapic_address, flags;
	struct __attribute__((packed)) {
		uint8_t type, length, id, reserved;
		uint32_t address, gsi_base;
	} ioapic[2];
} madt = {
        {{'A', 'P', 'I', 'C'}, sizeof(madt), 5},
        0xfee00000,
        0,
        {{MADT_TYPE_IO_APIC, 12, 1, 0, 0xfec00000, 0}, {MADT_TYPE_IO_APIC, 12, 2, 0, 0xfec01000, 24}},
};
static bool acpi_read;
const struct acpi_sdt_header *acpi_table(const char sig[4])
{
	return acpi_read && memcmp(sig, "APIC", 4) == 0 ? &madt.h : NULL;
}

/* console_break_lock waits a while, in TSC ticks, before it breaks the lock; these tests never call it. */
uint64_t tsc_hz(void) { return 1000000000; }

static struct percpu cpu0;

/* The output of one UART as a C string. */
static const char *out(int i)
{
	uarts[i].out[uarts[i].len] = '\0';
	return uarts[i].out;
}

static void clear_out(void)
{
	for (size_t i = 0; i < ARRAY_LEN(uarts); i++)
		uarts[i].len = 0;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define assert_has(i, text)                                                             \
	do {                                                                            \
		if (!strstr(out(i), text))                                              \
			fail_msg("UART %d lacks \"%s\"; it has:\n%s", i, text, out(i)); \
	} while (0)

/* Parsing: every form of console=, and what is refused with which error. */

static void expect_spec(const char *spec, enum uart_access access, uint64_t base, uint32_t baud)
{
	struct console_cfg c = {true, {77, 0xdead}, 0xdeadbeef};
	enum console_spec_err e = console_parse_spec(spec, &c);

	if (e != CONSOLE_SPEC_OK || c.none || c.uart.access != access || c.uart.base != base || c.baud != baud) {
		print_error("\"%s\": err %d none %d access %d base %#llx baud %u, want access %d %#llx %u\n", spec, e,
		            c.none, c.uart.access, (unsigned long long)c.uart.base, c.baud, access,
		            (unsigned long long)base, baud);
		fail();
	}
}

static void expect_bad_spec(const char *spec, enum console_spec_err want)
{
	struct console_cfg c = {false, {UART_IO, 0x1234}, 4321};
	enum console_spec_err e = console_parse_spec(spec, &c);

	if (e != want) {
		print_error("\"%s\": error %d (%s), want %d\n", spec, e, console_spec_strerror(e), want);
		fail();
	}
	assert_int_equal(c.uart.base, 0x1234); /* left alone */
	assert_int_equal(c.baud, 4321);
}

static void test_spec_com_names(void **state)
{
	(void)state;
	expect_spec("com1", UART_IO, 0x3f8, 115200);
	expect_spec("com2", UART_IO, 0x2f8, 115200);
	expect_spec("com3", UART_IO, 0x3e8, 115200);
	expect_spec("com4", UART_IO, 0x2e8, 115200);
	expect_spec("com2,9600", UART_IO, 0x2f8, 9600);
	expect_spec("com1,115200", UART_IO, 0x3f8, 115200);
	expect_spec("com3,50", UART_IO, 0x3e8, 50);
}

static void test_spec_ports(void **state)
{
	(void)state;
	expect_spec("0x2f8", UART_IO, 0x2f8, 115200);
	expect_spec("0X2F8", UART_IO, 0x2f8, 115200);
	expect_spec("760", UART_IO, 0x2f8, 115200); /* decimal */
	expect_spec("0xe000,57600", UART_IO, 0xe000, 57600);
	expect_spec("1", UART_IO, 1, 115200);
	expect_spec("0xfff8", UART_IO, 0xfff8, 115200); /* the last base with 8 ports above it */
}

static void test_spec_mmio(void **state)
{
	(void)state;
	expect_spec("mmio:0xfedc9000", UART_MMIO8, 0xfedc9000, 115200);
	expect_spec("mmio:0xfedc9001", UART_MMIO8, 0xfedc9001, 115200); /* bytes: any alignment */
	expect_spec("mmio32:0xfe032000", UART_MMIO32, 0xfe032000, 115200);
	expect_spec("mmio32:0xFE032000,9600", UART_MMIO32, 0xfe032000, 9600);
	expect_spec("mmio:4275867648,57600", UART_MMIO8, 0xfedc9000, 57600);            /* decimal */
	expect_spec("mmio32:0x6000000000", UART_MMIO32, 0x6000000000ull, 115200);       /* a 64-bit BAR */
	expect_spec("mmio32:0xffffffffffffc", UART_MMIO32, 0xffffffffffffcull, 115200); /* below 2^52 */
}

static void test_spec_none(void **state)
{
	(void)state;
	struct console_cfg c = {false, {UART_IO, 0x3f8}, 9600};

	assert_int_equal(console_parse_spec("none", &c), CONSOLE_SPEC_OK);
	assert_true(c.none);
	expect_bad_spec("none,9600", CONSOLE_SPEC_BAD_DEVICE);
	expect_bad_spec("None", CONSOLE_SPEC_BAD_DEVICE);
}

static void test_spec_baud(void **state)
{
	(void)state;
	static const uint32_t good[] = {115200, 57600, 38400, 19200, 9600, 4800, 2400, 1200, 300, 150, 14400, 2};

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		char spec[32];
		snprintf(spec, sizeof(spec), "com1,%u", good[i]);
		expect_spec(spec, UART_IO, 0x3f8, good[i]);
	}
	expect_bad_spec("com1,0", CONSOLE_SPEC_BAD_BAUD);
	expect_bad_spec("com1,1", CONSOLE_SPEC_BAD_BAUD);   /* divisor 115200 does not fit 16 bits */
	expect_bad_spec("com1,7", CONSOLE_SPEC_BAD_BAUD);   /* 115200 / 7 is not whole */
	expect_bad_spec("com1,110", CONSOLE_SPEC_BAD_BAUD); /* 1047.27: a PC clock cannot make it */
	expect_bad_spec("com1,9601", CONSOLE_SPEC_BAD_BAUD);
	expect_bad_spec("com1,115201", CONSOLE_SPEC_BAD_BAUD);
	expect_bad_spec("com1,230400", CONSOLE_SPEC_BAD_BAUD);             /* above the 1.8432 MHz clock's top rate */
	expect_bad_spec("mmio32:0xfe032000,56000", CONSOLE_SPEC_BAD_BAUD); /* 56k: not a PC rate */
}

static void test_spec_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		enum console_spec_err err;
	} bad[] = {
	        {"", CONSOLE_SPEC_BAD_DEVICE},
	        {"com", CONSOLE_SPEC_BAD_DEVICE},
	        {"com0", CONSOLE_SPEC_BAD_DEVICE},
	        {"com5", CONSOLE_SPEC_BAD_DEVICE},
	        {"com9", CONSOLE_SPEC_BAD_DEVICE},
	        {"com12", CONSOLE_SPEC_BAD_DEVICE},
	        {"com1x", CONSOLE_SPEC_BAD_DEVICE},
	        {"Com1", CONSOLE_SPEC_BAD_DEVICE},
	        {"0x", CONSOLE_SPEC_BAD_DEVICE},
	        {"0x2g8", CONSOLE_SPEC_BAD_DEVICE},
	        {"-1", CONSOLE_SPEC_BAD_DEVICE},
	        {" com1", CONSOLE_SPEC_BAD_DEVICE},
	        {"com1 ", CONSOLE_SPEC_BAD_DEVICE},
	        {"99999999999999999999", CONSOLE_SPEC_BAD_DEVICE},
	        {",9600", CONSOLE_SPEC_BAD_DEVICE},
	        {"0", CONSOLE_SPEC_BAD_PORT},
	        {"0x0", CONSOLE_SPEC_BAD_PORT},
	        {"0xfff9", CONSOLE_SPEC_BAD_PORT},
	        {"0x10000", CONSOLE_SPEC_BAD_PORT},
	        {"65536", CONSOLE_SPEC_BAD_PORT},
	        {"0x100000000", CONSOLE_SPEC_BAD_PORT},
	        {"com1,", CONSOLE_SPEC_BAD_BAUD},
	        {"com1,49", CONSOLE_SPEC_BAD_BAUD},
	        {"com1,9600,8n1", CONSOLE_SPEC_BAD_BAUD},
	        {"com1,,9600", CONSOLE_SPEC_BAD_BAUD},
	        {"com1,96OO", CONSOLE_SPEC_BAD_BAUD},
	        {"0x2f8,0x", CONSOLE_SPEC_BAD_BAUD},
	        {"mmio", CONSOLE_SPEC_BAD_DEVICE},
	        {"mmio32", CONSOLE_SPEC_BAD_DEVICE},
	        {"mmio0xfe032000", CONSOLE_SPEC_BAD_DEVICE},
	        {"MMIO:0xfe032000", CONSOLE_SPEC_BAD_DEVICE},
	        {"mmio16:0xfe032000", CONSOLE_SPEC_BAD_DEVICE},
	        {"mmio:", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio32:", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio32:,9600", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio:0", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio32:0x0", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio32:0xfe032002", CONSOLE_SPEC_BAD_ADDRESS},       /* 32-bit registers: 4-byte aligned */
	        {"mmio32:0x10000000000000", CONSOLE_SPEC_BAD_ADDRESS}, /* 2^52 */
	        {"mmio:0xfedc9000x", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio32:0xfe032000 ", CONSOLE_SPEC_BAD_ADDRESS},
	        {"mmio:com1", CONSOLE_SPEC_BAD_ADDRESS},
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		expect_bad_spec(bad[i].spec, bad[i].err);
}

/* Each error says what is accepted; the device error starts as the console always said. */
static void test_spec_messages(void **state)
{
	(void)state;
	assert_non_null(strstr(console_spec_strerror(CONSOLE_SPEC_BAD_DEVICE), "expected com1..com4"));
	assert_non_null(strstr(console_spec_strerror(CONSOLE_SPEC_BAD_DEVICE), "mmio32:<addr>"));
	assert_non_null(strstr(console_spec_strerror(CONSOLE_SPEC_BAD_PORT), "0xfff8"));
	assert_non_null(strstr(console_spec_strerror(CONSOLE_SPEC_BAD_ADDRESS), "4-byte aligned"));
	assert_non_null(strstr(console_spec_strerror(CONSOLE_SPEC_BAD_BAUD), "divide 115200"));
}

static void test_describe(void **state)
{
	(void)state;
	static const struct {
		struct console_cfg c;
		const char *name;
	} cases[] = {
	        {{false, {UART_IO, 0x2f8}, 9600}, "port 0x2f8"},
	        {{false, {UART_MMIO8, 0xfedc9000}, 115200}, "mmio 0xfedc9000"},
	        {{false, {UART_MMIO32, 0x6000000000ull}, 115200}, "mmio32 0x6000000000"},
	        {{true, {UART_IO, 0}, 115200}, "none"},
	};
	char buf[40];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		console_describe(&cases[i].c, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].name);
	}
}

/* No UART in RAM: anything but a reserved range (or no range at all) is memory, and which range it is. */
static void test_range_memory(void **state)
{
	(void)state;
	assert_ptr_equal(console_range_memory(&map, 0x200000, 32), &map.r[1]); /* usable */
	assert_ptr_equal(console_range_memory(&map, 0x400000, 8), &map.r[2]);  /* the hypervisor's image */
	assert_int_equal(console_range_memory(&map, 0x4ffff8, 32)->type, BOOT_MEM_HV_IMAGE); /* from its end on */
	assert_ptr_equal(console_range_memory(&map, 0x9eff8, 32), &map.r[0]); /* straddles the end of low RAM */
	assert_null(console_range_memory(&map, 0x9f000, 32));                 /* just after it: a hole */
	assert_null(console_range_memory(&map, 0xfe032000, 32));              /* reserved: a device window */
	assert_null(console_range_memory(&map, 0x6000000000ull, 32));         /* above every range */
}

/* The check against the APICs' ranges: any overlap, the first range that has one, none at the edges. */
static void test_range_conflict(void **state)
{
	(void)state;
	static const struct console_range r[] = {
	        {0xfee00000, 0x100000, "window"},
	        {0xfec00000, 0x1000, "ioapic"},
	        {0xfec00000, 0x10, "ioapic registers"},
	};

	assert_null(console_range_conflict(0xfe032000, 32, r, ARRAY_LEN(r)));
	assert_string_equal(console_range_conflict(0xfee00000, 8, r, ARRAY_LEN(r))->what, "window");
	assert_string_equal(console_range_conflict(0xfeeffffc, 32, r, ARRAY_LEN(r))->what, "window"); /* last bytes */
	assert_string_equal(console_range_conflict(0xfedffff8, 9, r, ARRAY_LEN(r))->what, "window");  /* one byte in */
	assert_null(console_range_conflict(0xfedffff8, 8, r, ARRAY_LEN(r)));                          /* ends before */
	assert_null(console_range_conflict(0xfef00000, 32, r, ARRAY_LEN(r)));                         /* right after */
	assert_string_equal(console_range_conflict(0xfec00ff8, 32, r, ARRAY_LEN(r))->what, "ioapic");
	assert_string_equal(console_range_conflict(0xfec00000, 8, r, ARRAY_LEN(r))->what, "ioapic"); /* the first */
	assert_null(console_range_conflict(0xfec01000, 32, r, ARRAY_LEN(r)));
	assert_null(console_range_conflict(0xfee00000, 32, r, 0));
}

static void test_level_names_and_digits(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		enum log_level l;
	} good[] = {
	        {"error", LOG_ERROR}, {"warn", LOG_WARN}, {"info", LOG_INFO}, {"debug", LOG_DEBUG},
	        {"0", LOG_ERROR},     {"1", LOG_WARN},    {"2", LOG_INFO},    {"3", LOG_DEBUG},
	};

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		enum log_level l = (enum log_level)77;
		assert_true(console_parse_level(good[i].s, &l));
		assert_int_equal(l, good[i].l);
	}
}

static void test_level_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {"",     "4",      "-1",      "00",    "01", "Error",
	                                  "INFO", "debugx", "warning", " info", "9"};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		enum log_level l = (enum log_level)77;
		if (console_parse_level(bad[i], &l)) {
			print_error("\"%s\" accepted as level %d\n", bad[i], l);
			fail();
		}
		assert_int_equal(l, 77); /* left alone */
	}
}

static void test_set_level(void **state)
{
	(void)state;
	assert_int_equal(console_level(), LOG_INFO); /* the default */
	console_set_level(LOG_DEBUG);
	assert_int_equal(console_level(), LOG_DEBUG);
	console_set_level(LOG_ERROR);
	assert_int_equal(console_level(), LOG_ERROR);
	console_set_level(LOG_INFO);
}

/* The legacy COM ports' ISA lines; any other port has none the hypervisor knows of. */
static void test_port_isa_irq(void **state)
{
	(void)state;
	assert_int_equal(console_port_isa_irq(0x3f8), 4);
	assert_int_equal(console_port_isa_irq(0x2f8), 3);
	assert_int_equal(console_port_isa_irq(0x3e8), 4);
	assert_int_equal(console_port_isa_irq(0x2e8), 3);
	assert_int_equal(console_port_isa_irq(0x3f9), -1);
	assert_int_equal(console_port_isa_irq(0xe000), -1);
}

/* The console's moves, in boot order: each test starts where the one before left it. */

static void test_init_early_default_port(void **state)
{
	(void)state;
	console_init_early();
	assert_int_equal(uarts[COM1].inits, 1);
	assert_int_equal(uarts[COM1].baud, 115200);
	assert_int_equal(console_isa_irq(), 4);
	pr_info("hello");
	assert_string_equal(out(COM1), "[cpu0] hello\r\n");
}

static void test_bad_value_keeps_console(void **state)
{
	(void)state;
	console_apply_cmdline("console=com2,9601");
	assert_has(COM1, "[cpu0] ERROR: console=com2,9601: the baud rate must divide 115200");
	assert_has(COM1, "; keeping the console on port 0x3f8 at 115200 baud\r\n");
	console_apply_cmdline("loglevel=info console=mmio32:0xfe032002");
	assert_has(COM1, "ERROR: console=mmio32:0xfe032002: mmio: and mmio32: need a physical address");
	console_apply_cmdline("console=com9");
	assert_has(COM1, "ERROR: console=com9: expected com1..com4, an I/O port (0x2f8), mmio:<addr> or "
	                 "mmio32:<addr>, then optionally ,<baud>; or none; keeping the console on port 0x3f8");
	assert_int_equal(uarts[COM2].inits, 0);
	assert_int_equal(uarts[COM1].inits, 1);
}

/*
 * console=mmio on the APICs is refused as it is read, before any probe: the
 * local APIC's window, its last bytes, the I/O APIC's default page, and the
 * boot CPU's own local APIC page wherever IA32_APIC_BASE moved it. No fake
 * UART sits at these addresses: a probe would fail the test.
 */
static void test_mmio_on_an_apic_refused_at_once(void **state)
{
	(void)state;
	clear_out();
	console_apply_cmdline("console=mmio:0xfee00000");
	assert_has(COM1, "[cpu0] ERROR: console=mmio:0xfee00000: mmio 0xfee00000 is the local APIC and "
	                 "interrupt-message window 0xfee00000-0xfeefffff (SDM Vol. 3, 11.11.1), not a UART; keeping "
	                 "the console on port 0x3f8 at 115200 baud\r\n");
	console_apply_cmdline("console=mmio32:0xfeeffffc,9600");
	assert_has(COM1, "ERROR: console=mmio32:0xfeeffffc,9600: mmio32 0xfeeffffc is the local APIC and interrupt");
	console_apply_cmdline("console=mmio:0xfec00010");
	assert_has(COM1, "ERROR: console=mmio:0xfec00010: mmio 0xfec00010 is the I/O APIC's default page 0xfec00000, "
	                 "not a UART; keeping the console on port 0x3f8");
	fake_lapic = 0xfe100000;
	console_apply_cmdline("console=mmio32:0xfe100ff0");
	assert_has(COM1, "ERROR: console=mmio32:0xfe100ff0: mmio32 0xfe100ff0 is the boot CPU's local APIC page "
	                 "(IA32_APIC_BASE), not a UART");
	fake_lapic = 0xfee00000;
	assert_int_equal(count(out(COM1), "ERROR: console="), 4);
	assert_int_equal(count(out(COM1), "takes over"), 0); /* nothing waits for the page tables */
	assert_int_equal(map_calls, 0);
}

static void test_move_to_com2_at_9600(void **state)
{
	(void)state;
	clear_out();
	console_apply_cmdline("console=com2,9600");
	assert_string_equal(out(COM1), "[cpu0] console: moving to port 0x2f8 at 9600 baud\r\n");
	assert_int_equal(uarts[COM1].flushes, 1); /* that line left before the switch */
	assert_int_equal(uarts[COM2].inits, 1);
	assert_int_equal(uarts[COM2].baud, 9600);
	assert_string_equal(out(COM2), "[cpu0] console: now on port 0x2f8 at 9600 baud\r\n");
	assert_int_equal(console_isa_irq(), 3);
	console_apply_cmdline("console=com2,9600"); /* the same again (the effective command line): nothing */
	assert_int_equal(uarts[COM2].inits, 1);
	assert_int_equal(count(out(COM2), "console:"), 1);
}

static void test_absent_uart_keeps_console(void **state)
{
	(void)state;
	console_apply_cmdline("console=com3");
	assert_int_equal(uarts[COM3].inits, 1);
	assert_has(COM2, "console: moving to port 0x3e8 at 115200 baud");
	assert_has(COM2, "ERROR: console: nothing answers at port 0x3e8 (its scratch register does not keep a value); "
	                 "staying on port 0x2f8");
	assert_int_equal(console_isa_irq(), 3);
}

/* Before the page tables exist an MMIO console waits; the output stays where it was and is kept. */
static void test_mmio_waits_for_page_tables(void **state)
{
	(void)state;
	console_apply_cmdline("console=mmio32:0xfe032000");
	assert_has(COM2, "[cpu0] console: mmio32 0xfe032000 at 115200 baud takes over once the page tables are up; "
	                 "until then the console stays on port 0x2f8\r\n");
	console_apply_cmdline("loglevel=info console=mmio32:0xfe032000"); /* the effective command line */
	assert_int_equal(count(out(COM2), "takes over"), 1);
	assert_int_equal(map_calls, 0);
	assert_int_equal(uarts[LPSS].inits, 0);
	pr_info("mem: a line of the memory map");
}

static void test_late_init_moves_and_replays(void **state)
{
	(void)state;
	size_t com2_before = uarts[COM2].len;

	acpi_read = true; /* main.c reads ACPI first */
	console_late_init();
	assert_int_equal(map_calls, 1); /* 32 bytes of registers: one page */
	assert_int_equal(mapped[0], 0xfe032000);
	assert_int_equal(mapped_flags[0] & (PTE_P | PTE_W | PTE_PCD | PTE_PWT), PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	assert_int_equal(uarts[LPSS].inits, 1);
	assert_int_equal(uarts[LPSS].baud, 115200);
	assert_true(strstr(out(COM2) + com2_before, "console: moving to mmio32 0xfe032000 at 115200 baud"));
	const char *o = out(LPSS);
	assert_true(strncmp(o, "[cpu0] console: now on mmio32 0xfe032000 at 115200 baud\r\n", 57) == 0);
	const char *replay = strstr(o, "logged before the switch (on port 0x2f8) follow\r\n");
	assert_non_null(replay);
	/* The replay holds the whole boot so far, from COM1's first line to the waiting MMIO console's. */
	const char *first = strstr(replay, "[cpu0] hello\r\n");
	const char *com1 = strstr(replay, "[cpu0] console: moving to port 0x2f8 at 9600 baud\r\n");
	const char *memline = strstr(replay, "[cpu0] mem: a line of the memory map\r\n");
	const char *end = strstr(replay, "[cpu0] console: end of the earlier log\r\n");
	assert_true(first && com1 && memline && end && first < com1 && com1 < memline && memline < end);
	assert_int_equal(console_isa_irq(), -1); /* no ISA line: vmm/debug/conin.c polls */
}

static const char *received;
static size_t nreceived;
static void sink(uint8_t byte)
{
	assert_true(received[nreceived] == (char)byte);
	nreceived++;
}

static void test_mmio_input_is_polled(void **state)
{
	(void)state;
	received = uarts[LPSS].rx = "typed";
	console_rx_start(sink, false);
	assert_false(uarts[LPSS].irq);
	console_rx_poll();
	assert_int_equal(nreceived, 5);
	console_rx_poll(); /* nothing more */
	assert_int_equal(nreceived, 5);
}

/*
 * After boot's switch an MMIO console= moves at once; RAM, the hypervisor's
 * image and an I/O APIC the MADT lists are refused, and so is a window
 * nothing answers in.
 */
static void test_mmio_refused(void **state)
{
	(void)state;
	console_apply_cmdline("console=mmio:0x200000");
	assert_has(LPSS, "ERROR: console: mmio 0x200000 is memory in the firmware's map (usable), not a device; the "
	                 "console stays put");
	console_apply_cmdline("console=mmio32:0x400100");
	assert_has(LPSS, "ERROR: console: mmio32 0x400100 is memory in the firmware's map (hypervisor image), not a "
	                 "device; the console stays put");
	console_apply_cmdline("console=mmio:0xfec01000");
	assert_has(LPSS, "ERROR: console: mmio 0xfec01000 is an I/O APIC's page (the MADT lists it), not a device; "
	                 "the console stays put");
	assert_int_equal(map_calls, 1);
	console_apply_cmdline("console=mmio32:0xfe034000");
	assert_int_equal(map_calls, 2);
	assert_int_equal(uarts[GHOST].inits, 1);
	assert_has(LPSS, "nothing answers at mmio32 0xfe034000");
	console_apply_cmdline("console=mmio:0xfedc9000,38400");
	assert_int_equal(uarts[MMIO8].baud, 38400);
	assert_has(MMIO8, "console: now on mmio 0xfedc9000 at 38400 baud");
	assert_true(strstr(out(MMIO8), "logged before") == NULL); /* the replay is boot's only */
}

static void test_none(void **state)
{
	(void)state;
	console_apply_cmdline("console=none");
	assert_has(MMIO8, "[cpu0] console: console=none: nothing more is printed\r\n");
	size_t before = uarts[MMIO8].len;
	uarts[MMIO8].rx = "x";
	pr_err("lost");
	console_printf_raw("HV READY\n");
	console_rx_poll();
	console_flush();
	assert_int_equal(uarts[MMIO8].len, before);
	assert_int_equal(console_isa_irq(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_spec_com_names),
	        cmocka_unit_test(test_spec_ports),
	        cmocka_unit_test(test_spec_mmio),
	        cmocka_unit_test(test_spec_none),
	        cmocka_unit_test(test_spec_baud),
	        cmocka_unit_test(test_spec_malformed),
	        cmocka_unit_test(test_spec_messages),
	        cmocka_unit_test(test_describe),
	        cmocka_unit_test(test_range_memory),
	        cmocka_unit_test(test_range_conflict),
	        cmocka_unit_test(test_level_names_and_digits),
	        cmocka_unit_test(test_level_malformed),
	        cmocka_unit_test(test_set_level),
	        cmocka_unit_test(test_port_isa_irq),
	        cmocka_unit_test(test_init_early_default_port),
	        cmocka_unit_test(test_bad_value_keeps_console),
	        cmocka_unit_test(test_mmio_on_an_apic_refused_at_once),
	        cmocka_unit_test(test_move_to_com2_at_9600),
	        cmocka_unit_test(test_absent_uart_keeps_console),
	        cmocka_unit_test(test_mmio_waits_for_page_tables),
	        cmocka_unit_test(test_late_init_moves_and_replays),
	        cmocka_unit_test(test_mmio_input_is_polled),
	        cmocka_unit_test(test_mmio_refused),
	        cmocka_unit_test(test_none),
	};

	cpu0.self = &cpu0;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)&cpu0) != 0) {
		perror("arch_prctl(ARCH_SET_GS)");
		return 1;
	}
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
