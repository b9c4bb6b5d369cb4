"""test_linux.py: Debian's Linux (make linux) as a guest of the hypervisor under Bochs: to the project's init's
SUMMARY with 0 failures in every APICv mode, SMP, from the PVH vmlinux and from the bzImage, two Linux guests
side by side, poweroff and reboot, and the refusal of bad images.

Every run boots with `quiet` (the serial console at 115200 is slow in Bochs) and `retbleed=off`: Bochs's
Skylake has no IBRS, so Linux warns about RETBleed on the bare emulator as well, and the init counts any
WARNING: line in the kernel log as a failure (docs/linux-guests.md). Linux on an unknown hypervisor without
interrupt remapping keeps its APIC in xAPIC mode, so these runs exercise the APIC-access page. The guest's
programs use no REP STOSB or MOVSB (emulators.NO_REP_STRINGS), which Bochs 3.0 otherwise makes a rare crash of.
"""
import re
import subprocess

import pytest

from conftest import BUILD, assert_booted, exit_reports, make_iso, run_bochs
from emulators import NO_REP_STRINGS

LINUX = BUILD / "linux"
RESULT_RE = re.compile(r"^\[(\S+)\] (ok|not ok) \d+ - (.*)$", re.M)
SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
INIT_RE = re.compile(r"^\[(\S+)\] init: started at ([\d.]+) s uptime", re.M)
KCMD = f"console=ttyS0 quiet retbleed=off {NO_REP_STRINGS}"


@pytest.fixture(scope="module")
def linux():
    for f in ("vmlinux", "vmlinuz", "initramfs.cpio.gz"):
        assert (LINUX / f).exists(), f"{LINUX / f} missing: run `make linux` (make test builds it first)"
    return LINUX


def files(*names):
    """The boot modules a run needs, by the names the hv.conf lines use."""
    src = {"vmlinux": "vmlinux", "vmlinuz": "vmlinuz", "initrd": "initramfs.cpio.gz"}
    return {n: (LINUX / src[n]).read_bytes() for n in names}


def guest_line(name, cpus, ncpus, image="vmlinux", memory="256M", extra=""):
    return (f'guest name={name} image={image} initrd=initrd cpus={cpus} memory={memory} '
            f'cmdline="{KCMD} init.cpus={ncpus}{extra}"')


def boot(tmp_path, lines, *, cpus, apicv="", images=("vmlinux",), timeout=600, until=None, bochs3=False):
    config = 'hypervisor cmdline="loglevel=info"\n' + "\n".join(lines) + "\n"
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff {apicv}", config=config, modules=files(*images, "initrd"))
    return run_bochs(tmp_path, iso=iso, cpus=cpus, mem=1024, timeout=timeout, until=until, bochs3=bochs3)


def assert_init_passed(res, name, tests):
    """The guest's init ran every check (tests of them) and all passed; the guest powered off through ACPI S5."""
    summaries = [(int(t), int(f)) for n, t, f in SUMMARY_RE.findall(res.log) if n == name]
    failed = [what for n, ok, what in RESULT_RE.findall(res.log) if n == name and ok == "not ok"]
    assert summaries and summaries[0] == (tests, 0), f"{name}: {summaries} {failed}\n" + res.explain()
    assert f"guest {name}: powered off (ACPI S5 through the sleep control register)" in res.log, res.explain()


# (mode, vCPUs, emulator): SMP where the CPU delivers virtual interrupts, so IPIs go through the EOI-less path
# and, under Bochs 3.0, through posted-interrupt notifications; one vCPU where the hypervisor injects.
MODES = [("vid", 2, False), ("posted", 2, True), ("tpr", 1, False), ("emulated", 1, False)]


@pytest.mark.parametrize("apicv,ncpus,bochs3", MODES, ids=[m[0] for m in MODES])
def test_linux_boots_to_its_init_in_every_mode(built, linux, tmp_path, apicv, ncpus, bochs3):
    """The PVH vmlinux to its init's SUMMARY with 0 failures: every CPU online, the local timer on each, and
    with 2 vCPUs the reschedule, function-call and TLB-shootdown IPIs on each; no unchecked MSR access,
    WARNING, BUG or call trace in the kernel log. Then the hypervisor's exit report."""
    cpus = "0-1" if ncpus == 2 else "0"
    res = boot(tmp_path, [guest_line("lx", cpus, ncpus)], cpus=ncpus, apicv=f"apicv={apicv}", bochs3=bochs3)
    ready = assert_booted(res, cpus=ncpus)
    assert ready["apicv"] == apicv and ready["guests"] == 1, res.explain()
    assert re.search(r"guest lx: \d+ MiB at host 0x[0-9a-f]+, PVH kernel, entry 0x[0-9a-f]+, ", res.log), res.explain()
    assert_init_passed(res, "lx", 6 if ncpus == 2 else 3)
    reports = exit_reports(res, "lx")
    assert len(reports) == 1 and reports[0]["vcpus"] == [f"vcpu{i}" for i in range(ncpus)], res.explain()
    rows = reports[0]["rows"]
    assert all(n > 0 for n in rows["all exits"][:ncpus]), rows
    if apicv in ("tpr", "emulated"):
        assert rows["interrupts injected"][0] > 0, rows  # no virtual-interrupt delivery: the hypervisor injects


