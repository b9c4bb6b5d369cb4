; trampoline.asm: where an application processor starts: real mode to long mode.
;
; The boot CPU copies trampoline_start..trampoline_end to a page below 1 MiB,
; fills the parameter block (struct trampoline_params in arch/x86/smp.c, the
; same fields in the same order) and sends INIT-SIPI-SIPI with that page as
; the vector (SDM Vol. 3, 9.4.4). The AP starts at CS = page << 8, IP = 0 in
; real mode. The code below uses only offsets from trampoline_start, so it
; runs wherever it is copied: 16-bit data is reached through DS = CS, and
; 64-bit code is RIP-relative.
;
; From real mode straight to long mode: with CR4.PAE, CR3 and EFER.LME set,
; setting CR0.PE and CR0.PG together enters IA-32e mode (SDM Vol. 3, 10.8.5),
; and a far jump to a 64-bit code segment leaves compatibility mode.

MSR_EFER  equ 0xc0000080
CR0_PE    equ 1 << 0
CR0_NE    equ 1 << 5
CR0_WP    equ 1 << 16
CR0_PG    equ 1 << 31
CR4_PAE   equ 1 << 5
SEL_CODE64 equ 0x08
SEL_DATA   equ 0x10

section .rodata
align 4096
global trampoline_start, trampoline_end, trampoline_params, trampoline_params_size
bits 16
trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [params.gdtr - trampoline_start]
	mov eax, CR4_PAE
	mov cr4, eax
	mov eax, [params.cr3 - trampoline_start]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, [params.efer - trampoline_start]
	wrmsr
	mov eax, CR0_PE | CR0_NE | CR0_WP | CR0_PG
	mov cr0, eax
	jmp dword far [params.lm64_far - trampoline_start]

bits 64
lm64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, [rel params.stack]
	mov rdi, [rel params.arg]
	mov rax, [rel params.entry]
	xor ebp, ebp
	call rax ; ap_entry never returns
.hang:
	cli
	hlt
	jmp .hang

align 8
gdt:
	dq 0
	dq 0x00af9a000000ffff ; SEL_CODE64
	dq 0x00cf92000000ffff ; SEL_DATA
gdt_end:

; The parameter block: the boot CPU fills every field before each SIPI.
align 8
trampoline_params:
params:
.gdtr:      dw gdt_end - gdt - 1     ; limit (fixed)
.gdt_base:  dd 0                     ; linear address of gdt in the copy
.pad0:      dw 0
.lm64_far:  dd 0                     ; linear address of lm64 in the copy
.lm64_sel:  dw SEL_CODE64
.pad1:      dw 0
.cr3:       dd 0                     ; page tables below 4 GiB
.efer:      dd 0                     ; EFER bits to set (LME, NXE)
.stack:     dq 0                     ; top of the AP's stack
.arg:       dq 0                     ; entry's argument, passed in RDI
.entry:     dq 0                     ; ap_entry
params_end:
trampoline_end:

trampoline_params_size equ params_end - params
global trampoline_gdt_offset, trampoline_lm64_offset
trampoline_gdt_offset equ gdt - trampoline_start
trampoline_lm64_offset equ lm64 - trampoline_start
