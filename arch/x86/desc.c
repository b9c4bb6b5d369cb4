/* desc.c: build and load one CPU's GDT, TSS and IDT. */
#include "arch/x86/desc.h"

#include "vmm/lib/string.h"

/* Code and data descriptors (SDM Vol. 3, 3.4.5): flat, DPL 0. */
#define GDT_CODE64 0x00af9a000000ffffull
#define GDT_DATA 0x00cf92000000ffffull
#define TSS_TYPE_AVAILABLE_64 0x89ull /* present, type 9 */

/* Entry points of the exception and interrupt stubs (arch/x86/isr.asm). */
extern const uint64_t isr_stub_table[IDT_VECTORS];

static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	gdt[GDT_SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAILABLE_64 << 40) |
	                       ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[GDT_SEL_TSS / 8 + 1] = base >> 32;
}

static void idt_set_gate(struct idt_gate *g, uint64_t handler, uint8_t ist)
{
	g->offset_low = handler & 0xffff;
	g->selector = GDT_SEL_CODE64;
	g->ist = ist;
	g->type_attr = IDT_TYPE_INTERRUPT_GATE;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_high = handler >> 32;
	g->reserved = 0;
}

static uint8_t ist_for_vector(unsigned v)
{
	switch (v) {
	case 2: return IST_NMI;
	case 8: return IST_DOUBLE_FAULT;
	case 18: return IST_MACHINE_CHECK;
	default: return 0;
	}
}

static void load_tables(struct cpu_tables *t)
{
	struct desc_ptr gdtr = {sizeof(t->gdt) - 1, (uint64_t)t->gdt};
	struct desc_ptr idtr = {sizeof(t->idt) - 1, (uint64_t)t->idt};

	/* Reload CS with a far return, then the data segments and TR. */
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movw %w2, %%ax\n\t"
	                 "movw %%ax, %%ds\n\t"
	                 "movw %%ax, %%es\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "ltr %w3\n\t"
	                 "lidt %4"
	                 :
	                 : "m"(gdtr), "i"(GDT_SEL_CODE64), "i"(GDT_SEL_DATA), "r"((uint16_t)GDT_SEL_TSS), "m"(idtr)
	                 : "rax", "memory");
}

void cpu_tables_load(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT])
{
	memset(t, 0, sizeof(*t));
	t->gdt[GDT_SEL_CODE64 / 8] = GDT_CODE64;
	t->gdt[GDT_SEL_DATA / 8] = GDT_DATA;
	for (int i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = ist_tops[i];
	t->tss.iomap_base = sizeof(t->tss); /* no I/O permission bitmap */
	gdt_set_tss(t->gdt, &t->tss);
	for (unsigned v = 0; v < IDT_VECTORS; v++)
		idt_set_gate(&t->idt[v], isr_stub_table[v], ist_for_vector(v));
	load_tables(t);
}
