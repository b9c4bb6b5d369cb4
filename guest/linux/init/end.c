/* end.c: the init's three ends; PID 1 never exits, so each one stops the machine or waits. */
#include "end.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static _Noreturn void stop(int how, const char *name)
{
	fflush(stdout);
	tcdrain(STDOUT_FILENO); /* the UART sends what init printed before the machine goes (a real 16550 is slow) */
	sync();
	reboot(how);
	/* Only a kernel that refuses (it should not for PID 1) gets here: wait rather than exit and panic. */
	printf("init: reboot(%s) failed; waiting forever\n", name);
	fflush(stdout);
	for (;;)
		pause();
}

_Noreturn void end_poweroff(void) { stop(RB_POWER_OFF, "RB_POWER_OFF"); }

_Noreturn void end_reboot(void) { stop(RB_AUTOBOOT, "RB_AUTOBOOT"); }

/* The child: a new session whose controlling terminal is tty (setsid(2), TIOCSCTTY in tty_ioctl(4)). */
static _Noreturn void shell_child(const char *tty)
{
	int fd;

	setsid();
	fd = open(tty, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0) {
		perror("init: shell: controlling tty");
		_exit(127);
	}
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	execl("/bin/busybox", "sh", (char *)NULL);
	perror("init: exec /bin/busybox sh");
	_exit(127);
}

_Noreturn void end_shell(const char *tty)
{
	pid_t pid, got;
	int status;

	fflush(stdout);
	if (fork() == 0) {
		execl("/bin/busybox", "busybox", "--install", "-s", (char *)NULL);
		_exit(127);
	}
	while (wait(&status) < 0)
		;
	printf("init: starting a shell on %s; leaving it powers off\n", tty);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		shell_child(tty);
	if (pid < 0) {
		perror("init: fork");
		end_poweroff();
	}
	/* PID 1 also reaps orphans: wait until the shell itself has ended. */
	do
		got = wait(&status);
	while (got != pid && !(got < 0 && errno == ECHILD));
	end_poweroff();
}
