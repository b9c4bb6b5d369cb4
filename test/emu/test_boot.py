"""test_boot.py: the GRUB ISO reaches the ready line on every firmware and emulator we have."""
import re

from conftest import BUILD, assert_booted, make_iso, run_bochs, run_qemu


def test_iso_qemu_seabios(built, tmp_path):
    res = run_qemu(tmp_path, iso=BUILD / "apicvisor.iso", firmware="seabios", smp=2)
    ready = assert_booted(res)
    assert "entered through multiboot2" in res.log
    assert ready == {"cpus": 2, "vmx": "unsupported", "apicv": "none", "guests": 0}
    assert res.returncode == 1, res.explain()  # isa-debug-exit with code 0: a clean power-off


def test_iso_qemu_ovmf(built, tmp_path):
    res = run_qemu(tmp_path, iso=BUILD / "apicvisor.iso", firmware="ovmf", smp=2)
    assert_booted(res)
    assert "entered through multiboot2" in res.log
    assert res.returncode == 1, res.explain()


def test_iso_bochs_bios(built, tmp_path):
    res = run_bochs(tmp_path, iso=BUILD / "apicvisor.iso", cpus=2)
    assert_booted(res)
    # Bochs has no isa-debug-exit: the run must end through ACPI S5.
    assert "ACPI control: soft power off" in res.emulator_log, res.explain()


def test_serial_lines_are_whole_and_prefixed(built, tmp_path):
    res = run_qemu(tmp_path, iso=BUILD / "apicvisor.iso")
    assert_booted(res)
    body = res.log[res.log.index("[cpu0] apicvisor"):]
    for line in body.splitlines():
        if line.strip():
            assert re.match(r"^(\[cpu\d+\] |HV READY )", line), f"unprefixed line: {line!r}"


def test_loglevel_debug_and_error_filtering(built, tmp_path):
    quiet = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="loglevel=error"))
    assert not quiet.timed_out, quiet.explain()
    assert quiet.ready() is not None, quiet.explain()
    assert "mem: summary" not in quiet.log  # info lines are filtered out


def test_console_on_another_port(built, tmp_path):
    """console=com2 moves the log: COM1 shows the switch, COM2 the rest."""
    iso = make_iso(tmp_path, cmdline="console=com2")
    com2 = tmp_path / "com2.log"
    res = run_qemu(tmp_path, iso=iso, extra=["-serial", f"file:{com2}"])
    assert not res.timed_out, res.explain()
    assert "console: moving to port 0x2f8" in res.log
    text = com2.read_text(errors="replace")
    assert "console: now on port 0x2f8" in text
    assert re.search(r"^HV READY ", text, re.M)
    assert "HV READY" not in res.log


def test_bad_options_are_reported_and_ignored(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="console=com9 onpanic=sometimes mem=lots loglevel=loud"))
    assert "console=com9: expected com1..com4" in res.log, res.explain()
    assert "onpanic=sometimes: expected shell, halt, poweroff or reboot; keeping shell" in res.log, res.explain()
    assert "mem=lots: expected a size such as 512M or 0x20000000; ignored" in res.log, res.explain()
    assert "loglevel=loud: expected error, warn, info or debug" in res.log, res.explain()
    assert res.ready() is not None, res.explain()

