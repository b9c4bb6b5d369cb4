/* ioapic.c: the host's I/O APICs: every pin masked except the few the hypervisor itself routes. */
#include "arch/x86/ioapic.h"

#include "arch/x86/paging.h"
#include "vmm/mm/mm.h"

/* Indirect register access (82093AA datasheet, 3.1). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_REDTBL_LO(n) (0x10 + 2 * (n))
#define IOAPIC_REG_REDTBL_HI(n) (0x11 + 2 * (n))
#define IOAPIC_VERSION_MAX_ENTRY_SHIFT 16

/* Redirection entry, low dword (82093AA datasheet, 3.2.4); delivery mode 0 (fixed), physical destination. */
#define IOAPIC_REDTBL_VECTOR_MASK 0xffu
#define IOAPIC_REDTBL_ACTIVE_LOW (1u << 13)
#define IOAPIC_REDTBL_LEVEL (1u << 15)
#define IOAPIC_REDTBL_MASKED (1u << 16)
#define IOAPIC_REDTBL_DEST_SHIFT 24 /* in the high dword */

static struct host_ioapic {
	volatile uint32_t *base;
	uint32_t gsi_base;
	unsigned entries;
} ioapics[IOAPIC_MAX];
static unsigned ioapic_count;

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

unsigned ioapic_add(uint64_t phys, uint32_t gsi_base)
{
	if (ioapic_count == IOAPIC_MAX || !paging_identity_page(phys, PTE_P | PTE_W | PTE_PCD | PTE_PWT))
		return 0;
	volatile uint32_t *base = phys_to_virt(phys);
	unsigned entries = ((ioapic_read(base, IOAPIC_REG_VERSION) >> IOAPIC_VERSION_MAX_ENTRY_SHIFT) & 0xff) + 1;
	for (unsigned i = 0; i < entries; i++)
		ioapic_write(base, IOAPIC_REG_REDTBL_LO(i),
		             ioapic_read(base, IOAPIC_REG_REDTBL_LO(i)) | IOAPIC_REDTBL_MASKED);
	ioapics[ioapic_count++] = (struct host_ioapic){base, gsi_base, entries};
	return entries;
}

bool ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low)
{
	if (dest > 0xff)
		return false;
	for (unsigned i = 0; i < ioapic_count; i++) {
		struct host_ioapic *io = &ioapics[i];
		if (gsi < io->gsi_base || gsi - io->gsi_base >= io->entries)
			continue;
		uint32_t pin = gsi - io->gsi_base;
		uint32_t lo = vector | (level ? IOAPIC_REDTBL_LEVEL : 0) | (active_low ? IOAPIC_REDTBL_ACTIVE_LOW : 0);
		/* Destination first, while the entry is still masked; unmasking is the last write. */
		ioapic_write(io->base, IOAPIC_REG_REDTBL_LO(pin), lo | IOAPIC_REDTBL_MASKED);
		ioapic_write(io->base, IOAPIC_REG_REDTBL_HI(pin), dest << IOAPIC_REDTBL_DEST_SHIFT);
		ioapic_write(io->base, IOAPIC_REG_REDTBL_LO(pin), lo);
		return true;
	}
	return false;
}
