# guest.mk: the test guests (32-bit multiboot kernels, guest/tests/NAME.c or guest/tests/NAME/*.c) and their
# library (guest/lib/).
#
#   make guests      every guest as $(BUILD)/guest/NAME.elf
#
# Included by the top-level Makefile; on its own: make -f guest/guest.mk guests

BUILD ?= build
GUEST_CC ?= gcc
GUEST_LD ?= ld
GUEST_NASM ?= nasm

GUEST_CFLAGS := -m32 -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-sse -mno-mmx \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns -fno-omit-frame-pointer \
	-O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-I. -MMD -MP
GUEST_ASFLAGS := -f elf32 -g -F dwarf
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T guest/guest.ld

# The library, with the hypervisor's own formatting and string code built for 32 bits.
guest_lib := guest/lib/start.asm guest/lib/isr.asm guest/lib/trap.c guest/lib/console.c guest/lib/test.c \
	guest/lib/safe.c guest/lib/cmdline.c guest/lib/libgcc.c vmm/lib/fmt.c vmm/lib/string.c vmm/lib/libc_mem.c \
	vmm/lib/parse.c guest/lib/apic.c guest/lib/smp.c guest/lib/ap_start.asm
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guest/obj/%.o,$(basename $(guest_lib)))
GUEST_NAMES := $(patsubst guest/tests/%.c,%,$(wildcard guest/tests/*.c))
GUEST_TEST_OBJS := $(GUEST_NAMES:%=$(BUILD)/guest/obj/guest/tests/%.o)
GUEST_ELFS := $(GUEST_NAMES:%=$(BUILD)/guest/%.elf)
# A guest too long for one file is a folder: guest/tests/NAME/*.c, linked together as NAME.elf.
GUEST_DIR_NAMES := $(patsubst guest/tests/%/,%,$(sort $(dir $(wildcard guest/tests/*/*.c))))
GUEST_DIR_OBJS = $(patsubst %.c,$(BUILD)/guest/obj/%.o,$(wildcard guest/tests/$(1)/*.c))
GUEST_DIR_ELFS := $(GUEST_DIR_NAMES:%=$(BUILD)/guest/%.elf)

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_DIR_ELFS)

$(BUILD)/guest/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/obj/%.o: %.asm
	@mkdir -p $(dir $@)
	$(GUEST_NASM) $(GUEST_ASFLAGS) $< -o $@

$(GUEST_ELFS): $(BUILD)/guest/%.elf: $(BUILD)/guest/obj/guest/tests/%.o $(GUEST_LIB_OBJS) guest/guest.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJS)

define guest_dir_elf
$(BUILD)/guest/$(1).elf: $(call GUEST_DIR_OBJS,$(1)) $(GUEST_LIB_OBJS) guest/guest.ld
	$$(GUEST_LD) $$(GUEST_LDFLAGS) -o $$@ $(call GUEST_DIR_OBJS,$(1)) $$(GUEST_LIB_OBJS)
endef
$(foreach g,$(GUEST_DIR_NAMES),$(eval $(call guest_dir_elf,$(g))))

-include $(GUEST_LIB_OBJS:.o=.d) $(GUEST_TEST_OBJS:.o=.d) \
	$(patsubst %.o,%.d,$(foreach g,$(GUEST_DIR_NAMES),$(call GUEST_DIR_OBJS,$(g))))
