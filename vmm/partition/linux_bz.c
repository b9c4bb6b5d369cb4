/* linux_bz.c: loading a bzImage for the 64-bit boot protocol (Documentation/arch/x86/boot.rst). */
#include "vmm/partition/bootparams.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/linux_common.h"
#include "vmm/lib/string.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define IDMAP_GIB 4 /* the identity map covers [0, 4 GiB): RAM, the firmware area and the APICs' pages */

/* Paging-structure entries (SDM Vol. 3, 4.5, Tables 4-15 to 4-18). */
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7) /* in a PDE: maps a 2 MiB page */

/*
 * The GDT's flat descriptors (SDM Vol. 3, 3.4.5): limit 0xfffff with G, base
 * 0, present, DPL 0; code execute/read with L=1 and D=0 (64-bit), data
 * read/write with B=1. The accessed bits are set, so the CPU never writes them.
 */
#define DESC_CODE64 0x00af9b000000ffffull
#define DESC_DATA 0x00cf93000000ffffull
#define GDT_ENTRIES 4 /* null, unused, __BOOT_CS, __BOOT_DS */

bool linux_bz_signature(const void *image, uint64_t size)
{
	const uint8_t *p = image;
	uint16_t flag;
	uint32_t magic;

	if (size < SETUP_HDR_OFF(header) + sizeof(magic))
		return false;
	memcpy(&flag, p + SETUP_HDR_OFF(boot_flag), sizeof(flag));
	memcpy(&magic, p + SETUP_HDR_OFF(header), sizeof(magic));
	return flag == BOOT_FLAG_MAGIC && magic == SETUP_HDR_MAGIC;
}

/* What the checks found, for the writes. */
struct bz {
	struct setup_header h;
	uint64_t hdr_end; /* where the image's setup header ends */
	uint64_t setup;   /* bytes before the protected-mode kernel */
	uint64_t load;    /* where the protected-mode kernel goes */
	uint64_t cmdline_max;
};

/* The header: signature, protocol, 64-bit entry, inside the file. */
static bool check_header(const struct linux_args *a, struct bz *bz, struct linux_result *out)
{
	const uint8_t *p = a->image;

	if (!linux_bz_signature(a->image, a->size))
		return linux_refuse(out, "not a bzImage (no 0xaa55 at 0x1fe and \"HdrS\" at 0x202)");
	if (a->size < SETUP_HDR_OFF(version) + sizeof(bz->h.version))
		return linux_refuse(out, "bzImage header cut short by the end of the file (%llu bytes)", (ull)a->size);
	memset(&bz->h, 0, sizeof(bz->h));
	memcpy(&bz->h.version, p + SETUP_HDR_OFF(version), sizeof(bz->h.version));
	if (bz->h.version < BOOT_PROTOCOL_64)
		return linux_refuse(out, "bzImage boot protocol %u.%02u is older than 2.12: no 64-bit entry",
		                    bz->h.version >> 8, bz->h.version & 0xff);
	/* The header's length: the jump's offset byte at 0x201, counted from 0x202 (boot.rst). */
	bz->hdr_end = 0x202 + (uint64_t)p[SETUP_HDR_OFF(jump) + 1];
	if (bz->hdr_end < SETUP_HDR_OFF(init_size) + sizeof(bz->h.init_size))
		return linux_refuse(out, "bzImage setup header ends at %#llx, before init_size", (ull)bz->hdr_end);
	if (bz->hdr_end > a->size)
		return linux_refuse(out,
		                    "bzImage setup header (to %#llx) cut short by the end of the file (%llu bytes)",
		                    (ull)bz->hdr_end, (ull)a->size);
	uint64_t n = bz->hdr_end - SETUP_HDR_OFF(setup_sects);
	memcpy(&bz->h, p + SETUP_HDR_OFF(setup_sects), n < sizeof(bz->h) ? n : sizeof(bz->h));
	if (!(bz->h.xloadflags & XLF_KERNEL_64))
		return linux_refuse(out, "bzImage has no 64-bit entry (XLF_KERNEL_64 not set in xloadflags %#x)",
		                    bz->h.xloadflags);
	if (!(bz->h.loadflags & LOADED_HIGH))
		return linux_refuse(out, "not a bzImage: a zImage (LOADED_HIGH not set) loads below 1 MiB");
	return true;
}

