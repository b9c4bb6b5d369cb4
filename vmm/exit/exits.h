/* exits.h: VM-exit handling: one handler per exit reason, dispatched from a table. */
#ifndef VMM_EXIT_EXITS_H
#define VMM_EXIT_EXITS_H

#include <stdint.h>

#include "vmm/partition/vcpu.h"

/* What a VM exit told the hypervisor, read once from the VMCS. */
struct exit_info {
	uint32_t reason; /* basic exit reason */
	uint64_t qualification;
	uint32_t instruction_len;
	uint64_t guest_rip;
	uint64_t guest_physical; /* EPT violations and misconfigurations */
	uint64_t guest_linear;
	uint32_t intr_info;
};

/*
 * The return contract of every handler: EXIT_RESUME to enter the guest
 * again (the handler has advanced RIP or queued an event as needed);
 * EXIT_STOPPED when the handler stopped the guest (it has said why).
 */
enum exit_action {
	EXIT_RESUME = 0,
	EXIT_STOPPED = 1,
};

typedef enum exit_action (*exit_handler_t)(struct vcpu *v, const struct exit_info *e);

/* Read the exit information, count it, and run the reason's handler. */
enum exit_action exit_dispatch(struct vcpu *v);
/* A general register by its SDM number (RAX, RCX, RDX, RBX, RSP, ...); NULL for RSP, which lives in the VMCS. */
uint64_t *vcpu_gpr(struct vcpu *v, unsigned n);
/* Move GUEST_RIP past the exiting instruction. */
void exit_skip_instruction(const struct exit_info *e);

/* Handlers that live with their devices (vmm/exit/ports.c, vmm/exit/cpuid.c, vmm/exit/msr.c). */
enum exit_action handle_io(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_rdmsr(struct vcpu *v, const struct exit_info *e);
enum exit_action handle_wrmsr(struct vcpu *v, const struct exit_info *e);

#endif
