/* smp.c: starting application processors: the trampoline and INIT-SIPI-SIPI (SDM Vol. 3, 9.4.4). */
#include "arch/x86/smp.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "vmm/lib/log.h"
#include "vmm/lib/panic.h"
#include "vmm/lib/string.h"
#include "vmm/mm/mm.h"

/* The SDM's start-up sequence timing (SDM Vol. 3, 9.4.4.1, Example 9-1). */
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200

/* Mirrors the parameter block at the end of arch/x86/trampoline.asm, field by field. */
struct trampoline_params {
	uint16_t gdt_limit;
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t lm64_offset;
	uint16_t lm64_selector;
	uint16_t pad1;
	uint32_t cr3;
	uint32_t efer;
	uint64_t stack;
	uint64_t arg;
	uint64_t entry;
} __attribute__((packed));
_Static_assert(sizeof(struct trampoline_params) == 48, "matches trampoline.asm");

extern const char trampoline_start[], trampoline_end[], trampoline_params[];
extern const char trampoline_params_size[], trampoline_gdt_offset[], trampoline_lm64_offset[];

static uint64_t tramp_pa;
static struct trampoline_params *params;

bool smp_trampoline_prepare(void)
{
	uint64_t code_bytes = (uint64_t)trampoline_end - (uint64_t)trampoline_start;

	tramp_pa = mm_ap_trampoline();
	if (!tramp_pa) {
		pr_err("smp: no usable page below 1 MiB for the AP trampoline: application processors stay off");
		return false;
	}
	if ((uint64_t)trampoline_params_size != sizeof(struct trampoline_params) || code_bytes > PAGE_SIZE)
		panic("smp: trampoline parameter block does not match struct trampoline_params");
	uint8_t *code = phys_to_virt(tramp_pa);
	uint64_t *root_copy = phys_to_virt(tramp_pa + PAGE_SIZE);
	memcpy(code, trampoline_start, code_bytes);
	/* The AP loads CR3 in 32-bit form: give it a copy of the root below 1 MiB. The
	 * lower levels are shared, and the AP switches to the real root at once. */
	memcpy(root_copy, phys_to_virt(paging_root()), PAGE_SIZE);
	params = (struct trampoline_params *)(code + ((uint64_t)trampoline_params - (uint64_t)trampoline_start));
	params->gdt_base = (uint32_t)(tramp_pa + (uint64_t)trampoline_gdt_offset);
	params->lm64_offset = (uint32_t)(tramp_pa + (uint64_t)trampoline_lm64_offset);
	params->cr3 = (uint32_t)(tramp_pa + PAGE_SIZE);
	params->efer = (uint32_t)(EFER_LME | (paging_nx_bit() ? EFER_NX : 0));
	if (!paging_identity_page(tramp_pa, PTE_P | PTE_W)) {
		pr_err("smp: cannot map the AP trampoline executable: application processors stay off");
		return false;
	}
	pr_debug("smp: trampoline at %#llx (SIPI vector %#llx)", (unsigned long long)tramp_pa,
	         (unsigned long long)(tramp_pa >> 12));
	return true;
}

void smp_trampoline_retire(void)
{
	if (tramp_pa)
		paging_identity_page(tramp_pa, PTE_P | PTE_W | PTE_NX);
}

static bool wait_started(volatile uint32_t *started, uint64_t us)
{
	uint64_t end = tsc_deadline_us(us);

	while (!__atomic_load_n(started, __ATOMIC_ACQUIRE))
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

bool smp_start_ap(uint32_t apic_id, void *arg, uint64_t stack_top, void (*entry)(void *arg), volatile uint32_t *started,
                  uint64_t timeout_us)
{
	uint32_t sipi = APIC_ICR_DM_STARTUP | (uint32_t)(tramp_pa >> 12);

	params->stack = stack_top;
	params->arg = (uint64_t)arg;
	params->entry = (uint64_t)entry;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!lapic_send_ipi(apic_id, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT))
		pr_warn("smp: INIT to APIC ID %u: delivery status stuck", apic_id);
	udelay(INIT_DELAY_US);
	for (int i = 0; i < 2 && !__atomic_load_n(started, __ATOMIC_ACQUIRE); i++) {
		if (!lapic_send_ipi(apic_id, sipi | APIC_ICR_LEVEL_ASSERT))
			pr_warn("smp: SIPI to APIC ID %u: delivery status stuck", apic_id);
		udelay(SIPI_DELAY_US);
	}
	if (wait_started(started, timeout_us))
		return true;
	/* Park it in wait-for-SIPI: it must not wake later on the next CPU's stack. */
	lapic_send_ipi(apic_id, APIC_ICR_DM_INIT | APIC_ICR_LEVEL_ASSERT);
	return false;
}
