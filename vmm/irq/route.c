/* route.c: where a vCPU's interrupts come from and go: IPIs and I/O APIC messages, posted into the target's inbox. */
#include "apicv/apicv.h"
#include "apicv/posted.h"
#include "arch/x86/lapic.h"
#include "vmm/core/cpus.h"
#include "vmm/core/percpu.h"
#include "vmm/irq/irq.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_log.h"
#include "vmm/partition/guest_layout.h"

/*
 * What pi_post_* asked for, sent while the poster still holds t's inbox lock
 * (apicv/posted.c says why). The notification vector reaches a core in its
 * guest as posted-interrupt processing in mode posted, and as an
 * external-interrupt exit otherwise; in the hypervisor it is an ordinary
 * interrupt whose handler only ends it.
 */
static void send_signal(struct vcpu *t, enum pi_signal s)
{
	uint32_t apic_id = per_cpu(t->cpu)->apic_id;

	if (s == PI_SIGNAL_NOTIFY && !lapic_send_ipi(apic_id, APIC_ICR_DM_FIXED | t->inbox.desc->nv))
		guest_log(t->guest, GUEST_LOG_NOTIFY_STUCK, "irq: notification to CPU %u: delivery status stuck",
		          t->cpu);
	else if (s == PI_SIGNAL_KICK)
		cpu_kick(t->cpu);
}

/*
 * Every interrupt for a vCPU comes through here: IPIs, I/O APIC messages,
 * the console's serial input. On t's own core (it is in the hypervisor,
 * since this code runs) the model accepts it at once; from another core it
 * is posted into t's inbox.
 */
static void post_vector(struct vcpu *t, uint8_t vector, bool level)
{
	if (apicv_vid_active(&t->apicv))
		__atomic_fetch_add(&t->interrupts, 1, __ATOMIC_RELAXED); /* delivery itself is the CPU's, unseen */
	if (t->cpu == this_cpu()->cpu_id) {
		vlapic_accept(&t->lapic, vector, level);
		t->hazard |= VCPU_HZ_APIC | VCPU_HZ_EVENT; /* from the console's input too, between exits */
		return;
	}
	pi_lock(&t->inbox);
	send_signal(t, level ? pi_post_level(&t->inbox, vector) : pi_post_edge(&t->inbox, vector));
	pi_unlock(&t->inbox);
}

/* NMI, INIT, SIPI: always through the inbox, taken before t's next entry (or by its wait loop). */
static void post_mail(struct vcpu *t, uint32_t mail, uint8_t sipi_vector)
{
	pi_lock(&t->inbox);
	enum pi_signal s = pi_post_mail(&t->inbox, mail, sipi_vector);
	if (t->cpu != this_cpu()->cpu_id)
		send_signal(t, s);
	pi_unlock(&t->inbox);
}

void irq_post(struct vcpu *v, uint8_t vector) { post_vector(v, vector, false); }
void irq_post_nmi(struct vcpu *v) { post_mail(v, PI_MAIL_NMI, 0); }

/*
 * route_ipi, for the one case: without a shorthand, a physical x2APIC
 * destination other than the broadcast matches only the APIC whose ID it is
 * (vlapic_match), and that APIC's vCPU is found by its ID without a search.
 */
bool irq_ipi_fixed_physical(struct vcpu *sender, uint32_t dest, uint8_t vector)
{
	struct vcpu *t = guest_vcpu_by_apic_id(sender->guest, dest);

	if (!t || t == sender || !vlapic_match(&t->lapic, dest, VLAPIC_DEST_PHYSICAL, true))
		return false;
	post_vector(t, vector, false);
	return true;
}

static void deliver(struct vcpu *t, const struct vlapic_ipi *ipi)
{
	switch (ipi->mode) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST: post_vector(t, ipi->vector, false); break;
	case VLAPIC_DM_NMI: post_mail(t, PI_MAIL_NMI, 0); break;
	case VLAPIC_DM_INIT:
		/* INIT level de-assert only synchronizes arbitration IDs on old APICs (SDM Vol. 3, 11.6.1). */
		if (ipi->level || !ipi->trigger_level)
			post_mail(t, PI_MAIL_INIT, 0);
		break;
	case VLAPIC_DM_STARTUP: post_mail(t, PI_MAIL_SIPI, ipi->vector); break;
	default: break; /* the model sends no other mode; SMI stops in route_ipi */
	}
}

/*
 * An IPI reaches only vCPUs of the sender's own guest. SMI reaches none (a
 * guest has no SMM): said once per sending vCPU and start of its guest, as
 * the I/O APIC's undeliverable entries are said once, since a guest may send
 * them at any rate. The flag is the sender's, on its own core.
 */
static void route_ipi(struct vcpu *sender, const struct vlapic_ipi *ipi)
{
	struct guest *g = sender->guest;
	struct vlapic *cands[GUEST_MAX_VCPUS];
	struct vcpu *hit[GUEST_MAX_VCPUS];
	size_t n = 0;

	if (ipi->mode == VLAPIC_DM_SMI) {
		if (!sender->smi_ipi_said)
			pr_warn("irq: guest %s: vCPU %u sends SMI IPIs: not delivered (a guest has no SMM); said once",
			        g->name, sender->index);
		sender->smi_ipi_said = true;
		return;
	}

	for (uint32_t i = 0; i < g->nvcpus; i++)
		if (vlapic_ipi_hits(&g->vcpus[i]->lapic, &sender->lapic, ipi)) {
			hit[n] = g->vcpus[i];
			cands[n++] = &g->vcpus[i]->lapic;
		}
	if (ipi->mode == VLAPIC_DM_LOWEST && n) {
		size_t k = vlapic_lowest_priority(cands, n);
		if (k < n)
			deliver(hit[k], ipi);
		return;
	}
	for (size_t i = 0; i < n; i++)
		deliver(hit[i], ipi);
}

