# boot.mk: boot media built around the hypervisor image: the GRUB ISO.
# (The UEFI loader, its ESP and the USB image are in boot/efi/efi.mk.)
#
# CONFIG=FILE puts FILE on the media as hv.conf instead of boot/hv.conf, with every
# file its guest lines name (image=, module=, initrd=), looked for under FILE's
# folder, the repository and $(BUILD) (boot/media_files.py); GRUB gets a module2 line each.

ISO := $(BUILD)/apicvisor.iso
GRUB_TIMEOUT ?= 0
CONFIG ?= boot/hv.conf
MEDIA_SEARCH = $(dir $(CONFIG)) . $(BUILD)
MEDIA_FILES = /usr/bin/python3 boot/media_files.py $(CONFIG) --search $(MEDIA_SEARCH)
# The files the conf names that exist now, so that the media follow them (make run-linux builds them first).
MEDIA_DEPS := $(CONFIG) $(shell /usr/bin/python3 boot/media_files.py $(CONFIG) --search $(MEDIA_SEARCH) --deps \
	2>/dev/null) boot/media_files.py $(BUILD)/media-config

# Which conf the media hold: rewritten only when CONFIG changes, so the media are rebuilt then.
.PHONY: media-config-force
$(BUILD)/media-config: media-config-force
	@mkdir -p $(dir $@)
	@echo '$(abspath $(CONFIG))' | cmp -s - $@ || echo '$(abspath $(CONFIG))' > $@

# Builds an ISO; $(1) is the kernel command line, $(2) the output file.
# grub-mkrescue writes a hybrid image: BIOS El Torito plus an EFI image.
define make_iso
	rm -rf $(2).d && mkdir -p $(2).d/boot/grub $(2).d/boot/apicvisor
	cp $(BUILD)/hv.elf $(2).d/boot/apicvisor/
	$(MEDIA_FILES) --copy $(2).d/boot/apicvisor --grub $(2).modules
	sed -e 's|@CMDLINE@|$(1)|' -e 's|@TIMEOUT@|$(GRUB_TIMEOUT)|' -e '/@MODULES@/r $(2).modules' -e '/@MODULES@/d' \
		boot/grub.cfg.in > $(2).d/boot/grub/grub.cfg
	grub-mkrescue -o $(2) $(2).d 2>$(2).log || { cat $(2).log; exit 1; }
	cp $(2).d/boot/grub/grub.cfg $(2).grub.cfg
	rm -rf $(2).d $(2).modules
endef

iso: $(ISO)
$(ISO): $(BUILD)/hv.elf $(MEDIA_DEPS) boot/grub.cfg.in
	$(call make_iso,$(CMDLINE),$@)
