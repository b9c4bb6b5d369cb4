/* smp.h: starting application processors: the trampoline and INIT-SIPI-SIPI (SDM Vol. 3, 9.4.4). */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Copy the trampoline to its pages below 1 MiB (from mm_ap_trampoline()),
 * give it a copy of the page-table root it can load from real mode, and make
 * its page executable. False (after saying why) if there is no such page.
 */
bool smp_trampoline_prepare(void);
/* Make the trampoline page non-executable again once every AP has started. */
void smp_trampoline_retire(void);

/*
 * Start the processor with APIC ID apic_id at entry(arg) on the stack ending at
 * stack_top, and wait up to timeout_us for *started to become non-zero (the AP
 * sets it). On a timeout the AP is sent INIT again, so it cannot run later on
 * parameters meant for another CPU. Returns whether it started.
 */
bool smp_start_ap(uint32_t apic_id, void *arg, uint64_t stack_top, void (*entry)(void *arg), volatile uint32_t *started,
                  uint64_t timeout_us);

#endif
