"""test_lapic.py: the guest suites of the virtual local APIC and I/O APIC on 2 and 4 cores, in each of the four
interrupt-delivery modes: emulated, tpr and vid under Bochs 2.7, posted under Bochs 3.0 (from the Debian 13 root
that test/bochs3-root.sh makes)."""
import re

import pytest

from conftest import BUILD, assert_booted, exit_reports, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
SUITES = ("apic", "apic_irq", "apic_timer", "apic_smp", "cr8", "apicv", "apicv_smp", "timer_floor")


MODES = ["emulated", "tpr", "vid", "posted"]


def run_suites(tmp_path, cpus, lines, cmdline="", apicv="emulated", model="corei7_skylake_x"):
    """Boot the given guest lines with every APIC suite as a module, in the given interrupt-delivery mode (posted
    under Bochs 3.0, the others under Bochs 2.7); return the run and {guest: (tests, failures)}."""
    modules = {f"{s}.elf": (BUILD / "guest" / f"{s}.elf").read_bytes() for s in SUITES}
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv} {cmdline}", config="\n".join(lines) + "\n",
                   modules=modules)
    res = run_bochs(tmp_path, iso=iso, cpus=cpus, mem=512, timeout=300, model=model, bochs3=apicv == "posted")
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


@pytest.mark.parametrize("apicv", MODES)
@pytest.mark.parametrize("mode", ["xapic", "x2apic"])
def test_one_vcpu_suites_on_two_cores(built, tmp_path, mode, apicv):
    res, results = run_suites(tmp_path, 2, [
        f'guest name=regs cpus=0 memory=16M image=apic.elf cmdline="mode={mode}"',
        f'guest name=irq cpus=1 memory=16M image=apic_irq.elf cmdline="mode={mode}"',
    ], apicv=apicv)
    assert results["regs"][0] >= 60 and results["regs"][1] == 0, results
    assert results["irq"][0] >= 60 and results["irq"][1] == 0, results
    assert "I/O APIC level pin: still asserted at the EOI, delivered again" in res.log  # not skipped


@pytest.mark.parametrize("apicv", MODES)
def test_one_vcpu_suites_on_four_cores(built, tmp_path, apicv):
    """Four one-vCPU guests side by side, one per core, each APIC mode twice: the registers, interrupts and
    I/O APIC, timer and exit-cost suites while the other cores post and take interrupts of their own."""
    res, results = run_suites(tmp_path, 4, [
        'guest name=regs cpus=0 memory=16M image=apic.elf cmdline="mode=x2apic"',
        'guest name=irq cpus=1 memory=16M image=apic_irq.elf cmdline="mode=xapic"',
        'guest name=timer cpus=2 memory=16M image=apic_timer.elf cmdline="mode=xapic"',
        'guest name=cost cpus=3 memory=16M image=apicv.elf cmdline="mode=x2apic"',
    ], apicv=apicv)
    for name, least in (("regs", 60), ("irq", 60), ("timer", 20), ("cost", 19)):
        assert results[name][0] >= least and results[name][1] == 0, results
    assert f"[cost] # mode {apicv}," in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_timer_suite(built, tmp_path, apicv):
    res, results = run_suites(tmp_path, 2, [
        'guest name=timer cpus=0 memory=16M image=apic_timer.elf cmdline="mode=x2apic"',
        'guest name=timerx cpus=1 memory=16M image=apic_timer.elf cmdline="mode=xapic"',
    ], apicv=apicv)
    for name in ("timer", "timerx"):
        assert results[name][0] >= 20 and results[name][1] == 0, results
    assert "TSC-deadline checks skipped" not in res.log  # the virtual APIC offers TSC-deadline mode


TIMER_FLOOR_NUMBERS = re.compile(r"^\[(\S+)\] # (\d+) interrupts in (\d+) TSC ticks: (\d+) floors of (\d+) ticks", re.M)
MASKED_SPIN = re.compile(r"^\[(\S+)\] # masked, spinning: (\d+) exit\(s\)", re.M)


