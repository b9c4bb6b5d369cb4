/* memmap_conv.c: the firmware's memory map as boot_info ranges, runnable after ExitBootServices. */
#include "boot/efi/memmap_conv.h"

uint32_t memmap_type_from_efi(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_MT_CONVENTIONAL:
	case EFI_MT_BOOT_SERVICES_CODE:
	case EFI_MT_BOOT_SERVICES_DATA:
	case EFI_MT_LOADER_CODE:
	case EFI_MT_LOADER_DATA: /* the image, modules and boot tables: the hypervisor carves them */
		return BOOT_MEM_USABLE;
	case EFI_MT_RUNTIME_SERVICES_CODE:
	case EFI_MT_RUNTIME_SERVICES_DATA: return BOOT_MEM_FIRMWARE;
	case EFI_MT_ACPI_RECLAIM: return BOOT_MEM_ACPI_RECLAIM;
	case EFI_MT_ACPI_NVS: return BOOT_MEM_ACPI_NVS;
	case EFI_MT_UNUSABLE: return BOOT_MEM_BAD;
	case EFI_MT_PERSISTENT: return BOOT_MEM_PERSISTENT;
	default: return BOOT_MEM_RESERVED; /* reserved, MMIO, port space, PAL code, unknown */
	}
}

static struct efi_mem_desc *desc_at(void *map, size_t desc_size, size_t i)
{
	return (struct efi_mem_desc *)((char *)map + i * desc_size);
}

/* Swaps two descriptors byte by byte (their stride may exceed the struct). */
static void swap_desc(void *a, void *b, size_t n)
{
	unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		unsigned char t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

/* Insertion sort by phys_start: a few hundred entries at most, usually sorted already. */
static void sort_map(void *map, size_t n, size_t desc_size)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && desc_at(map, desc_size, j - 1)->phys_start > desc_at(map, desc_size, j)->phys_start; j--)
			swap_desc(desc_at(map, desc_size, j - 1), desc_at(map, desc_size, j), desc_size);
}

uint32_t memmap_from_efi(void *map, size_t map_size, size_t desc_size, struct boot_mem_range *out, uint32_t max)
{
	size_t n = map_size / desc_size;
	uint32_t count = 0;
	struct boot_mem_range last = {0};

	sort_map(map, n, desc_size);
	for (size_t i = 0; i < n; i++) {
		const struct efi_mem_desc *d = desc_at(map, desc_size, i);
		struct boot_mem_range r = {d->phys_start, d->num_pages * EFI_PAGE_BYTES, memmap_type_from_efi(d->type),
		                           0};
		if (r.length == 0)
			continue;
		if (count > 0 && last.type == r.type && last.base + last.length == r.base) {
			last.length += r.length;
			if (count <= max)
				out[count - 1] = last;
			continue;
		}
		last = r;
		if (count < max)
			out[count] = r;
		count++;
	}
	return count;
}

uint64_t memmap_efi_top(const void *map, size_t map_size, size_t desc_size)
{
	uint64_t top = 0;

	for (size_t i = 0; i < map_size / desc_size; i++) {
		const struct efi_mem_desc *d = (const void *)((const char *)map + i * desc_size);
		uint64_t end = d->phys_start + d->num_pages * EFI_PAGE_BYTES;
		if (d->type != EFI_MT_MMIO && d->type != EFI_MT_MMIO_PORT_SPACE && end > top)
			top = end;
	}
	return top;
}
