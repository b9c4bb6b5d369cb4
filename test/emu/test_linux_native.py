"""test_linux_native.py: the Linux guest of `make linux` (Debian's kernel, busybox, the project's init) under
QEMU TCG without the hypervisor: the reference the runs on apicvisor are compared with.

The init (guest/linux/init/) prints one ok / not ok line per check and a SUMMARY line, then ends as
init.end= says; QEMU runs with -no-reboot, so a reboot ends it too, and the kernel's last line tells which.
"""
import re
import subprocess
import time

import pytest

from conftest import BUILD, run_qemu
from emulators import clean as clean_text

LINUX = BUILD / "linux"
CHECKS = [
    "every CPU online",
    "local timer interrupts (LOC) on every CPU",
    "rescheduling interrupts (RES) on every CPU",
    "function-call interrupts (CAL) on every CPU",
    "TLB shootdowns (TLB) on every CPU",
    "kernel log has no unchecked MSR access",
]
RESULT_RE = re.compile(r"^(ok|not ok) (\d+) - (.*)$", re.M)
SUMMARY_RE = re.compile(r"^SUMMARY: (\d+) tests, (\d+) failures$", re.M)


@pytest.fixture(scope="module")
def linux():
    """The kernel and initramfs; `make emu` and `make test` build them (make linux)."""
    for f in ("vmlinuz", "initramfs.cpio.gz"):
        assert (LINUX / f).exists(), f"{LINUX / f} missing: run `make linux` (make emu and make test do)"
    return LINUX


def boot(tmp_path, cmdline, smp=2, timeout=120):
    extra = ["-kernel", str(LINUX / "vmlinuz"), "-initrd", str(LINUX / "initramfs.cpio.gz"),
             "-append", f"console=ttyS0 quiet {cmdline}"]
    res = run_qemu(tmp_path, smp=smp, mem=512, timeout=timeout, extra=extra)
    assert not res.timed_out, res.explain()
    assert "Kernel panic" not in res.log, res.explain()
    assert re.search(r"^init: started at \d+\.\d+ s uptime", res.log, re.M), res.explain()
    return res


def results(res):
    """{check name prefix: (passed, line)} for each known check, and the SUMMARY numbers."""
    found = {}
    for status, _, text in RESULT_RE.findall(res.log):
        name = next((c for c in CHECKS if text.startswith(c)), None)
        assert name and name not in found, f"unknown or repeated check line: {text}\n{res.explain()}"
        found[name] = (status == "ok", text)
    summary = SUMMARY_RE.findall(res.log)
    assert len(summary) == 1, res.explain()
    return found, tuple(int(n) for n in summary[0])


def test_linux_native_all_checks_pass(linux, tmp_path):
    res = boot(tmp_path, "init.cpus=2")
    found, summary = results(res)
    assert sorted(found) == sorted(CHECKS), res.explain()
    assert all(ok for ok, _ in found.values()), res.explain()
    assert summary == (len(CHECKS), 0), res.explain()
    # The counts per CPU are on the line: both CPUs took timer interrupts.
    assert re.search(r"cpu0 \d+->\d+ cpu1 \d+->\d+", found["local timer interrupts (LOC) on every CPU"][1])
    assert "reboot: Power down" in res.log and "Restarting system" not in res.log, res.explain()


def test_linux_native_wrong_cpu_count_fails_one_check(linux, tmp_path):
    """A check that can fail: told of 3 CPUs with 2 given, exactly the CPU check fails, and it says why."""
    res = boot(tmp_path, "init.cpus=3")
    found, summary = results(res)
    failed = [name for name, (ok, _) in found.items() if not ok]
    assert failed == ["every CPU online"], res.explain()
    assert "2 CPUs, expected 3" in found["every CPU online"][1], res.explain()
    assert summary == (len(CHECKS), 1), res.explain()
    assert "reboot: Power down" in res.log, res.explain()


def test_linux_native_end_reboot(linux, tmp_path):
    """init.end=reboot restarts the machine (QEMU, under -no-reboot, then exits) instead of powering off."""
    res = boot(tmp_path, "init.cpus=2 init.end=reboot")
    assert results(res)[1] == (len(CHECKS), 0), res.explain()
    assert "init: rebooting" in res.log, res.explain()
    assert "reboot: Restarting system" in res.log and "Power down" not in res.log, res.explain()


def test_linux_native_no_checks(linux, tmp_path):
    """init.checks=0 (make linux-boot): the start line, no check, an empty SUMMARY, then the end it is told."""
    res = boot(tmp_path, "init.cpus=2 init.checks=0")
    found, summary = results(res)
    assert found == {} and summary == (0, 0), res.explain()
    assert "reboot: Power down" in res.log, res.explain()


def test_linux_native_bad_option_powers_off(linux, tmp_path):
    """A bad init.* value is fatal, and fatal means a power-off, never PID 1 exiting (a kernel panic)."""
    res = boot(tmp_path, "init.cpus=2 init.end=sleep")
    assert "init: fatal: bad option init.end=sleep" in res.log, res.explain()
    assert "SUMMARY" not in res.log and "reboot: Power down" in res.log, res.explain()


def test_linux_native_shell(linux, tmp_path):
    """init.shell=1: no checks, busybox sh on ttyS0 with it as controlling terminal; leaving it powers off."""
    out = tmp_path / "serial.log"
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max", "-smp", "2", "-m", "512", "-display", "none",
           "-monitor", "none", "-serial", "stdio", "-no-reboot", "-nic", "none", "-kernel", str(LINUX / "vmlinuz"),
           "-initrd", str(LINUX / "initramfs.cpio.gz"), "-append", "console=ttyS0 quiet init.shell=1"]
    with open(out, "wb") as f:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=f, stderr=subprocess.STDOUT)
    try:
        wait_for(out, r"starting a shell on /dev/ttyS0", 60)
        time.sleep(1)
        proc.stdin.write(b"echo sum=$((6*7)); tty; ls /usr/bin/wc\n")
        proc.stdin.flush()
        wait_for(out, r"^sum=42", 30)
        proc.stdin.write(b"exit\n")
        proc.stdin.flush()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = clean_text(out.read_text(errors="replace"))
    assert "SUMMARY" not in log and "ok 1 -" not in log, log
    assert re.search(r"^/dev/ttyS0$", log, re.M), log  # tty(1): the shell's terminal
    assert re.search(r"^/usr/bin/wc$", log, re.M), log  # busybox --install -s made the applet links
    assert "job control turned off" not in log, log  # the shell has a controlling terminal
    assert "reboot: Power down" in log, log


def wait_for(path, pattern, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if re.search(pattern, clean_text(path.read_text(errors="replace")), re.M):
            return
        time.sleep(0.2)
    raise AssertionError(f"no {pattern!r} within {timeout}s; serial:\n{path.read_text(errors='replace')[-3000:]}")
