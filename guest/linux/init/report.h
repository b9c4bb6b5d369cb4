/* report.h: the init's result lines, in the test guests' format (guest/lib/test.c), and its output. */
#ifndef GUEST_LINUX_INIT_REPORT_H
#define GUEST_LINUX_INIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Prints "init: " and the message, one line. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Counts one check and prints "ok N - what: detail" or "not ok N - what: detail"
 * (": detail" only when fmt is not NULL). Returns ok.
 */
bool check(bool ok, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints "SUMMARY: <n> tests, <f> failures". Returns the failure count. */
unsigned report_summary(void);

/* Prints "init: fatal: ..." and powers the machine off: PID 1 must never exit (the kernel would panic). */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole small file into buf (NUL-terminated, trailing newline dropped). Returns its length, or -1. */
long read_text(const char *path, char *buf, size_t size);

#endif
