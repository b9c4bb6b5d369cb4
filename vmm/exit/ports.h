/* ports.h: the guest's I/O-port devices, as other parts of the hypervisor reach them. */
#ifndef VMM_EXIT_PORTS_H
#define VMM_EXIT_PORTS_H

#include <stdbool.h>
#include <stdint.h>

struct guest;

/*
 * A byte typed at the console for guest g: into its COM1 receive FIFO, and
 * its interrupt line (I/O APIC pin 4) follows. From any core. False when the
 * byte is lost: the guest is stopped or its FIFO is full.
 */
bool ports_com1_input(struct guest *g, uint8_t byte);

#endif
