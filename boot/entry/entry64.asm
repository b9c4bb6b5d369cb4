; entry64.asm: the image header and the 64-bit entry of the UEFI loader path.
;
; The UEFI loader maps the image at HV_VIRT_BASE (any physical address),
; identity-maps physical memory, disables interrupts and jumps to
; hv_entry_uefi with RDI = physical (= identity-mapped) address of a
; struct boot_info. We switch to the BSP's boot stack and go to C.

extern __image_start
extern hv_image_size
extern bsp_boot_stack_top_ptr
extern uefi_entry

HV_IMAGE_MAGIC equ 0x3156524f53495643

section .hvheader
global hv_image_header
hv_image_header:
	dq HV_IMAGE_MAGIC
	dq __image_start
	dq hv_entry_uefi
	dq hv_image_size

section .text
bits 64
global hv_entry_uefi
hv_entry_uefi:
	cli
	cld
	mov rax, bsp_boot_stack_top_ptr
	mov rsp, [rax]
	xor ebp, ebp
	call uefi_entry
.hang:
	cli
	hlt
	jmp .hang
