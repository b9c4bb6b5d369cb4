"""test_guests.py: guests on every core under Bochs (VMX): results, isolation, faults, bad images, bad configs."""
import re

import pytest

from conftest import BUILD, assert_booted, exit_reports, make_iso, run_bochs, run_qemu, summaries



def guest_elf(name):
    return (BUILD / "guest" / f"{name}.elf").read_bytes()


def boot(tmp_path, *, cpus, config=None, modules=(), cmdline="onpanic=poweroff", mem=512):
    iso = make_iso(tmp_path, cmdline=cmdline, config=config, modules={m: guest_elf(m[:-4]) for m in modules})
    return run_bochs(tmp_path, iso=iso, cpus=cpus, mem=mem, timeout=240)


@pytest.mark.parametrize("cpus", [2, 4])
def test_default_platform_guest_on_every_core(built, tmp_path, cpus):
    res = boot(tmp_path, cpus=cpus)
    ready = assert_booted(res, cpus=cpus)
    assert ready == {"cpus": cpus, "vmx": "on", "apicv": "vid", "guests": cpus}, res.explain()  # the best Bochs 2.7 offers
    results = summaries(res)
    assert sorted(results) == [f"test{i}" for i in range(cpus)], res.explain()
    for name, (tests, failures) in results.items():
        assert tests >= 80 and failures == 0, f"{name}: {tests} tests, {failures} failures\n" + res.explain()
        assert f"guest {name}: exited with status 0" in res.log
    assert "all guests have ended: powering off" in res.log
    assert "not ok" not in res.log, res.explain()


def test_faulting_guests_stop_alone(built, tmp_path):
    """A guest that reads outside its RAM and one that triple-faults are stopped and reported; the others finish."""
    config = """hypervisor cmdline="loglevel=info"
guest name=good0 cpus=0 memory=16M image=platform.elf
guest name=probe cpus=1 memory=16M image=memprobe.elf
guest name=triple cpus=2 memory=16M image=triplefault.elf
guest name=good3 cpus=3 memory=16M image=platform.elf cmdline="second good guest"
"""
    res = boot(tmp_path, cpus=4, config=config, modules=("platform.elf", "memprobe.elf", "triplefault.elf"))
    ready = assert_booted(res, cpus=4)
    assert ready["guests"] == 4
    results = summaries(res)
    assert results.get("good0", (0, 1))[1] == 0 and results.get("good3", (0, 1))[1] == 0, res.explain()
    assert "probe" not in results and "triple" not in results, "the faulting guests must not get to report"
    assert re.search(r"\*\*\* guest probe, vCPU 0 on CPU 1: read at guest-physical 0x[0-9a-f]+, outside its memory",
                     res.log), res.explain()
    assert "*** guest triple, vCPU 0 on CPU 2: triple fault (shutdown)" in res.log, res.explain()
    assert re.search(r"^    RIP [0-9a-f]{16} RSP", res.log, re.M), "a register dump follows each report"
    assert "guest good0: exited with status 0" in res.log and "guest good3: exited with status 0" in res.log
    assert "all guests have ended: powering off" in res.log


# A whole register dump, its lines one after another: nothing of another core in between.
DUMP_BLOCK = (r"^\*\*\* guest triple, vCPU 1 on CPU 1: triple fault \(shutdown\)\n"
              r"    exit reason 2 \(TRIPLE_FAULT\), .*\n    RIP .*\n    RAX .*\n    RSI .*\n    CR0 .*\n"
              r"    CS .*\n    SS .*\n    DS .*\n    TR .*\n    GDTR .*\n    interruptibility .*$")


def test_ap_fault_is_the_guests_end_and_stops_it_first(built, tmp_path):
    """vCPU 1 of a two-vCPU guest triple-faults; 2 ms later its vCPU 0 would write the exit port with status 0.
    The guest is stopped on both cores before anything is printed: its end is the triple fault (not `exited with
    status 0`), vCPU 0 never gets to its exit, and the dump comes out as one block. The neighbour finishes."""
    config = """hypervisor cmdline="loglevel=info"
guest name=triple cpus=0-1 memory=16M image=triplefault.elf cmdline="on=ap"
guest name=good cpus=2 memory=16M image=platform.elf
"""
    res = boot(tmp_path, cpus=3, config=config, modules=("platform.elf", "triplefault.elf"))
    assert_booted(res, cpus=3)
    assert "guest triple: triple fault (shutdown)" in res.log, res.explain()
    assert "guest triple: exited with status" not in res.log, res.explain()
    assert "vCPU 0 writes the exit port now" not in res.log, res.explain()
    assert res.log.index("guest triple: triple fault (shutdown)") < res.log.index("*** guest triple"), \
        "the guest is stopped before its report is printed\n" + res.explain()
    assert re.search(DUMP_BLOCK, res.log, re.M), res.explain()
    assert summaries(res).get("good", (0, 1))[1] == 0 and "guest good: exited with status 0" in res.log, res.explain()
    reports = exit_reports(res, "triple")
    assert len(reports) == 1 and reports[0]["vcpus"] == ["vcpu0", "vcpu1"], res.explain()


