/* cpuid_platform.c: the CPUID leaves that describe the guest's platform, not the CPU: TSC rate and topology. */
#include "vmm/exit/cpuid_msr.h"

/*
 * Leaves 0x15 and 0x16 (SDM Vol. 2A, CPUID): the TSC runs at ECX * EBX / EAX
 * Hz, ECX being the core crystal clock; leaf 0x16 gives the base frequency in
 * MHz. The guest's TSC is the host's (plus an offset), and the virtual APIC
 * timer's input clock is that TSC (lapic/vlapic.h, tsc_per_bus_tick 1), so
 * the crystal is the TSC rate itself, ratio 1/1: an OS that takes the
 * crystal for the APIC timer's clock (Linux does) is right too. A rate above
 * 4.29 GHz does not fit ECX: the crystal is then the rate divided by the
 * smallest k that fits, and the ratio k/1. Rounded to kHz, as OSes read it.
 */
#define CPUID_LEAF_TOPOLOGY 0xbu
#define CPUID_LEAF_TOPOLOGY_V2 0x1fu
#define CPUID_LEAF_TSC 0x15u
#define CPUID_LEAF_FREQUENCY 0x16u
#define HZ_PER_KHZ 1000u
#define HZ_PER_MHZ 1000000u

/* Leaf 0xB and 0x1F subleaves (SDM Vol. 2A, CPUID, Table 3-8): level type in ECX[15:8]. */
#define TOPO_LEVEL_SMT 1u
#define TOPO_LEVEL_CORE 2u
#define TOPO_LEVEL_TYPE_SHIFT 8

void cpuid_platform_init(struct cpuid_offer *o, uint32_t host_max_basic, uint64_t tsc_hz)
{
	uint64_t k = 1;

	o->host_max_basic = host_max_basic;
	o->tsc_crystal_hz = 0;
	if (tsc_hz < HZ_PER_MHZ)
		return; /* no rate worth telling: leaves 0x15 and 0x16 stay the host's or 0 */
	while (tsc_hz / k > UINT32_MAX)
		k++;
	o->tsc_crystal_hz = (uint32_t)(tsc_hz / k / HZ_PER_KHZ * HZ_PER_KHZ);
	o->tsc_ratio = (uint32_t)k;
	o->tsc_mhz = (uint32_t)(tsc_hz / HZ_PER_MHZ);
}

uint32_t cpuid_platform_max_basic(const struct cpuid_offer *o)
{
	if (o->tsc_crystal_hz && o->host_max_basic < CPUID_LEAF_FREQUENCY)
		return CPUID_LEAF_FREQUENCY;
	return o->host_max_basic;
}

/* Bits of the x2APIC ID below the core level: enough for vcpus IDs (ceil(log2(vcpus))). */
static uint32_t id_bits(uint32_t vcpus)
{
	uint32_t bits = 0;

	while (bits < 32 && (1ull << bits) < vcpus)
		bits++;
	return bits;
}

/*
 * One thread per core, the guest's vCPUs the cores of one package: the
 * x2APIC ID is the vCPU index, as the MADT's Local APIC entries say.
 */
static struct cpuid_regs topology(const struct cpuid_vcpu *s, uint32_t subleaf)
{
	struct cpuid_regs r = {0, 0, subleaf & 0xffu, s->apic_id};
	uint32_t vcpus = s->vcpus ? s->vcpus : 1;

	if (subleaf == 0) {
		r.ebx = 1; /* EAX 0: no bit of the ID selects a thread */
		r.ecx |= TOPO_LEVEL_SMT << TOPO_LEVEL_TYPE_SHIFT;
	} else if (subleaf == 1) {
		r.eax = id_bits(vcpus);
		r.ebx = vcpus;
		r.ecx |= TOPO_LEVEL_CORE << TOPO_LEVEL_TYPE_SHIFT;
	}
	return r; /* later subleaves: level type 0, invalid */
}

bool cpuid_platform_leaf(const struct cpuid_offer *o, const struct cpuid_vcpu *s, uint32_t leaf, uint32_t subleaf,
                         struct cpuid_regs *r)
{
	if (leaf == CPUID_LEAF_TOPOLOGY_V2 && o->host_max_basic < CPUID_LEAF_TOPOLOGY_V2)
		return false; /* beyond the guest's max leaf: as the host answers it */
	if (leaf == CPUID_LEAF_TOPOLOGY || leaf == CPUID_LEAF_TOPOLOGY_V2) {
		*r = topology(s, subleaf);
		return true;
	}
	if (!o->tsc_crystal_hz || (leaf != CPUID_LEAF_TSC && leaf != CPUID_LEAF_FREQUENCY))
		return false;
	if (leaf == CPUID_LEAF_TSC)
		*r = (struct cpuid_regs){1, o->tsc_ratio, o->tsc_crystal_hz, 0};
	else
		*r = (struct cpuid_regs){o->tsc_mhz, o->tsc_mhz, o->tsc_crystal_hz / HZ_PER_MHZ, 0};
	return true;
}
