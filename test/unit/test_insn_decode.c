/* sources: arch/x86/insn_decode.c */
/* test_insn_decode.c: the MMIO instruction decoder on real encodings (from nasm + objdump), and its refusals. */
#include "test/unit/unit.h"

#include "arch/x86/insn_decode.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

struct insn_case {
	const char *text; /* as written in the nasm source */
	enum cpu_mode mode;
	uint8_t bytes[INSN_MAX_LEN];
	struct mmio_insn want; /* length is also the number of bytes above */
};

/* Shorthands for the expected result: a read or write of register r, a write of an immediate, and RMW forms. */
#define RD(len, sz, r)                                                      \
	{                                                                   \
		.length = (len), .size = (sz), .reg_size = (sz), .reg = (r) \
	}
#define WR(len, sz, r)                                                                     \
	{                                                                                  \
		.length = (len), .size = (sz), .reg_size = (sz), .write = true, .reg = (r) \
	}
#define WR_HI(len, r)                                                                                   \
	{                                                                                               \
		.length = (len), .size = 1, .reg_size = 1, .write = true, .reg = (r), .high_byte = true \
	}
#define RD_HI(len, r)                                                                    \
	{                                                                                \
		.length = (len), .size = 1, .reg_size = 1, .reg = (r), .high_byte = true \
	}
#define WR_IMM(len, sz, v)                                                          \
	{                                                                           \
		.length = (len), .size = (sz), .write = true, .reg = -1, .imm = (v) \
	}
#define RD_EXT(len, sz, r, rsz, e)                                                          \
	{                                                                                   \
		.length = (len), .size = (sz), .reg_size = (rsz), .reg = (r), .extend = (e) \
	}
#define RD_RIP(len, sz, r)                                                                        \
	{                                                                                         \
		.length = (len), .size = (sz), .reg_size = (sz), .reg = (r), .rip_relative = true \
	}
#define RMW_IMM(len, sz, o, v)                                                                              \
	{                                                                                                   \
		.length = (len), .size = (sz), .write = true, .rmw = true, .op = (o), .reg = -1, .imm = (v) \
	}
#define RMW_REG(len, sz, o, r)                                                                                     \
	{                                                                                                          \
		.length = (len), .size = (sz), .reg_size = (sz), .write = true, .rmw = true, .op = (o), .reg = (r) \
	}

/* CMP and TEST read and set the flags only; INC, DEC, NOT and NEG have no source operand. */
#define RO_IMM(len, sz, o, v)                                                                \
	{                                                                                    \
		.length = (len), .size = (sz), .rmw = true, .op = (o), .reg = -1, .imm = (v) \
	}
#define RO_REG(len, sz, o, r)                                                                       \
	{                                                                                           \
		.length = (len), .size = (sz), .reg_size = (sz), .rmw = true, .op = (o), .reg = (r) \
	}
#define RMW_ONE(len, sz, o)                                                                     \
	{                                                                                       \
		.length = (len), .size = (sz), .write = true, .rmw = true, .op = (o), .reg = -1 \
	}
/* String instructions: element size, REP, address size, the source's segment. */
#define MOVS(len, sz, rp, as, sg)                                                                              \
	{                                                                                                      \
		.length = (len), .size = (sz), .write = true, .reg = -1, .string = MMIO_STR_MOVS, .rep = (rp), \
		.addr_size = (as), .seg = (sg)                                                                 \
	}
#define STOS(len, sz, rp, as)                                                                                        \
	{                                                                                                            \
		.length = (len), .size = (sz), .reg_size = (sz), .write = true, .reg = RAX, .string = MMIO_STR_STOS, \
		.rep = (rp), .addr_size = (as), .seg = SEG_DS                                                        \
	}
#define LODS(len, sz, rp, as, sg)                                                                                  \
	{                                                                                                          \
		.length = (len), .size = (sz), .reg_size = (sz), .reg = RAX, .string = MMIO_STR_LODS, .rep = (rp), \
		.addr_size = (as), .seg = (sg)                                                                     \
	}

#define M16 CPU_MODE_16
#define M32 CPU_MODE_32
#define M64 CPU_MODE_64
#define FEE_ADDR64 0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 /* moffs64 0xfee00020 */

