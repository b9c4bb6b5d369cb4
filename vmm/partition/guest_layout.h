/* guest_layout.h: the guest-physical address map every guest gets (docs/guest-platform.md). */
#ifndef VMM_PARTITION_GUEST_LAYOUT_H
#define VMM_PARTITION_GUEST_LAYOUT_H

#define GUEST_LOW_RAM_END 0xa0000ull   /* RAM [0, 640 KiB) */
#define GUEST_FIRMWARE_BASE 0xe0000ull /* read-only: the ACPI tables */
#define GUEST_FIRMWARE_END 0x100000ull
#define GUEST_HIGH_RAM_BASE 0x100000ull /* RAM [1 MiB, memory size) */
#define GUEST_RSDP_GPA GUEST_FIRMWARE_BASE
#define GUEST_LAPIC_BASE 0xfee00000ull
/*
 * No device answers in these (reads all ones, writes dropped): the legacy
 * hole, the VGA window 0xa0000-0xbffff and the option-ROM area
 * 0xc0000-0xdffff of a PC without VGA or option ROMs; and the range of the
 * local APIC's default page (the interrupt-message range of a PC), for a
 * vCPU whose APIC is not there.
 */
#define GUEST_LEGACY_HOLE_BASE GUEST_LOW_RAM_END
#define GUEST_LEGACY_HOLE_END GUEST_FIRMWARE_BASE
#define GUEST_VGA_WINDOW_END 0xc0000ull
#define GUEST_LAPIC_RANGE_BASE GUEST_LAPIC_BASE
#define GUEST_LAPIC_RANGE_END 0xfef00000ull
#define GUEST_IOAPIC_BASE 0xfec00000ull
#define GUEST_INITIAL_ESP 0x7000u
#define GUEST_MIN_MEMORY (2ull << 20) /* 1 MiB of high RAM at least */
#define GUEST_MAX_MEMORY (3ull << 30) /* stays below the 32-bit MMIO hole */

/*
 * The ACPI platform's I/O ports (hardware-reduced ACPI: ACPI 6.5, 4.1 and
 * 4.8.3.7; docs/guest-platform.md). The FADT names them; vmm/exit/ports.c
 * decodes them. Each is an 8-bit register.
 */
#define GUEST_ACPI_SLEEP_CONTROL_PORT 0x600 /* SLP_TYP bits 4:2, SLP_EN bit 5 */
#define GUEST_ACPI_SLEEP_STATUS_PORT 0x601  /* WAK_STS bit 7 */
#define GUEST_ACPI_RESET_PORT 0x602         /* the FADT's RESET_REG */
#define GUEST_ACPI_RESET_VALUE 0x01         /* its RESET_VALUE: this byte written there reboots the guest */
#define GUEST_ACPI_SLP_TYP_S5 5             /* the DSDT's \_S5 package: soft off */

/* Entry (Multiboot 0.6.96, 3.2). */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10

#endif
