; guest_dsdt.asm: the guests' DSDT (build/acpi/dsdt.aml, compiled by iasl from dsdt.asl), linked into the image.
section .rodata
align 16
global guest_dsdt_start, guest_dsdt_end
guest_dsdt_start:
	incbin "dsdt.aml"
guest_dsdt_end:
