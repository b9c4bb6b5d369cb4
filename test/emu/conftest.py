"""conftest.py: what the emulator tests share: the emulators and media (emulators.py), the checks every
boot makes, and the fixture that says the build products are there.

Every run is bounded by a timeout; a run that hits it is reported as such
(RunResult.timed_out) so a hang fails the test that caused it.
"""
import os
import re
import signal
import subprocess

import pytest

from emulators import (BUILD, ROOT, BochsConsole, RunResult, make_iso, make_native_iso,  # noqa: F401 (re-exported)
                       run_bochs, run_qemu)


def run_driver(args, *, timeout, env=None):
    """Run a benchmark driver (a Python program that starts emulators) in a session of its own: at the timeout
    the whole session is killed, the emulators with it, so that a hung run does not go on eating the machine's
    CPUs under the tests that follow. Returns the CompletedProcess; a timeout fails the test with the output."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{args[1]} timed out after {timeout} s; its output:\n{out[-4000:]}{err[-2000:]}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def assert_booted(res, *, cpus=None):
    """The checks every boot path shares: banner, memory map summary, ready line, clean end."""
    assert not res.timed_out, res.explain()
    assert re.search(r"^\[cpu0\] apicvisor \S+: a micro-hypervisor", res.log, re.M), res.explain()
    m = re.search(r"^\[cpu0\] mem: summary: (\d+) MiB usable.*?(\d+) free pages$", res.log, re.M)
    assert m and int(m.group(1)) > 64 and int(m.group(2)) > 1000, res.explain()
    ready = res.ready()
    assert ready is not None, res.explain()
    if cpus is not None:
        assert ready["cpus"] == cpus, res.explain()
    assert not hv_stopped(res), res.explain()
    return ready


GUEST_LINE_RE = re.compile(r"^\[(?!cpu\d+\])\S+\] ")


def hv_lines(res):
    """The hypervisor's own lines: a guest's console lines carry its name ("[name] ..."), the hypervisor's a
    "[cpuN]" tag or none (a panic, a dump, the shell). A guest printing "HV PANIC" is no panic."""
    return [line for line in res.log.splitlines() if not GUEST_LINE_RE.match(line)]


def exit_statuses(res, name):
    """The statuses guest `name` exited with through the exit port, from the hypervisor's own lines only (a guest
    can print "guest x: exited with status 0" on its console, under its own tag)."""
    return [int(m.group(1)) for m in (re.match(rf"^\[cpu\d+\] guest {re.escape(name)}: exited with status (\d+)$",
                                               line) for line in hv_lines(res)) if m]


def hv_stopped(res):
    """The hypervisor's lines that say it panicked or stopped."""
    return [line for line in hv_lines(res) if "HV PANIC" in line or "HV STOPPED" in line]


EXIT_REPORT_RE = re.compile(r"guest (\S+): VM exits of this run \((\d+\.\d+) s since its first entry\), "
                            r"per reason and vCPU:$", re.M)
EXIT_ROW_RE = re.compile(r"^ +(?:(\d+) (\S+)|(all exits|interrupts injected))((?: +\d+)+)$")


def exit_reports(res, name):
    """Every exit report the hypervisor printed as guest `name` ended, in order: each a dict with the guest's
    run time in seconds ("seconds"), the vCPU columns ("vcpus": ["vcpu0", ...]) and one row per reason name
    (and "all exits", "interrupts injected"), each row [count per vCPU..., total]. A report whose columns do
    not add up fails the test."""
    lines = res.log.splitlines()
    reports = []
    for i, line in enumerate(lines):
        m = EXIT_REPORT_RE.search(line)
        if not m or m.group(1) != name:
            continue
        rep = {"seconds": float(m.group(2)), "vcpus": [], "rows": {}}
        for row in lines[i + 1:]:
            if row.startswith("  reason ") and not rep["vcpus"]:
                rep["vcpus"] = row.split()[1:-1]
                continue
            r = EXIT_ROW_RE.match(row)
            if not r:
                continue  # another core's line in between
            counts = [int(x) for x in r.group(4).split()]
            assert len(counts) == len(rep["vcpus"]) + 1, f"a row of {name}'s exit report: {row!r}"
            assert sum(counts[:-1]) == counts[-1], f"the total of {name}'s row {row!r}"
            rep["rows"][r.group(2) or r.group(3)] = counts
            if r.group(3) == "interrupts injected":
                break
        reasons = [c for k, c in rep["rows"].items() if k not in ("all exits", "interrupts injected")]
        assert rep["vcpus"] and "all exits" in rep["rows"], f"{name}'s exit report is incomplete"
        for col in range(len(rep["vcpus"])):
            assert sum(c[col] for c in reasons) == rep["rows"]["all exits"][col], \
                f"{name}'s exit report: the reasons of vcpu{col} do not add up to its exits"
        reports.append(rep)
    return reports


SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)


def summaries(res):
    """{guest name: (tests, failures)} from the guests' SUMMARY lines; a guest that printed two fails the test."""
    out = {}
    for name, tests, failures in SUMMARY_RE.findall(res.log):
        assert name not in out, f"guest {name} printed two SUMMARY lines"
        out[name] = (int(tests), int(failures))
    return out


@pytest.fixture(scope="session")
def built():
    """The build products the emulator tests boot; `make test` builds them first."""
    for f in ("hv.elf", "apicvisor.iso"):
        assert (BUILD / f).exists(), f"{BUILD / f} missing: run `make test` (it builds first)"
    return BUILD
