/* init.c: PID 1 of the Linux test guest: mount, read the options, run the checks, end as told. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "checks.h"
#include "end.h"
#include "options.h"
#include "report.h"

/* The shell's terminal: the first serial port, where the kernel's console is (console=ttyS0). */
#define SHELL_TTY "/dev/ttyS0"

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) < 0 && errno != EBUSY)
		die("mount %s on %s: %m", type, dir);
}

/*
 * The kernel opens /dev/console as fds 0-2 of init when the initramfs has it
 * (init/main.c, console_on_rootfs); without it, open it once devtmpfs is there.
 */
static void console(void)
{
	if (fcntl(1, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd < 0)
			fd = open(SHELL_TTY, O_RDWR);
		if (fd < 0)
			end_poweroff(); /* nowhere to say why */
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* A crash of PID 1 (or of a checks thread) would panic the kernel: say it and power off instead. */
static void on_fatal_signal(int sig)
{
	static const char msg[] = "init: fatal: crashed (signal ";
	char num[4] = {(char)('0' + sig / 10), (char)('0' + sig % 10), ')', '\n'};

	write(1, msg, sizeof(msg) - 1);
	write(1, num, sizeof(num));
	sync();
	reboot(RB_POWER_OFF);
	_exit(1);
}

static void catch_crashes(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa = {.sa_handler = on_fatal_signal};

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void hello(void)
{
	char uptime[64];
	struct utsname u;

	if (read_text("/proc/uptime", uptime, sizeof(uptime)) < 0)
		die("cannot read /proc/uptime: %m");
	*strchrnul(uptime, ' ') = '\0';
	uname(&u);
	say("started at %s s uptime (Linux %s, %s)", uptime, u.release, u.machine);
}

static _Noreturn void finish(enum init_end end)
{
	switch (end) {
	case END_SHELL: end_shell(SHELL_TTY);
	case END_REBOOT: say("rebooting"); end_reboot();
	case END_POWEROFF: break;
	}
	say("powering off");
	end_poweroff();
}

int main(void)
{
	static char cmdline[4096];
	struct init_options o;
	const char *bad;
	int ncpus;

	catch_crashes();
	mount_fs("devtmpfs", "/dev");
	console();
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	hello();
	if (read_text("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		die("cannot read /proc/cmdline: %m");
	bad = options_parse(cmdline, &o);
	if (bad)
		die("bad option %s (init.cpus=N, init.end=poweroff|reboot|shell, init.checks=0|1, init.shell=0|1, "
		    "init.bench=N, init.idle=S)",
		    bad);
	if (o.shell_only)
		finish(END_SHELL);
	if (!o.checks) {
		report_summary(); /* SUMMARY: 0 tests, 0 failures: a boot and nothing else */
		finish(o.end);
	}
	if (o.bench) {
		check_cpus(o.cpus);
		check_bench(o.bench, o.idle);
		report_summary();
		finish(o.end);
	}
	ncpus = check_cpus(o.cpus);
	check_timer(ncpus);
	check_ipis(ncpus);
	check_klog();
	report_summary();
	finish(o.end);
}
