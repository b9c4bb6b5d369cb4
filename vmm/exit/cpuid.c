/* cpuid.c: CPUID as a guest sees it: the host's, filtered by the feature table of cpuid_msr.c. */
#include "vmm/exit/cpuid.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vmx_cr.h"
#include "arch/x86/vmx_defs.h"
#include "arch/x86/vmx_vcpu.h"
#include "vmm/exit/cpuid_msr.h"
#include "vmm/exit/exits.h"
#include "vmm/lib/log.h"
#include "vmm/partition/guest.h"

/* What the guests' CPUID offers on this machine: decided once, the same for every vCPU. */
static struct cpuid_offer offer;

static struct cpuid_regs host_cpuid(uint32_t leaf, uint32_t subleaf) { return cpuid(leaf, subleaf); }

void cpuid_init(const struct vmx_caps *caps)
{
	const struct cpuid_host host = {
	        .cpuid = host_cpuid,
	        .rdtscp_ctl = vmx_has_secondary(caps, SECONDARY_EXEC_ENABLE_RDTSCP),
	        .invpcid_ctl = vmx_has_secondary(caps, SECONDARY_EXEC_ENABLE_INVPCID),
	        .tsc_hz = tsc_hz(),
	};
	unsigned n = 0;

	cpuid_offer_init(&offer, &host);
	for (unsigned i = 0; i < cpuid_nfeatures; i++)
		n += offer.feature[i];
	pr_info("cpuid: guests see %u of the %u features the table knows (docs/guest-platform.md)", n, cpuid_nfeatures);
	pr_info("cpuid: leaf 0x15 tells guests a TSC of %u Hz x %u (crystal x ratio)", offer.tsc_crystal_hz,
	        offer.tsc_ratio);
}

const struct cpuid_offer *cpuid_guest_offer(void) { return &offer; }

/* A leaf for v, whose CR4 (as the guest reads it: OSXSAVE and OSPKE follow it) is cr4. */
static struct cpuid_regs for_vcpu(const struct vcpu *v, uint64_t cr4, uint32_t leaf, uint32_t subleaf)
{
	const struct cpuid_vcpu s = {
	        .apic_id = v->index,
	        .apic_enabled = vlapic_hw_enabled(&v->lapic),
	        .cr4 = cr4,
	        .vcpus = v->guest->nvcpus,
	        .xcr0 = v->xcr0,
	};

	leaf = cpuid_answering_leaf(&offer, leaf);
	return cpuid_guest(&offer, &s, leaf, subleaf, cpuid(leaf, subleaf));
}

enum exit_action handle_cpuid(struct vcpu *v, const struct exit_info *e)
{
	struct cr_state cr;

	vmx_cr_read(&cr);
	struct cpuid_regs r = for_vcpu(v, cr.cr4, (uint32_t)v->regs.rax, (uint32_t)v->regs.rcx);

	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	vmx_complete_instruction(e);
	return EXIT_RESUME;
}

/* The feature leaves with CR4 at its reset value: what the CPU has, not what the guest has turned on yet. */
void cpuid_cr_caps(const struct vcpu *v, struct cr_caps *caps)
{
	const struct cpuid_regs none = {0};
	uint32_t basic = for_vcpu(v, 0, 0, 0).eax, ext = for_vcpu(v, 0, 0x80000000u, 0).eax;
	struct cpuid_regs l1 = for_vcpu(v, 0, 1, 0);
	struct cpuid_regs l7 = basic >= 7 ? for_vcpu(v, 0, 7, 0) : none;
	struct cpuid_regs xd = basic >= 0xd ? for_vcpu(v, 0, 0xd, 0) : none;
	struct cpuid_regs e1 = ext >= 0x80000001u ? for_vcpu(v, 0, 0x80000001u, 0) : none;
	struct cpuid_regs e8 = ext >= 0x80000008u ? for_vcpu(v, 0, 0x80000008u, 0) : none;
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
