; ap_start.asm: where an AP starts after INIT-SIPI-SIPI: real mode, then 32-bit protected mode, then C (smp.c).
;
; smp.c copies ap_trampoline..ap_trampoline_end to the SIPI page; the AP
; starts there at CS = page << 8, IP = 0 (SDM Vol. 3, 9.4.4). The copy uses
; only DS-relative offsets from ap_trampoline, so it runs at any page; its
; far jump and the GDT it loads are absolute addresses in the image (above
; 1 MiB, reachable once protected mode is on).
bits 16

SEL_CODE    equ 0x08            ; the selectors of start.asm's GDT
SEL_DATA    equ 0x10
CR0_PE      equ 1 << 0
CR0_ET      equ 1 << 4

section .text
global ap_trampoline, ap_trampoline_end
extern ap_boot_stack, ap_main

ap_trampoline:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [ap_gdtr - ap_trampoline]
	mov eax, CR0_PE | CR0_ET        ; also clears CD and NW, which INIT set
	mov cr0, eax
	jmp dword SEL_CODE:ap_entry32
align 4
ap_gdtr:
	dw ap_gdt_end - ap_gdt - 1
	dd ap_gdt
ap_trampoline_end:

bits 32
ap_entry32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [ap_boot_stack]
	xor ebp, ebp
	call ap_main                    ; never returns
.hang:
	cli
	hlt
	jmp .hang

section .data
align 8
ap_gdt: dq 0
	dq 0x00cf9a000000ffff       ; 0x08: flat 32-bit code, execute/read
	dq 0x00cf92000000ffff       ; 0x10: flat 32-bit data, read/write
ap_gdt_end:
