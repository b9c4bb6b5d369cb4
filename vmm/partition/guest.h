/* guest.h: a guest partition: its memory, its vCPUs, its virtual devices, its lifetime. */
#ifndef VMM_PARTITION_GUEST_H
#define VMM_PARTITION_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/ept.h"
#include "arch/x86/vmx_vcpu.h"
#include "boot/bootinfo.h"
#include "lapic/vioapic.h"
#include "vmm/partition/config.h"
#include "vmm/partition/mbload.h"
#include "vmm/lib/sanitize.h"
#include "vmm/lib/spinlock.h"
#include "vmm/partition/guest_log.h"
#include "vmm/partition/vcpu.h"
#include "vmm/vdev/vuart.h"

#define GUEST_MAX_VCPUS 64
/*
 * Why a guest stopped, whole, with its NUL: the longest reason is an MMIO
 * refusal (vmm/exit/mmio.c: up to MMIO_WHY_MAX of why, then the address and
 * RIP in 64 bits). Code that builds a reason sizes its buffer with it; the
 * shell's guests and stop show it.
 */
#define GUEST_STOP_REASON_MAX 256

enum guest_state {
	GUEST_LOADED = 0, /* memory and image ready, not yet entered */
	GUEST_RUNNING,
	GUEST_STOPPED,
};

struct guest {
	uint32_t id;
	char name[32];
	struct cfg_guest cfg;
	const void *image;
	uint64_t image_size;
	unsigned nmods;
	struct mb_module mods[CFG_MAX_GUEST_MODULES];
	const void *initrd; /* initrd=: 0 without one */
	uint64_t initrd_size;
	struct guest_ram ram; /* host view of guest RAM (identity-mapped host memory) */
	uint64_t ram_hpa;
	struct ept ept;
	uint64_t apic_access_page;    /* APICv modes: what its EPT maps at the local APIC's address */
	uint32_t apic_away;           /* vCPUs whose APIC is not in xAPIC mode at GUEST_LAPIC_BASE (under lock) */
	volatile uint32_t ept_gen;    /* bumped when an EPT mapping is removed: each vCPU flushes before entry */
	struct vmx_entry_state entry; /* where its first vCPU starts */
	uint32_t nvcpus;
	struct vcpu *vcpus[GUEST_MAX_VCPUS];
	struct spinlock lock; /* state, stop_reason, uart, ioapic */
	struct vioapic ioapic;
	volatile uint32_t ioapic_writes; /* bumped by every I/O APIC write: EOI-exit bitmaps follow its routing */
	volatile uint32_t state;
	volatile uint32_t run_gen; /* bumped at every stop: a vCPU started before the last stop must not run on */
	bool entered;              /* its first vCPU completed a VM entry at least once */
	uint64_t entered_tsc;      /* TSC at that first entry (of this start): its uptime counts from here */
	uint32_t starts;           /* restarts so far (restart=yes, or the shell's start and reset) */
	volatile bool held;        /* stopped by the shell's stop: it waits for start or reset */
	volatile bool start_asked; /* the shell's start or reset: load it again even without restart=yes */
	bool ended;                /* stopped for good (no restart=yes): out of the count of running guests */
	volatile bool reported;    /* its exit report since it last stopped is printed (guest_reported) */
	bool shell_stopped;        /* the last stop was the shell's stop or reset: no exit report (stats has it) */
	uint32_t exit_status;
	char stop_reason[GUEST_STOP_REASON_MAX];
	uint8_t sleep_typ;             /* the sleep control register's SLP_TYP (under lock; ACPI 4.8.3.7) */
	uint8_t sleep_status;          /* the sleep status register: WAK_STS (under lock; ACPI 4.8.3.8) */
	bool sleep_typ_said;           /* an unsupported sleep type was reported in this start */
	struct vuart uart;             /* COM1 */
	struct sanitize_line uart_out; /* its output line being collected for the console, made visible */
	struct guest_log log;          /* its rate-limited log lines (guest_log.h) */
};

/*
 * Every core a guest of the configuration names is online in VMX root; else
 * (after saying which) false: a configuration that cannot work stops boot.
 */
bool guests_check_cores(const struct hv_config *cfg);
/*
 * Build every guest from the configuration (cfg->nguests guests, or, when it
 * defines none (no file, or a file without guest lines), the built-in
 * default: the platform test guest on every core in VMX root), give each its
 * memory, EPT, loaded image and firmware tables, and assign each vCPU to its
 * core. Precondition: guests_check_cores(cfg). A guest whose image is missing
 * or malformed is reported and left out. Returns how many guests are ready
 * to run.
 */
