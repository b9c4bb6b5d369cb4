; builtin_guest.asm: the default test guest (build/guest/platform.elf), linked into the image
; so that a boot without a configuration file still runs a guest on every core.
section .rodata
align 16
global builtin_guest_start, builtin_guest_end
builtin_guest_start:
	incbin "platform.elf"
builtin_guest_end:
