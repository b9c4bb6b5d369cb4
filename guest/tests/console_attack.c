/*
 * console_attack.c: a guest that attacks the operator rather than the machine
 * (issue 18). On its COM1 it writes what would drive a terminal: ESC c (a
 * full reset), an OSC title ending in BEL, an erase-line and a CR followed by
 * a forged hypervisor line, a form feed, DEL, a C1 CSI and UTF-8. Then it
 * floods a warning the hypervisor gives per event: it moves its APIC base
 * moves=N times (default 2000) between two pages of its own RAM, where the
 * move cannot be trapped (docs/vlapic.md), and puts it back. The hypervisor
 * must show the first part as text under this guest's tag and say the
 * warning a bounded number of times, with a count of the rest. Last, with
 * spew=N (default 0), it writes N long numbered lines as fast as it can: its
 * own console output is not limited (it is the guest's console), but it must
 * not keep a neighbour's lines or the hypervisor's off the console.
 */
#include "guest/lib/guest.h"

#include "arch/x86/apic_regs.h"

#define BASE_A 0x00a00000ull /* two pages of guest RAM the guest never touches otherwise */
#define BASE_B 0x00a01000ull
#define ESC "\x1b"
#define BEL "\x07"
#define SPEW_WIDTH 100

/* Each attack on one line of its own, so that the test can find what became of it. */
static const char *const attacks[] = {
        "reset:" ESC "c",
        "title:" ESC "]0;pwned" BEL,
        "forged:" ESC "[2K\r[cpu1] guest benign: exited with status 1",
        "ff-del:\x0c\x7f",
        "c1:\x9b"
        "31mred",
        "utf8:caf\xc3\xa9",
};

static void write_attacks(void)
{
	guest_puts("# hostile: terminal attacks follow\n");
	for (unsigned i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		guest_puts(attacks[i]);
		guest_putc('\n');
	}
	guest_puts("# hostile: end of the attacks\n");
}

/* Move the xAPIC base n times between two RAM pages; every move is one the hypervisor warns about. */
static void move_apic_base(uint32_t n)
{
	uint64_t orig = rdmsr(MSR_IA32_APICBASE), flags = orig & ~APIC_BASE_ADDR_MASK;

	guest_printf("# hostile: moving the APIC base %u times inside RAM\n", n);
	for (uint32_t i = 0; i < n; i++)
		wrmsr(MSR_IA32_APICBASE, flags | (i % 2 ? BASE_B : BASE_A));
	if (n)
		expect_eq("IA32_APIC_BASE holds the last base moved to", rdmsr(MSR_IA32_APICBASE) & APIC_BASE_ADDR_MASK,
		          (n - 1) % 2 ? BASE_B : BASE_A);
	wrmsr(MSR_IA32_APICBASE, orig);
	expect_eq("IA32_APIC_BASE back as it was", rdmsr(MSR_IA32_APICBASE), orig);
}

/* n lines of SPEW_WIDTH characters each, numbered, nothing between them. */
static void spew(uint32_t n)
{
	char line[SPEW_WIDTH + 1];

	for (unsigned i = 0; i < SPEW_WIDTH; i++)
		line[i] = (char)('a' + i % 26);
	line[SPEW_WIDTH] = 0;
	for (uint32_t i = 0; i < n; i++)
		guest_printf("spew %u: %s\n", i, line);
	if (n)
		guest_printf("# hostile: %u lines written\n", n);
}

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	(void)magic;
	const char *cl = guest_cmdline(mbi);

	write_attacks();
	move_apic_base(cmdline_uint(cl, "moves", 2000));
	spew(cmdline_uint(cl, "spew", 0));
	guest_finish();
}
