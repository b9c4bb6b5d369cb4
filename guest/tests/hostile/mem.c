/*
 * mem.c: attacks on memory (docs/hostile-suite.md): past the end of RAM, in the holes, at 4 GiB and at the top of
 * the physical address width (through PAE paging), where the host has devices, an instruction fetch and an
 * interrupt's delivery where no memory is: the hypervisor stops the guest, naming the access and the address. The
 * holes where no device answers (reads all ones, writes dropped), the firmware area (a ROM) and a page-table entry
 * with an address bit above MAXPHYADDR (the CPU's own #PF) are contained.
 */
#include "guest/tests/hostile/hostile.h"

#include "vmm/partition/guest_layout.h"

#define ALL_ONES 0xffffffffu
#define HOST_HPET 0xfed00000u     /* where a PC's HPET sits: the guest has nothing there */
#define HOST_PCI_MMIO 0xe0000000u /* where Bochs's PCI VGA and a PC's PCI BARs sit: the guest has nothing there */
#define AFTER_IOAPIC 0xfec01000u  /* the page after the I/O APIC's */
#define TOP_OF_4G 0xfffffff0u     /* where a PC's firmware flash ends: the guest has nothing there */
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define PF_RSVD (1u << 3) /* #PF error code: a reserved bit was set in a paging entry (SDM Vol. 3, 4.7) */
#define PF_P (1u << 0)
#define CR4_PAE (1u << 5)
#define LARGE_PAGE (2ull << 20)
#define WINDOW 0x40000000u /* linear address of the 2 MiB page aimed at the target: above RAM, unused */
#define VEC_HOLE_STACK 0x80

/* ---- PAE paging: the first 4 GiB identity-mapped in 2 MiB pages, one of them aimed elsewhere ---- */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

/* Map WINDOW to the 2 MiB page at phys (any bits a PDE may hold: reserved ones too), and turn paging on. */
static void paging_window(uint64_t pde)
{
	for (unsigned i = 0; i < 4; i++) {
		for (unsigned j = 0; j < 512; j++)
			pd[i][j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PTE_P | PTE_W | PTE_PS;
		pdpt[i] = (uint32_t)pd[i] | PTE_P; /* a PDPTE has no R/W bit (SDM Vol. 3, Table 4-8) */
	}
	pd[WINDOW >> 30][(WINDOW >> 21) & 511] = pde;
	__asm__ volatile("mov %0, %%cr3\n"
	                 "mov %%cr4, %%eax\n orl %1, %%eax\n mov %%eax, %%cr4\n"
	                 "mov %%cr0, %%eax\n orl %2, %%eax\n mov %%eax, %%cr0\n"
	                 :
	                 : "r"((uint32_t)pdpt), "i"(CR4_PAE), "i"(CR0_PG)
	                 : "eax", "memory");
}

static void paging_off(void)
{
	__asm__ volatile("mov %%cr0, %%eax\n andl %0, %%eax\n mov %%eax, %%cr0\n"
	                 "mov %%cr4, %%eax\n andl %1, %%eax\n mov %%eax, %%cr4\n"
	                 :
	                 : "i"(~CR0_PG), "i"(~CR4_PAE)
	                 : "eax", "memory");
}

/* Read guest-physical gpa through the window: the 2 MiB page that holds it. */
static void read_phys(uint64_t gpa)
{
	paging_window((gpa & ~(LARGE_PAGE - 1)) | PTE_P | PTE_W | PTE_PS);
	guest_printf("# hostile: reading guest-physical %#llx through PAE paging\n", (unsigned long long)gpa);
	(void)rd32(WINDOW + (uint32_t)(gpa & (LARGE_PAGE - 1)));
}

/* ---- stops ---- */

static void past_ram(void) { (void)rd32((uint32_t)h.ram_end); }
static void host_hpet(void) { (void)rd32(HOST_HPET); }
static void host_pci(void) { wr32(HOST_PCI_MMIO, 0x12345678); }
static void after_ioapic(void) { wr32(AFTER_IOAPIC, 0); }
static void top_of_4g(void) { (void)rd32(TOP_OF_4G); }
static void at_4g(void) { read_phys(1ull << 32); }
static void top_phys(void) { read_phys((1ull << h.maxphyaddr) - 4); }

/* A call into the VGA window: the fetch finds no memory (a no-device range is for data only). */
static void fetch_hole(void) { ((void (*)(void))GUEST_LEGACY_HOLE_BASE)(); }

/*
 * INT with the stack in the VGA window: the CPU's pushes of the interrupt's delivery find no memory. The
 * hypervisor does not emulate event delivery: it stops the guest, naming the delivery.
 */
static void stack_in_hole(void)
{
	__asm__ volatile("movl %%esp, %%ebx\n movl %0, %%esp\n int %1\n movl %%ebx, %%esp\n"
	                 :
	                 : "i"(GUEST_LEGACY_HOLE_BASE + 0x800), "i"(VEC_HOLE_STACK)
	                 : "ebx", "memory");
}

/* ---- contained ---- */

static void expect_no_device(uint32_t a)
{
	expect_eqf(rd32(a), ALL_ONES, "no device at %#x: reads all ones", a);
	wr32(a, 0);
	expect_eqf(rd32(a), ALL_ONES, "no device at %#x: a write is dropped", a);
}

static void holes(void)
{
	static const uint32_t absent[] = {GUEST_LEGACY_HOLE_BASE, 0xb8000, 0xc0000, 0xdfffc, 0xfee01000, 0xfeeffffc};
	uint32_t rom = rd32(GUEST_FIRMWARE_BASE);

	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		expect_no_device(absent[i]);
	wr32(GUEST_FIRMWARE_BASE, ~rom);
	expect_eq("the firmware area is a ROM: a write is dropped", rd32(GUEST_FIRMWARE_BASE), rom);
	expect_eq("the I/O APIC's page past its registers reads 0", rd32(GUEST_IOAPIC_BASE + 0x80), 0);
}

static void touch_window(void *p)
{
	(void)p;
	(void)rd32(WINDOW);
}

/* A PDE with an address bit at MAXPHYADDR: the CPU's page walk raises #PF (reserved bit), no exit. */
static void beyond_maxphyaddr(void)
{
	int fault;

	if (h.maxphyaddr >= 52) {
		guest_printf("# hostile: MAXPHYADDR %u: no address bit above it in a PAE entry\n", h.maxphyaddr);
		return;
	}
	paging_window(1ull << h.maxphyaddr | PTE_P | PTE_W | PTE_PS);
	fault = guest_catch(touch_window, 0);
	paging_off();
	expect_fault("an address bit at MAXPHYADDR in a PDE: #PF", fault, X86_TRAP_PF);
	expect_eq("#PF error code: present, reserved bit", guest_last_fault.error & (PF_P | PF_RSVD), PF_P | PF_RSVD);
}

const struct attack mem_attacks[] = {
        {"past-ram", STOPS, 1, "a read of the first byte past RAM: stopped, 'read at guest-physical <end of RAM>'",
         past_ram},
        {"host-hpet", STOPS, 1, "a read of 0xfed00000, the host's HPET on a PC: stopped, 'read at guest-physical'",
         host_hpet},
        {"host-pci", STOPS, 1, "a write to 0xe0000000, where the host's PCI devices sit: stopped, 'write at'",
         host_pci},
        {"after-ioapic", STOPS, 1, "a write to 0xfec01000, past the I/O APIC's page: stopped, 'write at'",
         after_ioapic},
        {"top-of-4g", STOPS, 1, "a read of 0xfffffff0, the firmware flash of a PC: stopped, 'read at'", top_of_4g},
        {"at-4g", STOPS, 1, "a read of guest-physical 4 GiB through PAE paging: stopped, 'read at 0x100000000'", at_4g},
        {"top-phys", STOPS, 1, "a read of the last dword below 2^MAXPHYADDR through PAE paging: stopped", top_phys},
        {"fetch-hole", STOPS, 1, "a call into the VGA window: stopped, 'instruction fetch at guest-physical 0xa0000'",
         fetch_hole},
        {"stack-hole", STOPS, 1, "INT with the stack in the VGA window: stopped, the delivery of vector 0x80 named",
         stack_in_hole},
        {"holes", CONTAINED, 1, "the VGA window, option ROMs, APIC range: all ones, writes dropped; the ROM keeps",
         holes},
        {"beyond-maxphyaddr", CONTAINED, 1, "a PDE with an address bit at MAXPHYADDR: #PF (reserved bit), no exit",
         beyond_maxphyaddr},
        {0},
};