uint32_t guests_create(const struct hv_config *cfg, const struct boot_info *bi);
uint32_t guests_count(void);
struct guest *guest_by_id(uint32_t id);

/* Zero its RAM and load the image, modules and firmware tables again (creation, restart). */
bool guest_load(struct guest *g);
/* Read len bytes of guest memory at gpa: false, with nothing read, unless all of it is RAM or firmware tables. */
bool guest_read_ram(const struct guest *g, uint64_t gpa, void *buf, uint64_t len);
/*
 * Write len bytes of buf into guest RAM at gpa, for a hypercall's result:
 * false, with nothing written, unless all of it is writable RAM (not the hole,
 * not the read-only firmware area).
 */
bool guest_write_ram(struct guest *g, uint64_t gpa, const void *buf, uint64_t len);

/* Load a stopped guest again and mark it ready to run (restart=yes). False if loading failed. */
bool guest_restart(struct guest *g);

/*
 * A vCPU's APIC left (away) or came back to xAPIC mode at GUEST_LAPIC_BASE
 * (on that vCPU's core, which then flushes at its next entry). The
 * APIC-access page is in g's EPT only while none is away: guest.c says why.
 */
void guest_apic_away(struct guest *g, bool away);
/* An EPT mapping of v's guest was removed since v last entered: flush this core's translations (INVEPT). */
void guest_ept_flush(struct vcpu *v);
/*
 * The vCPU whose local APIC has ID id, or NULL: the table from APIC ID to
 * vCPU is g->vcpus itself, since a vCPU's APIC ID is its index (vcpu_reset
 * gives it to the model, where it is read-only in both modes, 11.4.6 and
 * 11.12.5.1) and below 256, so the same in xAPIC's 8 bits.
 */
static inline struct vcpu *guest_vcpu_by_apic_id(const struct guest *g, uint32_t id)
{
	return id < g->nvcpus ? g->vcpus[id] : 0;
}

/* Before every entry of v, on its core. */
static inline void guest_ept_sync(struct vcpu *v)
{
	if (v->ept_seen != __atomic_load_n(&v->guest->ept_gen, __ATOMIC_ACQUIRE))
		guest_ept_flush(v);
}

/*
 * Stop a guest on all its cores: print why (reason) once, then kick its other
 * vCPUs. Its first vCPU then reports its exits and, when it was the last
 * guest running, powers the machine off (vmm/run/sched.c). False if the
 * guest was stopped already: an earlier end stands, and reason is dropped.
 */
bool guest_stop(struct guest *g, const char *reason, uint32_t status);
/*
 * A guest-fatal event on v, the caller's vCPU: stop the guest first, so this
 * event is its end (a later exit-port write on another vCPU finds it
 * stopped), then wait until its other vCPUs are out of the guest, so that
 * nothing of it runs on while the caller prints its report. False if an
 * earlier end stood: the caller's report is then secondary.
 */
bool guest_stop_fatal(struct vcpu *v, const char *reason);
/*
 * Wait until every vCPU of g but self has left the guest (VCPU_STOPPED),
 * but not for a core that does not answer within STOPPED_WAIT_MS.
 */
void guest_wait_stopped(const struct guest *g, const struct vcpu *self);
/* Its first vCPU printed its exit report since it last stopped (vmm/run/sched.c). */
void guest_reported(struct guest *g);
/*
 * Every guest has ended for good (none runs, none will restart) and each has
 * printed its exit report: the machine may power off.
 */
bool guests_all_ended(void);
/*
 * The shell's stop: stop a running guest and hold it stopped (restart=yes does
 * not restart it) until guest_start. False if it was not running.
 */
bool guest_hold(struct guest *g);
/*
 * The shell's start (reset false: a stopped guest only) and reset (any guest):
 * its first vCPU loads it again and starts it. False if start found it running.
 */
bool guest_start(struct guest *g, bool reset);
/*
 * The guest reboots itself (the ACPI reset register): it stops, says reason,
 * and its first vCPU loads it again and starts it, whether or not
 * restart=yes. False if it was not running.
 */
bool guest_reboot(struct guest *g, const char *reason);
/* The first VM entry of a guest worked; the last guest to get here prints the ready line. */
void guest_mark_entered(struct guest *g);
/*
 * A byte the guest wrote to its UART: collected into a line shown as
 * "[name] <line>" with its control bytes made visible (vmm/lib/sanitize.h);
 * with console=raw, written to the console at once as it is.
 */
void guest_uart_putc(struct guest *g, uint8_t c);

#endif
