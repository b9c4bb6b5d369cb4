/*
 * dsdt.asl: the Differentiated System Description Table every guest gets
 * (ACPI 6.5, 5.2.11.1; docs/guest-platform.md). Built by iasl into
 * build/acpi/dsdt.aml, which vmm/partition/guest_dsdt.asm embeds.
 *
 * The platform is hardware-reduced (FADT flag HW_REDUCED_ACPI): no fixed
 * hardware, no SCI, no GPEs, so the namespace needs no event methods.
 * Compliance revision 2: integers are 64 bits.
 */
DefinitionBlock ("", "DSDT", 2, "APICVR", "APICVISR", 1)
{
    /*
     * Soft off (ACPI 7.4.2): the SLP_TYP value the sleep control register
     * (guest_layout.h: GUEST_ACPI_SLEEP_CONTROL_PORT) decodes as S5, which
     * must equal GUEST_ACPI_SLP_TYP_S5. The second value would go to PM1b,
     * which a hardware-reduced platform does not have.
     */
    Name (_S5, Package (0x02) { 0x05, 0x00 })

    Scope (_SB)
    {
        /*
         * COM1, the 16550A of vmm/vdev/vuart.c. Its interrupt is ISA IRQ 4,
         * I/O APIC pin (GSI) 4, edge-triggered and active high: a
         * hardware-reduced OS installs no 8259 PIC and so maps no ISA IRQ by
         * itself; this resource template is where it learns the line.
         */
        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, 0x01)
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQ (Edge, ActiveHigh, Exclusive) {4}
            })
        }
    }
}
