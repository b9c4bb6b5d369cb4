/* safe.c: instructions that may fault, run under guest_catch so a test can expect the fault. */
#include "guest/lib/guest.h"

struct insn_args {
	uint32_t nr, a1, a2, a3, ret;
	uint64_t val;
};

static void do_rdmsr(void *p)
{
	struct insn_args *a = p;

	a->val = rdmsr(a->nr);
}

static void do_wrmsr(void *p)
{
	const struct insn_args *a = p;

	wrmsr(a->nr, a->val);
}

static void do_vmcall(void *p)
{
	struct insn_args *a = p;

	a->ret = vmcall(a->nr, a->a1, a->a2, a->a3);
}

int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	struct insn_args a = {.nr = msr};
	int vector = guest_catch(do_rdmsr, &a);

	*val = a.val;
	return vector;
}

int wrmsr_safe(uint32_t msr, uint64_t val)
{
	struct insn_args a = {.nr = msr, .val = val};

	return guest_catch(do_wrmsr, &a);
}

int vmcall_safe(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t *ret)
{
	struct insn_args a = {.nr = nr, .a1 = a1, .a2 = a2, .a3 = a3};
	int vector = guest_catch(do_vmcall, &a);

	*ret = a.ret;
	return vector;
}