static const struct insn_case cases[] = {
        /* 64-bit mode */
        {"mov eax, [rbx+0x20]", M64, {0x8b, 0x43, 0x20}, RD(3, 4, RAX)},
        {"mov dword [0xfee000b0], 0", M64, {0xc7, 0x04, 0x25, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0}, WR_IMM(11, 4, 0)},
        {"mov [rdi+rcx*4+0x300], esi", M64, {0x89, 0xb4, 0x8f, 0x00, 0x03, 0x00, 0x00}, WR(7, 4, RSI)},
        {"mov r9d, [r8]", M64, {0x45, 0x8b, 0x08}, RD(3, 4, R9)},
        {"movzx eax, byte [rbx]", M64, {0x0f, 0xb6, 0x03}, RD_EXT(3, 1, RAX, 4, MMIO_EXT_ZERO)},
        {"mov eax, [rel $+0x1000]", M64, {0x8b, 0x05, 0xfa, 0x0f, 0x00, 0x00}, RD_RIP(6, 4, RAX)},
        {"mov eax, [rel $+0]", M64, {0x8b, 0x05, 0xfa, 0xff, 0xff, 0xff}, RD_RIP(6, 4, RAX)},
        {"mov [fs:rax], ecx", M64, {0x64, 0x89, 0x08}, WR(3, 4, RCX)},
        {"mov word [rdi], 0x1234", M64, {0x66, 0xc7, 0x07, 0x34, 0x12}, WR_IMM(5, 2, 0x1234)},
        {"mov [rdi], ax", M64, {0x66, 0x89, 0x07}, WR(3, 2, RAX)},
        {"mov rax, [rbx]", M64, {0x48, 0x8b, 0x03}, RD(3, 8, RAX)},
        {"mov qword [rbx], -1", M64, {0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0xff}, WR_IMM(7, 8, ~0ull)},
        {"mov qword [rbx], 0xffffffff80000000",
         M64,
         {0x48, 0xc7, 0x03, 0, 0, 0, 0x80},
         WR_IMM(7, 8, 0xffffffff80000000ull)},
        {"o16 mov qword [rbx], -1 (REX.W beats 66)",
         M64,
         {0x66, 0x48, 0xc7, 0x03, 0xff, 0xff, 0xff, 0xff},
         WR_IMM(8, 8, ~0ull)},
        {"mov [rbx+rbp*2], r15", M64, {0x4c, 0x89, 0x3c, 0x6b}, WR(4, 8, R15)},
        {"mov r12b, [r13]", M64, {0x45, 0x8a, 0x65, 0x00}, RD(4, 1, R12)},
        {"mov sil, [rax]", M64, {0x40, 0x8a, 0x30}, RD(3, 1, RSI)},
        {"mov [rdx], spl", M64, {0x40, 0x88, 0x22}, WR(3, 1, RSP)},
        {"mov [rdx], ah", M64, {0x88, 0x22}, WR_HI(2, RAX)},
        {"mov al, [qword 0xfee00020]", M64, {0xa0, FEE_ADDR64}, RD(9, 1, RAX)},
        {"mov eax, [qword 0xfee00020]", M64, {0xa1, FEE_ADDR64}, RD(9, 4, RAX)},
        {"mov [qword 0xfee000b0], eax", M64, {0xa3, FEE_ADDR64}, WR(9, 4, RAX)},
        {"mov [qword 0xfee000b0], al", M64, {0xa2, FEE_ADDR64}, WR(9, 1, RAX)},
        {"mov rax, [qword 0xfee00020]", M64, {0x48, 0xa1, FEE_ADDR64}, RD(10, 8, RAX)},
        {"a32 mov eax, [dword 0xfee00020]", M64, {0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe}, RD(6, 4, RAX)},
        {"movzx r10, word [rsi]", M64, {0x4c, 0x0f, 0xb7, 0x16}, RD_EXT(4, 2, R10, 8, MMIO_EXT_ZERO)},
        {"movsx rax, byte [rdx+0x10]", M64, {0x48, 0x0f, 0xbe, 0x42, 0x10}, RD_EXT(5, 1, RAX, 8, MMIO_EXT_SIGN)},
        {"movsx ecx, word [rbp-8]", M64, {0x0f, 0xbf, 0x4d, 0xf8}, RD_EXT(4, 2, RCX, 4, MMIO_EXT_SIGN)},
        {"mov byte [rsp], 0x80", M64, {0xc6, 0x04, 0x24, 0x80}, WR_IMM(4, 1, 0x80)},
        {"mov eax, [rsp+0x12345678]", M64, {0x8b, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12}, RD(7, 4, RAX)},
        {"mov eax, [r12]", M64, {0x41, 0x8b, 0x04, 0x24}, RD(4, 4, RAX)},
        {"mov eax, [r13]", M64, {0x41, 0x8b, 0x45, 0x00}, RD(4, 4, RAX)},
        {"mov eax, [rbp]", M64, {0x8b, 0x45, 0x00}, RD(3, 4, RAX)},
        {"mov eax, [dword 0xfee00300]", M64, {0x8b, 0x04, 0x25, 0x00, 0x03, 0xe0, 0xfe}, RD(7, 4, RAX)},
        {"mov eax, [ebx+0x30]", M64, {0x67, 0x8b, 0x43, 0x30}, RD(4, 4, RAX)},
        {"mov dword [r11+0xf0], 0x1ff", M64, {0x41, 0xc7, 0x83, 0xf0, 0, 0, 0, 0xff, 0x01, 0, 0}, WR_IMM(11, 4, 0x1ff)},
        {"rex.W o16 mov ax, [rbx] (REX before a prefix is ignored)", M64, {0x48, 0x66, 0x8b, 0x03}, RD(4, 2, RAX)},
        /* 64-bit read-modify-write forms */
        {"lock or dword [rax], 0x100", M64, {0xf0, 0x81, 0x08, 0x00, 0x01, 0x00, 0x00}, RMW_IMM(7, 4, ALU_OR, 0x100)},
        {"and dword [rax+0x10], 0xfffeffff",
         M64,
         {0x81, 0x60, 0x10, 0xff, 0xff, 0xfe, 0xff},
         RMW_IMM(7, 4, ALU_AND, 0xfffeffff)},
        {"or dword [rax], 1", M64, {0x83, 0x08, 0x01}, RMW_IMM(3, 4, ALU_OR, 1)},
        {"or dword [rax], -1", M64, {0x83, 0x08, 0xff}, RMW_IMM(3, 4, ALU_OR, 0xffffffff)},
        {"or qword [rax], -1", M64, {0x48, 0x83, 0x08, 0xff}, RMW_IMM(4, 8, ALU_OR, ~0ull)},
        {"xor byte [rax], 0x7f", M64, {0x80, 0x30, 0x7f}, RMW_IMM(3, 1, ALU_XOR, 0x7f)},
        {"sub qword [rax], 8", M64, {0x48, 0x83, 0x28, 0x08}, RMW_IMM(4, 8, ALU_SUB, 8)},
        {"add qword [rax], 0x12345678",
         M64,
         {0x48, 0x81, 0x00, 0x78, 0x56, 0x34, 0x12},
         RMW_IMM(7, 8, ALU_ADD, 0x12345678)},
        {"add [rax], ecx", M64, {0x01, 0x08}, RMW_REG(2, 4, ALU_ADD, RCX)},
        {"or [rbx], r8d", M64, {0x44, 0x09, 0x03}, RMW_REG(3, 4, ALU_OR, R8)},
        {"and [rcx], dl", M64, {0x20, 0x11}, RMW_REG(2, 1, ALU_AND, RDX)},
        {"adc dword [rax], 1", M64, {0x83, 0x10, 0x01}, RMW_IMM(3, 4, ALU_ADC, 1)},
        {"sbb byte [rax], 1", M64, {0x80, 0x18, 0x01}, RMW_IMM(3, 1, ALU_SBB, 1)},
        {"adc [rax], r9", M64, {0x4c, 0x11, 0x08}, RMW_REG(3, 8, ALU_ADC, R9)},
        {"sbb [rax], bh",
         M64,
         {0x18, 0x38},
         {.length = 2,
          .size = 1,
          .reg_size = 1,
          .write = true,
          .rmw = true,
          .op = ALU_SBB,
          .reg = RBX,
          .high_byte = true}},
        {"sub [rsi], si", M64, {0x66, 0x29, 0x36}, RMW_REG(3, 2, ALU_SUB, RSI)},
        {"xor [rdi], rsp", M64, {0x48, 0x31, 0x27}, RMW_REG(3, 8, ALU_XOR, RSP)},
        {"cmp dword [rax], 1", M64, {0x83, 0x38, 0x01}, RO_IMM(3, 4, ALU_CMP, 1)},
        {"cmp [rax], ecx", M64, {0x39, 0x08}, RO_REG(2, 4, ALU_CMP, RCX)},
        {"cmp byte [rax], 0x80", M64, {0x80, 0x38, 0x80}, RO_IMM(3, 1, ALU_CMP, 0x80)},
        {"test [rax], ecx", M64, {0x85, 0x08}, RO_REG(2, 4, ALU_TEST, RCX)},
        {"test [rbx], dl", M64, {0x84, 0x13}, RO_REG(2, 1, ALU_TEST, RDX)},
        {"test dword [rax], 0x100", M64, {0xf7, 0x00, 0x00, 0x01, 0x00, 0x00}, RO_IMM(6, 4, ALU_TEST, 0x100)},
        {"test byte [rax], 0x80", M64, {0xf6, 0x00, 0x80}, RO_IMM(3, 1, ALU_TEST, 0x80)},
        {"test word [rax], 0x8001", M64, {0x66, 0xf7, 0x00, 0x01, 0x80}, RO_IMM(5, 2, ALU_TEST, 0x8001)},
        {"test qword [rax], -1", M64, {0x48, 0xf7, 0x00, 0xff, 0xff, 0xff, 0xff}, RO_IMM(7, 8, ALU_TEST, ~0ull)},
        {"not dword [rax]", M64, {0xf7, 0x10}, RMW_ONE(2, 4, ALU_NOT)},
        {"lock not dword [rax]", M64, {0xf0, 0xf7, 0x10}, RMW_ONE(3, 4, ALU_NOT)},
        {"neg byte [rax]", M64, {0xf6, 0x18}, RMW_ONE(2, 1, ALU_NEG)},
        {"neg qword [rax+8]", M64, {0x48, 0xf7, 0x58, 0x08}, RMW_ONE(4, 8, ALU_NEG)},
        {"inc dword [rax]", M64, {0xff, 0x00}, RMW_ONE(2, 4, ALU_INC)},
        {"inc byte [rax]", M64, {0xfe, 0x00}, RMW_ONE(2, 1, ALU_INC)},
        {"lock inc qword [rax]", M64, {0xf0, 0x48, 0xff, 0x00}, RMW_ONE(4, 8, ALU_INC)},
        {"dec word [rbx]", M64, {0x66, 0xff, 0x0b}, RMW_ONE(3, 2, ALU_DEC)},
        {"dec byte [rbx+0x10]", M64, {0xfe, 0x4b, 0x10}, RMW_ONE(3, 1, ALU_DEC)},
        /* 64-bit string instructions */
        {"stosb", M64, {0xaa}, STOS(1, 1, false, 8)},
        {"rep stosq", M64, {0xf3, 0x48, 0xab}, STOS(3, 8, true, 8)},
        {"rep stosd", M64, {0xf3, 0xab}, STOS(2, 4, true, 8)},
        {"a32 rep stosd", M64, {0x67, 0xf3, 0xab}, STOS(3, 4, true, 4)},
        {"rep movsb", M64, {0xf3, 0xa4}, MOVS(2, 1, true, 8, SEG_DS)},
        {"gs movsq", M64, {0x65, 0x48, 0xa5}, MOVS(3, 8, false, 8, SEG_GS)},
        {"lodsq", M64, {0x48, 0xad}, LODS(2, 8, false, 8, SEG_DS)},
        {"rep lodsw", M64, {0xf3, 0x66, 0xad}, LODS(3, 2, true, 8, SEG_DS)},
        /* 32-bit mode */
        {"mov eax, [ebx+0x20]", M32, {0x8b, 0x43, 0x20}, RD(3, 4, RAX)},
        {"mov dword [0xfee000b0], 0", M32, {0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0}, WR_IMM(10, 4, 0)},
        {"mov [edi+ecx*4+0x300], esi", M32, {0x89, 0xb4, 0x8f, 0x00, 0x03, 0x00, 0x00}, WR(7, 4, RSI)},
        {"movzx eax, byte [ebx]", M32, {0x0f, 0xb6, 0x03}, RD_EXT(3, 1, RAX, 4, MMIO_EXT_ZERO)},
        {"mov [es:eax], ecx", M32, {0x26, 0x89, 0x08}, WR(3, 4, RCX)},
        {"mov word [edi], 0x1234", M32, {0x66, 0xc7, 0x07, 0x34, 0x12}, WR_IMM(5, 2, 0x1234)},
        {"mov [edi], ax", M32, {0x66, 0x89, 0x07}, WR(3, 2, RAX)},
        {"mov ah, [ebx]", M32, {0x8a, 0x23}, RD_HI(2, RAX)},
        {"mov [ecx], bh", M32, {0x88, 0x39}, WR_HI(2, RBX)},
        {"mov eax, [0xfee00020]", M32, {0xa1, 0x20, 0x00, 0xe0, 0xfe}, RD(5, 4, RAX)},
        {"mov [0xfee000b0], eax", M32, {0xa3, 0xb0, 0x00, 0xe0, 0xfe}, WR(5, 4, RAX)},
        {"mov al, [0xfee00020]", M32, {0xa0, 0x20, 0x00, 0xe0, 0xfe}, RD(5, 1, RAX)},
        {"a16 mov eax, [0x20]", M32, {0x67, 0xa1, 0x20, 0x00}, RD(4, 4, RAX)},
        {"mov eax, [bx+si]", M32, {0x67, 0x8b, 0x00}, RD(3, 4, RAX)},
        {"movsx edx, word [esi+4]", M32, {0x0f, 0xbf, 0x56, 0x04}, RD_EXT(4, 2, RDX, 4, MMIO_EXT_SIGN)},
        {"mov eax, [esp]", M32, {0x8b, 0x04, 0x24}, RD(3, 4, RAX)},
        {"mov eax, [ebp]", M32, {0x8b, 0x45, 0x00}, RD(3, 4, RAX)},
        {"mov eax, [0x100+eax*8]", M32, {0x8b, 0x04, 0xc5, 0x00, 0x01, 0x00, 0x00}, RD(7, 4, RAX)},
        {"mov eax, [0xfee00020] (ModRM disp32, not RIP-relative)",
         M32,
         {0x8b, 0x05, 0x20, 0x00, 0xe0, 0xfe},
         RD(6, 4, RAX)},
        {"or dword [0xfee000f0], 0x100",
         M32,
         {0x81, 0x0d, 0xf0, 0x00, 0xe0, 0xfe, 0x00, 0x01, 0x00, 0x00},
         RMW_IMM(10, 4, ALU_OR, 0x100)},
        {"rep mov eax, [ebx]", M32, {0xf3, 0x8b, 0x03}, RD(3, 4, RAX)},
        {"or dword [0xfee00080], 0x10", M32, {0x83, 0x0d, 0x80, 0x00, 0xe0, 0xfe, 0x10}, RMW_IMM(7, 4, ALU_OR, 0x10)},
        {"lock add word [ebx], 0x1234", M32, {0xf0, 0x66, 0x81, 0x03, 0x34, 0x12}, RMW_IMM(6, 2, ALU_ADD, 0x1234)},
        {"cmp [ebx], ah",
         M32,
         {0x38, 0x23},
         {.length = 2, .size = 1, .reg_size = 1, .rmw = true, .op = ALU_CMP, .reg = RAX, .high_byte = true}},
        /* 32-bit string instructions */
        {"rep stosb", M32, {0xf3, 0xaa}, STOS(2, 1, true, 4)},
        {"rep stosw", M32, {0x66, 0xf3, 0xab}, STOS(3, 2, true, 4)},
        {"rep stosd", M32, {0xf3, 0xab}, STOS(2, 4, true, 4)},
        {"stosd", M32, {0xab}, STOS(1, 4, false, 4)},
        {"rep movsb", M32, {0xf3, 0xa4}, MOVS(2, 1, true, 4, SEG_DS)},
        {"repne movsb (F2 repeats as F3 does)", M32, {0xf2, 0xa4}, MOVS(2, 1, true, 4, SEG_DS)},
        {"rep movsd", M32, {0xf3, 0xa5}, MOVS(2, 4, true, 4, SEG_DS)},
        {"fs rep movsd", M32, {0x64, 0xf3, 0xa5}, MOVS(3, 4, true, 4, SEG_FS)},
        {"es cs movsb (the last override)", M32, {0x26, 0x2e, 0xa4}, MOVS(3, 1, false, 4, SEG_CS)},
        {"a16 rep movsw", M32, {0x67, 0x66, 0xf3, 0xa5}, MOVS(4, 2, true, 2, SEG_DS)},
        {"a16 rep stosw", M32, {0x66, 0x67, 0xf3, 0xab}, STOS(4, 2, true, 2)},
        {"lodsd", M32, {0xad}, LODS(1, 4, false, 4, SEG_DS)},
        {"es rep lodsb", M32, {0x26, 0xf3, 0xac}, LODS(3, 1, true, 4, SEG_ES)},
        {"ss lodsw", M32, {0x36, 0x66, 0xad}, LODS(3, 2, false, 4, SEG_SS)},
        /* 16-bit mode */
        {"mov ah, [bx]", M16, {0x8a, 0x27}, RD_HI(2, RAX)},
        {"mov ax, [bx+si]", M16, {0x8b, 0x00}, RD(2, 2, RAX)},
        {"mov ax, [bp]", M16, {0x8b, 0x46, 0x00}, RD(3, 2, RAX)},
        {"mov ax, [0x20] (moffs)", M16, {0xa1, 0x20, 0x00}, RD(3, 2, RAX)},
        {"mov ax, [0x20] (ModRM disp16)", M16, {0x8b, 0x06, 0x20, 0x00}, RD(4, 2, RAX)},
        {"mov ax, [bx+0x1234]", M16, {0x8b, 0x87, 0x34, 0x12}, RD(4, 2, RAX)},
        {"mov [bx+di+0x10], cx", M16, {0x89, 0x49, 0x10}, WR(3, 2, RCX)},
        {"mov [si+0x1234], dx", M16, {0x89, 0x94, 0x34, 0x12}, WR(4, 2, RDX)},
        {"mov eax, [bx]", M16, {0x66, 0x8b, 0x07}, RD(3, 4, RAX)},
        {"mov word [bx], 0x1234", M16, {0xc7, 0x07, 0x34, 0x12}, WR_IMM(4, 2, 0x1234)},
        {"mov dword [bx], 0x12345678", M16, {0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12}, WR_IMM(7, 4, 0x12345678)},
        {"mov byte [di], 1", M16, {0xc6, 0x05, 0x01}, WR_IMM(3, 1, 1)},
        {"mov eax, [ebx+0x20]", M16, {0x66, 0x67, 0x8b, 0x43, 0x20}, RD(5, 4, RAX)},
        {"mov eax, [ecx*4+0x100]", M16, {0x66, 0x67, 0x8b, 0x04, 0x8d, 0x00, 0x01, 0x00, 0x00}, RD(9, 4, RAX)},
        {"mov al, [0xb0]", M16, {0xa0, 0xb0, 0x00}, RD(3, 1, RAX)},
        {"mov [gs:0x20], ax", M16, {0x65, 0xa3, 0x20, 0x00}, WR(4, 2, RAX)},
        {"movzx eax, byte [bx]", M16, {0x66, 0x0f, 0xb6, 0x07}, RD_EXT(4, 1, RAX, 4, MMIO_EXT_ZERO)},
        {"movzx ax, byte [bx]", M16, {0x0f, 0xb6, 0x07}, RD_EXT(3, 1, RAX, 2, MMIO_EXT_ZERO)},
        {"a32 mov ax, [dword 0xfee00020]", M16, {0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe}, RD(6, 2, RAX)},
        {"or word [bx], 0x10", M16, {0x83, 0x0f, 0x10}, RMW_IMM(3, 2, ALU_OR, 0x10)},
        {"inc dword [bx]", M16, {0x66, 0xff, 0x07}, RMW_ONE(3, 4, ALU_INC)},
        {"rep movsw", M16, {0xf3, 0xa5}, MOVS(2, 2, true, 2, SEG_DS)},
        {"rep movsd", M16, {0x66, 0xf3, 0xa5}, MOVS(3, 4, true, 2, SEG_DS)},
        {"a32 rep movsb", M16, {0x67, 0xf3, 0xa4}, MOVS(3, 1, true, 4, SEG_DS)},
        {"rep stosb", M16, {0xf3, 0xaa}, STOS(2, 1, true, 2)},
        {"lodsb", M16, {0xac}, LODS(1, 1, false, 2, SEG_DS)},
};

