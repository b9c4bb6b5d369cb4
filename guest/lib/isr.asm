; isr.asm: exception entry stubs (vectors 0-31) and guest_catch, a setjmp-style recovery from them.
bits 32

section .text
extern trap_dispatch

; Vectors whose exceptions push an error code (SDM Vol. 3, 6.15); the others push 0 in its place.
%macro ISR 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
ISR v
%assign v v + 1
%endrep

; The frame is struct trap_frame (guest/lib/trap.c): PUSHAD's registers, vector, error, EIP, CS, EFLAGS.
isr_common:
	pushad
	push esp
	call trap_dispatch              ; returns only to resume the faulting code
	add esp, 4
	popad
	add esp, 8
	iretd

section .rodata
global isr_stubs
isr_stubs:
%assign v 0
%rep 32
	dd isr_ %+ v
%assign v v + 1
%endrep

section .bss
catch_esp:      resd 1
global guest_catch_active
guest_catch_active: resd 1

section .text
; int guest_catch(void (*fn)(void *), void *arg): GUEST_NO_FAULT (-1), or the vector fn raised.
global guest_catch
guest_catch:
	push ebp
	push ebx
	push esi
	push edi
	mov [catch_esp], esp
	mov dword [guest_catch_active], 1
	push dword [esp + 24]           ; arg
	call [esp + 24]                 ; fn (one slot further down now)
	add esp, 4
	mov dword [guest_catch_active], 0
	mov eax, -1
.out:
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; void guest_catch_resume(uint32_t vector): from trap_dispatch, unwinds to guest_catch's return.
global guest_catch_resume
guest_catch_resume:
	mov eax, [esp + 4]
	mov esp, [catch_esp]
	mov dword [guest_catch_active], 0
	jmp guest_catch.out
