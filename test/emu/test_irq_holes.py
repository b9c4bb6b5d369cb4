"""test_irq_holes.py: NMIs in service and pending, INIT to a guest's first vCPU, the I/O APIC's delivery modes,
HC_WAKE_AFTER 0, and the PC's holes where no device answers (the VGA window, a disabled or moved local APIC) with the
string and read-modify-write instructions guests use there, on the ROM and on the APIC, each in every
interrupt-delivery mode: emulated, tpr and vid under Bochs 2.7, posted under Bochs 3.0 (issue 16)."""
import re

import pytest

from conftest import BUILD, assert_booted, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
MODES = ["emulated", "tpr", "vid", "posted"]


def boot(tmp_path, cpus, lines, apicv, until=None, timeout=180, restarts=False):
    """Boot the guest lines, the images they name as modules, in one interrupt-delivery mode (posted under Bochs
    3.0, the others under Bochs 2.7); return the run and {guest: (tests, failures)} (the last start's, with
    restarts: a guest that restarts prints a SUMMARY each time)."""
    images = sorted(set(re.findall(r"image=(\S+)\.elf", "\n".join(lines))))
    modules = {f"{g}.elf": (BUILD / "guest" / f"{g}.elf").read_bytes() for g in images}
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv}", config="\n".join(lines) + "\n",
                   modules=modules)
    res = run_bochs(tmp_path, iso=iso, cpus=cpus, mem=256, timeout=timeout, until=until, bochs3=apicv == "posted")
    ready = assert_booted(res, cpus=cpus)
    assert ready["vmx"] == "on" and ready["apicv"] == apicv, res.explain()
    results = {}
    for name, tests, failures in SUMMARY_RE.findall(res.log):
        assert restarts or name not in results, f"{name} printed two SUMMARY lines"
        results[name] = (int(tests), int(failures))
    failed = [line for line in res.log.splitlines() if " not ok " in line]
    assert not failed, "\n".join(failed) + "\n" + res.explain()
    return res, results