def test_linux_from_the_bzimage(built, linux, tmp_path):
    """The bzImage by the 64-bit boot protocol: the kernel decompresses itself, then the same init passes."""
    res = boot(tmp_path, [guest_line("bz", "0", 1, image="vmlinuz")], cpus=1, images=("vmlinuz",))
    assert_booted(res, cpus=1)
    assert re.search(r"guest bz: \d+ MiB at host 0x[0-9a-f]+, bzImage kernel, entry 0x[0-9a-f]+ \(64-bit\)", res.log), \
        res.explain()
    assert_init_passed(res, "bz", 3)


def test_two_linux_guests_side_by_side_reboot_and_poweroff(built, linux, tmp_path):
    """Two Linux guests on their own cores and memory: one reboots through the ACPI reset register and runs
    its init again, the other powers off; neither disturbs the other."""
    lines = [guest_line("a", "0", 1, extra=" init.end=reboot"), guest_line("b", "1", 1, memory="192M")]

    # a reboots for ever (init.end=reboot): the run ends once its second start has rebooted too, its exit
    # report printed before its third start
    res = boot(tmp_path, lines, cpus=2, until=r"^\[cpu\d+\] guest a: start 3$", timeout=900)
    ready = assert_booted(res, cpus=2) if not res.timed_out else None
    assert ready and ready["guests"] == 2, res.explain()
    assert_init_passed(res, "b", 3)
    assert "guest a: reboot (ACPI reset register)" in res.log, res.explain()
    assert "guest a: start 2" in res.log, res.explain()
    summaries = [(int(t), int(f)) for n, t, f in SUMMARY_RE.findall(res.log) if n == "a"]
    assert summaries[:2] == [(3, 0), (3, 0)], res.explain()
    reports = exit_reports(res, "a")
    assert len(reports) == 2 and len(exit_reports(res, "b")) == 1, res.explain()
    assert all(20 < r["seconds"] < 60 for r in reports), reports  # each run's own time, not since the first start


def test_bad_linux_images_are_refused_alone(built, linux, tmp_path):
    """Each bad image is refused with its reason and takes no core; the good guest beside them runs."""
    bz = (LINUX / "vmlinuz").read_bytes()
    old = bytearray(bz[:1 << 20])
    old[0x206:0x208] = (0x0209).to_bytes(2, "little")  # boot protocol 2.09: no 64-bit entry
    nonote = tmp_path / "nonote.elf"
    subprocess.run(["objcopy", "-R", ".notes", str(LINUX / "vmlinux"), str(nonote)], check=True)
    cases = {  # name: (image file, its bytes, memory, what the refusal says)
        "trunc": ("trunc.bin", bz[:0x1000], "32M", r"bzImage setup \(\d+ sectors\) ends at 0x[0-9a-f]+, past the file"),
        "old": ("old.bin", bytes(old), "32M", r"bzImage boot protocol 2\.09 is older than 2\.12: no 64-bit entry"),
        "small": ("vmlinuz", bz, "16M", r"the kernel needs 0x[0-9a-f]+ bytes \(init_size\) from 0x[0-9a-f]+, past guest RAM"),
        "nonote": ("nonote.elf", nonote.read_bytes(), "32M", r"ELF kernel has no PVH entry note"),
        "bigrd": ("vmlinux", (LINUX / "vmlinux").read_bytes(), "64M", r"the initrd \(\d+ bytes\) does not fit"),
    }
    mods = {"initrd": (LINUX / "initramfs.cpio.gz").read_bytes(), "platform.elf": (BUILD / "guest/platform.elf").read_bytes()}
    lines = ['hypervisor cmdline="loglevel=info"']
    for cpu, (name, (image, data, memory, _)) in enumerate(cases.items()):
        mods[image] = data
        initrd = "bigrd.img" if name == "bigrd" else "initrd"
        lines.append(f"guest name={name} image={image} initrd={initrd} cpus={cpu} memory={memory}")
    mods["bigrd.img"] = bytes(40 << 20)  # 40 MiB of initrd beside a 52 MB kernel in 64 MiB
    lines.append(f"guest name=good image=platform.elf cpus={len(cases)}")
    iso = make_iso(tmp_path, cmdline="onpanic=poweroff", config="\n".join(lines) + "\n", modules=mods)
    res = run_bochs(tmp_path, iso=iso, cpus=len(cases) + 1, mem=1024, timeout=400)
    ready = assert_booted(res, cpus=len(cases) + 1)
    assert ready["guests"] == 1, res.explain()
    for name, (_, _, _, why) in cases.items():
        assert re.search(rf"guest {name}: (.*, and )?{why}.*: not started", res.log), f"{name}: {why}\n" + res.explain()
    assert re.search(r"^\[good\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