def test_trap_df_shows_a_guest_double_fault_then_delivers_it(built, tmp_path):
    """debug.trap_df: triplefault's #UD under an empty IDT becomes a #GP, then a #DF, which exits. The block names
    the vCPU and shows its last exits (the #DF's own exit last, at relative TSC 0), its state and its RSP0 stack;
    the #DF then goes on to the guest, as undeliverable as the rest, so the triple fault stops it as it would have.
    The neighbour finishes."""
    config = """hypervisor cmdline="loglevel=info debug.trap_df"
guest name=triple cpus=0 memory=16M image=triplefault.elf
guest name=good cpus=1 memory=16M image=platform.elf
"""
    res = boot(tmp_path, cpus=2, config=config, modules=("platform.elf", "triplefault.elf"))
    assert_booted(res, cpus=2)
    m = re.search(r"^\*\*\* guest triple, vCPU 0 on CPU 0: double fault \(debug\.trap_df\); its last (\d+) exits",
                  res.log, re.M)
    assert m and int(m.group(1)) >= 1, res.explain()
    block = res.log[m.start():res.log.index("*** guest triple, vCPU 0 on CPU 0: triple fault (shutdown)")]
    assert re.search(r"^ +0 EXCEPTION_NMI +qualification 0 guest rip 0x[0-9a-f]+\n    RIP ", block, re.M), block
    assert re.search(r"^    TSS\.RSP0 ", block, re.M) and re.search(r"^    CS   sel ", block, re.M), block
    assert "guest triple: triple fault (shutdown)" in res.log, res.explain()
    assert summaries(res).get("good", (0, 1))[1] == 0 and "guest good: exited with status 0" in res.log, res.explain()


@pytest.mark.parametrize("probe", ["gap", "firmware"])
def test_probe_of_gap_is_stopped_and_firmware_write_dropped(built, tmp_path, probe):
    """An address where no device sits stops the guest (the legacy hole at 640 KiB is not one: it reads all ones, see
    test_irq_holes.py); a write to the read-only firmware area is dropped as a ROM drops it, and the guest goes on."""
    config = f'guest name=probe cpus=0 memory=16M image=memprobe.elf cmdline="probe={probe}"\n' \
             "guest name=good cpus=1 memory=16M image=platform.elf\n"
    res = boot(tmp_path, cpus=2, config=config, modules=("platform.elf", "memprobe.elf"))
    assert_booted(res, cpus=2)
    if probe == "gap":
        assert "*** guest probe, vCPU 0 on CPU 0: read at guest-physical 0xfed00000" in res.log, res.explain()
    else:
        assert summaries(res).get("probe") == (1, 0), res.explain()
        assert "guest probe: exited with status 0" in res.log and "*** guest probe" not in res.log, res.explain()
    assert summaries(res).get("good", (0, 1))[1] == 0, res.explain()
    assert "guest good: exited with status 0" in res.log


def test_bad_guest_image_starts_the_good_guests_only(built, tmp_path):
    config = "guest name=good cpus=0 memory=16M image=platform.elf\n" \
             "guest name=bad cpus=1 memory=16M image=notakernel.elf\n"
    iso = make_iso(tmp_path, config=config, cmdline="onpanic=poweroff",
                   modules={"platform.elf": guest_elf("platform"), "notakernel.elf": b"\x7fELF" + b"\0" * 4000})
    res = run_bochs(tmp_path, iso=iso, cpus=2, mem=512, timeout=240)
    ready = assert_booted(res, cpus=2)
    assert ("guest bad: no multiboot header in the first 8192 bytes, and ELF kernel is not 64-bit little-endian "
            "(class 0, data 0): not started") in res.log, res.explain()
    assert ready["guests"] == 1
    results = summaries(res)
    assert list(results) == ["good"] and results["good"][1] == 0, res.explain()


def test_exit_status_and_restart(built, tmp_path):
    config = 'guest name=once cpus=0 memory=16M image=exitcode.elf cmdline="code=5"\n' \
             'guest name=again cpus=1 memory=16M image=exitcode.elf cmdline="code=3" restart=yes\n'
    iso = make_iso(tmp_path, config=config, cmdline="onpanic=poweroff", modules={"exitcode.elf": guest_elf("exitcode")})
    # 'again' restarts for ever; the run is stopped once it has started a third time.
    res = run_bochs(tmp_path, iso=iso, cpus=2, mem=512, timeout=240, until=r"guest again: start 3")
    assert not res.timed_out, res.explain()
    assert "guest once: exited with status 5" in res.log, res.explain()
    assert "guest again: exited with status 3; restarting it (restart=yes)" in res.log, res.explain()
    assert re.search(r"guest again: start [3-9]", res.log), res.explain()
    assert "all guests have ended" not in res.log


def test_config_naming_an_absent_cpu_stops_boot(built, tmp_path):
    res = boot(tmp_path, cpus=2, config="guest name=far cpus=3 memory=16M image=platform.elf\n",
               modules=("platform.elf",))
    assert "config: hv.conf:1: guest 'far' wants CPU 3, which is not online in VMX root" in res.log, res.explain()
    assert "HV STOPPED: the configuration names CPUs that cannot run guests" in res.log
    assert res.ready() is None


def test_malformed_guest_line_stops_boot(built, tmp_path):
    """Checked before anything starts: also on a machine without VMX (QEMU)."""
    iso = make_iso(tmp_path, cmdline="onpanic=poweroff", config="guest name=x image=platform.elf memory=16M\n",
                   modules={"platform.elf": guest_elf("platform")})
    res = run_qemu(tmp_path, iso=iso)
    assert re.search(r"config: hv\.conf:1:\d+: missing cpus=<list> for 'guest'", res.log), res.explain()
    assert "HV STOPPED: bad configuration file" in res.log
    assert res.ready() is None
