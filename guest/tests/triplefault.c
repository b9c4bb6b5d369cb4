/* triplefault.c: an exception with an empty IDT (#UD, then #GP, then #DF, each undeliverable): a triple fault. */
#include "guest/lib/guest.h"

void guest_main(uint32_t magic, const struct multiboot_info *mbi)
{
	static const struct dtr empty_idt = {0, 0};

	(void)magic, (void)mbi;
	guest_puts("triplefault: loading an empty IDT and raising #UD\n");
	lidt(&empty_idt);
	__asm__ volatile("ud2");
	idt_init();
	guest_puts("triplefault: FAIL: survived a triple fault\n");
	expect_true("the guest is stopped by its triple fault", false);
	guest_finish();
}