@pytest.mark.parametrize("apicv", MODES)
def test_timer_floor_and_masked_timer(built, tmp_path, apicv):
    """The livelock of issue 18: a masked periodic timer with count 100 at divide 1 costs its vCPU no exits while
    it spins, and unmasked it interrupts at most once per floor (100 us of the TSC); a one-shot count of 1 fires
    once, not before the floor. One guest in x2APIC mode, one in xAPIC mode, each counting its own exits."""
    res, results = run_suites(tmp_path, 2, [
        'guest name=floor cpus=0 memory=16M image=timer_floor.elf cmdline="mode=x2apic"',
        'guest name=floorx cpus=1 memory=16M image=timer_floor.elf cmdline="mode=xapic"',
    ], apicv=apicv)
    for name in ("floor", "floorx"):
        assert results[name][0] >= 14 and results[name][1] == 0, results
    masked = {name: int(n) for name, n in MASKED_SPIN.findall(res.log)}
    assert set(masked) == {"floor", "floorx"} and max(masked.values()) <= 16, masked
    numbers = TIMER_FLOOR_NUMBERS.findall(res.log)
    assert sorted(n[0] for n in numbers) == ["floor", "floorx"], res.explain()
    for name, fires, ticks, floors, floor in numbers:
        # at most one interrupt per floor, and the floor is what the timer ran at, not a count of 100 ticks
        assert 0 < int(fires) <= int(floors) + 1 and int(floor) > 100, (name, fires, floors, res.explain())


@pytest.mark.parametrize("apicv", MODES)
def test_cr8_is_the_tpr_class_in_64_bit_mode(built, tmp_path, apicv):
    """A guest that enters 64-bit mode: CR8 maps onto the virtual TPR, through CR8 exits (emulated, its APIC
    MMIO decoded in 64-bit mode through its own 4-level page tables) or the TPR shadow (the other modes)."""
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


@pytest.mark.parametrize("cpus", [2, 4])
@pytest.mark.parametrize("apicv", MODES)
def test_two_vcpu_guests_ipis_and_init_sipi(built, tmp_path, cpus, apicv):
    """vCPU 1 starts through INIT-SIPI-SIPI from vCPU 0; IPIs and NMIs cross cores both ways."""
    lines = ['guest name=smp0 cpus=0-1 memory=16M image=apic_smp.elf cmdline="mode=xapic cpus=2"']
    if cpus == 4:
        lines.append('guest name=smp1 cpus=2-3 memory=16M image=apic_smp.elf cmdline="mode=x2apic cpus=2"')
    res, results = run_suites(tmp_path, cpus, lines, apicv=apicv)
    for name in (["smp0"] if cpus == 2 else ["smp0", "smp1"]):
        assert results[name][0] >= 30 and results[name][1] == 0, results
        # As it ended, the hypervisor printed what it cost: each vCPU's exits, per reason.
        reports = exit_reports(res, name)
        assert len(reports) == 1, res.explain()
        rep = reports[0]
        assert rep["vcpus"] == ["vcpu0", "vcpu1"] and rep["seconds"] > 0, rep
        assert all(n > 0 for n in rep["rows"]["all exits"][:2]), rep  # vCPU 1 ran after its SIPI, and exited
        assert rep["rows"]["IO_INSTRUCTION"][0] > 0, rep  # vCPU 0 prints through COM1
    assert "IPIs between vCPUs skipped" not in res.log


