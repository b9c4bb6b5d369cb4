/* console.c: the hypervisor's serial console: log levels, CPU-prefixed lines, one lock. */
#include "vmm/console.h"

#include <stdarg.h>

#include "arch/x86/uart16550.h"
#include "vmm/cmdline.h"
#include "vmm/fmt.h"
#include "vmm/percpu.h"
#include "vmm/spinlock.h"
#include "vmm/string.h"

#ifndef HV_EARLY_CONSOLE_PORT
#define HV_EARLY_CONSOLE_PORT 0x3f8
#endif
#define CONSOLE_DEFAULT_BAUD 115200
#define CONSOLE_LINE_MAX 512

static const uint16_t com_ports[] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

static struct {
	struct spinlock lock;
	uint16_t port;
	uint32_t baud;
	bool present;
	enum log_level level;
	console_sink_t sink;
	bool rx_irq;
	uint32_t rx_busy; /* one reader at a time: the interrupt and a poller may race */
} con = {SPINLOCK_INIT, HV_EARLY_CONSOLE_PORT, CONSOLE_DEFAULT_BAUD, false, LOG_INFO, 0, false, 0};

void console_init_early(void) { con.present = uart16550_init(con.port, con.baud); }

/* Write n bytes, turning "\n" into "\r\n"; caller holds the lock. */
static void con_write(const char *s, size_t n)
{
	if (!con.present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart16550_putc(con.port, '\r');
		uart16550_putc(con.port, s[i]);
	}
}

static bool parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v * base + d;
		if (v > 0xffffffffu)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

bool console_parse_spec(const char *spec, struct console_cfg *out)
{
	size_t len = hv_strlen(spec), comma = len;
	uint32_t v;

	for (size_t i = 0; i < len; i++)
		if (spec[i] == ',') {
			comma = i;
			break;
		}
	out->baud = CONSOLE_DEFAULT_BAUD;
	if (comma == 4 && hv_strncmp(spec, "com", 3) == 0 && spec[3] >= '1' && spec[3] <= '4')
		out->port = com_ports[spec[3] - '1'];
	else if (parse_u32(spec, comma, &v) && v > 0 && v <= 0xfff8)
		out->port = (uint16_t)v;
	else
		return false;
	if (comma < len) {
		if (!parse_u32(spec + comma + 1, len - comma - 1, &v) || v < 50 || v > 115200)
			return false;
		out->baud = v;
	}
	return true;
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
	struct console_cfg cfg;
	enum log_level level;

	if (cmdline_get(cmdline, "console", val, sizeof(val))) {
		if (!console_parse_spec(val, &cfg)) {
			pr_err("console=%s: expected com1..com4 or an I/O port, then optional ,baud; keeping port %#x",
			       val, con.port);
		} else if (cfg.port != con.port || cfg.baud != con.baud) {
			pr_info("console: moving to port %#x at %u baud", cfg.port, cfg.baud);
			spin_lock(&con.lock, (int32_t)this_cpu()->cpu_id);
			con.port = cfg.port;
			con.baud = cfg.baud;
			con.present = uart16550_init(con.port, con.baud);
			if (con.present && con.sink)
				uart16550_rx_irq(con.port, con.rx_irq);
			spin_unlock(&con.lock);
			pr_info("console: now on port %#x at %u baud", cfg.port, cfg.baud);
		}
	}
	if (cmdline_get(cmdline, "loglevel", val, sizeof(val))) {
		if (console_parse_level(val, &level))
			con.level = level;
		else
			pr_err("loglevel=%s: expected error, warn, info or debug", val);
	}
}

static const char *const level_tags[] = {"ERROR: ", "WARNING: ", "", "debug: "};

void hv_log(enum log_level level, const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;

	if (level > con.level)
		return;
	int n = hv_snprintf(line, sizeof(line), "[cpu%u] %s", this_cpu()->cpu_id, level_tags[level]);
	va_start(ap, fmt);
	n += hv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	spin_lock(&con.lock, (int32_t)this_cpu()->cpu_id);
	con_write(line, (size_t)n);
	spin_unlock(&con.lock);
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
	spin_lock(&con.lock, (int32_t)this_cpu()->cpu_id);
	con_write(buf, (size_t)n);
	spin_unlock(&con.lock);
}

void console_rx_start(console_sink_t sink, bool irq)
{
	spin_lock(&con.lock, (int32_t)this_cpu()->cpu_id);
	con.sink = sink;
	con.rx_irq = irq;
	if (con.present)
		uart16550_rx_irq(con.port, irq);
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
	while ((c = uart16550_getc(con.port)) >= 0)
		con.sink((uint8_t)c);
	__atomic_store_n(&con.rx_busy, 0, __ATOMIC_RELEASE);
}

int console_port_isa_irq(uint16_t port)
{
	for (unsigned i = 0; i < sizeof(com_ports) / sizeof(com_ports[0]); i++)
		if (port == com_ports[i])
			return i % 2 == 0 ? 4 : 3; /* COM1 and COM3 share IRQ 4, COM2 and COM4 IRQ 3 */
	return -1;
}

int console_isa_irq(void) { return console_port_isa_irq(con.port); }

void console_flush(void)
{
	if (con.present)
		uart16550_flush(con.port);
}

void console_break_lock(void) { spin_lock_reset(&con.lock); }
