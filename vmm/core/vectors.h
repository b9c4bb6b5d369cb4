/* vectors.h: the interrupt vectors the hypervisor itself uses on every core (all above the guests' view). */
#ifndef VMM_CORE_VECTORS_H
#define VMM_CORE_VECTORS_H

/*
 * The host IDT's vectors 0xf0-0xf3. A guest never sees them: a host interrupt
 * that arrives while a guest runs is an external-interrupt exit (or, in mode
 * posted, the notification that the CPU processes), never an injection.
 */

/* The IPI that kicks a core out of its guest or out of its idle HLT (cpu_kick). */
#define HV_VECTOR_KICK 0xf0
/* The host APIC timer that stands in for the VMX-preemption timer where there is none. */
#define HV_VECTOR_TIMER 0xf1
/* The console UART's receive interrupt, routed to CPU 0 through the host I/O APIC (vmm/debug/conin.c). */
#define HV_VECTOR_CONSOLE 0xf2
/*
 * The notification vector of posted interrupts (apicv/posted.h): processed by
 * the CPU in a guest in mode posted, an external-interrupt exit in the other
 * modes, an interrupt that is only ended in the hypervisor.
 */
#define HV_VECTOR_POSTED 0xf3

#endif
