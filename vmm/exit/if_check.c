/* if_check.c: debug.if_check, a check of the CPU: a virtual interrupt it delivered through RFLAGS.IF = 0. */
#include "vmm/exit/if_check.h"

#include "apicv/apicv.h"
#include "apicv/vintr.h"
#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_exit.h"
#include "vmm/exit/mmio.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"

#define GATE64_BYTES 16 /* an IDT gate in IA-32e mode (SDM Vol. 3, 6.14.1, Figure 6-8) */
#define GATE32_BYTES 8  /* in protected mode (6.11, Figure 6-2) */
#define SAID_ALL 8      /* every catch is said up to this many; then at each power of two */

bool exit_if_check_on;
static uint32_t caught; /* across every vCPU */

void exit_if_check_enable(void) { exit_if_check_on = true; }

/* The handler's offset in an IDT gate: bits 15:0, 31:16 and, in IA-32e mode, 63:32. */
static uint64_t gate_offset(const uint8_t *g, bool ia32e)
{
	uint64_t off = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24;

	if (ia32e)
		off |= (uint64_t)(g[8] | g[9] << 8 | g[10] << 16 | (uint32_t)g[11] << 24) << 32;
	return off;
}

/*
 * The CPU delivers a recognized virtual interrupt only at a boundary where
 * RFLAGS.IF = 1 and nothing blocks it (SDM Vol. 3, 30.2.2). Just delivered,
 * the vector is in service (SVI), the guest stands at the first instruction
 * of its IDT handler, and the top of its stack is the interrupt's frame:
 * RIP, CS, RFLAGS (6.14.2; 6.12.1 in protected mode, at the same privilege
 * level). A host interrupt that exits there, one boundary later, can tell
 * from that frame whether IF was 1 when the vector came. Bochs 2.7 and 3.0
 * deliver it through IF = 0 when a host interrupt reaches the CPU
 * (docs/benchmarks.md, "A hang under Bochs, explained"); with posted
 * interrupts the notification itself then makes no exit, so vid is where
 * this sees it. Only peeks at guest memory, with the guest's own tables.
 */
void exit_if_check_look(struct vcpu *v)
{
	if (!apicv_vid_active(&v->apicv))
		return;
	unsigned svi = vmcs_read16(GUEST_INTR_STATUS) >> GUEST_INTR_STATUS_SVI_SHIFT;
	if (!svi || (vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF))
		return; /* nothing in service, or the handler runs with IF = 1: not a delivery this boundary */
	bool ia32e = (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L) != 0;
	unsigned gate_bytes = ia32e ? GATE64_BYTES : GATE32_BYTES, word = ia32e ? 8 : 4;
	uint64_t rip = vmcs_readl(GUEST_RIP), frame = vmcs_readl(GUEST_RSP) + (ia32e ? 0 : vmcs_readl(GUEST_SS_BASE));
	uint8_t gate[GATE64_BYTES];
	uint64_t flags = 0;
	struct guest_walk_ctx ctx;

	mmio_walk_ctx(v, &ctx);
	if (!ia32e)
		frame &= 0xffffffffu;
	if (!guest_read_linear(&ctx, vmcs_readl(GUEST_IDTR_BASE) + svi * gate_bytes, gate, gate_bytes) ||
	    gate_offset(gate, ia32e) != (ia32e ? rip : rip & 0xffffffffu) ||
	    !guest_read_linear(&ctx, frame + 2 * word, &flags, word) || (flags & RFLAGS_IF))
		return;
	uint32_t n = __atomic_add_fetch(&caught, 1, __ATOMIC_RELAXED);
	if (n <= SAID_ALL || !(n & (n - 1)))
		pr_warn("debug: guest %s, vCPU %u: the CPU delivered vector %#x through RFLAGS.IF = 0 "
		        "(the frame's RFLAGS %#llx, at its handler %#llx): against SDM 30.2.2; %u caught so far",
		        v->guest->name, v->index, svi, (unsigned long long)flags, (unsigned long long)rip, n);
}
