/* options.h: the init's options from the kernel command line (/proc/cmdline). */
#ifndef GUEST_LINUX_INIT_OPTIONS_H
#define GUEST_LINUX_INIT_OPTIONS_H

enum init_end { END_POWEROFF, END_REBOOT, END_SHELL };

struct init_options {
	int cpus;          /* init.cpus=N: CPUs the guest was given; -1: not given (the present count is used) */
	enum init_end end; /* init.end=poweroff|reboot|shell */
	int shell_only;    /* init.shell=1: a shell instead of the checks */
	int checks;        /* init.checks=0: none, straight to the end (a boot-time measurement: make linux-boot) */
	int bench;         /* init.bench=N: the workloads (lxbench) with N samples each instead of the checks; 0: off */
	int idle;          /* init.idle=S: the idle workload's seconds (default 2) */
};

/*
 * Parses the words of a command line into o (defaults first). Unknown words are
 * the kernel's or other programs'; a bad init.* value is returned as a message
 * (the word), NULL if all were good.
 */
const char *options_parse(const char *cmdline, struct init_options *o);

#endif
