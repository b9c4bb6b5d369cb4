"""test_faults.py: the hypervisor's own faults and bad input end in a clear report and a clean stop."""
import re

import pytest

from conftest import make_iso, run_bochs, run_qemu

FAULTS = {
    "pf": ("#PF page fault", "debug_fault_pf"),
    "gp": ("#GP general protection", "debug_fault_gp"),
    "ud": ("#UD invalid opcode", "debug_fault_ud"),
    "de": ("#DE divide error", "debug_fault_de"),
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_forced_fault_dump_names_function(built, tmp_path, kind):
    name, func = FAULTS[kind]
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline=f"debug.fault={kind} onpanic=poweroff"))
    assert not res.timed_out, res.explain()
    assert f"HV PANIC on CPU 0: unhandled exception {name}" in res.log, res.explain()
    # RIP is symbolized with the faulting function, and the backtrace leads back to hv_main.
    assert re.search(rf"^  RIP [0-9a-f]{{16}} <{func}\+0x[0-9a-f]+>$", res.log, re.M), res.explain()
    assert re.search(r"^    #\d+\s+[0-9a-f]{16} <hv_main\+0x[0-9a-f]+>$", res.log, re.M), res.explain()
    for reg in ("RAX", "R15", "CR2", "CR3", "RFLAGS"):
        assert reg in res.log
    assert res.ready() is None
    assert res.returncode == (0x10 << 1) | 1, res.explain()  # POWEROFF_CODE_PANIC


def test_page_fault_reports_cr2(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="debug.fault=pf onpanic=poweroff"))
    assert re.search(r"CR2 ffff900000000000", res.log), res.explain()
    assert "page not present, write access, supervisor mode" in res.log


def test_panic_prints_caller(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="debug.fault=panic onpanic=poweroff"))
    assert "HV PANIC on CPU 0: debug.fault=panic requested" in res.log, res.explain()
    assert re.search(r"<debug_fault_panic\+0x[0-9a-f]+>", res.log), res.explain()
    # the post-mortem report: the panicking core (no vCPU yet at boot), then onpanic's power-off
    assert re.search(r"^\*\*\* post-mortem: every core's state and last 8 exits\n\n\*\*\* CPU 0: panicked\n"
                     r"cpu 0 runs no vCPU\ncpu 0: no VM exits yet\n\*\*\* powering off", res.log, re.M), res.explain()


def test_bad_config_stops_boot_with_position(built, tmp_path):
    conf = "# test\nhypervisor cmdline=\"loglevel=info\"\nguset name=x\n"
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, config=conf, cmdline="onpanic=poweroff"))
    assert not res.timed_out, res.explain()
    assert "config: hv.conf:3:1: unknown directive 'guset' (expected hypervisor or guest)" in res.log, res.explain()
    assert "HV STOPPED: bad configuration file" in res.log
    assert res.ready() is None
    assert res.returncode == (0x08 << 1) | 1, res.explain()  # POWEROFF_CODE_FAILED


def test_config_cmdline_applies(built, tmp_path):
    conf = 'hypervisor cmdline="loglevel=error"\n'
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, config=conf))
    assert res.ready() is not None, res.explain()
    assert "mem: summary" not in res.log  # the file's loglevel=error filtered info lines


def test_loader_cmdline_wins_over_config(built, tmp_path):
    conf = 'hypervisor cmdline="loglevel=error console=com1"\n'
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, config=conf, cmdline="loglevel=info"))
    assert 'effective command line "loglevel=error console=com1 loglevel=info"' in res.log, res.explain()
    assert "mem: summary" in res.log


def test_no_config_uses_defaults(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, config=False))
    assert "config: no hv.conf module: built-in defaults" in res.log, res.explain()
    assert res.ready() is not None



def test_no_usable_memory_stops_cleanly(built, tmp_path):
    """mem=1M leaves no usable RAM above 1 MiB: a clear message, not a hang."""
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="mem=1M onpanic=poweroff"))
    assert not res.timed_out, res.explain()
    assert "mem: no usable RAM above 1 MiB is left" in res.log, res.explain()
    assert "HV STOPPED: no usable memory for the hypervisor" in res.log
    assert res.ready() is None
    assert res.returncode == (0x08 << 1) | 1, res.explain()


def test_mem_limit_is_respected(built, tmp_path):
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline="mem=64M"))
    assert res.ready() is not None, res.explain()
    assert "usable, above mem= (unused)" in res.log
    m = re.search(r"mem: summary: (\d+) MiB usable", res.log)
    assert m and int(m.group(1)) < 64, res.explain()


def test_expected_faults_are_fixed_up(built, tmp_path):
    """Root-mode instructions that run a guest's value (XSETBV, WRMSR) do so under a fix-up: a fault there is
    refused, not a panic. debug.fault=fixup runs two that must fault; boot goes on to the ready line. Under Bochs:
    QEMU's TCG ignores reserved EFER bits, where the SDM and Bochs raise #GP."""
    res = run_bochs(tmp_path, iso=make_iso(tmp_path, cmdline="debug.fault=fixup onpanic=poweroff"), timeout=120)
    assert ("debug: fault fix-up: XSETBV of XCR0 0 refused, WRMSR of EFER with reserved bit 1 refused; "
            "the hypervisor goes on") in res.log, res.explain()
    assert "HV PANIC" not in res.log, res.explain()
    assert res.ready() is not None, res.explain()
