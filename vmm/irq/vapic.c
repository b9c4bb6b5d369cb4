/* vapic.c: a vCPU's local APIC and its guest's I/O APIC, wired to VM exits, injection and cross-core IPIs. */
#include "vmm/irq/vapic.h"

#include "apicv/apicv.h"
#include "apicv/mode.h"
#include "apicv/posted.h"
#include "apicv/vintr.h"
#include "arch/x86/cpu.h"
#include "arch/x86/guest_walk.h"
#include "arch/x86/insn_decode.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_exit.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/lib/log.h"
#include "vmm/core/cpus.h"
#include "arch/x86/lapic.h"
#include "vmm/lib/fmt.h"
#include "vmm/partition/guest.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/mm/mm.h"
#include "vmm/core/percpu.h"
#include "vmm/core/vectors.h"
#include "vmm/core/cpus.h"
#include "vmm/lib/string.h"

#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_PAGE_SIZE 0x1000ull
#define IOAPIC_PAGE_SIZE 0x1000ull
#define MAX_INSN_LEN 15

/* ---- posting: the one way any source reaches a vCPU ---- */

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
		pr_warn("vapic: notification to CPU %u: delivery status stuck", t->cpu);
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

void vapic_inject(struct vcpu *v, uint8_t vector) { post_vector(v, vector, false); }
void vapic_nmi(struct vcpu *v) { post_mail(v, PI_MAIL_NMI, 0); }

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
	default: pr_warn("vapic: guest %s: IPI with delivery mode %u ignored (no SMM)", t->guest->name, ipi->mode);
	}
}

/* An IPI reaches only vCPUs of the sender's own guest. */
static void route_ipi(struct vcpu *sender, const struct vlapic_ipi *ipi)
{
	struct guest *g = sender->guest;
	struct vlapic *cands[GUEST_MAX_VCPUS];
	struct vcpu *hit[GUEST_MAX_VCPUS];
	size_t n = 0;

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

/* An I/O APIC message goes to the local APICs it addresses (xAPIC format, 8-bit destination). */
static void route_ioapic(struct guest *g, const struct vioapic_msg *m)
{
	for (uint32_t i = 0; i < g->nvcpus; i++) {
		struct vcpu *t = g->vcpus[i];
		if (vlapic_match(&t->lapic, m->dest, m->dest_logical ? VLAPIC_DEST_LOGICAL : VLAPIC_DEST_PHYSICAL,
		                 false)) {
			post_vector(t, m->vector, m->level);
			if (m->delivery_mode == VLAPIC_DM_LOWEST)
				return; /* one receiver: the first match (arbitration among them is not modelled) */
		}
	}
}

static void ioapic_messages(struct vcpu *v, const struct vioapic_msg *msgs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		route_ioapic(v->guest, &msgs[i]);
}

void vapic_apply(struct vcpu *v, const struct vlapic_effect *fx)
{
	if (fx->flags & VLAPIC_FX_IPI)
		route_ipi(v, &fx->ipi);
	if ((fx->flags & VLAPIC_FX_EOI) && fx->eoi_broadcast) {
		struct vioapic_msg msgs[VIOAPIC_MAX_MSGS];
		unsigned n;
		spin_lock(&v->guest->lock);
		vioapic_eoi(&v->guest->ioapic, fx->eoi_vector, msgs, &n);
		spin_unlock(&v->guest->lock);
		ioapic_messages(v, msgs, n);
	}
	if (fx->flags & (VLAPIC_FX_BASE | VLAPIC_FX_DEST))
		apicv_apic_changed(&v->apicv);
	if ((fx->flags & VLAPIC_FX_BASE) && vlapic_mmio_base(&v->lapic) != GUEST_LAPIC_BASE)
		pr_warn("vapic: guest %s moved its APIC base to %#llx: only %#llx is trapped", v->guest->name,
		        (unsigned long long)vlapic_mmio_base(&v->lapic), (unsigned long long)GUEST_LAPIC_BASE);
}

void vapic_ioapic_line(struct guest *g, unsigned pin, bool asserted)
{
	struct vioapic_msg m;

	spin_lock(&g->lock);
	bool send = vioapic_set_line(&g->ioapic, pin, asserted, &m);
	spin_unlock(&g->lock);
	if (send)
		route_ioapic(g, &m);
}

/* ---- MMIO: the guest's accesses to its xAPIC page and I/O APIC page ---- */

bool vapic_is_mmio(const struct vcpu *v, uint64_t gpa)
{
	uint64_t base = vlapic_mmio_base(&v->lapic);

	return (vlapic_mode(&v->lapic) == VLAPIC_MODE_XAPIC && gpa >= base && gpa < base + APIC_PAGE_SIZE) ||
	       (gpa >= GUEST_IOAPIC_BASE && gpa < GUEST_IOAPIC_BASE + IOAPIC_PAGE_SIZE);
}

static bool read_guest_ram(void *opaque, uint64_t gpa, void *buf, unsigned len)
{
	const struct guest *g = opaque;

	/* Guest RAM and the firmware area, not the hole between them (docs/guest-platform.md). */
	if (gpa >= g->ram.size || len > g->ram.size - gpa ||
	    (gpa < GUEST_FIRMWARE_BASE && gpa + len > GUEST_LOW_RAM_END))
		return false;
	memcpy(buf, g->ram.ram + gpa, len);
	return true;
}

/* The instruction at CS:RIP and the mode it runs in. Returns the bytes fetched (0 on failure). */
static unsigned fetch_instruction(struct vcpu *v, uint8_t *bytes, enum cpu_mode *mode)
{
	const struct guest_walk_ctx ctx = {
	        .cr0 = vmcs_readl(GUEST_CR0),
	        .cr3 = vmcs_readl(GUEST_CR3),
	        .cr4 = vmcs_readl(GUEST_CR4),
	        .efer = vmcs_read64(GUEST_IA32_EFER),
	        .read_gpa = read_guest_ram,
	        .opaque = v->guest,
	};
	uint32_t ar = vmcs_read32(GUEST_CS_AR_BYTES);
	uint64_t linear = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);

	*mode = (ar & VMX_AR_L) && (ctx.efer & EFER_LMA) ? CPU_MODE_64
	        : (ar & VMX_AR_DB) && (ctx.cr0 & CR0_PE) ? CPU_MODE_32
	                                                 : CPU_MODE_16;
	/* Near the end of a page the next one may be unmapped: try shorter fetches. */
	for (unsigned len = MAX_INSN_LEN; len; len--)
		if (guest_read_linear(&ctx, linear, bytes, len))
			return len;
	return 0;
}

