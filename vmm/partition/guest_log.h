/* guest_log.h: log lines a guest can cause at will, rate-limited per guest and per message. */
#ifndef VMM_PARTITION_GUEST_LOG_H
#define VMM_PARTITION_GUEST_LOG_H

#include "vmm/lib/log.h"
#include "vmm/lib/ratelimit.h"
#include "vmm/lib/spinlock.h"

/*
 * Each message a guest can repeat as often as it likes (an APIC base moved
 * into its RAM, an undeliverable I/O APIC message, a write to a port with no
 * device): a burst, then one line per interval of TSC time, per guest and
 * message, so that a guest cannot flood the console (whose lock every core
 * takes to log, at 115200 baud). What was held back is said as
 * "guest <name>: <n> more suppressed: <what>" with the next line let through,
 * or when the guest stops. Lines that end a guest (once per stop) need none.
 */
enum guest_log_msg {
	GUEST_LOG_APIC_BASE_IN_RAM,     /* vmm/irq/route.c: apic_moved */
	GUEST_LOG_IOAPIC_UNDELIVERABLE, /* vmm/irq/route.c: route_ioapic */
	GUEST_LOG_NOTIFY_STUCK,         /* vmm/irq/route.c: send_signal */
	GUEST_LOG_PORT_NO_DEVICE,       /* vmm/exit/ports.c: port_access (debug) */
	GUEST_LOG_APIC_MSR_GP,          /* vmm/irq/access.c: irq_wrmsr (debug) */
	GUEST_LOG_MSGS
};

#define GUEST_LOG_BURST 10
#define GUEST_LOG_INTERVAL_S 5

/* A guest's limiters; zero-initialized is ready (struct guest embeds it). */
struct guest_log {
	struct spinlock lock; /* its vCPUs log from their own cores */
	struct ratelimit rl[GUEST_LOG_MSGS];
};

struct guest;

/*
 * Message msg of guest g, at the message's own level: printed unless its
 * limiter holds it back; the count held back before it first.
 */
void guest_log(struct guest *g, enum guest_log_msg msg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Say what each limiter of g held back and did not say yet: its vCPUs have all stopped. */
void guest_log_flush(struct guest *g);

#endif
