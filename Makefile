# Makefile: builds the hypervisor image, the UEFI loader, boot media and tests.
#
#   make          hypervisor image, UEFI loader and test guests
#   make iso      hybrid BIOS/UEFI GRUB ISO          (build/apicvisor.iso)
#   make usb      raw GPT disk image for a USB stick (build/apicvisor-usb.img)
#   make run      boot the ISO in Bochs, console on this terminal
#   make linux    the Linux test guest: Debian's kernel and an initramfs with our init (build/linux/)
#   make run-linux  two Linux guests (boot/linux.conf) in Bochs
#   make test     every test: lint, host unit tests, a short run of each fuzzer, then emulator tests
#   make fuzz     each libFuzzer harness for FUZZ_SECONDS (30), from its seeds and what it found before
#   make bench    the interrupt-delivery benchmark in every mode, then bench-linux: build/bench/report.md
#   make bench-linux  Linux workloads natively and in every mode (LINUX_BENCH_ITERS=1000, LINUX_BENCH_IDLE=5)
#   make bench-iso  the benchmark as a boot menu for a real machine (build/apicvisor-bench.iso)
#
# Options: CONSOLE_PORT=0x2f8 (build-time console), CMDLINE="..." (added to the ISO's
# GRUB entry; the defaults live in boot/hv.conf), CONFIG=my.conf (the media's hv.conf, with the files
# it names), BENCH_ITERS=200, BENCH_APIC=x2apic|xapic

BUILD ?= build
CONSOLE_PORT ?= 0x3f8
CMDLINE ?=
VERSION := 0.1.0
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo nogit)

CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
HV_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -O2 -g $(WARNINGS) -I. -MMD -MP \
	-DHV_EARLY_CONSOLE_PORT=$(CONSOLE_PORT) -DHV_VERSION='"$(VERSION)-$(GIT_REV)"'
HV_ASFLAGS := -f elf64 -I. -DHV_EARLY_CONSOLE_PORT=$(CONSOLE_PORT)
HV_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld

# Per-folder object lists of the hypervisor image, bottom-up as docs/architecture.md draws the layers.
lib_objs := vmm/lib/string.o vmm/lib/libc_mem.o vmm/lib/fmt.o vmm/lib/parse.o vmm/lib/cmdline.o vmm/lib/cost_hist.o vmm/lib/ksyms.o \
	vmm/lib/sanitize.o vmm/lib/ratelimit.o
mm_objs := vmm/mm/memmap.o vmm/mm/palloc.o vmm/mm/mm.o
arch_objs := arch/x86/isr.o arch/x86/desc.o arch/x86/trap.o arch/x86/uart16550.o arch/x86/paging.o \
	arch/x86/acpi.o arch/x86/acpi_boot.o arch/x86/power.o arch/x86/vmx_caps.o arch/x86/vmx_caps_read.o \
	arch/x86/madt.o arch/x86/tsc.o arch/x86/smp.o arch/x86/trampoline.o arch/x86/vmx.o arch/x86/ept.o \
	arch/x86/cr.o arch/x86/vmx_cr.o arch/x86/vmx_vcpu.o arch/x86/vmx_entry.o arch/x86/lapic.o arch/x86/ioapic.o \
	arch/x86/guest_walk.o arch/x86/insn_decode.o arch/x86/alu.o arch/x86/vmcs_fields.o arch/x86/vmx_exit_names.o
lapic_objs := lapic/vioapic.o lapic/vlapic.o lapic/vlapic_irq.o lapic/vlapic_timer.o
apicv_objs := apicv/mode.o apicv/tpr.o apicv/eoi_bitmap.o apicv/posted.o apicv/vintr.o apicv/apicv.o
core_objs := vmm/core/percpu.o vmm/core/console.o vmm/core/cpus.o vmm/core/trace.o
vdev_objs := vmm/vdev/vuart.o
partition_objs := vmm/partition/config.o vmm/partition/mbload.o vmm/partition/guest_acpi.o vmm/partition/vcpu.o \
	vmm/partition/guest.o vmm/partition/builtin_guest.o vmm/partition/guest_dsdt.o vmm/partition/vtsc.o vmm/partition/kernel_kind.o \
	vmm/partition/linux_common.o vmm/partition/linux_bz.o vmm/partition/linux_pvh.o vmm/partition/guest_log.o
irq_objs := vmm/irq/route.o vmm/irq/access.o vmm/irq/inject.o
exit_objs := vmm/exit/exits.o vmm/exit/fastpath.o vmm/exit/cr.o vmm/exit/ports.o vmm/exit/msr.o vmm/exit/cpuid.o vmm/exit/hypercall.o vmm/exit/hc_policy.o \
	vmm/exit/apic.o vmm/exit/cpuid_msr.o vmm/exit/cpuid_platform.o vmm/exit/mmio.o vmm/exit/mmio_string.o vmm/exit/if_check.o
debug_objs := vmm/debug/panic.o vmm/debug/switches.o vmm/debug/snapshot.o vmm/debug/dump_util.o vmm/debug/dump_vcpu.o \
	vmm/debug/dump_vmcs.o vmm/debug/dump_apic.o vmm/debug/shell_line.o vmm/debug/shell.o vmm/debug/shell_ctl.o \
	vmm/debug/conin_esc.o vmm/debug/conin.o vmm/debug/exit_report.o