/* Name the failing encoding, then let cmocka report the field. */
#define EXPECT_FIELD(c, got, f)                                             \
	do {                                                                \
		if ((got)->f != (c)->want.f)                                \
			print_message("failing encoding: %s\n", (c)->text); \
		assert_int_equal((got)->f, (c)->want.f);                    \
	} while (0)

static void expect_decoded(const struct insn_case *c, const struct mmio_insn *got)
{
	EXPECT_FIELD(c, got, length);
	EXPECT_FIELD(c, got, size);
	EXPECT_FIELD(c, got, reg_size);
	EXPECT_FIELD(c, got, write);
	EXPECT_FIELD(c, got, rmw);
	EXPECT_FIELD(c, got, op);
	EXPECT_FIELD(c, got, reg);
	EXPECT_FIELD(c, got, high_byte);
	EXPECT_FIELD(c, got, imm);
	EXPECT_FIELD(c, got, extend);
	EXPECT_FIELD(c, got, rip_relative);
	EXPECT_FIELD(c, got, string);
	EXPECT_FIELD(c, got, rep);
	EXPECT_FIELD(c, got, addr_size);
	EXPECT_FIELD(c, got, seg);
}

/* Decode from an exact-size heap copy of the first n bytes: ASan catches any read past them. */
static bool decode(const uint8_t *bytes, unsigned n, enum cpu_mode mode, struct mmio_insn *out)
{
	uint8_t *copy = unit_dup(bytes, n);
	bool ok = insn_decode_mmio(copy, n, mode, out);

	free(copy);
	return ok;
}

