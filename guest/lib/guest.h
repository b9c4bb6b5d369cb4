/* guest.h: the test-guest library: console, results, fault catching, command line, ending (docs/writing-guests.md). */
#ifndef GUEST_LIB_GUEST_H
#define GUEST_LIB_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/lib/multiboot.h"
#include "guest/lib/x86.h"

/* I/O ports of the guest platform (docs/guest-platform.md). */
#define COM1_PORT 0x3f8
#define UART_THR 0 /* register offsets from the base port */
#define UART_LSR 5
#define UART_LSR_THRE (1u << 5) /* transmit holding register empty */
#define EXIT_PORT 0xf4          /* a 32-bit write of c ends the guest with status c */

/* The test's entry point: EAX and EBX as the boot loader left them. */
void guest_main(uint32_t magic, const struct multiboot_info *mbi);

/* What the CPU held at the entry point, saved by start.asm before anything changed it. */
extern uint32_t guest_entry_eax, guest_entry_ebx, guest_entry_esp, guest_entry_eflags;
extern uint16_t guest_entry_cs, guest_entry_ds, guest_entry_es, guest_entry_fs, guest_entry_gs, guest_entry_ss;
extern struct dtr guest_entry_gdtr, guest_entry_idtr;
extern char guest_image_start[], guest_image_end[]; /* guest/guest.ld */

/* Load the library's IDT: start.asm does before guest_main; a test that loads its own restores it with this. */
void idt_init(void);

/* Console: COM1, polled. guest_printf formats with vmm/lib/fmt.c; a line longer than 255 bytes is cut. */
void guest_putc(char c);
void guest_puts(const char *s);
int guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Results, one line each, numbered from 1:
 *     ok <n> - <what>
 *     not ok <n> - <what>: got <X>, expected <Y>
 * Lines starting with '#' are comments.
 */
bool expect_eq(const char *what, uint64_t got, uint64_t expected);
bool expect_true(const char *what, bool cond);
bool expect_str(const char *what, const char *got, const char *expected);
/* got and expected: a vector from guest_catch or a *_safe call, or GUEST_NO_FAULT. */
bool expect_fault(const char *what, int got, int expected);
#define EXPECT_EQ(got, expected) expect_eq(#got " == " #expected, (got), (expected))
#define EXPECT_TRUE(cond) expect_true(#cond, (cond))
unsigned guest_tests_run(void);
unsigned guest_tests_failed(void);

/* Print "SUMMARY: <n> tests, <f> failures", then guest_exit(f). */
__attribute__((noreturn)) void guest_finish(void);
/* Write status to the exit port (32-bit out), then halt forever should the write return. */
__attribute__((noreturn)) void guest_exit(uint32_t status);

/*
 * Run fn(arg); if it raises an exception, abandon it and return the vector,
 * else return GUEST_NO_FAULT. The details of the last caught fault are in
 * guest_last_fault. Not nested: fn must not call guest_catch. An exception
 * outside guest_catch prints a dump and ends the guest as a failure.
 */
#define GUEST_NO_FAULT (-1)
struct fault_info {
	uint32_t vector, error, eip;
};
int guest_catch(void (*fn)(void *), void *arg);
extern struct fault_info guest_last_fault;
const char *exception_name(uint32_t vector);

/* The faulting instructions, caught: each returns GUEST_NO_FAULT or the vector raised. */
int rdmsr_safe(uint32_t msr, uint64_t *val);
int wrmsr_safe(uint32_t msr, uint64_t val);
int vmcall_safe(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t *ret);

/*
 * The multiboot command line is blank-separated words; the first may be the
 * kernel's path (QEMU and GRUB put it there). cmdline_find finds the word
 * key=value and returns its value (len bytes, not terminated) or NULL.
 * cmdline_uint reads a decimal or 0x-prefixed value (parse_uint_n), def when
 * absent, bad or above UINT32_MAX.
 */
const char *cmdline_find(const char *cmdline, const char *key, size_t *len);
uint32_t cmdline_uint(const char *cmdline, const char *key, uint32_t def);
/* The command line of mbi, or "" when it has none. */
const char *guest_cmdline(const struct multiboot_info *mbi);

#endif