run_objs := vmm/run/sched.o
vmm_objs := vmm/main.o
boot_objs := boot/entry/mb2_start.o boot/entry/entry64.o boot/entry/entry.o boot/entry/multiboot2.o
# The entries link first, as they always have: the UEFI entry sits right after the image header, at the
# start of .text (a loader checks that it lies inside the image).
HV_OBJS := $(addprefix $(BUILD)/hv/,$(boot_objs) $(lib_objs) $(mm_objs) $(arch_objs) $(lapic_objs) $(apicv_objs) \
	$(core_objs) $(vdev_objs) $(partition_objs) $(irq_objs) $(exit_objs) $(debug_objs) $(run_objs) $(vmm_objs))

.PHONY: all iso usb run run-posted run-qemu run-linux bench bench-linux linux-boot bench-iso test unit emu deps clean format lint fuzz fuzz-quick
all: $(BUILD)/hv.elf $(BUILD)/BOOTX64.EFI guests

# Commands are echoed in short form; make V=1 shows them whole.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1)	$(2)"
endif

$(BUILD)/hv/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(HV_CFLAGS) -c $< -o $@

# The boot banner names the commit (HV_VERSION): main.o is built again whenever HEAD moves.
VERSION_STAMP := $(BUILD)/hv/version-$(GIT_REV).stamp
$(VERSION_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/hv/version-*.stamp
	@touch $@
$(BUILD)/hv/vmm/main.o: $(VERSION_STAMP)

$(BUILD)/hv/%.o: %.asm boot/entry/asm_defs.inc $(BUILD)/hv/asm_offsets.inc
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(NASM) $(HV_ASFLAGS) -I$(BUILD)/hv/ $< -o $@

# The default test guest is linked into the image (vmm/partition/builtin_guest.asm).
$(BUILD)/hv/vmm/partition/builtin_guest.o: vmm/partition/builtin_guest.asm $(BUILD)/guest/platform.elf
	@mkdir -p $(dir $@)
	$(NASM) $(HV_ASFLAGS) -I$(BUILD)/guest/ $< -o $@

# The guests' DSDT: ASL compiled by iasl (acpica-tools), warnings as errors, the AML linked into the image.
$(BUILD)/acpi/dsdt.aml: vmm/partition/dsdt.asl
	@mkdir -p $(dir $@)
	$(call say,IASL,$<)
	$(Q)iasl -vs -we -p $(basename $@) $< > $(basename $@).log 2>&1 || { cat $(basename $@).log; exit 1; }

$(BUILD)/hv/vmm/partition/guest_dsdt.o: vmm/partition/guest_dsdt.asm $(BUILD)/acpi/dsdt.aml
	@mkdir -p $(dir $@)
	$(NASM) $(HV_ASFLAGS) -I$(BUILD)/acpi/ $< -o $@

# Offsets and constants the assembly stubs use, generated from C (arch/x86/asm_offsets.c).
$(BUILD)/hv/asm_offsets.inc: arch/x86/asm_offsets.c arch/x86/vmx_regs.h arch/x86/vmcs.h
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -S -o $(BUILD)/hv/asm_offsets.s $<
	sed -n 's/.*->\([A-Z_0-9]*\) \([0-9-]*\).*/\1 equ \2/p' $(BUILD)/hv/asm_offsets.s > $@

# Two link passes: the first with an empty symbol table, the second with the
# table made from the first. .ksyms is last in the image, so no code address
# moves; the check below proves it.
$(BUILD)/hv/ksyms_empty.o: boot/mkksyms.sh
	@mkdir -p $(dir $@)
	sh boot/mkksyms.sh > $(BUILD)/hv/ksyms_empty.asm
	$(NASM) -f elf64 $(BUILD)/hv/ksyms_empty.asm -o $@

$(BUILD)/hv.stage1.elf: $(HV_OBJS) $(BUILD)/hv/ksyms_empty.o linker.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/hv/ksyms_empty.o

$(BUILD)/hv/ksyms.o: $(BUILD)/hv.stage1.elf boot/mkksyms.sh
	sh boot/mkksyms.sh $< > $(BUILD)/hv/ksyms.asm
	$(NASM) -f elf64 $(BUILD)/hv/ksyms.asm -o $@

$(BUILD)/hv.elf: $(HV_OBJS) $(BUILD)/hv/ksyms.o linker.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/hv/ksyms.o
	@nm -n $(BUILD)/hv.stage1.elf | awk '$$2 ~ /^[tT]$$/' > $(BUILD)/hv/syms1.txt
	@nm -n $@ | awk '$$2 ~ /^[tT]$$/' > $(BUILD)/hv/syms2.txt
	@cmp -s $(BUILD)/hv/syms1.txt $(BUILD)/hv/syms2.txt || \
		{ echo "error: symbol addresses moved between link passes"; diff $(BUILD)/hv/syms1.txt $(BUILD)/hv/syms2.txt | head; rm -f $@; exit 1; }

-include $(HV_OBJS:.o=.d)
include boot/boot.mk
include guest/guest.mk
include guest/linux/linux.mk
-include boot/efi/efi.mk
-include test/test.mk

clean:
	rm -rf $(BUILD)

C_SOURCES = $$(git ls-files '*.c' '*.h')

format:
	clang-format -i $(C_SOURCES)

# Part of `make test`: formatting and cppcheck must be clean, and every include must follow
# the layer table of docs/architecture.md (test/lint/layers.py, with its own tests).
lint:
	/usr/bin/python3 test/lint/layers.py
	$(PYTEST) -q -p no:cacheprovider test/lint
	clang-format --dry-run -Werror $(C_SOURCES)
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--inline-suppr -I. --suppress=missingIncludeSystem $$(git ls-files '*.c' | grep -v '^boot/efi/')