static void test_table_exact_length(void **state)
{
	struct mmio_insn got;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		bool ok = decode(cases[i].bytes, cases[i].want.length, cases[i].mode, &got);
		if (!ok)
			print_message("refused: %s\n", cases[i].text);
		assert_true(ok);
		expect_decoded(&cases[i], &got);
	}
}

/* With all 15 bytes available (what follows is the next instruction's), the length is still right. */
static void test_table_with_trailing_bytes(void **state)
{
	struct mmio_insn got;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint8_t b[INSN_MAX_LEN];
		memset(b, 0x90, sizeof(b));
		memcpy(b, cases[i].bytes, cases[i].want.length);
		assert_true(decode(b, sizeof(b), cases[i].mode, &got));
		expect_decoded(&cases[i], &got);
	}
}

/* Every proper prefix of every encoding is truncated: refused, without reading past it. */
static void test_table_truncated(void **state)
{
	struct mmio_insn got;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		for (unsigned n = 0; n < cases[i].want.length; n++) {
			bool ok = decode(cases[i].bytes, n, cases[i].mode, &got);
			if (ok)
				print_message("accepted %u bytes of: %s\n", n, cases[i].text);
			assert_false(ok);
		}
}

struct refusal {
	const char *text;
	enum cpu_mode mode;
	uint8_t bytes[INSN_MAX_LEN];
	unsigned n;
};

