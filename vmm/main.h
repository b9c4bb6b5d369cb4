/* main.h: the hypervisor's single C entry and its clean stop. */
#ifndef VMM_MAIN_H
#define VMM_MAIN_H

#include "boot/bootinfo.h"

#define HV_NAME "apicvisor"

/* Both boot paths end here, on the BSP, with bi in the hypervisor's own memory. */
__attribute__((noreturn)) void hv_main(struct boot_info *bi);

/*
 * Stop cleanly on bad input (a broken memory map, corrupt firmware tables):
 * print "HV STOPPED: <reason>" and end the run as onpanic= says.
 */
__attribute__((noreturn)) void hv_stop(const char *reason);

#endif
