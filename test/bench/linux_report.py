"""linux_report.py: the Linux workloads' lines (guest/linux/lxbench) parsed, and their part of the benchmark report.

lxbench prints, in the guest's console:

    LXBENCH start cpus=<n> tsc_khz=<k> stats=<none|refused|on>
    LXBENCH op=<workload> n=<samples> median=<cycles> p99=<cycles> min=<cycles> max=<cycles>
    LXBENCH op=idle seconds=<s> ticks_per_s=<local timer interrupts per second, every CPU>
    LXEXITS op=<workload> cpu=<c> ops=<n> mode=<m> total=<exits> interrupts=<n> <REASON>=<exits> ...
    LXBENCH done

This module turns them into the "Linux workloads" section of report.md (one table per workload: median, p99,
ratio to native on the same emulator, exits per operation by CPU and reason), linux.csv and one plot per workload.
"""
import csv
import re
import shutil
from dataclasses import dataclass, field

import report

WORKLOADS = ("ipi_pingpong", "tlb_shootdown", "timer_sleep", "idle")
TITLES = {
    "ipi_pingpong": "Futex token between CPUs 0 and 1, round trip",
    "tlb_shootdown": "mprotect of pages CPU 1 is reading (TLB shootdown)",
    "timer_sleep": "nanosleep(100 us): overshoot past the deadline",
    "idle": "System at rest",
}
# What each CPU does in a workload: the "side" of the exits columns.
SIDES = {
    "ipi_pingpong": ("CPU 0: passes the token", "CPU 1: passes it back"),
    "tlb_shootdown": ("CPU 0: two mprotects, sends the IPIs", "CPU 1: reads, receives them"),
    "timer_sleep": ("CPU 0: idle", "CPU 1: sleeps"),
    "idle": ("CPU 0", "CPU 1"),
}
START_RE = re.compile(r"LXBENCH start cpus=(\d+) tsc_khz=(\d+) stats=(\w+)")
FIGURE_RE = re.compile(r"LXBENCH op=(\w+) n=(\d+) median=(\d+) p99=(\d+) min=(\d+) max=(\d+)")
IDLE_RE = re.compile(r"LXBENCH op=idle seconds=(\d+) ticks_per_s=([\d.]+)")
EXITS_RE = re.compile(r"LXEXITS op=(\w+) cpu=(\d+) ops=(\d+) mode=(\d+) total=(\d+) interrupts=(\d+)((?: \w+=\d+)*)")
DONE_RE = re.compile(r"LXBENCH done")
ERROR_RE = re.compile(r"LXBENCH error: (.*)")
MODE_NAMES = ("emulated", "tpr", "vid", "posted")  # HC_APICV_*


@dataclass
class Figure:
    n: int
    median: int
    p99: int


@dataclass
class Exits:
    ops: int
    mode: str
    total: int
    interrupts: int
    reasons: dict  # name -> exits

    def per_op(self, count):
        return count / self.ops if self.ops else 0.0


@dataclass
class Run:
    name: str
    emulator: str
    mode: str                  # the configuration's mode: native, posted, vid, tpr, emulated
    error: str = ""
    stats: str = ""            # lxbench's stats=: on, refused, none
    tsc_khz: int = 0
    figures: dict = field(default_factory=dict)    # workload -> Figure (idle: none)
    ticks_per_s: float = None  # idle
    idle_seconds: int = 0
    exits: dict = field(default_factory=dict)      # (workload, cpu) -> Exits
    seconds: float = 0.0       # the run's wall time
    retried: str = ""          # why the first run hung, when this is the second (linux_bench.py)

    @property
    def ok(self):
        return not self.error

    @property
    def native(self):
        return self.mode == "native"


