/* power.h: ending a run: power-off and reset on emulators and real machines. */
#ifndef ARCH_X86_POWER_H
#define ARCH_X86_POWER_H

#include <stdint.h>

/* Codes passed to QEMU's isa-debug-exit; QEMU exits with (code << 1) | 1. */
#define POWEROFF_CODE_OK 0x00
#define POWEROFF_CODE_FAILED 0x08 /* boot stopped on bad input */
#define POWEROFF_CODE_PANIC 0x10

/*
 * Power the machine off, trying in turn: QEMU's isa-debug-exit (only under a
 * QEMU/KVM CPUID signature), ACPI S5 through the FADT, the Bochs shutdown
 * port (only under Bochs/QEMU firmware), then a reset. Never returns.
 */
__attribute__((noreturn)) void platform_poweroff(uint8_t code);
/* Reset: FADT reset register, port 0xcf9, keyboard controller, triple fault. */
__attribute__((noreturn)) void platform_reset(void);

#endif
