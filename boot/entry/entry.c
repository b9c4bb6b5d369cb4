/* entry.c: the two ways in (multiboot2, UEFI loader) converge here on hv_main(). */
#include "boot/bootinfo.h"
#include "boot/entry/multiboot2.h"
#include "vmm/core/console.h"
#include "vmm/core/percpu.h"
#include "vmm/lib/string.h"
#include "vmm/main.h"

/* Set by the linker script: where GRUB loads the two parts of the image. */
extern const char __boot_start[], __boot_end[], HV_IMAGE_PHYS[], hv_image_size[];

/* Entered from the assembly stubs only. */
__attribute__((noreturn)) void mb2_entry(uint32_t magic, uint32_t info_phys);
__attribute__((noreturn)) void uefi_entry(const struct boot_info *bi);

/* The one boot_info the hypervisor uses; loaders' copies are not kept. */
static struct boot_info boot_info;

/* The BSP's stack until per-CPU stacks exist (the boot stubs switch to it). */
__attribute__((aligned(16))) static uint8_t bsp_boot_stack[HV_STACK_SIZE];
uint8_t *const bsp_boot_stack_top_ptr = bsp_boot_stack + sizeof(bsp_boot_stack);

static __attribute__((noreturn)) void early_stop(const char *what, const char *why)
{
	pr_err("boot: %s: %s", what, why);
	hv_stop("boot information unusable");
}

/* Called from boot/multiboot2.asm in 64-bit mode, on the boot stack. */
__attribute__((noreturn)) void mb2_entry(uint32_t magic, uint32_t info_phys)
{
	percpu_init_bsp_early();
	console_init_early();
	enum mb2_err e = mb2_parse(magic, (const void *)(uint64_t)info_phys, UINT32_MAX, &boot_info);
	if (e != MB2_OK)
		early_stop("multiboot2", mb2_strerror(e));
	boot_info.image_phys_base = (uint64_t)HV_IMAGE_PHYS;
	boot_info.image_phys_size = (uint64_t)hv_image_size;
	/* The boot page tables in .boot stay live until paging_init switches CR3. */
	boot_info.reserved[boot_info.reserved_count++] =
	        (struct boot_reserved){(uint64_t)__boot_start, (uint64_t)__boot_end - (uint64_t)__boot_start};
	hv_main(&boot_info);
}

/* Called from boot/entry/entry64.asm with the loader's boot_info (identity-mapped). */
__attribute__((noreturn)) void uefi_entry(const struct boot_info *bi)
{
	percpu_init_bsp_early();
	console_init_early();
	if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION || bi->size != sizeof(*bi))
		early_stop("UEFI loader", "boot_info magic, version or size does not match this hypervisor");
	memcpy(&boot_info, bi, sizeof(boot_info));
	hv_main(&boot_info);
}
