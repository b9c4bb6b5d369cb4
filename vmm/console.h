/* console.h: the hypervisor's serial console: log levels, CPU-prefixed lines, one lock. */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Where the console writes: a 16550 at an I/O port (the only kind so far). */
struct console_cfg {
	uint16_t port;
	uint32_t baud;
};

/* Open the console on the build-time default port; safe before anything else. */
void console_init_early(void);
/* Apply console=, loglevel= from the command line; reports its own errors. */
void console_apply_cmdline(const char *cmdline);
/* Parse a console= value ("com1", "0x2f8", "com2,9600"); false if malformed. */
bool console_parse_spec(const char *spec, struct console_cfg *out);
/* Parse a loglevel= value ("error", "warn", "info", "debug" or 0..3). */
bool console_parse_level(const char *s, enum log_level *out);
void console_set_level(enum log_level level);
enum log_level console_level(void);

/* One log line: "[cpuN] " prefix, level tag, text; whole lines never interleave. */
void hv_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unprefixed output for dumps and the ready line; still under the console lock. */
void console_printf_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Serial input. The console hands every received byte to one sink (a guest's
 * UART, or later the shell). console_rx_poll reads what the UART holds; it is
 * called from the receive interrupt, or polled where there is none.
 */
typedef void (*console_sink_t)(uint8_t byte);
/* Start receiving into sink; with irq, the UART raises its interrupt line while data waits. */
void console_rx_start(console_sink_t sink, bool irq);
void console_rx_poll(void);
/* The ISA IRQ of a port (4 for COM1/COM3, 3 for COM2/COM4), or -1 for any other port; and the console's. */
int console_port_isa_irq(uint16_t port);
int console_isa_irq(void);
/* Wait until the last byte has left the UART (before power-off or reset). */
void console_flush(void);
/* The panic path: drop a lock this or another CPU holds, so the dump gets out. */
void console_break_lock(void);

#define pr_err(...) hv_log(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) hv_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...) hv_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hv_log(LOG_DEBUG, __VA_ARGS__)

#endif
