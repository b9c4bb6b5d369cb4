; mb2_start.asm: multiboot2 header and the 32-bit entry GRUB jumps to.
;
; GRUB leaves us in 32-bit protected mode, paging off, EAX = 0x36d76289,
; EBX = physical address of the multiboot2 information (Multiboot2 spec 3.3).
; This stub checks for long mode, builds boot page tables (identity map of
; the first 4 GiB and the image's higher-half window), enters 64-bit mode and
; calls mb2_entry(magic, info) in C. Anything that fails here is reported
; straight on the build-time console port, since nothing else exists yet.

%include "boot/entry/asm_defs.inc"

MB2_MAGIC        equ 0xe85250d6
MB2_ARCH_I386    equ 0
MB2_TAG_END      equ 0

section .multiboot2
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	; end tag
	dw MB2_TAG_END
	dw 0
	dd 8
mb2_header_end:

section .boot.text
bits 32
global mb2_entry32
mb2_entry32:
	cli
	cld
	mov esp, boot32_stack_top
	mov [mb2_saved_magic], eax
	mov [mb2_saved_info], ebx

	; Long mode needs CPUID leaf 0x80000001 with EDX.LM (SDM Vol. 3, 10.8.5).
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	mov [mb2_ext_edx], edx

	call build_boot_page_tables

	; CR4.PAE, then CR3, then EFER.LME (and NXE where supported), then CR0.PG.
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	test dword [mb2_ext_edx], 1 << 20
	jz .no_nx
	or eax, EFER_NXE
.no_nx:
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_WP
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp BOOT_CS64:mb2_long_mode

.no_long_mode:
	mov esi, msg_no_long_mode
	call serial_puts32
.halt:
	hlt
	jmp .halt

; Identity-map 0..4 GiB with 2 MiB pages and map the top 2 GiB window
; 0xffffffff80000000.. onto physical 0.. (PML4[511], PDPT[510]) so that the
; image, linked at HV_VIRT_BASE, runs where GRUB loaded it.
build_boot_page_tables:
	; PML4[0] -> boot_pdpt_low, PML4[511] -> boot_pdpt_high
	mov eax, boot_pdpt_low
	or eax, PTE_P | PTE_W
	mov [boot_pml4], eax
	mov eax, boot_pdpt_high
	or eax, PTE_P | PTE_W
	mov [boot_pml4 + 511 * 8], eax
	; boot_pdpt_low[0..3] -> boot_pd[0..3]; boot_pdpt_high[510] -> boot_pd[0]
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, PTE_P | PTE_W
	mov [boot_pdpt_low + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jb .pdpt
	mov eax, boot_pd
	or eax, PTE_P | PTE_W
	mov [boot_pdpt_high + 510 * 8], eax
	; 2048 PDEs of 2 MiB each cover 4 GiB.
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_W | PTE_PS
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jb .pd
	ret

; Print the NUL-terminated string at ESI on the build-time console port.
serial_puts32:
	mov dx, HV_EARLY_CONSOLE_PORT + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	lodsb
	test al, al
	jz .done
	mov dx, HV_EARLY_CONSOLE_PORT
	out dx, al
	mov dx, HV_EARLY_CONSOLE_PORT + 5
	jmp .wait
.done:
	ret

bits 64
mb2_long_mode:
	mov ax, BOOT_DS64
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax
	mov rax, bsp_boot_stack_top_ptr
	mov rsp, [rax]
	xor ebp, ebp
	mov edi, [mb2_saved_magic]
	mov esi, [mb2_saved_info]
	mov rax, mb2_entry
	call rax
	; mb2_entry never returns.
.hang:
	cli
	hlt
	jmp .hang

extern mb2_entry
extern bsp_boot_stack_top_ptr

section .boot.data
align 16
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff ; BOOT_CS64: 64-bit code, DPL 0
	dq 0x00cf92000000ffff ; BOOT_DS64: data
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt
mb2_saved_magic: dd 0
mb2_saved_info:  dd 0
mb2_ext_edx:     dd 0
msg_no_long_mode:
	db "apicvisor: this CPU has no long mode (x86-64); cannot boot", 13, 10, 0

section .boot.bss nobits
alignb 4096
boot_pml4:       resb 4096
boot_pdpt_low:   resb 4096
boot_pdpt_high:  resb 4096
boot_pd:         resb 4 * 4096
boot32_stack:    resb 1024
boot32_stack_top:
