/* test.c: numbered ok / not ok result lines, the SUMMARY line and the exit port. */
#include "guest/lib/guest.h"

#include "vmm/lib/string.h"

static unsigned run, failed;

unsigned guest_tests_run(void) { return run; }
unsigned guest_tests_failed(void) { return failed; }

/* Count one result and print its "ok" line; a failure's caller prints the rest of its line. */
static bool record(bool ok, const char *what)
{
	run++;
	if (ok) {
		guest_printf("ok %u - %s\n", run, what);
		return true;
	}
	failed++;
	guest_printf("not ok %u - %s: ", run, what);
	return false;
}

bool expect_eq(const char *what, uint64_t got, uint64_t expected)
{
	if (record(got == expected, what))
		return true;
	guest_printf("got %#llx (%llu), expected %#llx (%llu)\n", (unsigned long long)got, (unsigned long long)got,
	             (unsigned long long)expected, (unsigned long long)expected);
	return false;
}

bool expect_true(const char *what, bool cond)
{
	if (record(cond, what))
		return true;
	guest_puts("got false, expected true\n");
	return false;
}

bool expect_str(const char *what, const char *got, const char *expected)
{
	if (record(got && hv_strcmp(got, expected) == 0, what))
		return true;
	guest_printf("got \"%s\", expected \"%s\"\n", got ? got : "(null)", expected);
	return false;
}

static const char *fault_name(int vector)
{
	return vector == GUEST_NO_FAULT ? "no fault" : exception_name((uint32_t)vector);
}

bool expect_fault(const char *what, int got, int expected)
{
	if (record(got == expected, what))
		return true;
	guest_printf("got %s, expected %s\n", fault_name(got), fault_name(expected));
	return false;
}

void guest_exit(uint32_t status)
{
	outl(EXIT_PORT, status);
	cli();
	for (;;)
		hlt();
}

void guest_finish(void)
{
	guest_printf("SUMMARY: %u tests, %u failures\n", run, failed);
	guest_exit(failed);
}
