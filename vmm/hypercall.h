/* hypercall.h: the VMCALL interface guests use (docs/hypercalls.md). */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

/*
 * A guest executes VMCALL with the call number in EAX and arguments in EBX,
 * ECX, EDX; the result comes back in EAX (and further values where a call
 * says so). An unknown number returns HC_ENOSYS. Other registers are kept.
 */
#define HC_VERSION 0x0     /* EAX <- HC_INTERFACE_VERSION */
#define HC_WAKE_AFTER 0x1  /* EBX = microseconds: the next HLT ends no later than that */
#define HC_IOAPIC_LINE 0x2 /* EBX = I/O APIC pin, ECX = 1 assert / 0 deassert: the test device's line */
#define HC_INTERFACE_VERSION 1
#define HC_ENOSYS 0xffffffffu
#define HC_EINVAL 0xfffffffeu

#endif