/* The protected-mode kernel: after the setup sectors, syssize paragraphs, all inside the file. */
static bool check_payload(const struct linux_args *a, struct bz *bz, struct linux_result *out)
{
	unsigned sects = bz->h.setup_sects ? bz->h.setup_sects : SETUP_SECTS_DEFAULT;
	uint64_t pm = (uint64_t)bz->h.syssize * 16;

	bz->setup = (uint64_t)(sects + 1) * SETUP_SECTOR;
	if (bz->setup >= a->size)
		return linux_refuse(out, "bzImage setup (%u sectors) ends at %#llx, past the file (%llu bytes)", sects,
		                    (ull)bz->setup, (ull)a->size);
	if (pm == 0 || pm > a->size - bz->setup)
		return linux_refuse(out,
		                    "bzImage protected-mode kernel (syssize %#x paragraphs) from %#llx ends past the "
		                    "file (%llu bytes)",
		                    bz->h.syssize, (ull)bz->setup, (ull)a->size);
	/* The 64-bit entry is at +0x200 (boot.rst, "64-bit Boot Protocol"): the kernel must reach past it. */
	if (pm <= SETUP_ENTRY_64)
		return linux_refuse(out,
		                    "bzImage protected-mode kernel (%#llx bytes) ends before its 64-bit entry at +%#x",
		                    (ull)pm, SETUP_ENTRY_64);
	return true;
}

/*
 * Where it loads: pref_address (2.10+), which a relocatable kernel may leave
 * for the first kernel_alignment boundary at 1 MiB or above when it is not
 * usable; the range up to init_size inside RAM.
 */
static bool place_kernel(const struct guest_ram *g, const struct linux_args *a, struct bz *bz, struct linux_result *out)
{
	uint64_t align = bz->h.kernel_alignment, pref = bz->h.pref_address;
	uint64_t need = bz->h.init_size > a->size - bz->setup ? bz->h.init_size : a->size - bz->setup;

	if (bz->h.relocatable_kernel && (align < LINUX_PAGE || (align & (align - 1))))
		return linux_refuse(out, "bzImage kernel_alignment %#llx is not a power of two of 4 KiB or more",
		                    (ull)align);
	bool usable =
	        pref >= GUEST_HIGH_RAM_BASE && pref < g->size && (!bz->h.relocatable_kernel || !(pref & (align - 1)));
	if (!usable && !bz->h.relocatable_kernel)
		return linux_refuse(out, "bzImage is not relocatable and its pref_address %#llx is outside high RAM",
		                    (ull)pref);
	bz->load = usable ? pref : (GUEST_HIGH_RAM_BASE + align - 1) & ~(align - 1);
	if (bz->load >= g->size || need > g->size - bz->load)
		return linux_refuse(out,
		                    "the kernel needs %#llx bytes (init_size) from %#llx, past guest RAM (%#llx bytes)",
		                    (ull)need, (ull)bz->load, (ull)g->size);
	out->kernel_lo = bz->load;
	out->kernel_hi = bz->load + need;
	return true;
}

