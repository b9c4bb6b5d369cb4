"""report.py: turns the benchmark guest's serial output (BENCH lines) into report.md, CSV and one plot per
operation, and checks the targets of docs/benchmarks.md against the figures.

Used by bench.py after its runs, and on its own for serial logs captured on real hardware:
    python3 test/bench/report.py --out DIR NAME=LOG [NAME=LOG ...]
NAME is the configuration's column (say posted, native); a name that starts with "native" is the baseline of
the runs on the same emulator (bench.py names the emulator; on its own: --emulator).
"""
import argparse
import csv
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

OPS = ("ipi_oneway", "ipi_rtt", "self_ipi", "timer_deadline", "timer_oneshot", "eoi", "tpr", "tsc_read")
OP_TITLES = {
    "ipi_oneway": "cross-core IPI, one way",
    "ipi_rtt": "cross-core IPI, round trip",
    "self_ipi": "self-IPI",
    "timer_deadline": "TSC-deadline timer to handler",
    "timer_oneshot": "one-shot LVT timer to handler",
    "eoi": "EOI write",
    "tpr": "TPR write",
    "tsc_read": "two TSC reads",
}
MODES = ("posted", "vid", "tpr", "emulated")  # best first: the order the latency target expects
FIGURE_RE = re.compile(r"BENCH op=(\S+) mode=(\S+) apic=(\S+) n=(\d+) median=(-?\d+) p90=(-?\d+) p99=(-?\d+) "
                       r"exits_tx=(\S+) exits_rx=(\S+)")
ROOT_RE = re.compile(r"BENCH root cpu=(\d+) reason=(\d+) name=(\S+) count=(\d+) median=(\d+) p99=(\d+) max=(\d+)")
PHASE_RE = re.compile(r"BENCH phase cpu=(\d+) reason=(\d+) name=\S+ count=\d+ exit=(\d+) handler=(\d+) entry=(\d+)")
AGREE_RE = re.compile(r"BENCH tsc_agree=(yes|no) offset_bound=(\d+)")
SUMMARY_RE = re.compile(r"SUMMARY: (\d+) tests, (\d+) failures")
EXIT_REASON_APIC_ACCESS = 44
EXIT_REASON_EPT_VIOLATION = 48
EXIT_REASON_MSR_WRITE = 32
EXIT_REASON_APIC_WRITE = 56
# The exit an ICR write makes: x2APIC a WRMSR; xAPIC, by mode, a trap-like APIC write (APIC-register
# virtualization), an APIC access (the APIC-access page) or an EPT violation (the page is not mapped).
ICR_EXIT = {"x2apic": {m: EXIT_REASON_MSR_WRITE for m in MODES},
            "xapic": {"posted": EXIT_REASON_APIC_WRITE, "vid": EXIT_REASON_APIC_WRITE,
                      "tpr": EXIT_REASON_APIC_ACCESS, "emulated": EXIT_REASON_EPT_VIOLATION}}


@dataclass
class Figure:
    op: str
    n: int
    median: int
    p90: int
    p99: int
    exits_tx: float | None  # None: not measured (native)
    exits_rx: float | None


@dataclass
class RootCost:
    cpu: int
    reason: int
    name: str
    count: int
    median: int
    p99: int
    max: int
    phases: tuple = ()  # means: exit to handler, handler, handler to entry (HC_ROOT_PHASES); () if not given


@dataclass
class Run:
    """One boot of the benchmark: a configuration (name), the emulator or machine it ran on, what it printed."""
    name: str
    emulator: str
    mode: str = "?"
    apic: str = "?"
    figures: dict = field(default_factory=dict)  # op -> Figure
    root: list = field(default_factory=list)     # RootCost
    tsc_agree: str = "?"
    tests: int = 0
    failures: int = -1  # -1: no SUMMARY line
    error: str = ""     # why the run has no usable figures, if it has none

    @property
    def native(self):
        return self.mode == "native"

    @property
    def ok(self):
        return not self.error and self.failures == 0 and bool(self.figures)


