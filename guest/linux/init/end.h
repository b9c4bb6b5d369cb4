/* end.h: how the init ends: power off, reboot, or a shell on the serial port. */
#ifndef GUEST_LINUX_INIT_END_H
#define GUEST_LINUX_INIT_END_H

/* Syncs and powers off; never returns (if the kernel refuses, it waits forever rather than exit). */
_Noreturn void end_poweroff(void);

/* Syncs and restarts the machine (reboot(2) with RB_AUTOBOOT); never returns. */
_Noreturn void end_reboot(void);

/*
 * Installs busybox's applet links in /bin, /sbin, /usr/bin and /usr/sbin, then runs
 * busybox's sh on tty (e.g. "/dev/ttyS0") in a session of its own with tty as its
 * controlling terminal; powers off when the shell ends.
 */
_Noreturn void end_shell(const char *tty);

#endif
