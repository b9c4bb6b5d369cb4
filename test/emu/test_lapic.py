"""test_lapic.py: the guest suites of the virtual local APIC and I/O APIC on 2 and 4 cores, in full emulation
(apicv=emulated) and with each APICv mode the emulator offers."""
import re

import pytest

from conftest import BUILD, assert_booted, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
SUITES = ("apic", "apic_irq", "apic_timer", "apic_smp", "cr8", "apicv")


def run_suites(tmp_path, cpus, lines, cmdline="", apicv="emulated", model="corei7_skylake_x"):
    """Boot the given guest lines with every APIC suite as a module, in the given interrupt-delivery mode;
    return the run and {guest: (tests, failures)}."""
    modules = {f"{s}.elf": (BUILD / "guest" / f"{s}.elf").read_bytes() for s in SUITES}
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv} {cmdline}", config="\n".join(lines) + "\n",
                   modules=modules)
    res = run_bochs(tmp_path, iso=iso, cpus=cpus, mem=512, timeout=300, model=model)
    ready = assert_booted(res, cpus=cpus)
    assert ready["vmx"] == "on" and ready["apicv"] == apicv, res.explain()
    results = {}
    for name, tests, failures in SUMMARY_RE.findall(res.log):
        assert name not in results, f"{name} printed two SUMMARY lines"
        results[name] = (int(tests), int(failures))
    failed = [line for line in res.log.splitlines() if " not ok " in line]
    assert not failed, "\n".join(failed) + "\n" + res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()
    return res, results


@pytest.mark.parametrize("apicv", ["emulated", "tpr", "vid"])
@pytest.mark.parametrize("mode", ["xapic", "x2apic"])
def test_one_vcpu_suites_on_two_cores(built, tmp_path, mode, apicv):
    res, results = run_suites(tmp_path, 2, [
        f'guest name=regs cpus=0 memory=16M image=apic.elf cmdline="mode={mode}"',
        f'guest name=irq cpus=1 memory=16M image=apic_irq.elf cmdline="mode={mode}"',
    ], apicv=apicv)
    assert results["regs"][0] >= 60 and results["regs"][1] == 0, results
    assert results["irq"][0] >= 60 and results["irq"][1] == 0, results
    assert "I/O APIC level pin: still asserted at the EOI, delivered again" in res.log  # not skipped


@pytest.mark.parametrize("apicv", ["emulated", "vid"])
def test_timer_suite(built, tmp_path, apicv):
    res, results = run_suites(tmp_path, 2, [
        'guest name=timer cpus=0 memory=16M image=apic_timer.elf cmdline="mode=x2apic"',
        'guest name=timerx cpus=1 memory=16M image=apic_timer.elf cmdline="mode=xapic"',
    ], apicv=apicv)
    for name in ("timer", "timerx"):
        assert results[name][0] >= 20 and results[name][1] == 0, results
    assert "TSC-deadline checks skipped" not in res.log  # the virtual APIC offers TSC-deadline mode


@pytest.mark.parametrize("apicv", ["emulated", "tpr"])
def test_cr8_is_the_tpr_class_in_64_bit_mode(built, tmp_path, apicv):
    """A guest that enters 64-bit mode: CR8 maps onto the virtual TPR, through CR8 exits (emulated, its APIC
    MMIO decoded in 64-bit mode through its own 4-level page tables) or the TPR shadow (tpr)."""
    res, results = run_suites(tmp_path, 1, ['guest name=cr8 cpus=0 memory=16M image=cr8.elf'], apicv=apicv)
    assert results["cr8"] == (4, 0), results
    assert "MOV to CR8 5: TPR reads 0x50" in res.log


def test_timer_suite_without_preemption_timer(built, tmp_path):
    """Where VMX has no preemption timer the host APIC timer makes the exit at the guest timer's deadline."""
    res, results = run_suites(tmp_path, 1, [
        'guest name=timer cpus=0 memory=16M image=apic_timer.elf cmdline="mode=x2apic"',
    ], cmdline="debug.no_preemption_timer")
    assert "debug: the VMX-preemption timer stays off" in res.log, res.explain()
    assert results["timer"][0] >= 20 and results["timer"][1] == 0, results


@pytest.mark.parametrize("cpus,apicv", [(2, "emulated"), (4, "emulated"), (4, "tpr"), (2, "vid"), (4, "vid")])
def test_two_vcpu_guests_ipis_and_init_sipi(built, tmp_path, cpus, apicv):
    """vCPU 1 starts through INIT-SIPI-SIPI from vCPU 0; IPIs and NMIs cross cores both ways."""
    lines = ['guest name=smp0 cpus=0-1 memory=16M image=apic_smp.elf cmdline="mode=xapic cpus=2"']
    if cpus == 4:
        lines.append('guest name=smp1 cpus=2-3 memory=16M image=apic_smp.elf cmdline="mode=x2apic cpus=2"')
    res, results = run_suites(tmp_path, cpus, lines, apicv=apicv)
    for name in (["smp0"] if cpus == 2 else ["smp0", "smp1"]):
        assert results[name][0] >= 30 and results[name][1] == 0, results
    assert "IPIs between vCPUs skipped" not in res.log


# (apicv=, Bochs CPU model, what the boot log must say about the choice)
EXIT_COST_RUNS = [
    ("emulated", "corei7_skylake_x", "apicv: mode emulated, as apicv= asks"),
    ("tpr", "corei7_skylake_x", "apicv: mode tpr, as apicv= asks"),
    ("tpr", "corei7_ivy_bridge_3770k", "apicv: mode tpr, as apicv= asks (the CPU offers tpr)"),
    ("vid", "corei7_skylake_x", "apicv: mode vid, as apicv= asks (the CPU offers vid)"),
]


@pytest.mark.parametrize("apicv,model,why", EXIT_COST_RUNS)
def test_exit_costs_per_mode(built, tmp_path, apicv, model, why):
    """The apicv guest counts the VM exits of TPR accesses, an unmasking TPR write, EOI and self-IPI (through
    HC_EXIT_STATS) and checks them against what the mode's controls promise, in both APIC modes."""
    res, results = run_suites(tmp_path, 2, [
        'guest name=costx cpus=0 memory=16M image=apicv.elf cmdline="mode=xapic"',
        'guest name=cost2x cpus=1 memory=16M image=apicv.elf cmdline="mode=x2apic"',
    ], apicv=apicv, model=model)
    assert why in res.log, res.explain()
    for name in ("costx", "cost2x"):
        assert results[name][0] >= 19 and results[name][1] == 0, results
    assert f"[costx] # mode {apicv}," in res.log


@pytest.mark.parametrize("option,message", [
    ("apicv=fast", "apicv=fast: expected posted, vid, tpr or emulated; ignored"),
    ("apicv=posted", "apicv: mode vid: apicv=posted asks for more than the CPU offers"),
])
def test_apicv_option_beyond_reach(built, tmp_path, option, message):
    """A bad value, or a mode Bochs 2.7 lacks (posted), is reported; the built-in guests run in the best mode."""
    res = run_bochs(tmp_path, iso=make_iso(tmp_path, cmdline=f"onpanic=poweroff {option}"), cpus=1, timeout=120)
    ready = assert_booted(res, cpus=1)
    assert ready["apicv"] == "vid", res.explain()
    assert message in res.log, res.explain()
    assert re.search(r"^\[test0\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
