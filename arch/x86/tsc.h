/* tsc.h: time in the hypervisor: the TSC, calibrated once against the ACPI PM timer or the PIT. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include <stdint.h>

/* Measure the TSC frequency (ACPI PM timer if the FADT has one, else PIT channel 2); log it. */
void tsc_calibrate(void);
uint64_t tsc_hz(void);
/* Busy-wait; precondition: tsc_calibrate() has run. */
void udelay(uint64_t us);
/* TSC value us microseconds from now, for deadlines. */
uint64_t tsc_deadline_us(uint64_t us);

#endif
