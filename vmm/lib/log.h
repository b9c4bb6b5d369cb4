/* log.h: what every layer prints: log lines by level, and raw console output (written by vmm/core/console.c). */
#ifndef VMM_LIB_LOG_H
#define VMM_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Declared here, at the bottom, so that arch/x86/ and the models can log;
 * implemented by the console (vmm/core/console.c), which owns the UART, the
 * level and the lock. Like printk in a kernel: the one call every layer makes
 * upward, by design (docs/architecture.md).
 */

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* One log line: "[cpuN] " prefix, level tag, text; whole lines never interleave. */
void hv_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hv_vlog(enum log_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* True if a line of this level is printed at the current log level. */
bool hv_log_enabled(enum log_level level);
/* Unprefixed output for dumps and the ready line; still under the console lock. */
void console_printf_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Exactly these bytes, no "\n" turned into "\r\n", no prefix: a guest's
 * output with console=raw (docs/config.md). Under the console lock.
 */
void console_write_bytes(const void *buf, size_t n);
/*
 * A block: what this core prints from begin to end (log lines and raw
 * output) comes out together; other cores' lines wait. Nothing between the
 * two may wait for another core.
 */
void console_block_begin(void);
void console_block_end(void);
/* Wait until the last byte has left the UART (before power-off or reset). */
void console_flush(void);

#define pr_err(...) hv_log(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) hv_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...) hv_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hv_log(LOG_DEBUG, __VA_ARGS__)

#endif
