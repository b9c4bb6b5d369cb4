/* console.c: output on COM1 (the platform's 16550), polled, and printf through vmm/lib/fmt.c. */
#include "guest/lib/guest.h"

#include <stdarg.h>

#include "vmm/lib/fmt.h"

#define LINE_MAX 256

void guest_putc(char c)
{
	while (!(inb(COM1_PORT + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1_PORT + UART_THR, (uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

int guest_printf(const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guest_puts(buf);
	return n;
}
