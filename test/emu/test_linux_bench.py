"""test_linux_bench.py: the Linux workloads' tooling (make bench-linux), not its speed. The driver with few samples
in mode vid: every figure present and positive, every vCPU's exits around each workload and consistent with
the mode (an IPI to a running vCPU is one external-interrupt exit there; EOIs cost none), progress lines,
linux.md, the CSV, the plots and report.md's section. And the CPL check of the statistics hypercalls: without
user_stats=yes in its hv.conf line, lxbench (CPL 3) gets HC_EPERM and runs its workloads without statistics
(mode emulated).

Under Bochs 2.7, not posted under 3.0: with the glibc workaround (emulators.NO_REP_STRINGS) Bochs 3.0's own
crash is rare, not gone (docs/benchmarks.md, "A crash under Bochs 3.0"). make bench-linux measures posted. Bochs
2.7 and 3.0 both deliver a virtual interrupt through RFLAGS.IF = 0 now and then, which can hang Linux ("A hang
under Bochs, explained"): the driver runs with --if-check, so it makes a hung run once more only when the
hypervisor's debug.if_check caught the CPU doing that in it, and says so. About 2 minutes of Bochs each (a 2-vCPU
Linux boot is most of it), 2 more for a retried run."""
import csv
import os
import re
import subprocess
import sys

from conftest import BUILD, ROOT, assert_booted, run_driver

sys.path.insert(0, str(ROOT / "test/bench"))
import linux_bench  # noqa: E402
import linux_report  # noqa: E402

DRIVER = ROOT / "test/bench/linux_bench.py"
ITERS = 30
TIMED = ("ipi_pingpong", "tlb_shootdown", "timer_sleep")


def per_op(run, workload, cpu, reason):
    ex = run.exits[(workload, cpu)]
    return ex.reasons.get(reason, 0) / ex.ops


