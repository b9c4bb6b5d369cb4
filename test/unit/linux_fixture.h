/* linux_fixture.h: guest RAM and synthetic bzImage and PVH images for the Linux loader tests. */
#ifndef TEST_UNIT_LINUX_FIXTURE_H
#define TEST_UNIT_LINUX_FIXTURE_H

#include "test/unit/guest_ram_fixture.h"
#include "test/unit/unit.h"

#include "vmm/partition/bootparams.h"
#include "vmm/partition/elf.h"
#include "vmm/partition/guest_layout.h"
#include "vmm/partition/linux_load.h"
#include "vmm/partition/pvh.h"

/* Nothing written: a refusal comes before any write to guest RAM. */
static inline bool ram_untouched(void) { return ram_untouched_range(0, ram.g.size); }

static inline uint8_t pattern(uint64_t off) { return (uint8_t)(off * 13 + 7); }

#define EXPECT_REFUSED(ok, res, msg)                   \
	do {                                           \
		assert_false(ok);                      \
		assert_string_equal((res).error, msg); \
		assert_true(ram_untouched());          \
	} while (0)

/* ---- a bzImage: boot sector, setup_sects of setup, then the protected-mode kernel ---- */

#define BZ_SETUP_SECTS 1
#define BZ_PM_OFF ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PM_SIZE 0x2000
#define BZ_SIZE (BZ_PM_OFF + BZ_PM_SIZE)
#define BZ_PREF 0x1000000ull
#define BZ_INIT_SIZE 0x400000u

static uint8_t bz[BZ_SIZE];

static inline struct setup_header *bz_hdr(void) { return (struct setup_header *)(bz + 0x1f1); }

/* A protocol-2.15 header as Debian's 6.1 kernel has it, at a smaller scale. */
static inline void bz_build(void)
{
	for (size_t i = 0; i < sizeof(bz); i++)
		bz[i] = pattern(i);
	struct setup_header *h = bz_hdr();
	memset(h, 0, sizeof(*h));
	h->setup_sects = BZ_SETUP_SECTS;
	h->syssize = BZ_PM_SIZE / 16;
	h->boot_flag = BOOT_FLAG_MAGIC;
	h->jump = (uint16_t)(0xeb | (0x26c - 0x202) << 8); /* JMP short past the header */
	h->header = SETUP_HDR_MAGIC;
	h->version = 0x20f;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = 0x7f;
	h->cmdline_size = 0x7ff;
	h->pref_address = BZ_PREF;
	h->init_size = BZ_INIT_SIZE;
}

/* ---- an ELF64 vmlinux: one PT_NOTE with two notes, two PT_LOADs ---- */

#define PVH_SIZE 0x4000
#define PVH_ENTRY 0x1000100ull
#define PVH_NOTES 0x200
#define PVH_SEG0 0x1000 /* file offset of segment 0: 0x1000 bytes at 16 MiB */
#define PVH_SEG1 0x2000 /* segment 1: 0x2000 bytes of file, 0x3000 of memory, at 18 MiB */

static uint8_t pvh[PVH_SIZE];

static inline struct elf64_phdr *pvh_phdr(unsigned i)
{
	return (struct elf64_phdr *)(pvh + sizeof(struct elf64_ehdr) + i * sizeof(struct elf64_phdr));
}

/* A note at off; returns the offset after it. */
static inline size_t put_note(size_t off, const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
	struct elf_note n = {(uint32_t)strlen(name) + 1, descsz, type};

	memcpy(pvh + off, &n, sizeof(n));
	off += sizeof(n);
	memcpy(pvh + off, name, n.n_namesz);
	off += (n.n_namesz + 3) & ~3u;
	memcpy(pvh + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static inline void pvh_build(bool with_note)
{
	for (size_t i = 0; i < sizeof(pvh); i++)
		pvh[i] = pattern(i);
	struct elf64_ehdr eh = {
	        .e_type = ET_EXEC,
	        .e_machine = EM_X86_64,
	        .e_version = 1,
	        .e_entry = 0xffffffff81000000ull, /* the 64-bit entry, which PVH does not use */
	        .e_phoff = sizeof(struct elf64_ehdr),
	        .e_ehsize = sizeof(struct elf64_ehdr),
	        .e_phentsize = sizeof(struct elf64_phdr),
	        .e_phnum = 3,
	};
	memcpy(eh.e_ident, "\177ELF", 4);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(pvh, &eh, sizeof(eh));
	uint64_t entry = PVH_ENTRY, other = 0xffffffff80000000ull;
	size_t end = put_note(PVH_NOTES, "Xen", 3, &other, 8);           /* XEN_ELFNOTE_VIRT_BASE: not the one */
	end = put_note(end, "GNU", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8); /* the right type, the wrong owner */
	if (with_note)
		end = put_note(end, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8);
	*pvh_phdr(0) = (struct elf64_phdr){PT_NOTE, 4, PVH_NOTES, 0, 0, end - PVH_NOTES, end - PVH_NOTES, 4};
	*pvh_phdr(1) =
	        (struct elf64_phdr){PT_LOAD, 5, PVH_SEG0, 0xffffffff81000000ull, 16 * MiB, 0x1000, 0x1000, 0x1000};
	*pvh_phdr(2) =
	        (struct elf64_phdr){PT_LOAD, 6, PVH_SEG1, 0xffffffff81200000ull, 18 * MiB, 0x2000, 0x3000, 0x1000};
}

#endif
