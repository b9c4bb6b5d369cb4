/* mmio.h: what mmio.c and mmio_string.c share: what answers at a guest-physical address, and the guest's state. */
#ifndef VMM_EXIT_MMIO_H
#define VMM_EXIT_MMIO_H

#include <stdint.h>

#include "arch/x86/guest_walk.h"
#include "arch/x86/insn_decode.h"
#include "vmm/partition/vcpu.h"

/* What a guest-physical address is, for v (docs/guest-platform.md, physical memory). */
enum mmio_device {
	MMIO_NONE,   /* nothing: outside the guest's memory, a guest fault */
	MMIO_RAM,    /* RAM: mapped, so only a string instruction's other operand reaches it here */
	MMIO_ROM,    /* the firmware area: memory for reads, writes dropped as a ROM drops them */
	MMIO_APIC,   /* its local APIC or its I/O APIC (vmm/irq/access.c) */
	MMIO_ABSENT, /* no device: all ones, writes dropped */
};

enum mmio_device mmio_device_at(const struct vcpu *v, uint64_t gpa);
/* size bytes at gpa (one device, not RAM): an absent device reads all ones of that size and ignores writes. */
uint64_t mmio_device_read(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size);
void mmio_device_write(struct vcpu *v, enum mmio_device dev, uint64_t gpa, unsigned size, uint64_t value);

/* The guest's paging state from the VMCS, to walk its page tables (guest_walk.h). */
void mmio_walk_ctx(struct vcpu *v, struct guest_walk_ctx *ctx);
/* General register n (SDM order; RSP from the VMCS). */
uint64_t mmio_gpr(struct vcpu *v, unsigned n);
/* Load value (size bytes) into register n as a MOV of that size would (SDM Vol. 1, 3.4.1.1). */
void mmio_load_gpr(struct vcpu *v, unsigned n, unsigned size, bool high_byte, uint64_t value);
/* The longest `what` mmio_fail keeps whole, with its NUL: room is left for the address and RIP. */
#define MMIO_WHY_MAX 192
/* Stop the guest: what went wrong, with the address and RIP. Returns EXIT_STOPPED. */
enum exit_action mmio_fail(struct vcpu *v, const char *what, uint64_t gpa);

/*
 * mmio_string.c: a MOVS, STOS or LODS whose access at gpa exited (an EPT
 * violation), decoded as in, fetched in mode: the iterations within this
 * page, or the whole instruction (see there).
 */
enum exit_action mmio_string(struct vcpu *v, const struct exit_info *e, uint64_t gpa, const struct mmio_insn *in,
                             enum cpu_mode mode);

#endif
