/* report.c: numbered ok / not ok lines, the SUMMARY line, fatal errors, and small file reads. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "end.h"

static unsigned run, failed;

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("init: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

bool check(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	run++;
	if (!ok)
		failed++;
	printf("%s%u - %s", ok ? "ok " : "not ok ", run, what);
	if (fmt) {
		fputs(": ", stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	fputc('\n', stdout);
	return ok;
}

unsigned report_summary(void)
{
	printf("SUMMARY: %u tests, %u failures\n", run, failed);
	return failed;
}

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("init: fatal: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	end_poweroff();
}

long read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0 || size == 0)
		return -1;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return -1;
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (long)len;
}