/*
 * What the guest cannot be given (82093AA datasheet, 3.2.4): SMI (a guest
 * has no SMM), ExtINT (no 8259A-compatible PIC answers the INTA cycle with
 * a vector) and the reserved modes 3 and 6. NULL: deliverable.
 */
static const char *ioapic_undeliverable(uint8_t mode)
{
	switch (mode) {
	case IOAPIC_DM_FIXED:
	case IOAPIC_DM_LOWEST:
	case IOAPIC_DM_NMI:
	case IOAPIC_DM_INIT: return 0;
	case IOAPIC_DM_SMI: return "SMI: a guest has no SMM";
	case IOAPIC_DM_EXTINT: return "ExtINT: no 8259A-compatible PIC supplies the vector";
	default: return "a reserved mode";
	}
}

/*
 * An I/O APIC message goes to the local APICs it addresses (xAPIC format,
 * 8-bit destination), by its delivery mode: fixed and lowest priority as
 * vectors, NMI and INIT the way an IPI of that mode goes (edge-triggered,
 * whatever the entry's trigger bit says).
 */
static void route_ioapic(struct guest *g, const struct vioapic_msg *m)
{
	const struct vlapic_ipi ipi = {
	        .mode = (enum vlapic_delivery)m->delivery_mode, .vector = m->vector, .level = true};
	const char *why = ioapic_undeliverable(m->delivery_mode);

	if (why) {
		/*
		 * Once per entry, not per message: a pin can fire at any rate. And
		 * through the limiter: a guest can rewrite the entry as often.
		 */
		if (m->first)
			guest_log(g, GUEST_LOG_IOAPIC_UNDELIVERABLE,
			          "irq: guest %s: I/O APIC pin %u, delivery mode %u (%s): not delivered", g->name,
			          m->pin, m->delivery_mode, why);
		return;
	}
	for (uint32_t i = 0; i < g->nvcpus; i++) {
		struct vcpu *t = g->vcpus[i];
		if (!vlapic_match(&t->lapic, m->dest, m->dest_logical ? VLAPIC_DEST_LOGICAL : VLAPIC_DEST_PHYSICAL,
		                  false))
			continue;
		if (m->delivery_mode == IOAPIC_DM_NMI || m->delivery_mode == IOAPIC_DM_INIT) {
			deliver(t, &ipi);
			continue;
		}
		post_vector(t, m->vector, m->level);
		if (m->delivery_mode == IOAPIC_DM_LOWEST)
			return; /* one receiver: the first match (arbitration among them is not modelled) */
	}
}

void irq_route_ioapic(struct guest *g, const struct vioapic_msg *msgs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		route_ioapic(g, &msgs[i]);
}

/*
 * v's APIC changed its mode or its base: the guest's APIC-access page follows
 * (guest_apic_away). A base outside the guest's memory is trapped as an EPT
 * violation like the default one; a base inside it cannot be, which is said.
 */
static void apic_moved(struct vcpu *v)
{
	uint64_t base = vlapic_mmio_base(&v->lapic), hpa, flags;
	bool xapic = vlapic_mode(&v->lapic) == VLAPIC_MODE_XAPIC;
	bool away = !xapic || base != GUEST_LAPIC_BASE;

	if (away != v->apic_away) {
		v->apic_away = away;
		guest_apic_away(v->guest, away);
	}
	if (xapic && base != GUEST_LAPIC_BASE && ept_translate(&v->guest->ept, base, &hpa, &flags))
		guest_log(v->guest, GUEST_LOG_APIC_BASE_IN_RAM,
		          "irq: guest %s moved its APIC base to %#llx, inside its memory: not trapped there",
		          v->guest->name, (unsigned long long)base);
}

void irq_apply(struct vcpu *v, const struct vlapic_effect *fx)
{
	if (fx->flags & VLAPIC_FX_IPI)
		route_ipi(v, &fx->ipi);
	if ((fx->flags & VLAPIC_FX_EOI) && fx->eoi_broadcast) {
		struct vioapic_msg msgs[VIOAPIC_MAX_MSGS];
		unsigned n;
		spin_lock(&v->guest->lock);
		vioapic_eoi(&v->guest->ioapic, fx->eoi_vector, msgs, &n);
		spin_unlock(&v->guest->lock);
		irq_route_ioapic(v->guest, msgs, n);
	}
	if (fx->flags & (VLAPIC_FX_BASE | VLAPIC_FX_DEST))
		apicv_apic_changed(&v->apicv);
	if (fx->flags & VLAPIC_FX_BASE)
		apic_moved(v);
}

void irq_ioapic_line(struct guest *g, unsigned pin, bool asserted)
{
	struct vioapic_msg m;

	spin_lock(&g->lock);
	bool send = vioapic_set_line(&g->ioapic, pin, asserted, &m);
	spin_unlock(&g->lock);
	if (send)
		route_ioapic(g, &m);
}
