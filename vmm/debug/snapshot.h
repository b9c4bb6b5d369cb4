/* snapshot.h: one vCPU copied on the core that runs it: registers, every VMCS field, APIC page, PI descriptor. */
#ifndef VMM_DEBUG_SNAPSHOT_H
#define VMM_DEBUG_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "apicv/posted.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_regs.h"
#include "vmm/partition/vcpu.h"

#define SNAPSHOT_APIC_PAGE 4096
#define SNAPSHOT_NAME_MAX 32

/*
 * A VMCS can be read only on the core where it is current (SDM Vol. 3, 25.1):
 * the shell asks that core for one of these and prints it with the dump_*
 * functions below, which read nothing else (so the host tests can feed them).
 */
struct vcpu_snapshot {
	uint32_t cpu;  /* the core that took it */
	uint64_t tsc;  /* when */
	bool has_vcpu; /* false: the core runs no vCPU, and nothing below is set */
	char guest[SNAPSHOT_NAME_MAX];
	uint32_t vcpu_index;
	enum vcpu_state state;
	enum vmx_apicv_mode apicv_mode;
	bool launched;
	uint8_t nmi_pending; /* NMIs the hypervisor holds until the guest can take them: 0-2 (vcpu.nmi_pending) */
	uint64_t wake_tsc;   /* a halted vCPU's wake-up time (0: none) */
	uint64_t timer_next; /* the virtual APIC timer's next expiry (TSC; VLAPIC_NEVER: not armed, or masked) */
	bool timer_counting; /* a one-shot or periodic countdown runs (masked, it raises nothing and asks no exit) */
	struct guest_regs regs;
	/* Every field of vmcs_fields[], by VMCS_IDX_*: vmcs_ok is 0 where VMREAD failed (a field this CPU lacks). */
	bool vmcs_current; /* the vCPU's VMCS was current (VMPTRST): without it no field was read */
	uint64_t vmcs[VMCS_FIELD_COUNT];
	uint8_t vmcs_ok[VMCS_FIELD_COUNT];
	/*
	 * The vCPU's APIC registers: the virtual-APIC page with TPR shadow, the model's page without.
	 * Aligned as on the APIC (16 bytes a register, SDM Vol. 3, 11.4.1): snap_apic_reg loads 32 bits.
	 */
	_Alignas(16) uint8_t apic_page[SNAPSHOT_APIC_PAGE];
	uint64_t apic_base_msr;  /* IA32_APIC_BASE as the guest sees it */
	uint32_t timer_current;  /* the timer's current count, computed at tsc */
	uint64_t eoi_exit[4];    /* the EOI-exit bitmap as last written (apicv_vcpu.eoi_exit) */
	struct pi_desc pi;       /* the posted-interrupt descriptor (every mode posts through its PIR) */
	uint64_t inbox_level[4]; /* level-triggered vectors posted, not yet taken */
	uint32_t inbox_mail;     /* PI_MAIL_* posted, not yet taken */
};

/* A field of a snapshot by its SDM name: SNAP_FIELD(s, GUEST_RIP); SNAP_HAS is false if it was not read. */
#define SNAP_FIELD(s, f) ((s)->vmcs[VMCS_IDX_##f])
#define SNAP_HAS(s, f) ((s)->vmcs_current && (s)->vmcs_ok[VMCS_IDX_##f])

/* A 32-bit APIC register of the snapshot's page by its MMIO offset (SDM Vol. 3, Table 11-1). */
static inline uint32_t snap_apic_reg(const struct vcpu_snapshot *s, unsigned offset)
{
	return *(const uint32_t *)(const void *)&s->apic_page[offset];
}

/*
 * Take a snapshot of cpu's vCPU into out, on cpu itself: at once if it is the
 * calling core, otherwise by asking it (a kick) and waiting up to timeout_ms.
 * False if it did not answer in time (interrupts off, or stopped); out is then
 * not written, and a late answer is dropped.
 */
bool snapshot_take(uint32_t cpu, struct vcpu_snapshot *out, unsigned timeout_ms);
/* The asked core's side: take a snapshot if one was asked for. From its kick handler and its waits. */
void snapshot_serve(void);

/* The shell's views of a snapshot, printed with console_printf_raw (dump_vcpu.c, dump_vmcs.c, dump_apic.c). */
void dump_vcpu(const struct vcpu_snapshot *s); /* vcpu <n>: registers and guest state, decoded */
void dump_vmcs(const struct vcpu_snapshot *s); /* vmcs <n>: every field, grouped as the SDM groups them */
void dump_apic(const struct vcpu_snapshot *s); /* apic <n>: the APIC page, RVI/SVI, EOI-exit bitmap, PI descriptor */
/* A vCPU state as the views and the shell's cpus print it ("wait-for-SIPI"); "?" for a value out of the enum. */
const char *vcpu_state_name(enum vcpu_state st);

#endif
