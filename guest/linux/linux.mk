# linux.mk: the Linux test guest: Debian 12's kernel, and an initramfs of busybox and the project's init.
#
#   make linux    $(LINUX_DIR)/vmlinuz            the bzImage of linux-image-$(LINUX_FLAVOUR)
#                 $(LINUX_DIR)/vmlinux            the kernel ELF from inside it, stripped (PVH entry)
#                 $(LINUX_DIR)/initramfs.cpio.gz  /init (guest/linux/init/), /bin/lxbench (guest/linux/lxbench/),
#                                                 busybox, /dev nodes
#
# Options: LINUX_FLAVOUR=cloud-amd64 (default) or amd64; LINUX_CACHE=folder of the downloaded .debs.
#
# The cloud flavour is the default: Debian builds it for virtual machines, so it
# is smaller and boots faster, and it has what the guest needs (CONFIG_PVH, the
# x2APIC, ACPI, the 8250 UART). LINUX_FLAVOUR=amd64 takes the generic kernel.
# Downloads happen once: a .deb found in LINUX_CACHE is used as it is, and the
# targets are plain files, so a second `make linux` does nothing.

LINUX_FLAVOUR ?= cloud-amd64
LINUX_CACHE ?= /var/cache/apicvisor/debs
LINUX_DIR := $(BUILD)/linux
LINUX_FILES := $(LINUX_DIR)/vmlinuz $(LINUX_DIR)/vmlinux $(LINUX_DIR)/initramfs.cpio.gz

INIT_SRCS := $(wildcard guest/linux/init/*.c)
# The workloads of make bench-linux: the exit-reason names and the hypercall ABI are the hypervisor's own.
LXBENCH_SRCS := $(wildcard guest/linux/lxbench/*.c) arch/x86/vmx_exit_names.c
INIT_CFLAGS := -static -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes

.PHONY: linux linux-deps
linux: linux-deps $(LINUX_FILES)

linux-deps:
	@sh test/install-deps.sh linux

# The flavour is part of the stamp, so that changing it fetches the other kernel.
$(LINUX_DIR)/flavour-$(LINUX_FLAVOUR):
	@mkdir -p $(dir $@)
	rm -f $(LINUX_DIR)/flavour-*
	touch $@

$(LINUX_DIR)/vmlinuz: $(LINUX_DIR)/flavour-$(LINUX_FLAVOUR) guest/linux/fetch-kernel.sh guest/linux/fetch-deb.sh
	sh guest/linux/fetch-kernel.sh $(LINUX_CACHE) linux-image-$(LINUX_FLAVOUR) $@

$(LINUX_DIR)/vmlinux: $(LINUX_DIR)/vmlinuz guest/linux/extract-vmlinux.sh
	sh guest/linux/extract-vmlinux.sh $< $@

$(LINUX_DIR)/busybox: guest/linux/fetch-deb.sh
	@mkdir -p $(dir $@)
	dpkg-deb --fsys-tarfile $$(sh guest/linux/fetch-deb.sh $(LINUX_CACHE) busybox-static) | tar -xO ./bin/busybox > $@.tmp
	chmod 755 $@.tmp && mv $@.tmp $@

$(LINUX_DIR)/init: $(INIT_SRCS) $(wildcard guest/linux/init/*.h) guest/linux/linux.mk
	@mkdir -p $(dir $@)
	$(CC) $(INIT_CFLAGS) -o $@ $(INIT_SRCS)

$(LINUX_DIR)/lxbench: $(LXBENCH_SRCS) $(wildcard guest/linux/lxbench/*.h) vmm/exit/hypercall.h arch/x86/vmx_exit.h \
		guest/linux/linux.mk
	@mkdir -p $(dir $@)
	$(CC) $(INIT_CFLAGS) -I. -pthread -o $@ $(LXBENCH_SRCS)

$(LINUX_DIR)/initramfs.cpio.gz: guest/linux/initramfs.list guest/linux/mkcpio.py $(LINUX_DIR)/init $(LINUX_DIR)/busybox \
		$(LINUX_DIR)/lxbench
	sed 's|@BUILD@|$(LINUX_DIR)|g' $< > $@.list
	/usr/bin/python3 guest/linux/mkcpio.py $@.list $@