def ended_well(res, results, name, least):
    assert name in results and results[name][0] >= least and results[name][1] == 0, (results, res.explain())
    assert f"guest {name}: exited with status 0" in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_nmis_one_in_service_one_pending(built, tmp_path, apicv):
    """Self-NMIs in a row, NMIs sent inside the handler (one waits for the IRET, the rest are lost), and NMIs from
    the other vCPU back to back and while the handler runs: each case ends with the count the SDM gives, never a
    handler inside another."""
    res, results = boot(tmp_path, 2, [
        'guest name=nmi cpus=0-1 memory=16M image=nmi.elf cmdline="mode=xapic cpus=2"',
    ], apicv)
    ended_well(res, results, "nmi", 20)
    assert "NMIs from another vCPU skipped" not in res.log, res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_io_apic_delivery_modes(built, tmp_path, apicv):
    """Every delivery mode of an I/O APIC entry: fixed and lowest priority as vectors, NMI as an NMI (edge-triggered
    even when programmed level), INIT to the other vCPU as an INIT; SMI, ExtINT and a reserved mode not delivered,
    which the hypervisor says once per pin and entry, however often the pin fires; SMI IPIs not delivered either,
    said once for the sending vCPU."""
    res, results = boot(tmp_path, 2, [
        'guest name=ioapic cpus=0-1 memory=16M image=ioapic_modes.elf cmdline="mode=xapic cpus=2"',
    ], apicv)
    ended_well(res, results, "ioapic", 25)
    assert "NMI and INIT to another vCPU skipped" not in res.log, res.explain()
    for pin, mode, why in ((14, 2, "SMI: a guest has no SMM"),
                           (15, 7, "ExtINT: no 8259A-compatible PIC supplies the vector"),
                           (16, 3, "a reserved mode")):
        line = f"irq: guest ioapic: I/O APIC pin {pin}, delivery mode {mode} ({why}): not delivered"
        assert res.log.count(line) == 2, f"{line!r}: once for each of the two entries\n" + res.explain()
    line = "irq: guest ioapic: vCPU 0 sends SMI IPIs: not delivered (a guest has no SMM); said once"
    assert res.log.count(line) == 1, f"{line!r}: once for the six SMI IPIs vCPU 0 sent\n" + res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_holes_read_all_ones(built, tmp_path, apicv):
    """The VGA window and option-ROM area, and the local APIC's page after disabling the APIC, in x2APIC mode and
    after moving the base: reads all ones, writes dropped, the same in every mode; the APIC works at a moved base,
    and the other vCPU finds its own APIC at 0xfee00000 all along."""
    res, results = boot(tmp_path, 2, [
        'guest name=holes cpus=0-1 memory=16M image=holes.elf cmdline="mode=xapic cpus=2"',
    ], apicv)
    ended_well(res, results, "holes", 90)
    assert "second vCPU's view skipped" not in res.log, res.explain()
    assert "irq: guest holes moved its APIC base to 0xf00000, inside its memory" in res.log, res.explain()
    assert "outside its memory" not in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_apic_access_page_is_back_after_a_restart(built, tmp_path, apicv):
    """The holes guest ends with vCPU 0's APIC in x2APIC mode, so the APIC-access page is out of the guest's EPT;
    with restart=yes its next start finds the page mapped again (its first check: reading 0xfee00030 costs an EPT
    violation only in mode emulated), and every check passes again (the run stops at the third start)."""
    res, _ = boot(tmp_path, 1, [
        'guest name=again cpus=0 memory=16M image=holes.elf cmdline="mode=xapic end=x2apic" restart=yes',
    ], apicv, until=r"guest again: start 3", restarts=True)
    assert not res.timed_out, res.explain()
    assert len(re.findall(r"^\[again\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M)) >= 2, res.explain()
    mapped = re.findall(r"^\[again\] ok \d+ - before: an EPT violation only in mode emulated", res.log, re.M)
    assert len(mapped) >= 2, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_init_to_first_vcpu_from_ioapic_and_wake_after_0(built, tmp_path, apicv):
    """An I/O APIC entry with delivery mode INIT to vCPU 0 resets its guest, which (restart=no) then ends with a
    message naming the INIT; beside it, HLT after HC_WAKE_AFTER 0 ends at once, with interrupts off."""
    res, results = boot(tmp_path, 2, [
        'guest name=wake cpus=0 memory=16M image=hlt_wake.elf',
        'guest name=initio cpus=1 memory=16M image=init_bsp.elf cmdline="from=ioapic"',
    ], apicv)
    ended_well(res, results, "wake", 10)
    assert "guest initio: reset by an INIT to vCPU 0 (its BSP)\n" in res.log, res.explain()
    assert "initio" not in results, "the reset guest must not get to its SUMMARY"
    assert "all guests have ended: powering off" in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_init_to_first_vcpu_from_the_other_ends_the_guest(built, tmp_path, apicv):
    """vCPU 1 sends INIT to vCPU 0: the guest (restart=no) ends with a message naming the INIT, and the machine
    powers off, instead of vCPU 0 waiting for a SIPI nobody sends."""
    res, results = boot(tmp_path, 2, [
        'guest name=initap cpus=0-1 memory=16M image=init_bsp.elf cmdline="from=ap cpus=2"',
    ], apicv)
    assert "guest initap: reset by an INIT to vCPU 0 (its BSP)\n" in res.log, res.explain()
    assert "initap" not in results, "the reset guest must not get to its SUMMARY"
    assert "all guests have ended: powering off" in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_init_to_every_vcpu_restarts_the_guest(built, tmp_path, apicv):
    """vCPU 0 sends INIT to all including itself, so that every vCPU would wait for a SIPI: with restart=yes the
    guest starts again, each time with a message naming the INIT (the run stops at the third start)."""
    res, _ = boot(tmp_path, 2, [
        'guest name=initall cpus=0-1 memory=16M image=init_bsp.elf cmdline="from=all cpus=2" restart=yes',
    ], apicv, until=r"guest initall: start 3")
    assert not res.timed_out, res.explain()
    line = "guest initall: reset by an INIT to vCPU 0 (its BSP); restarting it (restart=yes)"
    assert res.log.count(line) >= 2, res.explain()
    assert "[initall] ok 2 - vCPU 1 reports in after INIT-SIPI-SIPI" in res.log, res.explain()
    assert "all guests have ended" not in res.log, res.explain()


@pytest.mark.parametrize("apicv", MODES)
def test_string_and_rmw_instructions_on_holes_rom_and_apic(built, tmp_path, apicv):
    """MOVS, STOS and LODS (every width, both directions, REP and REPNE, across RAM, the hole and the firmware area,
    a 16-bit and a 32-bit address size, a segment override, 64-bit mode through the guest's page tables) and the
    read-modify-write forms (ADD to NEG) on the VGA window, the option-ROM area, the firmware area and the APIC's
    TPR and SVR: each leaves the registers and RFLAGS as the same instruction run by the CPU on RAM; the hole stays
    all ones, the ROM unchanged, the APIC holds the result; one EPT violation per device page."""
    res, results = boot(tmp_path, 1, [
        'guest name=ops cpus=0 memory=16M image=hole_ops.elf cmdline="mode=xapic"',
    ], apicv)
    ended_well(res, results, "ops", 380)
    assert "not emulated" not in res.log and "outside its memory" not in res.log, res.explain()


@pytest.mark.parametrize("fault,apicv", [("apic", "emulated"), ("apic", "vid"), ("movs", "emulated")])
def test_string_instructions_the_hypervisor_refuses_stop_the_guest(built, tmp_path, fault, apicv):
    """A REP STOSD onto the APIC's registers (an EPT violation in mode emulated, an APIC-access exit in mode vid once
    the CPU has virtualized the TPR write) and, in 64-bit mode, a REP MOVSQ from the VGA window into a page that is
    not present: the hypervisor stops the guest with a message that names the instruction and why."""
    res, results = boot(tmp_path, 1, [
        f'guest name=ops cpus=0 memory=16M image=hole_ops.elf cmdline="mode=xapic fault={fault}"',
    ], apicv)
    assert "ops" not in results, "the stopped guest must not get to its SUMMARY\n" + res.explain()
    why = {"apic": r"a string instruction on an APIC's registers is not emulated \(they are not memory\) "
                   r"\(MMIO at 0xfee0008[04], RIP 0x[0-9a-f]+\)",
           "movs": r"a string instruction's destination at linear 0x600000 would fault \(not present; a #PF or #GP "
                   r"the hypervisor does not inject\) \(MMIO at 0xb8000, RIP 0x[0-9a-f]+\)"}[fault]
    assert re.search(r"guest ops: " + why + "$", res.log, re.M), res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()