def parse(name, emulator, mode, log):
    """One run's serial log; error says what is missing when the workloads did not all report."""
    r = Run(name, emulator, mode)
    m = START_RE.search(log)
    if m:
        r.tsc_khz, r.stats = int(m.group(2)), m.group(3)
    for m in FIGURE_RE.finditer(log):
        r.figures[m.group(1)] = Figure(int(m.group(2)), int(m.group(3)), int(m.group(4)))
    idle = IDLE_RE.search(log)
    if idle:
        r.idle_seconds, r.ticks_per_s = int(idle.group(1)), float(idle.group(2))
    for m in EXITS_RE.finditer(log):
        reasons = {k: int(v) for k, v in (w.split("=") for w in m.group(7).split())}
        mode_nr = int(m.group(4))
        r.exits[(m.group(1), int(m.group(2)))] = Exits(int(m.group(3)), MODE_NAMES[mode_nr] if mode_nr < 4 else "?",
                                                       int(m.group(5)), int(m.group(6)), reasons)
    err = ERROR_RE.search(log)
    missing = [w for w in WORKLOADS if w not in r.figures and not (w == "idle" and r.ticks_per_s is not None)]
    if err:
        r.error = f"lxbench: {err.group(1)}"
    elif not START_RE.search(log):
        r.error = "lxbench never started"
    elif missing or not DONE_RE.search(log):
        r.error = f"no figure for {', '.join(missing) or 'the end (LXBENCH done)'}"
    elif not r.native and r.stats == "on" and any((w, c) not in r.exits for w in WORKLOADS for c in (0, 1)):
        r.error = "exit statistics missing for a workload"
    return r


def baseline(runs, run):
    return next((r for r in runs if r.native and r.ok and r.emulator == run.emulator), None)


def ratio(runs, run, workload):
    base = baseline(runs, run)
    if not base or workload not in run.figures or workload not in base.figures:
        return None
    b = base.figures[workload].median
    return run.figures[workload].median / b if b else None


def _top(ex, n=4, *, per=None):
    """'2.00 (HLT 1.00, APIC_WRITE 1.00)': exits per op (or per second), then the first n reasons."""
    if ex is None:
        return "-"
    div = per or ex.ops or 1
    top = sorted(ex.reasons.items(), key=lambda kv: -kv[1])[:n]
    return f"{ex.total / div:.2f} ({', '.join(f'{k} {v / div:.2f}' for k, v in top) or 'none'})"


def workload_table(runs, w):
    side0, side1 = SIDES[w]
    if w == "idle":
        lines = ["| configuration | emulator | timer ticks/s | exits/s " + side0 + " | exits/s " + side1 + " |",
                 "| --- | --- | ---: | --- | --- |"]
        for r in runs:
            if not r.ok:
                continue
            lines.append(f"| {r.name} | {r.emulator} | {r.ticks_per_s:.1f} | "
                         f"{_top(r.exits.get((w, 0)), per=r.idle_seconds)} | "
                         f"{_top(r.exits.get((w, 1)), per=r.idle_seconds)} |")
        return "\n".join(lines)
    lines = [f"| configuration | emulator | median | p99 | x native | exits/op {side0} | exits/op {side1} |",
             "| --- | --- | ---: | ---: | ---: | --- | --- |"]
    for r in runs:
        f = r.figures.get(w)
        if not r.ok or not f:
            continue
        rt = ratio(runs, r, w)
        lines.append(f"| {r.name} | {r.emulator} | {f.median} | {f.p99} | {f'{rt:.2f}x' if rt else '-'} | "
                     f"{_top(r.exits.get((w, 0)))} | {_top(r.exits.get((w, 1)))} |")
    return "\n".join(lines)


