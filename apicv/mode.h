/* mode.h: choosing the interrupt-delivery mode: the best the CPU offers, or a lower one asked for with apicv=. */
#ifndef APICV_MODE_H
#define APICV_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "arch/x86/vmx_caps.h"

/*
 * The modes this build drives, worst to best (vmx_caps.h defines what each
 * needs of the CPU). A CPU that offers more runs the best one built.
 */
#define APICV_BUILT_MAX VMX_APICV_POSTED

/* "posted", "vid", "tpr" or "emulated" (the ready line's names); false for anything else. */
bool apicv_parse_mode(const char *s, enum vmx_apicv_mode *out);

/*
 * The mode to run: the CPU's best (offered), capped by what is built and by
 * apicv= (asked; NULL when not given). Writes one sentence into why: which of
 * the three decided it.
 */
enum vmx_apicv_mode apicv_choose(enum vmx_apicv_mode offered, const enum vmx_apicv_mode *asked, char *why, size_t size);

/*
 * Boot CPU, once the capabilities are known and before any guest is built:
 * read apicv= from the command line, choose, and log the mode and why.
 */
void apicv_init(const struct vmx_caps *caps, const char *cmdline);
/*
 * The mode every vCPU runs in: set once by apicv_init, read through
 * apicv_mode(), inline since every VM entry asks.
 */
extern enum vmx_apicv_mode apicv_current_mode;
static inline enum vmx_apicv_mode apicv_mode(void) { return apicv_current_mode; }
/* The capabilities apicv_init was given, for the controls that come with a mode where the CPU has them. */
const struct vmx_caps *apicv_caps(void);

#endif