def test_bench_linux_vid(built, tmp_path):
    out = tmp_path / "bench"
    out.mkdir()
    (out / "report.md").write_text("# Interrupt-delivery benchmark\n\n## Median cycles\n\nkept\n")
    proc = run_driver([sys.executable, str(DRIVER), "--only", "vid", "--iters", str(ITERS), "--idle", "1",
                       "--jobs", "1", "--if-check", "--out", str(out)], timeout=1500,
                      env={**os.environ, "BUILD": str(BUILD)})
    tail = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, tail
    # a retry only after the hypervisor caught the CPU delivering through IF = 0 in the hung run
    for hung in re.findall(r"^  vid +Bochs 2\.7 +HUNG .*$", proc.stdout, re.M):
        assert "through RFLAGS.IF = 0 on vCPU" in hung and "(debug.if_check)" in hung, hung
        print(hung)
    # progress: the boot, Linux up, each workload's figure as it comes, the end
    for what in ("booting", "Linux up", *TIMED, "idle", "done in"):
        assert re.search(rf"^  vid +Bochs 2\.7 +{what}", proc.stdout, re.M), (what, tail)

    log = (out / "linux-runs/vid.log").read_text()
    assert "Kernel panic" not in log, log[-3000:]
    run = linux_report.parse("vid", "Bochs 2.7", "vid", log)
    assert run.ok and run.stats == "on" and run.tsc_khz > 0, (run.error, tail)
    for w in TIMED:
        f = run.figures[w]
        assert f.n == ITERS and 0 < f.median <= f.p99, (w, f)
    assert run.ticks_per_s > 0 and run.idle_seconds == 1
    for w in linux_report.WORKLOADS:
        for cpu in (0, 1):
            ex = run.exits[(w, cpu)]
            assert ex.mode == "vid" and ex.total > 0 and ex.ops == (1 if w == "idle" else ITERS), (w, cpu, ex)
            assert ex.total == sum(ex.reasons.values()), (w, cpu, ex)
    # Each of CPU 0's two mprotects per operation sends CPU 1 a function-call IPI: the ICR write is an APIC-write
    # exit (xAPIC mode), and CPU 1, running user code, takes the hypervisor's notification as an external-interrupt
    # exit (vid has no posted-interrupt processing) and the vector through virtual-interrupt delivery.
    assert per_op(run, "tlb_shootdown", 0, "APIC_WRITE") >= 1.8, run.exits[("tlb_shootdown", 0)]
    # Now and then the reader on CPU 1 blocks (2 HLTs per operation, seen once in make test): the IPIs then wake a
    # halted vCPU, which takes them at its wake-up with no external-interrupt exit, so the check is of each kind.
    rx = run.exits[("tlb_shootdown", 1)]
    assert rx.interrupts / rx.ops >= 1.8, rx
    if per_op(run, "tlb_shootdown", 1, "HLT") < 0.5:
        assert per_op(run, "tlb_shootdown", 1, "EXTERNAL_INTERRUPT") >= 1.8, rx
    else:
        assert per_op(run, "tlb_shootdown", 1, "EXTERNAL_INTERRUPT") + per_op(run, "tlb_shootdown", 1, "HLT") >= 1.8, rx
    # Virtual-interrupt delivery: the EOIs of every IPI and tick are virtualized, no APIC-access exit or EPT
    # violation for them; each ping-pong round wakes a halted CPU.
    for w in ("ipi_pingpong", "tlb_shootdown", "timer_sleep"):
        for cpu in (0, 1):
            for reason in ("APIC_ACCESS", "EPT_VIOLATION"):
                assert per_op(run, w, cpu, reason) < 0.1, (w, cpu, run.exits[(w, cpu)])
    assert per_op(run, "ipi_pingpong", 1, "HLT") >= 0.9, run.exits[("ipi_pingpong", 1)]
    # Each sleep arms the TSC deadline (a WRMSR exit) on the sleeping CPU.
    assert per_op(run, "timer_sleep", 1, "MSR_WRITE") >= 0.9, run.exits[("timer_sleep", 1)]

    # the report: linux.md, report.md's section after what was there, one CSV row per workload and CPU, plots
    md = (out / "linux.md").read_text()
    report = (out / "report.md").read_text()
    assert report.startswith("# Interrupt-delivery benchmark") and "kept" in report and md in report, report
    for w in linux_report.WORKLOADS:
        assert f"(`{w}`)" in md, md
    assert re.search(rf"^\| vid \| Bochs 2\.7 \| {run.figures['ipi_pingpong'].median} \| \d+ \| - \| ", md,
                     re.M), md
    with open(out / "linux.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["workload"], r["cpu"]) for r in rows} == {(w, c) for w in linux_report.WORKLOADS for c in "01"}, rows
    assert all(float(r["exits_per_op"]) > 0 and r["configuration"] == "vid" for r in rows), rows
    for w in linux_report.WORKLOADS:
        png = out / f"linux_{w}.png"
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png


def test_user_space_statistics_need_user_stats(built, tmp_path):
    """The same guest without user_stats=yes: lxbench's HC_VERSION from CPL 3 is refused (HC_EPERM), so it
    reports stats=refused and no exits, and its workloads still run; the hypervisor and the guest go on."""
    iso = linux_bench.guest_iso(tmp_path, linux_bench.bench_cmdline(10, 1), "emulated", user_stats=False)
    res = linux_bench.run_bochs(tmp_path, iso=iso, cpus=2, mem=1024, timeout=600)
    ready = assert_booted(res, cpus=2)
    assert ready["apicv"] == "emulated", res.explain()
    run = linux_report.parse("emulated", "Bochs 2.7", "emulated", res.log)
    assert run.ok and run.stats == "refused" and not run.exits, (run.error, res.explain())
    assert "LXEXITS" not in res.log and all(run.figures[w].median > 0 for w in TIMED), res.explain()
    assert re.search(r"^\[lx\] SUMMARY: 2 tests, 0 failures$", res.log, re.M), res.explain()
    assert "guest lx: powered off (ACPI S5 through the sleep control register)" in res.log, res.explain()


def test_hang_rules(monkeypatch):
    """The driver's rules for a hung Linux run, without an emulator: what ends a run (Linux's soft-lockup or RCU
    stall report, or no output for SILENT_S seconds once init started) and which hung run is made once more
    (vid and posted only; with --if-check only one in which debug.if_check caught the CPU)."""
    from emulators import RunResult
    seen = []
    watch = linux_bench.hang_watch(seen.append)
    assert watch("[lx] init: started at 17.5 s uptime\n") is None and seen
    lockup = "[lx] [   35.159463] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:2:50]\n"
    assert watch("[lx] init: started\n" + lockup) == "Linux hung: watchdog: BUG: soft lockup - CPU#0 stuck for 22s"
    rcu = "[lx] [   40.1] rcu: INFO: rcu_sched self-detected stall on CPU\n"
    assert linux_bench.hang_watch(lambda log: None)(rcu).startswith("Linux hung: rcu: INFO: rcu_sched self-detected")
    clock = [1000.0]
    monkeypatch.setattr(linux_bench.time, "monotonic", lambda: clock[0])
    quiet = linux_bench.hang_watch(lambda log: None)
    assert quiet("GRUB loading\n") is None
    clock[0] += linux_bench.SILENT_S + 1
    assert quiet("GRUB loading\n") is None  # before init: only the run's timeout
    assert quiet("GRUB loading\n[lx] init: started\n") is None
    clock[0] += linux_bench.SILENT_S + 1
    assert quiet("GRUB loading\n[lx] init: started\n") == f"Linux hung: no console output for {linux_bench.SILENT_S} s"

    caught = ("[cpu1] WARNING: debug: guest lx, vCPU 1: the CPU delivered vector 0xec through RFLAGS.IF = 0 (the "
              "frame's RFLAGS 0x6, at its handler 0xffffffff81c00eb0): against SDM 30.2.2; 1 caught so far\n")
    hung = RunResult(caught + lockup, 0, False, 60.0, stopped="Linux hung: soft lockup")
    why = linux_bench.retry_reason("vid", hung, True)
    assert why == "the CPU delivered vector 0xec through RFLAGS.IF = 0 on vCPU 1 (debug.if_check)", why
    plain = RunResult(lockup, 0, False, 60.0, stopped="Linux hung: soft lockup")
    assert linux_bench.retry_reason("vid", plain, True) is None  # --if-check: no catch, no retry
    assert "most likely" in linux_bench.retry_reason("posted", plain, False)
    assert linux_bench.retry_reason("posted", RunResult("", 0, True, 934.0), False)  # a timeout is a hang too
    for mode in ("tpr", "emulated", "native"):
        assert linux_bench.retry_reason(mode, hung, False) is None, mode
    assert linux_bench.retry_reason("vid", RunResult(caught, 0, False, 60.0), True) is None  # ended well
