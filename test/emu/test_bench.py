"""test_bench.py: the benchmark guest's own correctness (not its speed): a short run natively and under the
hypervisor completes, every figure is there and positive, and the exits per operation are the mode's promise."""
import re

import pytest

from conftest import BUILD, assert_booted, make_iso, make_native_iso, run_bochs

BENCH_RE = re.compile(r"BENCH op=(\S+) mode=(\S+) apic=(\S+) n=(\d+) median=(\d+) p90=(\d+) p99=(\d+) "
                      r"exits_tx=(\S+) exits_rx=(\S+)")
OPS = ("tsc_read", "self_ipi", "timer_deadline", "eoi", "tpr", "ipi_rtt", "ipi_oneway")
ITERS = 30


def figures(log, mode):
    """{op: (median, p90, p99, exits_tx, exits_rx)} from the BENCH lines, each checked for form and order."""
    found = {}
    for op, m, apic, n, median, p90, p99, tx, rx in BENCH_RE.findall(log):
        assert m == mode and apic == "x2apic" and int(n) == ITERS, (op, m, apic, n)
        assert 0 < int(median) <= int(p90) <= int(p99), (op, median, p90, p99)
        found[op] = (int(median), int(p90), int(p99), tx, rx)
    assert set(found) == set(OPS), sorted(found)
    return found


def test_bench_native(built, tmp_path):
    """The same kernel, started by GRUB on the bare (emulated) machine: the baseline, with no exit counts."""
    iso = make_native_iso(tmp_path, BUILD / "guest" / "bench.elf", f"mode=x2apic cpus=2 iters={ITERS}")
    res = run_bochs(tmp_path, iso=iso, cpus=2, timeout=120)
    assert re.search(r"^SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
    for op, (_, _, _, tx, rx) in figures(res.log, "native").items():
        assert tx == "-" and rx == "-", op


# (mode, exits of a self-IPI and of an EOI on the sender, of the ping's receiver in a round trip)
PROMISES = [("vid", "0.00", "2.00"), ("posted", "0.00", "1.00")]


@pytest.mark.parametrize("apicv,local,rx", PROMISES)
def test_bench_under_the_hypervisor(built, tmp_path, apicv, local, rx):
    """In vid the receiver of a ping pays the notification's exit and its pong's send; in posted only the send."""
    iso = make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv}",
                   config=f'guest name=b cpus=0-1 memory=16M image=bench.elf cmdline="mode=x2apic cpus=2 '
                          f'iters={ITERS}"\n',
                   modules={"bench.elf": (BUILD / "guest" / "bench.elf").read_bytes()})
    res = run_bochs(tmp_path, iso=iso, cpus=2, mem=512, timeout=180, bochs3=apicv == "posted")
    assert assert_booted(res, cpus=2)["apicv"] == apicv, res.explain()
    assert re.search(r"^\[b\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
    found = figures(res.log, apicv)
    assert found["self_ipi"][3] == local and found["eoi"][3] == local, found
    assert found["ipi_rtt"][4] == rx, found
    assert re.search(r"BENCH root cpu=0 reason=18 name=vmcall count=\d+ median=[1-9]", res.log), res.explain()