def main_table(runs):
    """Workloads down, configurations across: median cycles (ratio to native), idle as timer ticks per second."""
    ok = [r for r in runs if r.ok]
    lines = ["| workload | " + " | ".join(f"{r.name} ({r.emulator})" for r in ok) + " |",
             "| --- | " + " | ".join("---:" for _ in ok) + " |"]
    for w in WORKLOADS:
        cells = []
        for r in ok:
            if w == "idle":
                ex = sum(r.exits[(w, c)].total for c in (0, 1) if (w, c) in r.exits)
                cells.append(f"{r.ticks_per_s:.0f} ticks/s" +
                             (f", {ex / r.idle_seconds:.0f} exits/s" if not r.native and r.exits else ""))
                continue
            f, rt = r.figures.get(w), ratio(runs, r, w)
            cells.append("-" if not f else f"{f.median}" + (f" ({rt:.2f}x)" if rt and not r.native else ""))
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_csv(runs, out):
    """linux.csv: one row per run, workload and CPU (the figure repeated on each CPU's row)."""
    with open(out / "linux.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["configuration", "emulator", "mode", "workload", "n", "median", "p99", "ratio_to_native",
                    "ticks_per_s", "cpu", "ops", "exits", "exits_per_op", "reasons"])
        for r in runs:
            if not r.ok:
                continue
            for wl in WORKLOADS:
                f, rt = r.figures.get(wl), ratio(runs, r, wl)
                head = [r.name, r.emulator, r.mode, wl, f.n if f else r.idle_seconds, f.median if f else "",
                        f.p99 if f else "", "" if rt is None else f"{rt:.3f}",
                        f"{r.ticks_per_s:.1f}" if wl == "idle" else ""]
                cpus = [c for c in (0, 1) if (wl, c) in r.exits]
                if not cpus:
                    w.writerow(head + ["", "", "", "", ""])
                for c in cpus:
                    ex = r.exits[(wl, c)]
                    w.writerow(head + [c, ex.ops, ex.total, f"{ex.per_op(ex.total):.3f}",
                                       " ".join(f"{k}={v}" for k, v in sorted(ex.reasons.items()))])


def write_plots(runs, out):
    """linux_<workload>.png: median bars with a whisker to p99 (idle: timer ticks per second); [] without gnuplot."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return []
    written = []
    for w in WORKLOADS:
        rows = []
        for r in runs:
            if not r.ok:
                continue
            if w == "idle":
                rows.append((f"{r.name} ({r.emulator})", f"{r.ticks_per_s:.0f}", r.ticks_per_s, r.ticks_per_s,
                             r.ticks_per_s, r.native))
            elif w in r.figures:
                f = r.figures[w]
                rows.append((f"{r.name} ({r.emulator})", str(f.median), f.median, f.median, f.p99, r.native))
        if not rows:
            continue
        png = out / f"linux_{w}.png"
        ylabel = "local timer ticks per second" if w == "idle" else "TSC cycles, median (bar) and p99 (whisker)"
        report.bar_plot(gnuplot, png, f"Linux {w}: {ylabel}", ylabel, rows, log=False)
        written.append(png)
    return written


SECTION = "## Linux workloads"


def section(runs, note, plots):
    md = [SECTION, "", note, "",
          "Debian 12's Linux on 2 CPUs, natively (GRUB, no hypervisor) and as a guest of apicvisor in each APICv "
          "mode; each workload pinned with sched_setaffinity (guest/linux/lxbench, docs/benchmarks.md). Figures "
          "are TSC cycles; `x native`: the median's ratio to native Linux on the same emulator. Exits per "
          "operation (per second for idle) by CPU and reason, from HC_EXIT_STATS around each workload.", "",
          "| configuration | emulator | stats | result | wall time |", "| --- | --- | --- | --- | ---: |"]
    for r in runs:
        result = "ok" if r.ok else "FAILED: " + r.error
        if r.ok and r.retried:
            result += f" (the second run; the first hung: {r.retried})"
        md.append(f"| {r.name} | {r.emulator} | {r.stats or '-'} | {result} | {r.seconds:.0f} s |")
    md += ["", main_table(runs)]
    for w in WORKLOADS:
        md += ["", f"### {TITLES[w]} (`{w}`)", "", workload_table(runs, w)]
        if w in plots:
            md += ["", f"![linux {w}](linux_{w}.png)"]
    return "\n".join(md) + "\n"


def write_report(runs, out, *, note=""):
    """linux.md, linux.csv and linux_<workload>.png into out, and the section into report.md (replaced if there)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("linux_*.png"):
        old.unlink()
    write_csv(runs, out)
    plots = {p.stem.removeprefix("linux_") for p in write_plots(runs, out)}
    text = section(runs, note, plots)
    (out / "linux.md").write_text(text)
    report = out / "report.md"
    old = report.read_text() if report.exists() else "# Benchmark\n"
    if SECTION in old:
        head, _, rest = old.partition(SECTION)
        nxt = re.search(r"^## ", rest, re.M)
        old = head + (rest[nxt.start():] if nxt else "")
    report.write_text(old.rstrip("\n") + "\n\n" + text)
    return text