def _exits(text):
    return None if text == "-" else float(text)


def parse(name, emulator, log):
    """A Run from one serial log; error says what is missing when the run did not finish cleanly."""
    run = Run(name, emulator)
    for op, mode, apic, n, med, p90, p99, tx, rx in FIGURE_RE.findall(log):
        run.mode, run.apic = mode, apic
        run.figures[op] = Figure(op, int(n), int(med), int(p90), int(p99), _exits(tx), _exits(rx))
    run.root = [RootCost(*(int(v) if i != 2 else v for i, v in enumerate(m))) for m in ROOT_RE.findall(log)]
    phases = {(int(m[0]), int(m[1])): tuple(int(v) for v in m[2:]) for m in PHASE_RE.findall(log)}
    for c in run.root:
        c.phases = phases.get((c.cpu, c.reason), ())
    m = AGREE_RE.search(log)
    if m:
        run.tsc_agree = m.group(1)
    m = SUMMARY_RE.search(log)
    if m:
        run.tests, run.failures = int(m.group(1)), int(m.group(2))
    if not run.figures:
        run.error = "no BENCH lines"
    elif run.failures < 0:
        run.error = "no SUMMARY line: the run did not finish"
    elif run.failures:
        run.error = f"{run.failures} of {run.tests} checks failed"
    return run


def baseline(runs, run):
    """The native run on the same emulator as run, or None."""
    return next((r for r in runs if r.native and r.emulator == run.emulator and r.ok), None)


def ratio(runs, run, op):
    base = baseline(runs, run)
    if not base or op not in base.figures or op not in run.figures or base.figures[op].median <= 0:
        return None
    return run.figures[op].median / base.figures[op].median


def _fmt_exits(v):
    return "-" if v is None else f"{v:.2f}"


def _fmt_ratio(v):
    if v is None:
        return "-"
    return f"{v:.1f}x" if v < 10 else f"{v:.0f}x"


def ops_present(runs):
    return [op for op in OPS if any(op in r.figures for r in runs)]


