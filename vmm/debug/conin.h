/* conin.h: serial input: from the host's console UART to the guest that owns the console. */
#ifndef VMM_DEBUG_CONIN_H
#define VMM_DEBUG_CONIN_H

#include <stdbool.h>

/*
 * Boot CPU, after the guests exist: give the console's input to the first
 * guest, and route the UART's receive interrupt (its ISA IRQ through the MADT's
 * overrides) to CPU 0. Without a route the input is polled while CPU 0 waits.
 */
void conin_start(void);
struct guest;
/* The guest whose COM1 gets typed input, or NULL while the shell has it. */
struct guest *conin_owner(void);
/*
 * Without an interrupt route the input is polled on CPU 0: conin_poll at each
 * of its VM exits and wait steps, and its idle loops spin instead of halting
 * while conin_polled_here is true. A guest on CPU 0 that runs without exits
 * delays the input until its next exit.
 */
void conin_poll(void);
bool conin_polled_here(void);

#endif
