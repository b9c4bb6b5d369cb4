/* sources: vmm/vdev/vuart.c vmm/lib/string.c */
/* test_vuart.c: the guest's 16550A: registers, divisor latch, FIFO, interrupt identification and line. */
#include "test/unit/unit.h"

#include "vmm/vdev/vuart.h"

static struct vuart u;
static uint8_t tx;

static int setup(void **state)
{
	(void)state;
	vuart_reset(&u);
	return 0;
}

static void test_reset_and_lsr(void **state)
{
	(void)state;
	assert_int_equal(vuart_read(&u, VUART_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR), VUART_IIR_NONE);
	assert_int_equal(vuart_read(&u, VUART_IER), 0);
	assert_false(vuart_irq(&u));
}

static void test_divisor_latch_and_scratch(void **state)
{
	(void)state;
	vuart_write(&u, VUART_LCR, VUART_LCR_DLAB | 3, &tx);
	assert_false(vuart_write(&u, VUART_RBR_THR, 12, &tx)); /* DLL, not a byte sent */
	vuart_write(&u, VUART_IER, 1, &tx);                    /* DLM */
	assert_int_equal(vuart_read(&u, VUART_RBR_THR), 12);
	assert_int_equal(vuart_read(&u, VUART_IER), 1);
	vuart_write(&u, VUART_LCR, 3, &tx);
	assert_int_equal(vuart_read(&u, VUART_IER), 0); /* IER itself was not touched */
	vuart_write(&u, VUART_SCR, 0x5a, &tx);
	assert_int_equal(vuart_read(&u, VUART_SCR), 0x5a);
}

static void test_thr_write_sends(void **state)
{
	(void)state;
	assert_true(vuart_write(&u, VUART_RBR_THR, 'x', &tx));
	assert_int_equal(tx, 'x');
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2, &tx);
	vuart_write(&u, VUART_IER, VUART_IER_ETBEI, &tx); /* enabling it with THR empty raises it */
	assert_true(vuart_irq(&u));
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR), VUART_IIR_THRE);
	assert_false(vuart_irq(&u)); /* the IIR read cleared it */
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR), VUART_IIR_NONE);
	vuart_write(&u, VUART_RBR_THR, 'a', &tx); /* sent at once: empty again */
	assert_true(vuart_irq(&u));
}

static void test_out2_gates_the_line(void **state)
{
	(void)state;
	vuart_write(&u, VUART_IER, VUART_IER_ETBEI, &tx);
	assert_false(vuart_irq(&u));
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2, &tx);
	assert_true(vuart_irq(&u));
}

static void test_receive_fifo_and_priority(void **state)
{
	(void)state;
	vuart_write(&u, VUART_MCR, VUART_MCR_OUT2, &tx);
	vuart_write(&u, VUART_IER, VUART_IER_ERBFI | VUART_IER_ETBEI, &tx);
	assert_true(vuart_input(&u, 'h'));
	assert_true(vuart_input(&u, 'i'));
	assert_true(vuart_read(&u, VUART_LSR) & VUART_LSR_DR);
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR), VUART_IIR_RDA); /* data outranks THRE */
	assert_int_equal(vuart_read(&u, VUART_RBR_THR), 'h');
	assert_int_equal(vuart_read(&u, VUART_RBR_THR), 'i');
	assert_false(vuart_read(&u, VUART_LSR) & VUART_LSR_DR);
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR), VUART_IIR_THRE);
	assert_int_equal(vuart_read(&u, VUART_RBR_THR), 0); /* empty */
}

static void test_fifo_full_and_clear(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VUART_RX_FIFO; i++)
		assert_true(vuart_input(&u, (uint8_t)i));
	assert_false(vuart_input(&u, 0xee)); /* overrun: lost */
	assert_int_equal(vuart_read(&u, VUART_RBR_THR), 0);
	assert_true(vuart_input(&u, 0xee)); /* room again, at the tail */
	vuart_write(&u, VUART_IIR_FCR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RX, &tx);
	assert_false(vuart_read(&u, VUART_LSR) & VUART_LSR_DR);
	assert_int_equal(vuart_read(&u, VUART_IIR_FCR) & VUART_IIR_FIFO_ON, VUART_IIR_FIFO_ON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_reset_and_lsr, setup),
	        cmocka_unit_test_setup(test_divisor_latch_and_scratch, setup),
	        cmocka_unit_test_setup(test_thr_write_sends, setup),
	        cmocka_unit_test_setup(test_thre_interrupt, setup),
	        cmocka_unit_test_setup(test_out2_gates_the_line, setup),
	        cmocka_unit_test_setup(test_receive_fifo_and_priority, setup),
	        cmocka_unit_test_setup(test_fifo_full_and_clear, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
