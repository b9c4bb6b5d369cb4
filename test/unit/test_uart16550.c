/* sources: arch/x86/uart16550.c */
/* test_uart16550.c: the UART's register layer on a fake MMIO window: where each register lands, how wide. */
#include "test/unit/unit.h"

#include "arch/x86/uart16550.h"

/* Register indexes and values as the PC16550D datasheet gives them (Tables II, IV). */
enum { RBR_THR_DLL = 0, IER_DLM = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define UNTOUCHED32 0xdeadbe00u
#define UNTOUCHED8 0xee

/* A window of 32-bit registers; the UART's physical address is its host address (identity map). */
static uint32_t win32[UART_REGS];
static uint8_t win8[UART_REGS * 2]; /* the upper half must stay untouched */

static struct uart16550 mmio32(void) { return (struct uart16550){UART_MMIO32, (uint64_t)(uintptr_t)win32}; }
static struct uart16550 mmio8(void) { return (struct uart16550){UART_MMIO8, (uint64_t)(uintptr_t)win8}; }

static int fill(void **state)
{
	(void)state;
	for (unsigned i = 0; i < UART_REGS; i++)
		win32[i] = UNTOUCHED32 | i;
	memset(win8, UNTOUCHED8, sizeof(win8));
	return 0;
}

static void test_stride_and_span(void **state)
{
	(void)state;
	assert_int_equal(uart16550_stride(UART_IO), 1);
	assert_int_equal(uart16550_stride(UART_MMIO8), 1);
	assert_int_equal(uart16550_stride(UART_MMIO32), 4);
	assert_int_equal(uart16550_span(UART_IO), 8);
	assert_int_equal(uart16550_span(UART_MMIO8), 8);
	assert_int_equal(uart16550_span(UART_MMIO32), 32);
}

/* 9600 baud: divisor 115200 / 9600 = 12 in DLL (offset 0), 0 in DLM (offset 1 * 4); LCR at 3 * 4. */
static void test_mmio32_init_9600(void **state)
{
	(void)state;
	struct uart16550 u = mmio32();

	assert_true(uart16550_init(&u, 9600));
	/* Whole-word stores: the bits above the register's byte are 0, not what was there. */
	assert_int_equal(win32[RBR_THR_DLL], 12);
	assert_int_equal(win32[IER_DLM], 0);
	assert_int_equal(win32[FCR], FCR_ENABLE_CLEAR);
	assert_int_equal(win32[LCR], LCR_8N1); /* DLAB cleared again */
	assert_int_equal(win32[MCR], MCR_DTR_RTS_OUT2);
	assert_int_equal(win32[LSR], UNTOUCHED32 | LSR); /* read-only: never written */
	assert_int_equal(win32[MSR], UNTOUCHED32 | MSR);
	assert_int_equal(win32[SCR], 0x5a); /* the presence probe */
}

/* 300 baud: divisor 384 = 0x180, so DLM (the second word) holds 1. */
static void test_mmio32_divisor_high_byte(void **state)
{
	(void)state;
	struct uart16550 u = mmio32();

	assert_true(uart16550_init(&u, 300));
	assert_int_equal(win32[RBR_THR_DLL], 0x80);
	assert_int_equal(win32[IER_DLM], 0x01);
}

/* A rate that does not divide 115200 is not programmed: the UART runs at 115200 (divisor 1). */
static void test_odd_baud_falls_back(void **state)
{
	(void)state;
	struct uart16550 u = mmio32();

	assert_true(uart16550_init(&u, 9601));
	assert_int_equal(win32[RBR_THR_DLL], 1);
	assert_int_equal(win32[IER_DLM], 0);
	fill(NULL);
	assert_true(uart16550_init(&u, 0));
	assert_int_equal(win32[RBR_THR_DLL], 1);
}

/* THR is word 0; LSR (word 5) is read as its low byte; RBR is word 0 again. */
static void test_mmio32_transmit_receive(void **state)
{
	(void)state;
	struct uart16550 u = mmio32();

	win32[LSR] = 0xffffff00u | LSR_THRE; /* high bits set: only the low byte counts */
	uart16550_putc(&u, 'A');
	assert_int_equal(win32[RBR_THR_DLL], 'A');
	assert_int_equal(uart16550_getc(&u), -1); /* DR clear */
	win32[LSR] = LSR_THRE | LSR_DR;
	win32[RBR_THR_DLL] = 0xffffff00u | 'z';
	assert_int_equal(uart16550_getc(&u), 'z');
	uart16550_rx_irq(&u, true);
	assert_int_equal(win32[IER_DLM], 1);
	uart16550_rx_irq(&u, false);
	assert_int_equal(win32[IER_DLM], 0);
}

/* Stride 1, byte accesses: registers 0..7 are bytes 0..7 and nothing beyond them is touched. */
static void test_mmio8_layout(void **state)
{
	(void)state;
	struct uart16550 u = mmio8();

	assert_true(uart16550_init(&u, 9600));
	assert_int_equal(win8[RBR_THR_DLL], 12);
	assert_int_equal(win8[IER_DLM], 0);
	assert_int_equal(win8[FCR], FCR_ENABLE_CLEAR);
	assert_int_equal(win8[LCR], LCR_8N1);
	assert_int_equal(win8[MCR], MCR_DTR_RTS_OUT2);
	assert_int_equal(win8[LSR], UNTOUCHED8);
	assert_int_equal(win8[MSR], UNTOUCHED8);
	assert_int_equal(win8[SCR], 0x5a);
	for (unsigned i = UART_REGS; i < sizeof(win8); i++)
		assert_int_equal(win8[i], UNTOUCHED8);
	win8[LSR] = LSR_THRE | LSR_DR;
	uart16550_putc(&u, 'B');
	assert_int_equal(win8[RBR_THR_DLL], 'B');
	assert_int_equal(uart16550_getc(&u), 'B');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_stride_and_span),
	        cmocka_unit_test_setup(test_mmio32_init_9600, fill),
	        cmocka_unit_test_setup(test_mmio32_divisor_high_byte, fill),
	        cmocka_unit_test_setup(test_odd_baud_falls_back, fill),
	        cmocka_unit_test_setup(test_mmio32_transmit_receive, fill),
	        cmocka_unit_test_setup(test_mmio8_layout, fill),
	};

	return cmocka_run_group_tests_name("uart16550", tests, NULL, NULL);
}
