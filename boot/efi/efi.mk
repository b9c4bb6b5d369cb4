# efi.mk: the UEFI loader (BOOTX64.EFI), the ESP folder and the USB disk image.
# Included by the top-level Makefile; paths are relative to the repository root.
#
#   make build/BOOTX64.EFI   the loader
#   make esp                 build/esp/: EFI/BOOT/BOOTX64.EFI, apicvisor/hv.elf, apicvisor/hv.conf
#                            (and with CONFIG=, the files that conf names, under apicvisor/)
#   make usb                 build/apicvisor-usb.img: GPT disk, one FAT32 EFI System Partition

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o
EFI_LDS := $(EFI_LIB)/elf_x86_64_efi.lds

# gnu-efi's startup code calls efi_main with the System V ABI: firmware calls go
# through uefi_call_wrapper, and GNU_EFI_USE_MS_ABI must stay undefined.
EFI_CFLAGS := -std=gnu11 -fpic -fshort-wchar -mno-red-zone -ffreestanding -fno-stack-protector \
	-fno-strict-aliasing -DEFI_FUNCTION_WRAPPER -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 -I. -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T $(EFI_LDS) -L$(EFI_LIB)
EFI_SECTIONS := .text .sdata .data .dynamic .dynsym .rel .rela .reloc

# Pure parts first (no efi.h: also built on the host by test/unit/test_efi_memmap.c).
efi_pure_objs := hvelf.o conf_scan.o memmap_conv.o loadopt.o
efi_objs := $(efi_pure_objs) main.o mem.o file.o image.o modules.o cpus.o pagetable.o handoff.o
# The hypervisor's own hv.conf tokenizer (cfg_parse), so that both read one syntax.
# vmm/lib/libc_mem.c stays out: libefi defines memcpy and memset (init.o), and the linker
# would see them twice; these sources need no other routine from it.
efi_hv_srcs := vmm/partition/config.c vmm/lib/cmdline.c vmm/lib/parse.c vmm/lib/fmt.c vmm/lib/string.c
EFI_OBJS := $(addprefix $(BUILD)/efi/,$(efi_objs)) $(patsubst %.c,$(BUILD)/efi/%.o,$(efi_hv_srcs))

$(BUILD)/efi/%.o: boot/efi/%.c boot/efi/efi.mk
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/vmm/%.o: vmm/%.c boot/efi/efi.mk
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c $< -o $@

# --no-undefined: a shared object would otherwise take a missing routine (say,
# memmove) as a dynamic import that no UEFI firmware resolves.
$(BUILD)/efi/loader.so: $(EFI_OBJS) $(EFI_CRT0) $(EFI_LDS)
	$(LD) $(EFI_LDFLAGS) --no-undefined $(EFI_CRT0) $(EFI_OBJS) -o $@ -lefi -lgnuefi

$(BUILD)/BOOTX64.EFI: $(BUILD)/efi/loader.so
	$(OBJCOPY) $(addprefix -j ,$(EFI_SECTIONS)) --target efi-app-x86_64 --subsystem=10 $< $@

-include $(EFI_OBJS:.o=.d)

# The ESP as a folder (QEMU can serve it as a FAT drive). Its apicvisor folder holds hv.elf, the conf
# (CONFIG=, boot/boot.mk) as hv.conf and the files the conf names, made anew when any of them changes.
ESP := $(BUILD)/esp
ESP_FILES := $(ESP)/EFI/BOOT/BOOTX64.EFI
ESP_HV := $(BUILD)/esp.stamp

$(ESP)/EFI/BOOT/BOOTX64.EFI: $(BUILD)/BOOTX64.EFI
	@mkdir -p $(dir $@)
	cp $< $@

$(ESP_HV): $(BUILD)/hv.elf $(MEDIA_DEPS)
	rm -rf $(ESP)/apicvisor && mkdir -p $(ESP)/apicvisor
	cp $(BUILD)/hv.elf $(ESP)/apicvisor/
	$(MEDIA_FILES) --copy $(ESP)/apicvisor
	touch $@

.PHONY: esp
esp: $(ESP_FILES) $(ESP_HV)

# The USB image: 64 MiB (more when the ESP needs it: a Linux kernel is 50 MiB), GPT, partition 1 = ESP
# (type EF00) from 1 MiB to 1 MiB before the end, FAT32 with 512-byte clusters (FAT32 needs at least
# 65525 clusters). Built with sgdisk and mtools: no root, loop devices or mounting. The image holds
# exactly the ESP's files.
USB_IMG := $(BUILD)/apicvisor-usb.img
USB_MIB := 64
USB_PART_START := 2048

# sgdisk's -q also skips writing the table here: its chatter goes to /dev/null instead.
EFI_SYSTEM_GUID := C12A7328-F81F-11D2-BA4B-00A0C93EC93B
USB_FAT = $@.tmp@@$$(( $(USB_PART_START) * 512 ))

$(USB_IMG): $(ESP_FILES) $(ESP_HV) boot/efi/efi.mk
	rm -f $@ $@.tmp
	mib=$(USB_MIB); need=$$(( $$(du -sm $(ESP) | cut -f1) * 5 / 4 + 8 )); \
	while [ $$mib -lt $$need ]; do mib=$$(( mib * 2 )); done; \
	sectors=$$(( (mib - 2) * 2048 )); \
	truncate -s $${mib}M $@.tmp && \
	sgdisk -o -n 1:$(USB_PART_START):$$(( $(USB_PART_START) + sectors - 1 )) -t 1:EF00 \
		-c "1:EFI System Partition" $@.tmp > /dev/null && \
	mformat -i $(USB_FAT) -F -c 1 -T $$sectors -h 64 -s 32 -H $(USB_PART_START) -v APICVISOR ::
	sgdisk -i 1 $@.tmp | grep -q '$(EFI_SYSTEM_GUID)' || { echo "error: no EFI System Partition in $@.tmp"; exit 1; }
	mmd -i $(USB_FAT) ::/EFI ::/EFI/BOOT
	mcopy -i $(USB_FAT) $(ESP)/EFI/BOOT/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
	mcopy -s -i $(USB_FAT) $(ESP)/apicvisor ::/
	mv $@.tmp $@

usb: $(USB_IMG)
