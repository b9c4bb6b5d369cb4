"""test_uefi_mp.py: the UEFI loader lists the processors from UEFI MP services in boot_info.cpus[].

Bochs running OVMF installs no ACPI tables, so there the hypervisor has no
MADT: this list, taken before ExitBootServices, is how it learns the others.
"""
import re
import shutil

import pytest

from conftest import BUILD, assert_booted, run_bochs, run_qemu

CPU_RE = re.compile(r"^apicvisor loader: processor (\d+): APIC ID (\d+)(, BSP)?, (enabled|disabled), ", re.M)
SUMMARY_RE = re.compile(r"^apicvisor loader: (\d+) processors from UEFI MP services \(BSP APIC ID (\d+)\)$", re.M)
HANDOFF_RE = r"^apicvisor loader: boot_info at 0x[0-9A-F]+; exiting boot services"


@pytest.fixture
def esp(tmp_path):
    """A private copy of build/esp (QEMU's fat:rw may write to it)."""
    assert (BUILD / "esp/EFI/BOOT/BOOTX64.EFI").exists(), "build/esp missing: run `make esp usb` first"
    d = tmp_path / "esp"
    shutil.copytree(BUILD / "esp", d)
    return d


def assert_loader_cpus(res, count):
    """The loader listed count processors, numbered 0..count-1, distinct APIC IDs, one BSP, all enabled."""
    assert not res.timed_out, res.explain()
    cpus = CPU_RE.findall(res.log)
    assert [int(c[0]) for c in cpus] == list(range(count)), res.explain()
    ids = [int(c[1]) for c in cpus]
    assert len(set(ids)) == count, f"APIC IDs not distinct: {ids}\n" + res.explain()
    bsps = [int(c[1]) for c in cpus if c[2]]
    assert len(bsps) == 1, f"BSPs: {bsps}\n" + res.explain()
    assert all(c[3] == "enabled" for c in cpus), res.explain()
    summary = SUMMARY_RE.findall(res.log)
    assert summary == [(str(count), str(bsps[0]))], res.explain()
    # Listed while boot services still run: before the hand-off line.
    assert res.log.index("processors from UEFI MP services") < re.search(HANDOFF_RE, res.log, re.M).start()


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_qemu_ovmf_processors(esp, tmp_path, smp):
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf", smp=smp, until=HANDOFF_RE)
    assert_loader_cpus(res, smp)


def test_bochs_ovmf_processors(tmp_path):
    """Bochs running OVMF, 2 CPUs, the USB image: no ACPI tables, so the hypervisor
    finds the CPUs through the loader's MP-services list; OVMF leaves
    IA32_FEATURE_CONTROL unlocked, so the hypervisor sets and locks it itself."""
    res = run_bochs(tmp_path, disk=BUILD / "apicvisor-usb.img", firmware="ovmf", cpus=2, timeout=240)
    assert_loader_cpus(res, 2)
    ready = assert_booted(res, cpus=2)
    assert ready["vmx"] == "on", res.explain()
    assert "entered through UEFI loader" in res.log
    assert "this machine has no ACPI" in res.log
    assert "cpu: 2 processor(s) listed by the UEFI loader (MP services)" in res.log, res.explain()
    assert "cpu: 2 of 2 listed CPU(s) online, 2 in VMX root" in res.log
    assert "Shutdown port: shutdown requested" in res.emulator_log, res.explain()
