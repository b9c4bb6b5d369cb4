/* desc.h: GDT, TSS and IDT layouts (SDM Vol. 3, 3.4.5, 7.7 and 6.14.1). */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include <stdint.h>

/* Selectors of the hypervisor's GDT; the order is fixed by desc.c. */
#define GDT_SEL_NULL 0x00
#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18 /* a 16-byte system descriptor: slots 3 and 4 */
#define GDT_ENTRIES 5

/* Interrupt stack table slots (TSS.IST1..7). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_COUNT 3

#define IDT_VECTORS 256

/* 64-bit TSS (SDM Vol. 3, Figure 7-11). */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS layout (SDM Figure 7-11)");

/* 64-bit interrupt gate (SDM Vol. 3, Figure 6-8). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout (SDM Figure 6-8)");

#define IDT_TYPE_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct desc_ptr) == 10, "pseudo-descriptor layout");

/* The descriptor tables each CPU owns. */
struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss64 tss;
	struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));
};

/* Build this CPU's GDT, TSS (with IST stacks from ist_tops[]) and IDT, and load them. */
void cpu_tables_load(struct cpu_tables *t, const uint64_t ist_tops[IST_COUNT]);

#endif