static const struct refusal refusals[] = {
        /* register operands */
        {"mov eax, ecx", M64, {0x89, 0xc8}, 2},
        {"mov ecx, eax", M32, {0x8b, 0xc8}, 2},
        {"mov eax, 0 (C7 /0, register)", M32, {0xc7, 0xc0, 0, 0, 0, 0}, 6},
        {"movzx eax, al", M64, {0x0f, 0xb6, 0xc0}, 3},
        {"add eax, 1", M64, {0x83, 0xc0, 0x01}, 3},
        {"mov ax, bx", M16, {0x89, 0xd8}, 2},
        /* other opcodes */
        {"nop", M64, {0x90}, 1},
        {"lea eax, [rax]", M64, {0x8d, 0x00}, 2},
        {"mov [rax], es", M64, {0x8c, 0x00}, 2},
        {"mov eax, [rax] with 40 in 32-bit mode (INC EAX)", M32, {0x40, 0x8b, 0x00}, 3},
        {"ud2", M64, {0x0f, 0x0b}, 2},
        {"popcnt eax, [rax]", M64, {0xf3, 0x0f, 0xb8, 0x00}, 4},
        {"add eax, [rax] (memory source)", M64, {0x03, 0x00}, 2},
        {"test eax, ecx (register)", M64, {0x85, 0xc8}, 2},
        {"inc eax (FF /0, register)", M64, {0xff, 0xc0}, 2},
        {"not ecx (register)", M64, {0xf7, 0xd1}, 2},
        {"F6 /1 (undocumented TEST alias)", M64, {0xf6, 0x08, 0x01}, 3},
        {"mul dword [rax]", M64, {0xf7, 0x20}, 2},
        {"idiv byte [rax]", M64, {0xf6, 0x38}, 2},
        {"call [rax]", M64, {0xff, 0x10}, 2},
        {"push qword [rax]", M64, {0xff, 0x30}, 2},
        {"FE /2 (undefined)", M64, {0xfe, 0x10}, 2},
        /* string instructions the decoder does not take */
        {"cmpsb", M32, {0xa6}, 1},
        {"repe cmpsd", M32, {0xf3, 0xa7}, 2},
        {"scasb", M32, {0xae}, 1},
        {"repne scasd", M32, {0xf2, 0xaf}, 2},
        {"insb", M32, {0x6c}, 1},
        {"rep outsw", M32, {0x66, 0xf3, 0x6f}, 3},
        /* LOCK where it is #UD: CMP, TEST, string instructions */
        {"lock cmp dword [rax], 1", M64, {0xf0, 0x83, 0x38, 0x01}, 4},
        {"lock test [rax], ecx", M64, {0xf0, 0x85, 0x08}, 3},
        {"lock test byte [rax], 1", M64, {0xf0, 0xf6, 0x00, 0x01}, 4},
        {"lock rep stosb", M32, {0xf0, 0xf3, 0xaa}, 3},
        {"lock movsd", M32, {0xf0, 0xa5}, 2},
        {"C6 /1 (undefined)", M64, {0xc6, 0x08, 0x01}, 3},
        {"C7 /7 (XBEGIN form with memory)", M64, {0xc7, 0x38, 0, 0, 0, 0}, 6},
        {"vmovd xmm0, [rax] (VEX)", M64, {0xc5, 0xf9, 0x6e, 0x00}, 4},
        {"movsxd rax, [rax]", M64, {0x48, 0x63, 0x00}, 3},
        /* LOCK on a plain MOV is #UD */
        {"lock mov [rax], ecx", M64, {0xf0, 0x89, 0x08}, 3},
        {"lock mov dword [eax], 0", M32, {0xf0, 0xc7, 0x00, 0, 0, 0, 0}, 7},
        /* nothing but prefixes */
        {"empty", M64, {0}, 0},
        {"66 67 f0", M64, {0x66, 0x67, 0xf0}, 3},
        {"REX only", M64, {0x48}, 1},
};

