/* guest_log.c: log lines a guest can cause at will, rate-limited per guest and per message. */
#include "vmm/partition/guest_log.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "vmm/partition/guest.h"

static const struct {
	enum log_level level;
	const char *what; /* names the message in the line that counts what was held back */
} msgs[GUEST_LOG_MSGS] = {
        [GUEST_LOG_APIC_BASE_IN_RAM] = {LOG_WARN, "irq: APIC base moved inside its memory"},
        [GUEST_LOG_IOAPIC_UNDELIVERABLE] = {LOG_WARN, "irq: I/O APIC message not delivered"},
        [GUEST_LOG_NOTIFY_STUCK] = {LOG_WARN, "irq: notification IPI with delivery status stuck"},
        [GUEST_LOG_PORT_NO_DEVICE] = {LOG_DEBUG, "io: write to a port with no device"},
        [GUEST_LOG_APIC_MSR_GP] = {LOG_DEBUG, "irq: APIC MSR write refused with #GP"},
};

static void say_suppressed(const struct guest *g, enum guest_log_msg msg, uint64_t n)
{
	if (n)
		hv_log(msgs[msg].level, "guest %s: %llu more suppressed: %s (at most %u at once, then one per %u s)",
		       g->name, (unsigned long long)n, msgs[msg].what, GUEST_LOG_BURST, GUEST_LOG_INTERVAL_S);
}

void guest_log(struct guest *g, enum guest_log_msg msg, const char *fmt, ...)
{
	const struct ratelimit_policy policy = {GUEST_LOG_BURST, tsc_hz() * GUEST_LOG_INTERVAL_S};
	enum log_level level = msgs[msg].level;
	uint64_t held = 0;
	va_list ap;

	if (!hv_log_enabled(level))
		return; /* neither printed nor counted: the level, not the limiter, hides it */
	spin_lock(&g->log.lock);
	bool allowed = ratelimit_allow(&g->log.rl[msg], &policy, rdtsc(), &held);
	spin_unlock(&g->log.lock);
	if (!allowed)
		return;
	say_suppressed(g, msg, held);
	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

void guest_log_flush(struct guest *g)
{
	for (unsigned m = 0; m < GUEST_LOG_MSGS; m++) {
		spin_lock(&g->log.lock);
		uint64_t held = ratelimit_take_suppressed(&g->log.rl[m]);
		spin_unlock(&g->log.lock);
		say_suppressed(g, (enum guest_log_msg)m, held);
	}
}
