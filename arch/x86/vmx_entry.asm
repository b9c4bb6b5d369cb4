; vmx_entry.asm: entering a guest and coming back from it (SDM Vol. 3, 27 and 28.5).
;
; vmx_run(regs, launched) saves the callee-saved host registers and the regs
; pointer on the stack, writes HOST_RSP, loads the guest's general registers
; and CR2, and runs VMLAUNCH or VMRESUME. A VM exit lands in vmx_exit_stub
; with RSP = HOST_RSP: it stores the guest registers back into regs and
; returns RUN_EXIT from vmx_run. A failed entry falls through and returns
; RUN_FAIL_INVALID or RUN_FAIL_VALID. Offsets come from asm_offsets.c.

%include "asm_offsets.inc"

section .text
bits 64

global vmx_run, vmx_exit_stub
vmx_run:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                   ; the regs pointer, found again at [rsp] on exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jc .fail_invalid
	jz .fail_valid
	mov rax, [rdi + GR_CR2]
	mov cr2, rax
	cmp esi, 0                 ; flags survive the moves below
	mov rax, [rdi + GR_RAX]
	mov rbx, [rdi + GR_RBX]
	mov rcx, [rdi + GR_RCX]
	mov rdx, [rdi + GR_RDX]
	mov rsi, [rdi + GR_RSI]
	mov rbp, [rdi + GR_RBP]
	mov r8, [rdi + GR_R8]
	mov r9, [rdi + GR_R9]
	mov r10, [rdi + GR_R10]
	mov r11, [rdi + GR_R11]
	mov r12, [rdi + GR_R12]
	mov r13, [rdi + GR_R13]
	mov r14, [rdi + GR_R14]
	mov r15, [rdi + GR_R15]
	mov rdi, [rdi + GR_RDI]
	jne .resume
	vmlaunch
	jmp .entry_failed
.resume:
	vmresume
.entry_failed:
	; Still in root operation; only the general registers hold guest values.
	jc .fail_invalid
.fail_valid:
	mov eax, RUN_FAIL_VALID
	jmp .out
.fail_invalid:
	mov eax, RUN_FAIL_INVALID
.out:
	add rsp, 8
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

vmx_exit_stub:
	push rdi
	mov rdi, [rsp + 8]
	mov [rdi + GR_RAX], rax
	mov [rdi + GR_RBX], rbx
	mov [rdi + GR_RCX], rcx
	mov [rdi + GR_RDX], rdx
	mov [rdi + GR_RSI], rsi
	mov [rdi + GR_RBP], rbp
	mov [rdi + GR_R8], r8
	mov [rdi + GR_R9], r9
	mov [rdi + GR_R10], r10
	mov [rdi + GR_R11], r11
	mov [rdi + GR_R12], r12
	mov [rdi + GR_R13], r13
	mov [rdi + GR_R14], r14
	mov [rdi + GR_R15], r15
	pop rax
	mov [rdi + GR_RDI], rax
	mov rax, cr2
	mov [rdi + GR_CR2], rax
	mov eax, RUN_EXIT
	jmp vmx_run.out            ; the same epilogue as a failed entry
