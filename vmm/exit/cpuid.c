/* cpuid.c: CPUID as a guest sees it: the host's, filtered (docs/guest-platform.md). */
#include "vmm/exit/cpuid.h"

#include "arch/x86/cpu.h"
#include "vmm/exit/exits.h"
#include "vmm/lib/string.h"
#include "vmm/partition/guest.h"

#define CPUID_LEAF_HV_BASE 0x40000000u
#define CPUID_LEAF_HV_FEATURES 0x40000001u
#define CPUID_1_ECX_MONITOR (1u << 3)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_EBX_APIC_ID_SHIFT 24
#define CPUID_1_EBX_APIC_ID_MASK (0xffu << CPUID_1_EBX_APIC_ID_SHIFT)
#define CPUID_LEAF_TOPOLOGY 0xbu
#define CPUID_LEAF_TOPOLOGY_V2 0x1fu
#define HV_CPUID_INTERFACE 1

static const char hv_signature[12] = "apicvisor\0\0";

struct cpuid_regs cpuid_for_guest(const struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	if (leaf == CPUID_LEAF_HV_BASE) {
		r.eax = CPUID_LEAF_HV_FEATURES;
		memcpy(&r.ebx, hv_signature, 4);
		memcpy(&r.ecx, hv_signature + 4, 4);
		memcpy(&r.edx, hv_signature + 8, 4);
		return r;
	}
	if (leaf == CPUID_LEAF_HV_FEATURES)
		return (struct cpuid_regs){HV_CPUID_INTERFACE, 0, 0, 0};
	if (leaf > CPUID_LEAF_HV_BASE && leaf < 0x80000000u)
		return (struct cpuid_regs){0, 0, 0, 0};
	r = cpuid(leaf, subleaf);
	switch (leaf) {
	case 1:
		/* No VMX, no SMX (VMX and GETSEC raise #UD), no MONITOR/MWAIT (they would exit to nothing), the
		 * hypervisor bit. */
		r.ecx = (r.ecx & ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_MONITOR)) | CPUID_1_ECX_HYPERVISOR;
		/* The virtual local APIC: x2APIC and TSC-deadline capable; the APIC bit follows its global enable. */
		r.ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE;
		r.edx = vlapic_hw_enabled(&v->lapic) ? r.edx | CPUID_1_EDX_APIC : r.edx & ~CPUID_1_EDX_APIC;
		r.ebx = (r.ebx & ~CPUID_1_EBX_APIC_ID_MASK) | (v->index << CPUID_1_EBX_APIC_ID_SHIFT);
		break;
	case CPUID_LEAF_TOPOLOGY:
	case CPUID_LEAF_TOPOLOGY_V2:
		r.edx = v->index; /* x2APIC ID of this vCPU */
		break;
	default: break;
	}
	return r;
}

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *e)
{
	struct cpuid_regs r = cpuid_for_guest(v, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx);

	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

void cpuid_cr_caps(const struct vcpu *v, struct cr_caps *caps)
{
	const struct cpuid_regs none = {0};
	uint32_t basic = cpuid_for_guest(v, 0, 0).eax, ext = cpuid_for_guest(v, 0x80000000u, 0).eax;
	struct cpuid_regs l1 = cpuid_for_guest(v, 1, 0);
	struct cpuid_regs l7 = basic >= 7 ? cpuid_for_guest(v, 7, 0) : none;
	struct cpuid_regs xd = basic >= 0xd ? cpuid_for_guest(v, 0xd, 0) : none;
	struct cpuid_regs e1 = ext >= 0x80000001u ? cpuid_for_guest(v, 0x80000001u, 0) : none;
	struct cpuid_regs e8 = ext >= 0x80000008u ? cpuid_for_guest(v, 0x80000008u, 0) : none;
	const struct cr_cpuid id = {
	        .leaf1_ecx = l1.ecx,
	        .leaf1_edx = l1.edx,
	        .leaf7_ebx = l7.ebx,
	        .leaf7_ecx = l7.ecx,
	        .ext1_edx = e1.edx,
	        .xcr0 = (uint64_t)xd.edx << 32 | xd.eax,
	        .maxphyaddr = e8.eax & 0xff,
	};

	cr_caps_from_cpuid(&id, caps);
}
