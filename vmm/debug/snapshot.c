/* snapshot.c: taking a vCPU's snapshot on the core that owns its VMCS, for a shell running on another. */
#include "vmm/debug/snapshot.h"

#include "apicv/mode.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"

/*
 * One request per core, in percpu.snap_state. The asker moves it IDLE ->
 * ASKED and kicks; the core claims it ASKED -> TAKING, fills the buffer and
 * ends it with DONE. An asker that gives up takes it back ASKED -> IDLE; if
 * that fails the core has claimed it, and the asker waits the few microseconds
 * a copy takes, so the buffer is never written after the asker moved on.
 */
enum snap_state {
	SNAP_IDLE = 0,
	SNAP_ASKED,
	SNAP_TAKING,
	SNAP_DONE,
};

static void fill(struct vcpu_snapshot *s)
{
	struct vcpu *v = this_vcpu();

	memset(s, 0, sizeof(*s));
	s->cpu = this_cpu()->cpu_id;
	s->tsc = rdtsc();
	if (!v)
		return;
	s->has_vcpu = true;
	hv_strlcpy(s->guest, v->guest->name, sizeof(s->guest));
	s->vcpu_index = v->index;
	s->state = v->state;
	s->apicv_mode = apicv_mode();
	s->launched = v->launched;
	s->nmi_pending = v->nmi_pending;
	s->wake_tsc = v->wake_tsc;
	s->timer_next = v->timer_next;
	s->timer_counting = v->lapic.timer.armed;
	s->regs = v->regs;
	/* Between a VMCLEAR and the VMPTRLD that follows (a restart) no VMCS is current: say so, read nothing. */
	s->vmcs_current = this_cpu()->vmx_state == VMX_CPU_ON && vmptrst() == v->vmcs;
	if (s->vmcs_current) {
		/*
		 * VM_INSTRUCTION_ERROR first: a VMREAD of a field this CPU lacks
		 * fails with error 12 (SDM Vol. 3, 31.4) and writes that there. It
		 * is harmless to leave (each failing VMX instruction sets it anew),
		 * but the snapshot must show the error the guest's last one left.
		 */
		s->vmcs_ok[VMCS_IDX_VM_INSTRUCTION_ERROR] =
		        vmcs_try_read(VM_INSTRUCTION_ERROR, &s->vmcs[VMCS_IDX_VM_INSTRUCTION_ERROR]);
		for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
			if (i != VMCS_IDX_VM_INSTRUCTION_ERROR)
				s->vmcs_ok[i] = vmcs_try_read(vmcs_fields[i].encoding, &s->vmcs[i]);
	}
	memcpy(s->apic_page, v->lapic.page, sizeof(s->apic_page));
	s->apic_base_msr = v->lapic.apic_base_msr;
	s->timer_current = vlapic_timer_current(&v->lapic, s->tsc);
	memcpy(s->eoi_exit, v->apicv.eoi_exit, sizeof(s->eoi_exit));
	/*
	 * The inbox without its lock: this may run in the NMI of a stopped core
	 * that holds it. A poster may be writing: the copy is as of about now.
	 */
	memcpy(&s->pi, (const void *)v->inbox.desc, sizeof(s->pi));
	memcpy(s->inbox_level, v->inbox.level, sizeof(s->inbox_level));
	s->inbox_mail = v->inbox.mail;
}

void snapshot_serve(void)
{
	struct percpu *p = this_cpu();
	uint32_t asked = SNAP_ASKED;

	if (__atomic_load_n(&p->snap_state, __ATOMIC_RELAXED) != SNAP_ASKED) /* every kick comes here: be cheap */
		return;
	if (!__atomic_compare_exchange_n(&p->snap_state, &asked, SNAP_TAKING, false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED))
		return;
	fill(p->snap_out);
	__atomic_store_n(&p->snap_state, SNAP_DONE, __ATOMIC_RELEASE);
}

bool snapshot_take(uint32_t cpu, struct vcpu_snapshot *out, unsigned timeout_ms)
{
	if (cpu == this_cpu()->cpu_id) {
		fill(out);
		return true;
	}
	struct percpu *p = per_cpu(cpu);
	uint64_t deadline = rdtsc() + tsc_hz() / 1000 * timeout_ms;

	p->snap_out = out;
	__atomic_store_n(&p->snap_state, SNAP_ASKED, __ATOMIC_RELEASE);
	cpu_kick(cpu); /* its kick handler serves it, in root mode, where its VMCS is current */
	for (;;) {
		uint32_t st = __atomic_load_n(&p->snap_state, __ATOMIC_ACQUIRE);

		if (st == SNAP_DONE)
			break;
		if (st == SNAP_ASKED && rdtsc() > deadline) {
			uint32_t asked = SNAP_ASKED;
			if (__atomic_compare_exchange_n(&p->snap_state, &asked, SNAP_IDLE, false, __ATOMIC_ACQ_REL,
			                                __ATOMIC_ACQUIRE))
				return false;
		}
		cpu_relax();
	}
	__atomic_store_n(&p->snap_state, SNAP_IDLE, __ATOMIC_RELEASE);
	return true;
}