static void test_refusals(void **state)
{
	struct mmio_insn got;
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
		bool ok = decode(refusals[i].bytes, refusals[i].n, refusals[i].mode, &got);
		if (ok)
			print_message("accepted: %s\n", refusals[i].text);
		assert_false(ok);
	}
}

/* An instruction may be 15 bytes, not 16 (SDM Vol. 2, 2.3.11); a caller's len above 15 changes nothing. */
static void test_fifteen_byte_limit(void **state)
{
	uint8_t b[20];
	struct mmio_insn got;
	(void)state;
	memset(b, 0x66, sizeof(b));
	b[13] = 0x8b; /* 13 prefixes + 8B 00: 15 bytes */
	b[14] = 0x00;
	assert_true(decode(b, 15, M32, &got));
	assert_int_equal(got.length, 15);
	assert_int_equal(got.size, 2);
	assert_true(decode(b, sizeof(b), M32, &got));
	assert_int_equal(got.length, 15);
	memset(b, 0x66, sizeof(b));
	b[14] = 0x8b; /* 14 prefixes + 8B 00: 16 bytes */
	b[15] = 0x00;
	assert_false(decode(b, sizeof(b), M32, &got));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table_exact_length), cmocka_unit_test(test_table_with_trailing_bytes),
	        cmocka_unit_test(test_table_truncated),    cmocka_unit_test(test_refusals),
	        cmocka_unit_test(test_fifteen_byte_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
