"""test_bench.py: the benchmark's own correctness (not its speed). `make bench`'s driver, with few iterations,
boots every configuration: each completes with every figure present, positive and ordered; the exits per
operation are each mode's promise; report.md, the CSVs and the plots are written and well-formed; report.py
alone (the path for logs from a real machine) gives the same CSV."""
import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import BUILD, ROOT, run_driver

BENCH = ROOT / "test/bench/bench.py"
REPORT = ROOT / "test/bench/report.py"
ENV = {**os.environ, "BUILD": str(BUILD)}
ITERS = 20
CONFIGS = {"native-3.0": "native", "posted": "posted", "native-2.7": "native", "vid": "vid", "tpr": "tpr",
           "emulated": "emulated"}
OPS = ("tsc_read", "self_ipi", "timer_deadline", "eoi", "tpr", "ipi_rtt", "ipi_oneway")

# Exits per operation (sender, receiver) in each mode, x2APIC. The self-IPI, the EOI and TPR writes, the timer
# (its arming WRMSR and the preemption-timer exit) are on one vCPU; ipi_oneway's tx is the ICR write alone, rx
# the delivery and the EOI; in ipi_rtt both sides send one IPI and take one.
PROMISES = {
    "posted":   {"self_ipi": "0.00", "eoi": "0.00", "tpr": "0.00", "timer_deadline": "2.00",
                 "ipi_oneway": ("1.00", "0.00"), "ipi_rtt": ("1.00", "1.00")},
    "vid":      {"self_ipi": "0.00", "eoi": "0.00", "tpr": "0.00", "timer_deadline": "2.00",
                 "ipi_oneway": ("1.00", "1.00"), "ipi_rtt": ("2.00", "2.00")},
    "tpr":      {"self_ipi": "2.00", "eoi": "1.00", "tpr": "0.00", "timer_deadline": "3.00",
                 "ipi_oneway": ("1.00", "2.00"), "ipi_rtt": ("3.00", "3.00")},
    "emulated": {"self_ipi": "2.00", "eoi": "1.00", "tpr": "1.00", "timer_deadline": "3.00",
                 "ipi_oneway": ("1.00", "2.00"), "ipi_rtt": ("3.00", "3.00")},
}


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_make_bench_short(built, tmp_path):
    out = tmp_path / "bench"
    proc = run_driver([sys.executable, str(BENCH), "run", "--iters", str(ITERS), "--out", str(out)], timeout=900,
                      env=ENV)
    tail = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, tail
    # progress: every configuration boots and reports each figure as it comes
    for name in CONFIGS:
        assert re.search(rf"^  {re.escape(name)} .*booting", proc.stdout, re.M), tail
        assert re.search(rf"^  {re.escape(name)} .*ipi_oneway +median +\d+ cycles +\(7/7 figures", proc.stdout,
                         re.M), tail
        assert re.search(rf"^  {re.escape(name)} .* done in \d+ s$", proc.stdout, re.M), tail
    assert re.search(r"^\| cross-core IPI, one way \| \d+ \| \d+ \(", proc.stdout, re.M), tail

    rows = read_csv(out / "bench.csv")
    got = {(r["configuration"], r["op"]): r for r in rows}
    assert set(got) == {(c, op) for c in CONFIGS for op in OPS}, sorted(got)
    for (name, op), r in got.items():
        assert r["mode"] == CONFIGS[name] and r["apic"] == "x2apic" and int(r["n"]) == ITERS, r
        assert 0 < int(r["median"]) <= int(r["p90"]) <= int(r["p99"]), r
        if CONFIGS[name] == "native":
            assert r["exits_tx"] == r["exits_rx"] == "" and r["ratio_to_native"] == "1.000", r
        else:
            assert float(r["ratio_to_native"]) > 0, r
    for mode, promise in PROMISES.items():
        for op, want in promise.items():
            tx, rx = want if isinstance(want, tuple) else (want, "")
            assert (got[mode, op]["exits_tx"], got[mode, op]["exits_rx"]) == (tx, rx), (mode, op, got[mode, op])

    root = read_csv(out / "root.csv")
    for mode in PROMISES:
        icr = [r for r in root if r["configuration"] == mode and r["cpu"] == "0" and r["name"] == "wrmsr"]
        assert len(icr) == 1 and 0 < int(icr[0]["median"]) <= int(icr[0]["p99"]) <= int(icr[0]["max"]), icr
        # its phases: the handler and the entry preparation take time, and no phase is longer than the longest exit
        phases = [int(icr[0][f"{p}_mean"]) for p in ("exit", "handler", "entry")]
        assert phases[1] > 0 and phases[2] > 0 and max(phases) <= int(icr[0]["max"]), icr

    md = (out / "report.md").read_text()
    for name in CONFIGS:
        row = rf"^\| {re.escape(name)} \| Bochs \d\.\d \| \S+ \| x2apic \| yes \| \d+ \| ok \|$"
        assert re.search(row, md, re.M), md
    for op in OPS:
        assert f"(`{op}`)" in md and f"![{op}]({op}.png)" in md, op
        png = (out / f"{op}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000, op
    targets = re.findall(r"^- (met|\*\*missed\*\*|not measured): (.+)$", md, re.M)
    assert len(targets) >= 10 and all(v != "not measured" for v, _ in targets), targets
    assert re.search(r"^- met: receiver exits per cross-core IPI in posted: 0: 0\.00$", md, re.M), md

    # the path for serial logs from a real machine: the same figures from the saved logs
    again = tmp_path / "again"
    logs = [f"{name}={out / 'runs' / (name + '.log')}" for name in ("posted", "vid")]
    proc = subprocess.run([sys.executable, str(REPORT), "--out", str(again), *logs], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    redo = {(r["configuration"], r["op"]): r for r in read_csv(again / "bench.csv")}
    for key, r in redo.items():
        for col in ("median", "p90", "p99", "exits_tx", "exits_rx"):
            assert r[col] == got[key][col], (key, col)
    assert len(redo) == 2 * len(OPS)


def test_bench_iso_menu(built, tmp_path):
    """The medium for a real machine: one GRUB entry per mode and native, the guest's options on each."""
    iso = tmp_path / "bench.iso"
    proc = subprocess.run([sys.executable, str(BENCH), "iso", str(iso), "--iters", "500", "--apic", "xapic"],
                          capture_output=True, text=True, env=ENV)
    assert proc.returncode == 0 and iso.stat().st_size > 1 << 20, proc.stdout + proc.stderr
    cfg = subprocess.run(["osirrox", "-indev", str(iso), "-extract", "/boot/grub/grub.cfg", str(tmp_path / "g")],
                         capture_output=True, text=True)
    assert cfg.returncode == 0, cfg.stderr
    text = Path(tmp_path / "g").read_text()
    entries = re.findall(r'^menuentry "([^"]+)"', text, re.M)
    assert [e.split("apicv=")[-1] if "apicv=" in e else "native" for e in entries] == \
        ["posted", "vid", "tpr", "emulated", "native"], entries
    assert "multiboot /boot/apicvisor/bench.elf mode=xapic cpus=2 iters=500" in text, text


def test_bench_refuses_bad_options(tmp_path):
    """Bad options: a clear error and no run."""
    for args, said in ((["run", "--iters", "0"], "--iters: 1 to 4096"),
                       (["run", "--only", "nosuch", "--out", str(tmp_path)], "--only nosuch: no such configuration"),
                       (["iso", str(tmp_path / "x.iso"), "--apic", "x3apic"], "invalid choice: 'x3apic'")):
        proc = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, env=ENV)
        assert proc.returncode != 0 and said in proc.stdout + proc.stderr, (args, proc.stdout, proc.stderr)


def test_report_names_a_run_that_did_not_finish(tmp_path):
    """A log cut short (no SUMMARY), a log with no figures and a failed check: each is FAILED with why, exit 1,
    and the complete run is still reported."""
    good = ("BENCH op=self_ipi mode=vid apic=x2apic n=5 median=30 p90=31 p99=32 exits_tx=0.00 exits_rx=-\n"
            "SUMMARY: 9 tests, 0 failures\n")
    logs = {"good": good, "cut": good.splitlines()[0] + "\n", "empty": "garbage\n",
            "failed": good.replace("0 failures", "2 failures")}
    for name, text in logs.items():
        (tmp_path / f"{name}.log").write_text(text)
    out = tmp_path / "rep"
    proc = subprocess.run([sys.executable, str(REPORT), "--out", str(out), "--emulator", "x",
                           *(f"{n}={tmp_path / (n + '.log')}" for n in logs)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    md = (out / "report.md").read_text()
    assert re.search(r"^\| good \| x \| vid \| x2apic \| \? \| 9 \| ok \|$", md, re.M), md
    assert "| FAILED: no SUMMARY line: the run did not finish |" in md, md
    assert "| FAILED: no BENCH lines |" in md, md
    assert "| FAILED: 2 of 9 checks failed |" in md, md
    rows = read_csv(out / "bench.csv")
    assert [(r["configuration"], r["op"], r["median"]) for r in rows] == [("good", "self_ipi", "30")], rows
