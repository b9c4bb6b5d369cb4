/* bootinfo.h: the neutral boot information every boot path hands the hypervisor. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

/*
 * Both ways in (GRUB multiboot2 and the UEFI loader) fill one struct boot_info
 * and converge on hv_main(). The struct holds no pointers, only physical
 * addresses and fixed arrays, so a loader can build it anywhere and the
 * hypervisor copies it into its own .bss before touching any memory.
 *
 * This header is shared with the UEFI loader (boot/efi/), which is built
 * against gnu-efi: it may include only <stdint.h>.
 */
#include <stdint.h>

#define BOOTINFO_MAGIC 0x4f464e49544f4f42ULL /* "BOOTINFO" little-endian */
#define BOOTINFO_VERSION 1

/* Where the hypervisor came from. */
enum boot_path {
	BOOT_PATH_MULTIBOOT2 = 1,
	BOOT_PATH_UEFI = 2,
};

/*
 * Memory range types. The loader converts its firmware's types to these;
 * BOOT_MEM_USABLE is RAM the hypervisor may allocate once it has carved out
 * the image, the modules and boot_info.reserved[].
 */
enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI_RECLAIM = 3,
	BOOT_MEM_ACPI_NVS = 4,
	BOOT_MEM_BAD = 5,
	BOOT_MEM_FIRMWARE = 6, /* UEFI runtime code/data: must be kept */
	BOOT_MEM_PERSISTENT = 7,
	/* Types below are set by the hypervisor itself when it carves the map. */
	BOOT_MEM_HV_IMAGE = 16,
	BOOT_MEM_HV_MODULE = 17,
	BOOT_MEM_HV_BOOT = 18, /* loader data the hypervisor keeps (boot page tables) */
	BOOT_MEM_LOW = 19,     /* below 1 MiB: kept out of the page allocator */
	BOOT_MEM_UNUSED = 20,  /* usable, but above the mem= limit */
};

#define BOOT_MEM_MAX 256
#define BOOT_MOD_MAX 32
#define BOOT_RESERVED_MAX 8
#define BOOT_CPU_MAX 256
#define BOOT_CMDLINE_MAX 512
#define BOOT_NAME_MAX 64

struct boot_mem_range {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum boot_mem_type */
	uint32_t reserved0;
};
_Static_assert(sizeof(struct boot_mem_range) == 24, "boot_mem_range layout");

/* A file the loader brought along: the configuration and guest images. */
struct boot_module {
	uint64_t base;            /* physical, page aligned */
	uint64_t size;            /* bytes */
	char name[BOOT_NAME_MAX]; /* path on the boot medium, NUL terminated */
};
_Static_assert(sizeof(struct boot_module) == 80, "boot_module layout");

/* A physical range the hypervisor must never hand out (e.g. live page tables). */
struct boot_reserved {
	uint64_t base;
	uint64_t length;
};

/* A processor the firmware reported (UEFI MP services), for machines without ACPI. */
struct boot_cpu {
	uint32_t apic_id;
	uint32_t flags; /* BOOT_CPU_* */
};
#define BOOT_CPU_BSP (1u << 0)
#define BOOT_CPU_ENABLED (1u << 1)

struct boot_info {
	uint64_t magic;     /* BOOTINFO_MAGIC */
	uint32_t version;   /* BOOTINFO_VERSION */
	uint32_t size;      /* sizeof(struct boot_info), checked by the hypervisor */
	uint32_t boot_path; /* enum boot_path */
	uint32_t reserved0;
	char loader_name[BOOT_NAME_MAX];
	char cmdline[BOOT_CMDLINE_MAX];

	/*
	 * The ACPI RSDP: its physical address as the firmware gave it (UEFI), or a
	 * copy of its bytes (multiboot2 hands over a copy); both 0 if none.
	 */
	uint64_t rsdp_phys;
	uint32_t rsdp_copy_len;
	uint8_t rsdp_copy[36];

	/* Where the image [__image_start, __image_end) sits physically. */
	uint64_t image_phys_base;
	uint64_t image_phys_size;

	uint32_t mem_count;
	uint32_t module_count;
	uint32_t reserved_count;
	uint32_t cpu_count; /* 0: the loader did not enumerate processors */

	struct boot_mem_range mem[BOOT_MEM_MAX];
	struct boot_module modules[BOOT_MOD_MAX];
	struct boot_reserved reserved[BOOT_RESERVED_MAX];
	struct boot_cpu cpus[BOOT_CPU_MAX];
};

/*
 * The header at the very start of the hypervisor's higher-half image (section
 * .hvheader). A loader finds it at the ELF's lowest higher-half PT_LOAD.
 */
#define HV_IMAGE_MAGIC 0x3156524f53495643ULL /* "CVISORV1" little-endian */

struct hv_image_header {
	uint64_t magic;      /* HV_IMAGE_MAGIC */
	uint64_t virt_base;  /* virtual address the image is linked at (2 MiB aligned) */
	uint64_t entry_uefi; /* virtual address of hv_entry_uefi */
	uint64_t image_size; /* bytes from the image start to __image_end, bss included */
};
_Static_assert(sizeof(struct hv_image_header) == 32, "hv_image_header layout");

#endif