# (apicv=, Bochs CPU model, what the boot log must say about the choice)
EXIT_COST_RUNS = [
    ("emulated", "corei7_skylake_x", "apicv: mode emulated, as apicv= asks"),
    ("tpr", "corei7_skylake_x", "apicv: mode tpr, as apicv= asks"),
    ("tpr", "corei7_ivy_bridge_3770k", "apicv: mode tpr, as apicv= asks (the CPU offers tpr)"),
    ("vid", "corei7_skylake_x", "apicv: mode vid, as apicv= asks (the CPU offers vid)"),
    ("posted", "corei7_skylake_x", "apicv: mode posted, as apicv= asks (the CPU offers posted)"),
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


# The sections of apicv_smp, as it prints them: each must have run (none is skipped).
APICV_SMP_SECTIONS = ("1. fixed IPI across cores", "2. ping-pong", "3. burst", "4. TPR 0xf0 on vCPU 1",
                      "5. level-triggered I/O APIC pin", "8. IF = 0 on vCPU 0 holds a self-IPI", "7. stress",
                      "6. vCPU 1 switches to x2APIC")


@pytest.mark.parametrize("cpus", [2, 4])
@pytest.mark.parametrize("apicv", MODES)
def test_apicv_smp_across_cores(built, tmp_path, apicv, cpus):
    """Interrupts between the vCPUs of one guest (a fixed IPI each way, ping-pong, a burst of 64 vectors in
    priority order, TPR masking, a level-triggered I/O APIC pin on another core, everyone to everyone, and the
    switch to x2APIC with an interrupt pending, a self-IPI held by IF = 0 while another core's IPI arrives), each
    receiver counting its own VM exits against what the mode
    promises. 2 vCPUs in x2APIC mode, 4 in xAPIC mode (the switch to x2APIC runs there); the guest prints what
    each event cost as "# cost(<apicv>, <apic mode>): ..." lines."""
    mode = "x2apic" if cpus == 2 else "xapic"
    res, results = run_suites(tmp_path, cpus, [
        f'guest name=xcore cpus=0-{cpus - 1} memory=16M image=apicv_smp.elf cmdline="mode={mode} cpus={cpus}"',
    ], apicv=apicv)
    assert results["xcore"][0] >= (80 if cpus == 2 else 150) and results["xcore"][1] == 0, results
    assert f"[xcore] # mode {apicv}," in res.log, res.explain()
    assert f"[xcore] # cost({apicv}, {mode}): fixed IPI 0 -> 1, vCPU 1:" in res.log, res.explain()
    for section in APICV_SMP_SECTIONS:
        assert f"[xcore] # apicv_smp({mode}): {section}" in res.log, section
    skipped = [line for line in res.log.splitlines() if line.startswith("[xcore]") and "skipped" in line]
    assert not skipped, "\n".join(skipped)
    if mode == "xapic":
        assert "x2APIC: TPR 0 through the MSR: 0x77 delivered exactly once" in res.log
    else:
        assert "6. the switch from xAPIC to x2APIC: covered by the mode=xapic run" in res.log
    assert f"stress: {cpus} vCPUs, 200 IPIs per ordered pair" in res.log


@pytest.mark.parametrize("apicv", ["emulated", "vid", "posted"])
def test_bochs_delivers_a_virtual_interrupt_through_if_clear(built, tmp_path, apicv):
    """A fault of the emulator, not of apicvisor, pinned down so that the docs' account of it stays true:
    Bochs 2.7 and 3.0 deliver a virtual interrupt they recognized while the guest's RFLAGS.IF is 0 as soon as
    any host interrupt reaches that CPU (cpu/event.cc, HandleExtInterrupt: is_pending, where the IF mask is
    not looked at), against SDM Vol. 3, 30.2.2. apicv_smp's cpu_selfipi=1: vCPU 0 holds a self-IPI with
    IF = 0 while vCPU 1's IPI arrives. Through the hypervisor (an exit in every mode) IF = 0 holds it; the
    self-IPI the CPU virtualizes (vid, posted) arrives through IF = 0 with the notification, every round. In
    mode emulated that self-IPI exits too, and every check passes. In vid the hypervisor's debug.if_check sees
    each of them at the external-interrupt exit that follows (in posted the notification makes none). It is what hangs a Linux guest now and then
    (docs/benchmarks.md, "A hang under Bochs, explained"). Should this test fail in vid or posted, Bochs no
    longer has the fault: say so there."""
    modules = {"apicv_smp.elf": (BUILD / "guest" / "apicv_smp.elf").read_bytes()}
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv} debug.if_check", modules=modules,
                   config='guest name=xcore cpus=0-1 memory=16M image=apicv_smp.elf '
                          'cmdline="mode=x2apic cpus=2 cpu_selfipi=1"\n')
    res = run_bochs(tmp_path, iso=iso, cpus=2, mem=512, timeout=300, bochs3=apicv == "posted")
    ready = assert_booted(res, cpus=2)
    assert ready["vmx"] == "on" and ready["apicv"] == apicv, res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()
    failed = [line for line in res.log.splitlines() if " not ok " in line]
    through = "self-IPI the CPU virtualizes, IF = 0: IF = 0 holds the self-IPI"
    assert res.log.count("self-IPI through the hypervisor, IF = 0: IF = 0 holds the self-IPI") == 3, res.explain()
    assert not any("through the hypervisor" in line for line in failed), "\n".join(failed)
    assert res.log.count(through) == 3, res.explain()
    if apicv == "emulated":
        assert not failed, "\n".join(failed)
    else:
        # the fault, every round (the order after STI is off too: the self-IPI came first), and nothing else
        assert sum(through in line for line in failed) == 3, "\n".join(failed) + res.explain()
        assert all("the CPU virtualizes" in line for line in failed), "\n".join(failed)
    caught = re.findall(r"^\[cpu0\] WARNING: debug: guest xcore, vCPU 0: the CPU delivered vector (0x[0-9a-f]+) through "
                        r"RFLAGS\.IF = 0", res.log, re.M)
    assert caught == (["0x5a"] * 3 if apicv == "vid" else []) or apicv == "posted", caught