static void put_zero_page(const struct guest_ram *g, const struct linux_args *a, const struct bz *bz,
                          const struct linux_result *r)
{
	struct boot_params *zp = (struct boot_params *)(g->ram + GUEST_LINUX_BOOT_INFO);
	struct linux_mem_range rows[LINUX_MEMMAP_ROWS];

	memset(zp, 0, sizeof(*zp));
	/* The setup header as the image has it, to the length it gives (boot.rst, "64-bit Boot Protocol"). */
	memcpy((uint8_t *)zp + SETUP_HDR_OFF(setup_sects), (const uint8_t *)a->image + SETUP_HDR_OFF(setup_sects),
	       bz->hdr_end < sizeof(*zp) ? bz->hdr_end - SETUP_HDR_OFF(setup_sects)
	                                 : sizeof(*zp) - SETUP_HDR_OFF(setup_sects));
	zp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	zp->hdr.loadflags &= (uint8_t)~CAN_USE_HEAP; /* no heap_end_ptr: the real-mode setup does not run */
	zp->hdr.cmd_line_ptr = (uint32_t)GUEST_LINUX_CMDLINE;
	zp->hdr.ramdisk_image = (uint32_t)r->initrd_lo;
	zp->hdr.ramdisk_size = (uint32_t)(r->initrd_hi - r->initrd_lo);
	zp->hdr.hardware_subarch = 0; /* a PC */
	zp->hdr.code32_start = (uint32_t)bz->load;
	if (bz->h.version >= BOOT_PROTOCOL_RSDP)
		zp->acpi_rsdp_addr = GUEST_RSDP_GPA;
	linux_memmap(g, rows);
	for (unsigned i = 0; i < LINUX_MEMMAP_ROWS; i++)
		zp->e820_table[i] = (struct boot_e820_entry){rows[i].addr, rows[i].size, rows[i].type};
	zp->e820_entries = LINUX_MEMMAP_ROWS;
}

/* [0, 4 GiB) identity-mapped in 2 MiB pages, and the GDT of __BOOT_CS and __BOOT_DS. */
static void put_page_tables_gdt(const struct guest_ram *g)
{
	uint64_t *pml4 = (uint64_t *)(g->ram + GUEST_LINUX_PML4), *pdpt = (uint64_t *)(g->ram + GUEST_LINUX_PDPT);
	uint64_t *pd = (uint64_t *)(g->ram + GUEST_LINUX_PD), *gdt = (uint64_t *)(g->ram + GUEST_LINUX_GDT);

	memset(pml4, 0, LINUX_PAGE);
	memset(pdpt, 0, LINUX_PAGE);
	pml4[0] = GUEST_LINUX_PDPT | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < IDMAP_GIB; i++)
		pdpt[i] = (GUEST_LINUX_PD + i * LINUX_PAGE) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < IDMAP_GIB * 512; i++)
		pd[i] = i * 2 * MiB | PTE_P | PTE_RW | PTE_PS;
	memset(gdt, 0, GDT_ENTRIES * sizeof(*gdt));
	gdt[GUEST_LINUX_BOOT_CS / 8] = DESC_CODE64;
	gdt[GUEST_LINUX_BOOT_DS / 8] = DESC_DATA;
}

bool linux_bz_load(const struct guest_ram *g, const struct linux_args *a, struct linux_result *out)
{
	struct bz bz;

	memset(out, 0, sizeof(*out));
	if (!linux_check_ram(g, out) || !check_header(a, &bz, out) || !check_payload(a, &bz, out) ||
	    !place_kernel(g, a, &bz, out))
		return false;
	bz.cmdline_max =
	        bz.h.cmdline_size + 1 < GUEST_LINUX_CMDLINE_MAX ? bz.h.cmdline_size + 1ull : GUEST_LINUX_CMDLINE_MAX;
	uint64_t limit = (uint64_t)bz.h.initrd_addr_max + 1;
	if (!linux_check_cmdline(a->cmdline, bz.cmdline_max, out) ||
	    !linux_place_initrd(g, a, (out->kernel_hi + LINUX_PAGE - 1) & ~(LINUX_PAGE - 1), limit, out))
		return false;

	/* Everything checked: only now is guest RAM written. */
	memcpy(g->ram + bz.load, (const uint8_t *)a->image + bz.setup, a->size - bz.setup);
	put_zero_page(g, a, &bz, out);
	linux_put_initrd_cmdline(g, a, out);
	put_page_tables_gdt(g);
	out->boot_info = GUEST_LINUX_BOOT_INFO;
	out->entry = (struct linux_entry){
	        .long_mode = true,
	        .rip = bz.load + SETUP_ENTRY_64,
	        .rsi = GUEST_LINUX_BOOT_INFO,
	        .cr3 = GUEST_LINUX_PML4,
	        .gdt_base = GUEST_LINUX_GDT,
	        .gdt_limit = GDT_ENTRIES * 8 - 1,
	        .code_sel = GUEST_LINUX_BOOT_CS,
	        .data_sel = GUEST_LINUX_BOOT_DS,
	};
	return true;
}
