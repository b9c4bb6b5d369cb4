/* sources: vmm/console.c vmm/cmdline.c vmm/fmt.c vmm/string.c */
/* test_console.c: the pure parts of the console: console=, loglevel= values and the level. */
#include "test/unit/unit.h"

#include "arch/x86/uart16550.h"
#include "vmm/console.h"

/*
 * Stubs for the UART driver console.c links against. Only functions that
 * never reach this_cpu() (a %gs-relative load, meaningless in a host process)
 * are called here: hv_log, console_printf_raw and console_apply_cmdline are not.
 */
static uint16_t init_port;
static uint32_t init_baud;
static int init_calls;

bool uart16550_init(uint16_t port, uint32_t baud)
{
	init_port = port;
	init_baud = baud;
	init_calls++;
	return false; /* nothing answers: console output is dropped */
}

void uart16550_putc(uint16_t port, char c)
{
	(void)port;
	(void)c;
	fail_msg("putc on a console that is not present");
}

void uart16550_flush(uint16_t port)
{
	(void)port;
	fail_msg("flush on a console that is not present");
}

void uart16550_rx_irq(uint16_t port, bool on)
{
	(void)port;
	(void)on;
	fail_msg("rx_irq on a console that is not present");
}

int uart16550_getc(uint16_t port)
{
	(void)port;
	fail_msg("getc on a console that is not present");
	return -1;
}

static void expect_spec(const char *spec, uint16_t port, uint32_t baud)
{
	struct console_cfg c = {0xdead, 0xdeadbeef};

	if (!console_parse_spec(spec, &c) || c.port != port || c.baud != baud) {
		print_error("\"%s\": port %#x baud %u, want %#x %u\n", spec, c.port, c.baud, port, baud);
		fail();
	}
}

static void expect_bad_spec(const char *spec)
{
	struct console_cfg c;

	if (console_parse_spec(spec, &c)) {
		print_error("\"%s\" accepted (port %#x baud %u)\n", spec, c.port, c.baud);
		fail();
	}
}

static void test_spec_com_names(void **state)
{
	(void)state;
	expect_spec("com1", 0x3f8, 115200);
	expect_spec("com2", 0x2f8, 115200);
	expect_spec("com3", 0x3e8, 115200);
	expect_spec("com4", 0x2e8, 115200);
	expect_spec("com2,9600", 0x2f8, 9600);
	expect_spec("com1,115200", 0x3f8, 115200);
	expect_spec("com3,50", 0x3e8, 50);
}

static void test_spec_ports(void **state)
{
	(void)state;
	expect_spec("0x2f8", 0x2f8, 115200);
	expect_spec("0X2F8", 0x2f8, 115200);
	expect_spec("760", 0x2f8, 115200); /* decimal */
	expect_spec("0xe000,57600", 0xe000, 57600);
	expect_spec("1", 1, 115200);
	expect_spec("0xfff8", 0xfff8, 115200); /* the last base with 8 ports above it */
}

static void test_spec_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "",
	        "com",
	        "com0",
	        "com5",
	        "com12",
	        "com1x",
	        "Com1",
	        "0",
	        "0x",
	        "0x0",
	        "0xfff9",
	        "0x10000",
	        "65536",
	        "0x100000000",
	        "99999999999999999999",
	        "0x2g8",
	        "-1",
	        " com1",
	        "com1 ",
	        "com1,",
	        "com1,49",
	        "com1,115201",
	        "com1,9600,8n1",
	        "com1,,9600",
	        ",9600",
	        "com1,96OO",
	        "0x2f8,0x",
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		expect_bad_spec(bad[i]);
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

static void test_init_early_default_port(void **state)
{
	(void)state;
	init_calls = 0;
	console_init_early();
	assert_int_equal(init_calls, 1);
	assert_int_equal(init_port, 0x3f8);
	assert_int_equal(init_baud, 115200);
	console_flush();   /* not present: must not touch the UART */
	console_rx_poll(); /* nor read it */
	assert_int_equal(console_isa_irq(), 4);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_spec_com_names),          cmocka_unit_test(test_spec_ports),
	        cmocka_unit_test(test_spec_malformed),          cmocka_unit_test(test_level_names_and_digits),
	        cmocka_unit_test(test_level_malformed),         cmocka_unit_test(test_set_level),
	        cmocka_unit_test(test_init_early_default_port), cmocka_unit_test(test_port_isa_irq),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
