"""test_cpustate.py: the processor state the hypervisor emulates (guest/tests/cpustate.c) in every interrupt-delivery
mode: CR0, CR4 and EFER by the SDM's rules (PAE paging, IA-32e mode entered and left with one MOV, 64-bit mode's
#GPs), exits in STI and MOV-SS shadows, a single-step trap after an emulated instruction, and XSETBV."""
import re

import pytest

from conftest import BUILD, assert_booted, make_iso, run_bochs

SUMMARY_RE = re.compile(r"^\[cpu\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)
MODES = ["emulated", "tpr", "vid", "posted"]


def run_cpustate(tmp_path, apicv, mode):
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv}",
                   config=f'guest name=cpu cpus=0 memory=16M image=cpustate.elf cmdline="mode={mode}"\n',
                   modules={"cpustate.elf": (BUILD / "guest" / "cpustate.elf").read_bytes()})
    res = run_bochs(tmp_path, iso=iso, cpus=1, mem=256, timeout=240, bochs3=apicv == "posted")
    ready = assert_booted(res, cpus=1)
    assert ready["apicv"] == apicv, res.explain()
    failed = [line for line in res.log.splitlines() if " not ok " in line]
    assert not failed, "\n".join(failed) + "\n" + res.explain()
    m = SUMMARY_RE.search(res.log)
    assert m and int(m.group(2)) == 0, res.explain()
    return res, int(m.group(1))


@pytest.mark.parametrize("apicv", MODES)
def test_cpu_state_by_the_sdm(built, tmp_path, apicv):
    res, tests = run_cpustate(tmp_path, apicv, "xapic" if apicv != "posted" else "x2apic")
    assert tests >= 80, res.explain()
    for line in ("one MOV to CR0 with PG and NE sets EFER.LMA", "64-bit mode: PG off, #GP (emulated)",
                 "a PDPTE with a reserved bit: #GP (emulated)", "HLT in an STI shadow: the interrupt comes right after it",
                 "CPUID in a MOV-SS shadow: the interrupt comes right after it",
                 "TF over CPUID: the trap is on it (EIP right after)",
                 "every combination of the supported bits: taken or #GP as the SDM says",
                 "0x23 (one AVX-512 component, no AVX): #GP"):
        assert f"- {line}" in res.log, f"missing check: {line}\n" + res.explain()
