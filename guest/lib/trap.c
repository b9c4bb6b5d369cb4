/* trap.c: the guest's IDT, and what an exception does: resume a guest_catch, or end the guest as a failure. */
#include "guest/lib/trap.h"
#include "guest/lib/guest.h"

#include "vmm/lib/fmt.h"

#define GATE_INTR32 0x8e /* present, DPL 0, 32-bit interrupt gate */
#define SEL_CODE 0x08    /* start.asm's GDT */

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type;
	uint16_t offset_hi;
};
_Static_assert(sizeof(struct idt_gate) == 8, "SDM Vol. 3, 6.11: IDT gate descriptor");

static _Alignas(8) struct idt_gate idt[X86_NR_EXCEPTIONS];
struct fault_info guest_last_fault;

static const char *const names[X86_NR_EXCEPTIONS] = {
        [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",  [6] = "#UD",  [7] = "#NM",
        [8] = "#DF",  [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC",
        [18] = "#MC", [19] = "#XM", [20] = "#VE", [21] = "#CP", [28] = "#HV", [29] = "#VC", [30] = "#SX",
};

const char *exception_name(uint32_t vector)
{
	return vector < X86_NR_EXCEPTIONS && names[vector] ? names[vector] : "reserved";
}

void idt_init(void)
{
	static struct dtr desc;

	for (unsigned v = 0; v < X86_NR_EXCEPTIONS; v++)
		idt[v] = (struct idt_gate){(uint16_t)isr_stubs[v], SEL_CODE, 0, GATE_INTR32,
		                           (uint16_t)(isr_stubs[v] >> 16)};
	desc.limit = sizeof(idt) - 1;
	desc.base = (uint32_t)idt;
	lidt(&desc);
}

static void dump(const struct trap_frame *f)
{
	guest_printf("# unexpected exception %s (vector %u) error %#x at eip %#x eflags %#x\n",
	             exception_name(f->vector), f->vector, f->error, f->eip, f->eflags);
	guest_printf("# eax %08x ebx %08x ecx %08x edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
	guest_printf("# esi %08x edi %08x ebp %08x esp %08x\n", f->esi, f->edi, f->ebp, f->esp + 5 * 4);
}

/* Called by isr_common. Returning resumes the faulting instruction, which never happens here. */
void trap_dispatch(struct trap_frame *f)
{
	static bool dying;

	guest_last_fault = (struct fault_info){f->vector, f->error, f->eip};
	if (guest_catch_active)
		guest_catch_resume(f->vector);
	if (dying) /* faulted while reporting a fault */
		guest_exit(guest_tests_failed() + 1);
	dying = true;
	dump(f);
	expect_true("no unexpected exception", false);
	guest_finish();
}
