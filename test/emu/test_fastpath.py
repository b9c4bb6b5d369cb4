"""test_fastpath.py: the fast paths of VM exits (vmm/exit/fastpath.c) against the general handlers they shortcut.

The same guests run twice, once as the hypervisor runs by default and once with debug.no_fastpath, where every exit
takes its general handler: the guests must see the same (every check line, the exits each event cost them as they
count them through HC_EXIT_STATS), and the hypervisor must count the same exits per reason where the guests'
operations decide the count. The first run must have taken the fast paths and the second none.
"""
import re

import pytest

from conftest import BUILD, assert_booted, exit_reports, make_iso, run_bochs, summaries

# Two two-vCPU guests in x2APIC mode: the cross-core interrupt suite, which counts the exits of each event itself,
# and the IPI suite (fixed IPIs with physical and logical destinations, shorthands, NMIs, INIT-SIPI-SIPI).
GUESTS = [
    'guest name=xcore cpus=0-1 memory=16M image=apicv_smp.elf cmdline="mode=x2apic cpus=2"',
    'guest name=ipis cpus=2-3 memory=16M image=apic_smp.elf cmdline="mode=x2apic cpus=2"',
]
FAST_RE = re.compile(r"guest (\S+): (\d+) of these exits taken whole by a fast path")
# Lines whose numbers are times, not outcomes: the TSC moves with every instruction the hypervisor runs. And the
# receiver's exits during apicv_smp's burst of 64 IPIs: in mode vid each notification that finds ON already set
# is not sent (apicv/posted.c), so how many coalesce depends on how fast the sender's exits are; the guest itself
# accepts 1 to 64 (every other count of its exits is exact, and compared).
TIMING_RE = re.compile(r"cycles|TSC|[0-9] ?(ms|us|µs)\b|MHz|burst of 64, received|burst: vCPU 1: external-interrupt")
# Exit reasons the guests' own operations decide (the rest, timer and host interrupts, follow the time taken).
COUNTED = ("MSR_WRITE", "MSR_READ", "CPUID", "VMCALL", "EOI_INDUCED", "APIC_WRITE", "APIC_ACCESS")


def run(tmp_path, apicv, extra):
    modules = {f"{s}.elf": (BUILD / "guest" / f"{s}.elf").read_bytes() for s in ("apicv_smp", "apic_smp")}
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv} {extra}".strip(),
                   config="\n".join(GUESTS) + "\n", modules=modules)
    res = run_bochs(tmp_path, iso=iso, cpus=4, mem=512, timeout=300, bochs3=apicv == "posted")
    ready = assert_booted(res, cpus=4)
    assert ready["apicv"] == apicv, res.explain()
    results = summaries(res)
    for name in ("xcore", "ipis"):
        assert name in results and results[name][0] >= 30 and results[name][1] == 0, (results, res.explain())
    assert "all guests have ended: powering off" in res.log, res.explain()
    return res


def guest_lines(res, name):
    """What guest `name` printed, but for lines that report times."""
    return [line for line in res.log.splitlines()
            if line.startswith(f"[{name}] ") and not TIMING_RE.search(line)]


@pytest.mark.parametrize("apicv", ["vid", "posted"])
def test_fast_paths_change_nothing_the_guest_sees(built, tmp_path, apicv):
    fast = run(tmp_path / "fast", apicv, "")
    slow = run(tmp_path / "slow", apicv, "debug.no_fastpath")
    assert "debug: no fast paths" in slow.log and "debug: no fast paths" not in fast.log
    taken = {n: int(c) for n, c in FAST_RE.findall(fast.log)}
    assert taken.get("xcore", 0) > 0 and taken.get("ipis", 0) > 0, taken
    assert {n: int(c) for n, c in FAST_RE.findall(slow.log)} == {"xcore": 0, "ipis": 0}
    for name in ("xcore", "ipis"):
        a, b = guest_lines(fast, name), guest_lines(slow, name)
        assert len(a) > 30 and a == b, "\n".join(f"- {x}\n+ {y}" for x, y in zip(a, b) if x != y)
        ra, rb = exit_reports(fast, name), exit_reports(slow, name)
        assert len(ra) == len(rb) == 1, (ra, rb)
        for reason in COUNTED:
            assert ra[0]["rows"].get(reason) == rb[0]["rows"].get(reason), (name, reason, ra[0], rb[0])
    assert any("# cost(" in line for line in guest_lines(fast, "xcore"))  # the exits per event were compared
