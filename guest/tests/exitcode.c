/* exitcode.c: ends at once with the status its command line asks for (code=N, default 0): exit and restart tests. */
#include "guest/lib/guest.h"

#include "vmm/partition/guest_layout.h"

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t code = magic == MULTIBOOT_BOOTLOADER_MAGIC ? cmdline_uint(guest_cmdline(mbi), "code", 0) : 0;

	guest_printf("exitcode: exiting with status %u\n", code);
	guest_puts("SUMMARY: 0 tests, 0 failures\n");
	guest_exit(code);
}