/* Put a value read from MMIO into the instruction's register, as the CPU would (SDM Vol. 1, 3.4.1.1). */
static void load_register(struct vcpu *v, const struct mmio_insn *in, uint64_t value)
{
	uint64_t *r = guest_gpr(&v->regs, (unsigned)in->reg);
	unsigned size = in->reg_size ? in->reg_size : in->size;

	if (in->extend == MMIO_EXT_SIGN && in->size < 8) {
		unsigned shift = 64 - 8 * in->size;
		value = (uint64_t)((int64_t)(value << shift) >> shift);
	}
	if (in->high_byte)
		*r = (*r & ~0xff00ull) | (value & 0xff) << 8;
	else if (size == 1)
		*r = (*r & ~0xffull) | (value & 0xff);
	else if (size == 2)
		*r = (*r & ~0xffffull) | (value & 0xffff);
	else if (size == 4)
		*r = value & 0xffffffffull; /* a 32-bit destination zero-extends in 64-bit mode */
	else
		*r = value;
}

static uint64_t store_value(struct vcpu *v, const struct mmio_insn *in)
{
	uint64_t mask = in->size == 8 ? ~0ull : (1ull << (8 * in->size)) - 1;

	if (in->reg < 0)
		return in->imm & mask;
	uint64_t r = *guest_gpr(&v->regs, (unsigned)in->reg);
	return (in->high_byte ? r >> 8 : r) & mask;
}

static enum exit_action mmio_fail(struct vcpu *v, const char *what, uint64_t gpa)
{
	char why[96];

	hv_snprintf(why, sizeof(why), "%s (MMIO at %#llx, RIP %#llx)", what, (unsigned long long)gpa,
	            (unsigned long long)vmcs_readl(GUEST_RIP));
	guest_stop(v->guest, why, 0);
	return EXIT_STOPPED;
}

