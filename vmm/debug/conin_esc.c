/* conin_esc.c: the console switch's escape filter: Ctrl-] commands in the serial input (no I/O). */
#include "vmm/debug/conin_esc.h"

#define CMD_SHELL 'h'
#define CMD_SHELL_ALT 's'
#define CMD_NEXT 'n'
#define CMD_HELP '?'

enum conin_esc_action conin_esc_feed(struct conin_esc *s, uint8_t byte, uint8_t *byte_out, unsigned *guest_out)
{
	if (!s->pending) {
		if (byte == CONIN_ESC_CHAR) {
			s->pending = true;
			return CONIN_ESC_PENDING;
		}
		*byte_out = byte;
		return CONIN_ESC_DELIVER;
	}
	s->pending = false; /* one byte per command: every outcome goes back to passing through */
	if (byte >= '0' && byte <= '9') {
		*guest_out = (unsigned)(byte - '0');
		return CONIN_ESC_GUEST;
	}
	switch (byte) {
	case CONIN_ESC_CHAR:
		*byte_out = byte; /* typed twice: the target gets one */
		return CONIN_ESC_DELIVER;
	case CMD_SHELL:
	case CMD_SHELL_ALT: return CONIN_ESC_SHELL;
	case CMD_NEXT: return CONIN_ESC_NEXT;
	case CMD_HELP: return CONIN_ESC_HELP;
	default: return CONIN_ESC_UNKNOWN;
	}
}
