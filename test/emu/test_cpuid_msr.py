"""test_cpuid_msr.py: CPUID matches the MSRs, in each of the four interrupt-delivery modes (emulated, tpr and vid
under Bochs 2.7, posted under Bochs 3.0): the cpuid_msr guest walks CPUID, uses every MSR an offered feature
implies and expects #GP from every hidden one's, moves the TSC through WRMSR IA32_TSC and IA32_TSC_ADJUST and arms
TSC deadlines against it, checks the MSRs' values at start, leaves them dirty, and with restart=yes checks them
again at its next start (docs/guest-platform.md)."""
import re

import pytest

from conftest import BUILD, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[cm\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
MODES = ["emulated", "tpr", "vid", "posted"]


@pytest.mark.parametrize("apicv", MODES)
def test_cpuid_msr_and_reset_values_at_every_start(built, tmp_path, apicv):
    config = 'guest name=cm cpus=0 memory=16M image=cpuid_msr.elf restart=yes\n'
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv}", config=config,
                   modules={"cpuid_msr.elf": (BUILD / "guest" / "cpuid_msr.elf").read_bytes()})
    # The guest restarts for ever: the run stops once its second run has ended and the third begins.
    res = run_bochs(tmp_path, iso=iso, cpus=1, mem=256, timeout=180, until=r"guest cm: start 3",
                    bochs3=apicv == "posted")
    assert not res.timed_out, res.explain()
    ready = res.ready()
    assert ready is not None and ready["apicv"] == apicv, res.explain()
    assert "HV PANIC" not in res.log, res.explain()
    runs = SUMMARY_RE.findall(res.log)
    assert len(runs) >= 2, res.explain()
    failed = [line for line in res.log.splitlines() if " not ok " in line]
    assert not failed, "\n".join(failed) + "\n" + res.explain()
    for tests, failures in runs:
        assert int(tests) >= 150 and int(failures) == 0, runs
    # what Bochs's corei7_skylake_x offers was exercised, not skipped
    for offered in ("TSC", "SEP", "MTRR", "PAT", "TSC-deadline", "TSC_ADJUST", "SYSCALL", "NX", "RDTSCP", "LM"):
        assert f"[cm] # {offered} offered: its MSRs" in res.log, offered
    assert "ok" in res.log and "left 17 MSRs dirty for the next start" in res.log, res.explain()