/* One access to the I/O APIC page; its messages go to the local APICs after the lock is dropped. */
static uint32_t ioapic_access(struct vcpu *v, uint64_t offset, bool write, uint32_t value)
{
	struct vioapic_msg msgs[VIOAPIC_MAX_MSGS];
	unsigned n = 0;
	uint32_t r = 0;

	spin_lock(&v->guest->lock);
	if (write) {
		vioapic_write(&v->guest->ioapic, offset, value, msgs, &n);
		v->guest->ioapic_writes++;
	} else
		r = vioapic_read(&v->guest->ioapic, offset);
	spin_unlock(&v->guest->lock);
	ioapic_messages(v, msgs, n);
	return r;
}

enum exit_action vapic_mmio(struct vcpu *v, const struct exit_info *e)
{
	return vapic_mmio_at(v, e, e->guest_physical);
}

enum exit_action vapic_mmio_at(struct vcpu *v, const struct exit_info *e, uint64_t gpa)
{
	uint8_t bytes[MAX_INSN_LEN];
	enum cpu_mode mode;
	struct mmio_insn in;
	struct vlapic_effect fx = {0};
	bool lapic = gpa < GUEST_IOAPIC_BASE || gpa >= GUEST_IOAPIC_BASE + IOAPIC_PAGE_SIZE;
	uint64_t offset = gpa - (lapic ? vlapic_mmio_base(&v->lapic) : GUEST_IOAPIC_BASE);

	unsigned len = fetch_instruction(v, bytes, &mode);
	if (!len || !insn_decode_mmio(bytes, len, mode, &in))
		return mmio_fail(v, "an instruction the hypervisor cannot decode touched an APIC", gpa);
	if (in.rmw || (in.reg == 4 && !in.high_byte))
		return mmio_fail(v, "a read-modify-write or RSP access to an APIC is not emulated", gpa);
	if (in.write) {
		uint32_t value = (uint32_t)store_value(v, &in);
		if (lapic && vlapic_mmio_write(&v->lapic, offset, in.size, value, rdtsc(), &fx) == VLAPIC_OK)
			vapic_apply(v, &fx);
		else if (!lapic && in.size == 4)
			ioapic_access(v, offset, true, value);
	} else {
		uint32_t value = 0;
		if (lapic && vlapic_mmio_read(&v->lapic, offset, in.size, rdtsc(), &value, &fx) == VLAPIC_OK)
			vapic_apply(v, &fx);
		else if (!lapic && in.size == 4)
			value = ioapic_access(v, offset, false, 0);
		load_register(v, &in, value); /* undefined accesses read as 0 (SDM Vol. 3, 11.4.1) */
	}
	vmcs_writel(GUEST_RIP, e->guest_rip + in.length);
	return EXIT_RESUME;
}

/* ---- MSRs ---- */

bool vapic_owns_msr(uint32_t msr)
{
	return msr == MSR_IA32_APICBASE || msr == MSR_IA32_TSC_DEADLINE || vlapic_is_x2apic_msr(msr);
}

bool vapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *value)
{
	struct vlapic_effect fx = {0};
	enum vlapic_result r;

	if (msr == MSR_IA32_APICBASE) {
		*value = v->lapic.apic_base_msr;
		return true;
	}
	if (msr == MSR_IA32_TSC_DEADLINE)
		r = vlapic_read_tsc_deadline(&v->lapic, value, &fx);
	else
		r = vlapic_msr_read(&v->lapic, msr, rdtsc(), value, &fx);
	if (r != VLAPIC_OK)
		return false;
	vapic_apply(v, &fx);
	return true;
}

bool vapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t value)
{
	struct vlapic_effect fx = {0};
	enum vlapic_result r;

	if (msr == MSR_IA32_APICBASE)
		r = vlapic_write_apic_base(&v->lapic, value, &fx);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		r = vlapic_write_tsc_deadline(&v->lapic, value, rdtsc(), &fx);
	else
		r = vlapic_msr_write(&v->lapic, msr, value, rdtsc(), &fx);
	if (r != VLAPIC_OK) {
		pr_debug("vapic: guest %s: WRMSR %#x <- %#llx: #GP (%s)", v->guest->name, msr,
		         (unsigned long long)value, vlapic_gp_name(fx.gp));
		return false;
	}
	vapic_apply(v, &fx);
	return true;
}

/* ---- before entry: drain, timer, injection ---- */

