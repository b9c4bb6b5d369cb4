/* conin_esc.h: the console switch's escape filter: Ctrl-] commands in the serial input (no I/O). */
#ifndef VMM_DEBUG_CONIN_ESC_H
#define VMM_DEBUG_CONIN_ESC_H

#include <stdbool.h>
#include <stdint.h>

#define CONIN_ESC_CHAR 0x1d /* Ctrl-] (as telnet): rare in normal typing, so it can introduce a command */

/*
 * Serial input goes to one guest's UART or to the hypervisor shell. Ctrl-]
 * then one byte is a command for the switch:
 *   h or s    CONIN_ESC_SHELL: switch to the shell;
 *   0 .. 9    CONIN_ESC_GUEST: switch to guest *guest_out;
 *   n         CONIN_ESC_NEXT: the next guest (the caller wraps around);
 *   ?         CONIN_ESC_HELP: show the escape help;
 *   Ctrl-]    CONIN_ESC_DELIVER: one literal Ctrl-] for the current target;
 *   other     CONIN_ESC_UNKNOWN: both bytes are dropped, so that a stray
 *             Ctrl-] never sends the target something surprising; the
 *             caller prints a one-line hint.
 * Any other byte is CONIN_ESC_DELIVER: *byte_out for the current target.
 * Ctrl-] itself is CONIN_ESC_PENDING. After every command the filter is back
 * to passing bytes through.
 */
enum conin_esc_action {
	CONIN_ESC_DELIVER,
	CONIN_ESC_PENDING,
	CONIN_ESC_SHELL,
	CONIN_ESC_GUEST,
	CONIN_ESC_NEXT,
	CONIN_ESC_HELP,
	CONIN_ESC_UNKNOWN,
};

/* All zero (static, or = {0}) is the idle state. */
struct conin_esc {
	bool pending; /* a Ctrl-] came: the next byte is a command */
};

/* Feed one byte; *byte_out is the byte to deliver for DELIVER, *guest_out the guest id for GUEST (else untouched). */
enum conin_esc_action conin_esc_feed(struct conin_esc *s, uint8_t byte, uint8_t *byte_out, unsigned *guest_out);

#endif