def main_table(runs):
    """Median cycles, operation by configuration, and the cross-core IPI's exits on each side (Markdown)."""
    good = [r for r in runs if r.ok]
    head = "| operation | " + " | ".join(f"{r.name} ({r.emulator})" for r in good) + " |"
    lines = [head, "| --- |" + " ---: |" * len(good)]
    for op in ops_present(good):
        cells = []
        for r in good:
            f = r.figures.get(op)
            rt = ratio(runs, r, op)
            cells.append("-" if not f else f"{f.median}" + ("" if r.native or rt is None else f" ({_fmt_ratio(rt)})"))
        lines.append(f"| {OP_TITLES[op]} | " + " | ".join(cells) + " |")
    for side, attr in (("sender", "exits_tx"), ("receiver", "exits_rx")):
        cells = [_fmt_exits(getattr(r.figures["ipi_oneway"], attr)) if "ipi_oneway" in r.figures else "-"
                 for r in good]
        lines.append(f"| VM exits per cross-core IPI, {side} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def op_table(runs, op):
    lines = ["| configuration | emulator | median | p90 | p99 | exits tx | exits rx | x native |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in runs:
        f = r.figures.get(op)
        if r.ok and f:
            lines.append(f"| {r.name} | {r.emulator} | {f.median} | {f.p90} | {f.p99} | {_fmt_exits(f.exits_tx)} | "
                         f"{_fmt_exits(f.exits_rx)} | {_fmt_ratio(ratio(runs, r, op))} |")
    return "\n".join(lines)


def _fmt_phase(c, i):
    return f"{c.phases[i]}" if c.phases else "-"


def root_table(run):
    lines = ["| cpu | exit reason | count | median | p99 | max | exit to handler | handler | entry preparation |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for c in sorted(run.root, key=lambda c: (c.cpu, c.median)):
        lines.append(f"| {c.cpu} | {c.reason} {c.name} | {c.count} | {c.median} | {c.p99} | {c.max} | "
                     f"{_fmt_phase(c, 0)} | {_fmt_phase(c, 1)} | {_fmt_phase(c, 2)} |")
    return "\n".join(lines)


def icr_path(run):
    """The root cost of the ICR write's exit (ICR_EXIT) on the sender (cpu 0), or None."""
    reason = ICR_EXIT.get(run.apic, {}).get(run.mode)
    return next((c for c in run.root if c.cpu == 0 and c.reason == reason), None)


@dataclass
class Target:
    text: str
    met: bool | None  # None: not measured in this run
    found: str


def targets(runs):
    """The targets of docs/benchmarks.md, each met, missed or not measured, with what was found."""
    by_mode = {r.mode: r for r in runs if r.ok and not r.native}
    out = []

    def fig(mode, op):
        r = by_mode.get(mode)
        return r.figures.get(op) if r else None

    for mode, want in (("posted", 0), ("vid", 1)):
        f = fig(mode, "ipi_oneway")
        out.append(Target(f"receiver exits per cross-core IPI in {mode}: {want}",
                          None if not f else abs(f.exits_rx - want) < 0.005,
                          "not run" if not f else f"{f.exits_rx:.2f}"))
    for mode in MODES:
        f = fig(mode, "ipi_oneway")
        if f:
            met = abs(f.exits_tx - 1) < 0.005
            why = ""
            if not met and by_mode[mode].apic == "xapic" and mode in ("tpr", "emulated"):
                why = ": xAPIC's ICR is two MMIO writes (high, then low), each an exit without APIC-register " \
                      "virtualization"
            out.append(Target(f"sender exits per cross-core IPI in {mode}: 1 (the ICR write)", met,
                              f"{f.exits_tx:.2f}{why}"))
    for mode in ("posted", "vid"):
        f = fig(mode, "eoi")
        out.append(Target(f"exits per EOI of an edge-triggered vector in {mode}: 0",
                          None if not f else f.exits_tx < 0.005, "not run" if not f else f"{f.exits_tx:.2f}"))
    posted = by_mode.get("posted")
    rt = ratio(runs, posted, "ipi_oneway") if posted else None
    why = ""
    if rt is not None and rt > 1.5:
        icr = icr_path(posted)
        why = (f"; the sender's ICR write is a VM exit ({icr.median} root cycles median, reason {icr.reason} "
               f"{icr.name}) that native does not pay: only IPI virtualization removes it") if icr else ""
    out.append(Target("cross-core IPI latency (one way) in posted within 1.5x native on the same emulator",
                      None if rt is None else rt <= 1.5, "not run" if rt is None else f"{rt:.1f}x{why}"))
    order = [(m, fig(m, "ipi_oneway")) for m in MODES if fig(m, "ipi_oneway")]
    if len(order) >= 2:
        ratios = [(m, ratio(runs, by_mode[m], "ipi_oneway")) for m, _ in order]
        known = [(m, v) for m, v in ratios if v is not None]
        wrong = [(a[0], b[0]) for a, b in zip(known, known[1:]) if a[1] >= b[1]]
        why = ""
        if ("tpr", "emulated") in wrong:
            why = ("; tpr takes the same exits and root-mode path per IPI as emulated (a TPR shadow removes TPR "
                   "exits only), and each entry also keeps the TPR threshold")
        out.append(Target("one-way IPI latency, as a ratio to native: posted < vid < tpr < emulated",
                          not wrong if len(known) >= 2 else None,
                          (", ".join(f"{m} {v:.1f}x" for m, v in known) or "no baseline") + why))
    out += speed_targets(runs, by_mode)
    for r in runs:
        if r.ok and not r.native and r.root:
            icr = icr_path(r)
            if icr:
                nontrivial = [c for c in r.root if c.cpu == 0 and c.reason != icr.reason]
                shorter = sorted((c for c in nontrivial if c.median < icr.median), key=lambda c: c.median)
                out.append(Target(f"{r.name}: the ICR-write exit path ({icr.reason} {icr.name}) is the shortest "
                                  "on the sender", not shorter,
                                  f"{icr.median} cycles median, {icr.p99} p99" +
                                  ("; shorter: " + ", ".join(f"{c.name} {c.median}" for c in shorter)
                                   if shorter else "")))
    return out


EXIT_REASON_PREEMPTION_TIMER = 52
# issue 19's targets: (mode, exit reason on the sender, most root cycles) and (mode, op, most times native)
ROOT_TARGETS = [(m, r, most) for r, most in ((EXIT_REASON_MSR_WRITE, 350), (EXIT_REASON_PREEMPTION_TIMER, 300))
                for m in ("posted", "vid")]
RATIO_TARGETS = [("posted", "ipi_oneway", 30), ("posted", "ipi_rtt", 10), ("vid", "ipi_oneway", 80),
                 ("vid", "timer_deadline", 120)]


def _split(c):
    """Where an exit's cycles go, from its phases, for a missed target's reason."""
    if not c.phases:
        return ""
    return (f"; mean phases: {c.phases[0]} exit to handler, {c.phases[1]} handler, {c.phases[2]} entry "
            "preparation")


def speed_targets(runs, by_mode):
    """The root-cycle and latency targets of the fast paths (docs/benchmarks.md), each with its split when missed."""
    out = []
    for mode, reason, most in ROOT_TARGETS:
        r = by_mode.get(mode)
        if not r or r.apic != "x2apic":
            continue  # the ICR write's exit is another one in xAPIC mode
        c = next((c for c in r.root if c.cpu == 0 and c.reason == reason), None)
        if c:
            out.append(Target(f"{mode}: root cycles of the {c.name} exit, median, at most {most}", c.median <= most,
                              f"{c.median}" + ("" if c.median <= most else _split(c))))
    for mode, op, most in RATIO_TARGETS:
        r = by_mode.get(mode)
        rt = ratio(runs, r, op) if r else None
        if rt is not None:
            out.append(Target(f"{mode}: {OP_TITLES[op]}, at most {most}x native", rt <= most, f"{rt:.1f}x"))
    return out


def write_csv(runs, out):
    with open(out / "bench.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["configuration", "emulator", "mode", "apic", "op", "n", "median", "p90", "p99", "exits_tx",
                    "exits_rx", "ratio_to_native"])
        for r in runs:
            for op in OPS:
                f = r.figures.get(op)
                if r.ok and f:
                    rt = ratio(runs, r, op)
                    w.writerow([r.name, r.emulator, r.mode, r.apic, op, f.n, f.median, f.p90, f.p99,
                                "" if f.exits_tx is None else f"{f.exits_tx:.2f}",
                                "" if f.exits_rx is None else f"{f.exits_rx:.2f}", "" if rt is None else f"{rt:.3f}"])
    with open(out / "root.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["configuration", "emulator", "mode", "cpu", "reason", "name", "count", "median", "p99", "max",
                    "exit_mean", "handler_mean", "entry_mean"])
        for r in runs:
            for c in r.root:
                w.writerow([r.name, r.emulator, r.mode, c.cpu, c.reason, c.name, c.count, c.median, c.p99, c.max,
                            *(c.phases or ("",) * 3)])


NATIVE_RGB = 0x999999
MODE_RGB = 0x4477AA
GNUPLOT = """set terminal pngcairo size 800,480 font "sans,10"
set output "{png}"
set title "{title}" noenhanced
set ylabel "{ylabel}"
{scale}
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set xtics rotate by -20 noenhanced
unset key
set datafile separator "\\t"
plot "{data}" using 0:3:6:xtic(1) with boxes lc rgb variable, \\
     "" using 0:3:4:5 with yerrorbars lc rgb "black" pt 7 ps 0.5, \\
     "" using 0:5:2 with labels offset 0,0.8 noenhanced
"""


def bar_plot(gnuplot, png, title, ylabel, rows, *, log):
    """png: one bar per row (label, value as text, bar, whisker low, whisker high, native), native bars grey, the
    text above the whisker; a log scale starts at 1, so every value is raised to at least 1 there."""
    floor = 1 if log else 0
    data = png.with_suffix(".dat")
    data.write_text("".join(f"{lbl}\t{txt}\t{max(bar, floor)}\t{max(low, floor)}\t{max(high, floor)}\t"
                            f"{NATIVE_RGB if native else MODE_RGB}\n" for lbl, txt, bar, low, high, native in rows))
    scale = "set logscale y\nset yrange [1:*]" if log else "set yrange [0:*]"
    script = GNUPLOT.format(png=png, title=title, ylabel=ylabel, scale=scale, data=data)
    subprocess.run([gnuplot], input=script, text=True, check=True, capture_output=True)
    data.unlink()


def write_plots(runs, out):
    """One PNG per operation: the configurations side by side; returns the files written (none without gnuplot)."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return []
    written = []
    for op in ops_present(runs):
        rows = [(f"{r.name} ({r.emulator})", str(r.figures[op].median), r.figures[op].median, r.figures[op].p90,
                 r.figures[op].p99, r.native) for r in runs if r.ok and op in r.figures]
        png = out / f"{op}.png"
        bar_plot(gnuplot, png, f"{OP_TITLES[op]}: median cycles (bar), p90 to p99 (whisker), log scale", "TSC cycles",
                 rows, log=True)
        written.append(png)
    return written


def write_report(runs, out, *, title_note=""):
    """report.md, bench.csv, root.csv and <op>.png into out; returns the report's text."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    write_csv(runs, out)
    plots = {p.stem for p in write_plots(runs, out)}
    md = ["# Interrupt-delivery benchmark", ""]
    if title_note:
        md += [title_note, ""]
    md += ["Cycles are TSC cycles of the machine the run was on; under an emulator they are only comparable as "
           "ratios to native on the same emulator (docs/benchmarks.md). `(Nx)`: the median's ratio to native.", ""]
    md += ["## Runs", "", "| configuration | emulator | mode | APIC | TSCs agree | checks | result |",
           "| --- | --- | --- | --- | --- | ---: | --- |"]
    for r in runs:
        md.append(f"| {r.name} | {r.emulator} | {r.mode} | {r.apic} | {r.tsc_agree} | {r.tests} | "
                  f"{'ok' if r.ok else 'FAILED: ' + r.error} |")
    md += ["", "## Median cycles", "", main_table(runs), "", "## Targets", ""]
    for t in targets(runs):
        verdict = {True: "met", False: "**missed**", None: "not measured"}[t.met]
        md.append(f"- {verdict}: {t.text}: {t.found}")
    for op in ops_present(runs):
        md += ["", f"## {OP_TITLES[op]} (`{op}`)", "", op_table(runs, op)]
        if op in plots:
            md += ["", f"![{op}]({op}.png)"]
    md += ["", "## Root-mode cycles per exit reason", "",
           "From the VM exit to the next VM entry (or to the start of a wait), per CPU, over the whole run "
           "(HC_ROOT_CYCLES), and that time in its three phases (HC_ROOT_PHASES): from the exit to the handler, "
           "the handler (or the fast path), and the preparation of the next entry, each a mean (their sum is "
           "the mean of the whole, not its median)."]
    for r in runs:
        if r.ok and r.root:
            md += ["", f"### {r.name} ({r.emulator})", "", root_table(r)]
    text = "\n".join(md) + "\n"
    (out / "report.md").write_text(text)
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("build/bench"), help="where the report goes")
    ap.add_argument("--emulator", default="hardware", help="what the logs ran on (one name for all)")
    ap.add_argument("logs", nargs="+", metavar="NAME=LOG")
    args = ap.parse_args(argv)
    runs = []
    for item in args.logs:
        name, sep, path = item.partition("=")
        if not sep:
            ap.error(f"{item}: expected NAME=LOG")
        runs.append(parse(name, args.emulator, Path(path).read_text(errors="replace")))
    write_report(runs, args.out)
    print(main_table(runs))
    print(f"\nreport: {args.out / 'report.md'}")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