static void do_init(struct vcpu *v)
{
	vlapic_init_reset(&v->lapic);
	apicv_apic_changed(&v->apicv); /* software-disabled now */
	v->nmi_pending = false;
	v->state = VCPU_WAIT_SIPI;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/* Take what other cores posted: vectors into IRR, NMI, INIT, SIPI (in that order, as they may have arrived). */
static void take_inbox(struct vcpu *v)
{
	struct pi_taken in;

	if (!pi_take(&v->inbox, &in))
		return;
	apicv_merge_posted(&v->lapic, in.edge, in.level);
	if (in.mail & PI_MAIL_NMI)
		v->nmi_pending = true;
	if (in.mail & PI_MAIL_INIT)
		do_init(v);
	/* A SIPI only starts a vCPU that waits for one (SDM Vol. 3, 9.4.4.1). */
	if ((in.mail & PI_MAIL_SIPI) && v->state == VCPU_WAIT_SIPI) {
		vmx_vcpu_enter_sipi(in.sipi_vector);
		v->state = VCPU_RUNNABLE;
	}
}

static void run_timer(struct vcpu *v)
{
	uint64_t now = rdtsc();

	if (v->timer_next != VLAPIC_NEVER && now >= v->timer_next)
		vlapic_timer_expire(&v->lapic, now);
	v->timer_next = vlapic_timer_next(&v->lapic);
}

/*
 * Make sure the guest leaves when its timer is due: the VMX-preemption timer
 * where the CPU has it (SDM Vol. 3, 26.5.1), else this core's own APIC timer,
 * whose interrupt makes an external-interrupt exit.
 */
static void arm_exit_timer(struct vcpu *v)
{
	uint64_t now = rdtsc();
	uint64_t delta = v->timer_next == VLAPIC_NEVER ? ~0ull : v->timer_next > now ? v->timer_next - now : 0;

	if (vmx_set_preemption_timer(delta, cpus_vmx_caps()->preemption_timer_rate))
		return;
	lapic_timer_oneshot(HV_VECTOR_TIMER, v->timer_next == VLAPIC_NEVER ? 0 : delta ? delta : 1);
}

/* Interrupts on for one instruction: the host interrupts pending at this core are taken here. */
static void host_interrupt_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }

bool vapic_before_entry(struct vcpu *v)
{
	/*
	 * Take the inbox, let pending host interrupts in (a notification that
	 * was sent as the guest left ends here, see apicv/posted.c), and only
	 * then let posters notify again, or take once more if they posted since.
	 */
	do {
		take_inbox(v);
		if (v->state != VCPU_RUNNABLE)
			return false; /* an INIT: wait for a SIPI; SN stays set */
		host_interrupt_window();
	} while (!pi_allow(&v->inbox));
	run_timer(v);
	arm_exit_timer(v);
	bool busy = vmx_event_queued();
	if (v->nmi_pending && !busy && vmx_guest_nmi_allowed()) {
		vmx_inject_nmi();
		v->nmi_pending = false;
		busy = true;
	}
	/* Under virtual-interrupt delivery the CPU delivers what VIRR holds (RVI, set by apicv_before_entry). */
	int vector = apicv_vid_active(&v->apicv) ? -1 : vlapic_highest_pending(&v->lapic);
	if (vector >= 0 && !busy && vmx_guest_interruptible()) {
		vlapic_ack(&v->lapic, (uint8_t)vector);
		vmx_inject_interrupt((uint8_t)vector);
		v->interrupts++;
		vector = vlapic_highest_pending(&v->lapic);
	}
	vmx_request_windows(vector >= 0, v->nmi_pending);
	apicv_before_entry(&v->apicv);
	return true;
}

void vapic_left_guest(struct vcpu *v) { pi_suppress(&v->inbox); }

bool vapic_block(struct vcpu *v) { return pi_block(&v->inbox); }
void vapic_unblock(struct vcpu *v) { pi_unblock(&v->inbox); }

bool vapic_wakes_halt(struct vcpu *v)
{
	take_inbox(v);
	run_timer(v);
	if (v->state != VCPU_HALTED)
		return true; /* INIT moved it to wait-for-SIPI */
	return v->nmi_pending || ((vmcs_readl(GUEST_RFLAGS) & RFLAGS_IF) && vlapic_highest_pending(&v->lapic) >= 0);
}
