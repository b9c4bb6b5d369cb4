/* ioapic.c: the host's I/O APICs: the hypervisor routes no device interrupts, so it masks them all. */
#include "arch/x86/ioapic.h"

#include "arch/x86/paging.h"
#include "vmm/mm.h"

/* Indirect register access (82093AA datasheet, 3.1). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_VERSION_MAX_ENTRY_SHIFT 16
#define IOAPIC_REDTBL_MASKED (1u << 16)

static uint32_t ioapic_read(volatile uint32_t *base, uint32_t reg)
{
	base[IOAPIC_IOREGSEL / 4] = reg;
	return base[IOAPIC_IOWIN / 4];
}

static void ioapic_write(volatile uint32_t *base, uint32_t reg, uint32_t v)
{
	base[IOAPIC_IOREGSEL / 4] = reg;
	base[IOAPIC_IOWIN / 4] = v;
}

unsigned ioapic_mask_all(uint64_t phys)
{
	if (!paging_identity_page(phys, PTE_P | PTE_W | PTE_PCD | PTE_PWT))
		return 0;
	volatile uint32_t *base = phys_to_virt(phys);
	unsigned entries = ((ioapic_read(base, IOAPIC_REG_VERSION) >> IOAPIC_VERSION_MAX_ENTRY_SHIFT) & 0xff) + 1;
	for (unsigned i = 0; i < entries; i++)
		ioapic_write(base, IOAPIC_REG_REDTBL(i),
		             ioapic_read(base, IOAPIC_REG_REDTBL(i)) | IOAPIC_REDTBL_MASKED);
	return entries;
}
