/* switches.h: the debug.* switches on the command line, for exercising the hypervisor's own failure paths. */
#ifndef VMM_DEBUG_SWITCHES_H
#define VMM_DEBUG_SWITCHES_H

/*
 * debug.fault=<kind> on the command line forces a fault in the hypervisor
 * (kind: pf, gp, ud, de, panic) so the exception dump can be seen and tested.
 */
void debug_switches_apply(const char *cmdline);

#endif
