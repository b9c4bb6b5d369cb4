/* options.c: init.cpus=, init.end=, init.checks=, init.shell=, init.bench= and init.idle= from the kernel command line.
 */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after a prefix of len p in the word w (len bytes), from lo to hi; 0 if it is not one. */
static int number(const char *w, size_t len, size_t p, long lo, long hi, int *out)
{
	char *stop;
	long n;

	if (len <= p)
		return 0;
	n = strtol(w + p, &stop, 10);
	if (stop != w + len || n < lo || n > hi)
		return 0;
	*out = (int)n;
	return 1;
}

/* One word; returns 0 if it is an init.* word with a bad value. */
static int option_word(const char *w, size_t len, struct init_options *o)
{
	if (strncmp(w, "init.cpus=", 10) == 0) {
		return number(w, len, 10, 1, 4096, &o->cpus);
	} else if (strncmp(w, "init.bench=", 11) == 0) {
		return number(w, len, 11, 0, 100000, &o->bench);
	} else if (strncmp(w, "init.idle=", 10) == 0) {
		return number(w, len, 10, 1, 3600, &o->idle);
	} else if (strncmp(w, "init.end=", 9) == 0) {
		if (len == 17 && strncmp(w + 9, "poweroff", 8) == 0)
			o->end = END_POWEROFF;
		else if (len == 15 && strncmp(w + 9, "reboot", 6) == 0)
			o->end = END_REBOOT;
		else if (len == 14 && strncmp(w + 9, "shell", 5) == 0)
			o->end = END_SHELL;
		else
			return 0;
	} else if (strncmp(w, "init.checks=", 12) == 0) {
		if (len != 13 || (w[12] != '0' && w[12] != '1'))
			return 0;
		o->checks = w[12] == '1';
	} else if (strncmp(w, "init.shell=", 11) == 0) {
		if (len != 12 || (w[11] != '0' && w[11] != '1'))
			return 0;
		o->shell_only = w[11] == '1';
		if (o->shell_only)
			o->end = END_SHELL;
	}
	return 1;
}

const char *options_parse(const char *cmdline, struct init_options *o)
{
	static char bad[128];
	const char *p = cmdline;

	o->cpus = -1;
	o->end = END_POWEROFF;
	o->shell_only = 0;
	o->checks = 1;
	o->bench = 0;
	o->idle = 2;
	bad[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, " \t\n");

		if (len && !option_word(p, len, o) && !bad[0])
			snprintf(bad, sizeof(bad), "%.*s", (int)len, p);
		p += len;
		p += strspn(p, " \t\n");
	}
	return bad[0] ? bad : NULL;
}
