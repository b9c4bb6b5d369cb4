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
/*
 * The reset vector, F000:FFF0, 16 bytes below 1 MiB: where a PC's BIOS
 * restarts the machine. An OS that jumps there to reboot (Linux's last
 * resort, and its first choice on a hardware-reduced ACPI machine without
 * EFI) finds a stub that writes RESET_REG (guest_acpi.c). The ACPI tables
 * end below it.
 */
#define GUEST_RESET_VECTOR 0xffff0ull
#define GUEST_ACPI_SLP_TYP_S5 5 /* the DSDT's \_S5 package: soft off */

/*
 * The shortest one-shot or periodic local APIC timer countdown a vCPU
 * gets, in microseconds of its TSC (the timer's input clock): at most
 * 10 000 timer interrupts a second, so that a tiny count cannot keep its
 * core in VM exits. A deviation from the SDM (docs/vlapic.md, "Timer floor").
 */
#define GUEST_APIC_TIMER_FLOOR_US 100

/* Entry (Multiboot 0.6.96, 3.2). */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10

/*
 * A Linux guest's boot structures, in low RAM (docs/guest-platform.md).
 * Below 1 MiB because Linux reserves the whole first MiB early
 * (nothing it allocates lands there before it has copied the zero page,
 * start_info and command line), and above the first 64 KiB, where the BIOS
 * data area and the real-mode IVT of a PC would be. The page tables and the
 * GDT of the bzImage's 64-bit entry come first, below the zero page, as the
 * kernel drops them for its own at once; then the zero page (bzImage) or
 * start_info with its module list and memory map (PVH); then the command line.
 */
#define GUEST_LINUX_GDT 0x10000ull       /* __BOOT_CS and __BOOT_DS */
#define GUEST_LINUX_PML4 0x11000ull      /* identity map of [0, 4 GiB) in 2 MiB pages: */
#define GUEST_LINUX_PDPT 0x12000ull      /* its one PDPT */
#define GUEST_LINUX_PD 0x13000ull        /* and four page directories, up to 0x16fff */
#define GUEST_LINUX_BOOT_INFO 0x20000ull /* the zero page (4 KiB) or start_info and its tables */
#define GUEST_LINUX_CMDLINE 0x21000ull
#define GUEST_LINUX_CMDLINE_MAX 0x1000ull /* with the NUL */
#define GUEST_LINUX_BOOT_CS 0x10          /* __BOOT_CS: 64-bit code (boot.rst, "64-bit Boot Protocol") */
#define GUEST_LINUX_BOOT_DS 0x18          /* __BOOT_DS */

#endif
