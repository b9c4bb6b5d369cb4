/* check_klog.c: (c) the kernel log is clean: no warning, bug, oops trace or unchecked MSR access. */
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#include "report.h"

/* syslog(2): the actions klogctl takes. */
#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* What a kernel prints when something went wrong; "unchecked MSR access" is an MSR the platform refused. */
static const char *const bad[] = {"unchecked MSR access", "WARNING:", "BUG:", "Call Trace"};

static int is_bad(const char *line)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(line, bad[i]))
			return 1;
	return 0;
}

void check_klog(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), len, found = 0;
	char *log;

	if (size <= 0)
		die("klogctl(SYSLOG_ACTION_SIZE_BUFFER): %m");
	log = malloc((size_t)size + 1);
	if (!log)
		die("no memory for the kernel log");
	len = klogctl(SYSLOG_ACTION_READ_ALL, log, size);
	if (len < 0)
		die("klogctl(SYSLOG_ACTION_READ_ALL): %m");
	log[len] = '\0';
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		if (is_bad(line) && ++found <= 20)
			printf("# klog: %s\n", line);
	check(found == 0, "kernel log has no unchecked MSR access, WARNING:, BUG: or Call Trace",
	      "%d such lines (%d bytes read)", found, len);
	free(log);
}
