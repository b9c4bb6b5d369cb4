/* vcpu.c: a vCPU's parts: its local APIC (register page, model, inbox, APICv state) and its exit accounting. */
#include "vmm/partition/vcpu.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/tsc.h"
#include "vmm/core/percpu.h"
#include "vmm/core/vectors.h"
#include "vmm/lib/cost_hist.h"
#include "vmm/lib/panic.h"
#include "vmm/mm/mm.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"

#define US_PER_S 1000000

struct vcpu *this_vcpu(void) { return this_cpu()->vcpu; }

#define CPUID_LEAF_EXT_MAX 0x80000000u
#define CPUID_LEAF_ADDR_SIZES 0x80000008u /* EAX[7:0]: MAXPHYADDR */

/*
 * The physical-address width the guest's CPUID reports (leaf 0x80000008 passes the host's on): the APIC base
 * may hold any address below it (SDM Vol. 3, 11.4.4), as on the CPU; 0 lets the model take its default.
 */
static uint8_t guest_maxphyaddr(void)
{
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax < CPUID_LEAF_ADDR_SIZES)
		return 0;
	return (uint8_t)cpuid(CPUID_LEAF_ADDR_SIZES, 0).eax;
}

/* Its local APIC: the register page the model (and APICv's virtual-APIC page) uses, and its inbox. */
static bool create_apic(struct vcpu *v)
{
	v->lapic_page = page_alloc(1);
	v->pi_page = page_alloc(1);
	if (!v->lapic_page || !v->pi_page)
		return false;
	/* The virtual timer counts TSC ticks (divided by its divide configuration), with a floor (guest_layout.h). */
	const struct vlapic_config cfg = {.tsc_per_bus_tick = 1,
	                                  .timer_floor = tsc_hz() * GUEST_APIC_TIMER_FLOOR_US / US_PER_S,
	                                  .maxphyaddr = guest_maxphyaddr(),
	                                  .x2apic = true,
	                                  .tsc_deadline = true};
	vlapic_setup(&v->lapic, phys_to_virt(v->lapic_page), &cfg);
	/* NDST as VT-d reads it in the host's APIC mode: the 32-bit x2APIC ID, or the xAPIC ID in bits 15:8. */
	uint32_t apic_id = per_cpu(v->cpu)->apic_id;
	pi_init(&v->inbox, phys_to_virt(v->pi_page), HV_VECTOR_POSTED, lapic_x2apic_mode() ? apic_id : apic_id << 8);
	const struct apicv_vcpu_cfg apicv = {
	        .lapic = &v->lapic,
	        .virtual_apic_page = v->lapic_page,
	        .apic_access_page = v->guest->apic_access_page,
	        .pi_desc_page = v->pi_page,
	        .notify_vector = HV_VECTOR_POSTED,
	        .ioapic = {&v->guest->ioapic, &v->guest->lock, &v->guest->ioapic_writes},
	};
	apicv_vcpu_init(&v->apicv, &apicv);
	return true;
}

void vcpu_create(struct vcpu *v, struct guest *g, uint32_t index, uint32_t cpu)
{
	*v = (struct vcpu){.guest = g, .index = index, .cpu = cpu, .vpid = (uint16_t)(cpu + 1)};
	if (!create_apic(v))
		panic("guest %s: out of memory for a virtual-APIC page", g->name);
	vcpu_reset(v);
	size_t bytes = EXIT_REASON_MAX * (sizeof(struct cost_hist) + sizeof(struct root_phase_sum));
	uint64_t cost = page_alloc((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!cost)
		panic("guest %s: out of memory for exit accounting", g->name);
	v->root_cost = phys_to_virt(cost);
	v->root_phase = (struct root_phase_sum *)(v->root_cost + EXIT_REASON_MAX);
}

void vcpu_reset(struct vcpu *v)
{
	vlapic_reset(&v->lapic, v->index, v->index == 0);
	pi_reset(&v->inbox);
	v->nmi_pending = 0;
	v->smi_ipi_said = false;
	if (v->apic_away) { /* in xAPIC mode at the default base again: its guest counts one fewer away */
		v->apic_away = false;
		guest_apic_away(v->guest, false);
	}
	v->timer_next = VLAPIC_NEVER;
	v->hazard = VCPU_HZ_ALL;
}
