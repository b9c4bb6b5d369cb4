# boot.mk: boot media built around the hypervisor image: the GRUB ISO.
# (The UEFI loader, its ESP and the USB image are in boot/efi/efi.mk.)

ISO := $(BUILD)/apicvisor.iso
GRUB_TIMEOUT ?= 0

# Builds an ISO; $(1) is the kernel command line, $(2) the output file.
# grub-mkrescue writes a hybrid image: BIOS El Torito plus an EFI image.
define make_iso
	rm -rf $(2).d && mkdir -p $(2).d/boot/grub $(2).d/boot/apicvisor
	cp $(BUILD)/hv.elf boot/hv.conf $(2).d/boot/apicvisor/
	sed -e 's|@CMDLINE@|$(1)|' -e 's|@TIMEOUT@|$(GRUB_TIMEOUT)|' boot/grub.cfg.in > $(2).d/boot/grub/grub.cfg
	grub-mkrescue -o $(2) $(2).d 2>$(2).log || { cat $(2).log; exit 1; }
	rm -rf $(2).d
endef

iso: $(ISO)
$(ISO): $(BUILD)/hv.elf boot/hv.conf boot/grub.cfg.in
	$(call make_iso,$(CMDLINE),$@)
