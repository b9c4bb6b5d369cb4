; start.asm: multiboot (v1) header and 32-bit entry: save the entry state, own stack, GDT and IDT, then guest_main.
bits 32

MB_MAGIC        equ 0x1badb002
MB_PAGE_ALIGN   equ 1 << 0          ; modules on page boundaries
MB_MEMORY_INFO  equ 1 << 1          ; mem_lower/mem_upper and the memory map
MB_FLAGS        equ MB_PAGE_ALIGN | MB_MEMORY_INFO
SEL_CODE        equ 0x08            ; the entry selectors of docs/guest-platform.md, kept
SEL_DATA        equ 0x10
STACK_SIZE      equ 16384

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

section .data
align 8
gdt:    dq 0
	dq 0x00cf9a000000ffff       ; 0x08: flat 32-bit code, execute/read
	dq 0x00cf92000000ffff       ; 0x10: flat 32-bit data, read/write
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

; The entry state, for tests of the boot protocol (guest/lib/guest.h).
global guest_entry_eax, guest_entry_ebx, guest_entry_esp, guest_entry_eflags
global guest_entry_cs, guest_entry_ds, guest_entry_es, guest_entry_fs, guest_entry_gs, guest_entry_ss
global guest_entry_gdtr, guest_entry_idtr
align 4
guest_entry_eax:    dd 0
guest_entry_ebx:    dd 0
guest_entry_esp:    dd 0
guest_entry_eflags: dd 0
guest_entry_cs:     dw 0
guest_entry_ds:     dw 0
guest_entry_es:     dw 0
guest_entry_fs:     dw 0
guest_entry_gs:     dw 0
guest_entry_ss:     dw 0
guest_entry_gdtr:   times 6 db 0
guest_entry_idtr:   times 6 db 0

section .bss
alignb 16
stack:  resb STACK_SIZE
stack_top:

section .text
global _start
extern guest_main, guest_finish, idt_init

; Nothing below changes EFLAGS before PUSHFD saves it: MOV, SGDT and SIDT leave it alone.
_start:
	mov [guest_entry_eax], eax
	mov [guest_entry_ebx], ebx
	mov [guest_entry_esp], esp
	mov [guest_entry_cs], cs
	mov [guest_entry_ds], ds
	mov [guest_entry_es], es
	mov [guest_entry_fs], fs
	mov [guest_entry_gs], gs
	mov [guest_entry_ss], ss
	sgdt [guest_entry_gdtr]
	sidt [guest_entry_idtr]
	mov esp, stack_top
	pushfd
	pop dword [guest_entry_eflags]
	cld

	; GDTR is undefined at entry: without our own, the first exception's IRET would fault.
	lgdt [gdt_desc]
	jmp SEL_CODE:.reload
.reload:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax

	call idt_init
	push dword [guest_entry_ebx]
	push dword [guest_entry_eax]
	call guest_main
	add esp, 8
	call guest_finish               ; guest_main may simply return
