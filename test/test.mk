# test.mk: host unit tests (cmocka, ASan + UBSan) and emulator tests (pytest).
#
# A unit test test/unit/test_NAME.c is linked with the sources its first
# line lists, as a comment:  /* sources: vmm/lib/fmt.c vmm/lib/string.c */

UNIT_CFLAGS := -std=c11 -g -O1 -I. -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DHOST_UNIT_TEST
UNIT_LDLIBS := -lcmocka -lpthread
UNIT_SRCS := $(wildcard test/unit/test_*.c)
UNIT_BINS := $(patsubst test/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
PYTEST := /usr/bin/python3 -m pytest

unit_sources = $(shell sed -n '1s|^/\* sources: \(.*\) \*/$$|\1|p' $(1))

.SECONDEXPANSION:
$(BUILD)/unit/%: test/unit/%.c $$(call unit_sources,test/unit/%.c) $$(wildcard test/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(call unit_sources,$<) $(UNIT_LDLIBS)

# The guests' firmware tables are checked with the DSDT iasl compiled for the image.
$(BUILD)/unit/test_guest_acpi: $(BUILD)/acpi/dsdt.aml
$(BUILD)/unit/test_guest_acpi: UNIT_CFLAGS += -DGUEST_DSDT_AML='"$(abspath $(BUILD))/acpi/dsdt.aml"'

# The Linux loaders are also checked on Debian's kernel as `make linux` builds it.
$(BUILD)/unit/test_linux_real: $(BUILD)/linux/vmlinuz $(BUILD)/linux/vmlinux
$(BUILD)/unit/test_linux_real: UNIT_CFLAGS += -DLINUX_BZIMAGE='"$(abspath $(BUILD))/linux/vmlinuz"' \
	-DLINUX_VMLINUX='"$(abspath $(BUILD))/linux/vmlinux"'

deps:
	@sh test/install-deps.sh test
	@sh test/bochs3-root.sh >/dev/null

# Each binary runs on its own; a failing one fails the target after all have run.
unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

# Two emulators at a time (pytest-xdist): CI has 2 cores, and every emulator test is one Bochs or QEMU process.
emu: all iso usb linux
	cd test/emu && BUILD=$(abspath $(BUILD)) $(PYTEST) -n 2 -v -ra -p no:cacheprovider .

test: deps
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) fuzz-quick
	$(MAKE) emu

run:
	@sh test/install-deps.sh run
	$(MAKE) iso
	@sh test/run.sh bochs $(ISO)

# The same under Bochs 3.0 (mode posted), from the Debian 13 root that make test also uses.
run-posted:
	@sh test/install-deps.sh run
	$(MAKE) iso
	@sh test/run.sh bochs3 $(ISO)

# Two Linux guests (boot/linux.conf) on 3 CPUs: Debian's kernel with the project's init (make linux).
run-linux:
	@sh test/install-deps.sh run
	$(MAKE) linux
	$(MAKE) iso CONFIG=boot/linux.conf
	@sh test/run.sh bochs $(ISO) 3 1024

run-qemu:
	@sh test/install-deps.sh run
	$(MAKE) iso
	@sh test/run.sh qemu $(ISO)

# The benchmark (docs/benchmarks.md): posted and native under Bochs 3.0, the other modes and native
# under Bochs 2.7; the report, CSV and plots go to build/bench/. Then the Linux workloads (bench-linux),
# whose section report.md gets even when the micro-benchmark failed (the status is the worse of the two).
BENCH_ITERS ?= 200
BENCH_APIC ?= x2apic
BENCH_ARGS = --iters $(BENCH_ITERS) --apic $(BENCH_APIC)
bench:
	@sh test/install-deps.sh bench
	@sh test/bochs3-root.sh >/dev/null || echo "bench: no Bochs 3.0 root, so no posted run (see above)"
	$(MAKE) all linux
	BUILD=$(abspath $(BUILD)) /usr/bin/python3 test/bench/bench.py run $(BENCH_ARGS) --out $(BUILD)/bench; \
	status=$$?; $(LINUX_BENCH) || status=1; exit $$status

# The Linux workloads alone (test/bench/linux_bench.py, docs/benchmarks.md): Debian's Linux on 2 CPUs, native
# and in each mode; build/bench/linux.md, linux.csv, linux_*.png and report.md's Linux section.
LINUX_BENCH_ITERS ?= 1000
LINUX_BENCH_IDLE ?= 5
LINUX_BENCH = BUILD=$(abspath $(BUILD)) /usr/bin/python3 test/bench/linux_bench.py --iters $(LINUX_BENCH_ITERS) \
	--idle $(LINUX_BENCH_IDLE) --out $(BUILD)/bench
bench-linux:
	@sh test/install-deps.sh bench
	@sh test/bochs3-root.sh >/dev/null || echo "bench-linux: no Bochs 3.0 root, so no posted run (see above)"
	$(MAKE) all linux
	$(LINUX_BENCH)

# Linux's boot to its init, bare and in each mode, in one run (test/bench/linux_boot.py): build/bench/linux-boot.md.
linux-boot:
	@sh test/install-deps.sh bench
	@sh test/bochs3-root.sh >/dev/null || echo "linux-boot: no Bochs 3.0 root, so no posted run (see above)"
	$(MAKE) all linux
	BUILD=$(abspath $(BUILD)) /usr/bin/python3 test/bench/linux_boot.py --out $(BUILD)/bench

bench-iso:
	@sh test/install-deps.sh build
	$(MAKE) all
	BUILD=$(abspath $(BUILD)) /usr/bin/python3 test/bench/bench.py iso $(BUILD)/apicvisor-bench.iso $(BENCH_ARGS)

# libFuzzer harnesses (docs/debugging.md, "Fuzzing"): test/fuzz/fuzz_NAME.c, linked with the sources its first line
# lists as a unit test's does, with ASan and UBSan. Each starts from its committed seeds (test/fuzz/corpus/NAME/,
# written by test/fuzz/seeds.py) copied into build/fuzz/ (test/fuzz/run.sh); a finding's input lands there too.
# make fuzz runs each for FUZZ_SECONDS, keeping what it found for the next run; make test (fuzz-quick) shares
# FUZZ_TEST_SECONDS among them, each from its seeds alone. FUZZ_NAMES picks harnesses: make fuzz FUZZ_NAMES=vlapic.
FUZZ_SECONDS ?= 30
FUZZ_TEST_SECONDS ?= 30
FUZZ_CFLAGS := -std=c11 -g -O1 -I. -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -DHOST_UNIT_TEST
FUZZ_NAMES ?= $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))

$(BUILD)/fuzz/%: test/fuzz/%.c $$(call unit_sources,test/fuzz/%.c) $$(wildcard test/fuzz/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(call unit_sources,$<)

fuzz:
	@sh test/install-deps.sh fuzz
	$(MAKE) $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) keep $(FUZZ_NAMES)

fuzz-quick: $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(BUILD)/fuzz $$(( $(FUZZ_TEST_SECONDS) / $(words $(FUZZ_NAMES)) > 0 ? \
		$(FUZZ_TEST_SECONDS) / $(words $(FUZZ_NAMES)) : 1 )) fresh $(FUZZ_NAMES)
