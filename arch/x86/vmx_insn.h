/* vmx_insn.h: one wrapper per VMX instruction; each returns how it ended (SDM Vol. 3, 31.2 "Conventions"). */
#ifndef ARCH_X86_VMX_INSN_H
#define ARCH_X86_VMX_INSN_H

#include <stdint.h>

/* VMsucceed, VMfailInvalid (CF=1: no current VMCS), VMfailValid (ZF=1: error in VM_INSTRUCTION_ERROR). */
enum vmx_status {
	VMX_SUCCEED = 0,
	VMX_FAIL_INVALID = 1,
	VMX_FAIL_VALID = 2,
};

static inline enum vmx_status vmx_flags_status(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_SUCCEED;
}

static inline enum vmx_status vmxon(uint64_t region_pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmxon %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(region_pa) : "cc", "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status vmxoff(void)
{
	uint8_t cf, zf;

	__asm__ volatile("vmxoff; setc %0; setz %1" : "=qm"(cf), "=qm"(zf)::"cc", "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status vmclear(uint64_t vmcs_pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmclear %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(vmcs_pa) : "cc", "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status vmptrld(uint64_t vmcs_pa)
{
	uint8_t cf, zf;

	__asm__ volatile("vmptrld %2; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(vmcs_pa) : "cc", "memory");
	return vmx_flags_status(cf, zf);
}

/* The current-VMCS pointer (all ones if there is none, SDM Vol. 3, 25.1). */
static inline uint64_t vmptrst(void)
{
	uint64_t pa;

	__asm__ volatile("vmptrst %0" : "=m"(pa)::"memory");
	return pa;
}

/* INVEPT/INVVPID descriptors (SDM Vol. 3, 31.3). */
struct invept_desc {
	uint64_t eptp, reserved;
};
struct invvpid_desc {
	uint64_t vpid, linear;
};
#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXT 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT 2

static inline enum vmx_status invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = {eptp, 0};
	uint8_t cf, zf;

	__asm__ volatile("invept %2, %3; setc %0; setz %1" : "=qm"(cf), "=qm"(zf) : "m"(d), "r"(type) : "cc", "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_desc d = {vpid, 0};
	uint8_t cf, zf;

	__asm__ volatile("invvpid %2, %3; setc %0; setz %1"
	                 : "=qm"(cf), "=qm"(zf)
	                 : "m"(d), "r"(type)
	                 : "cc", "memory");
	return vmx_flags_status(cf, zf);
}

#endif
