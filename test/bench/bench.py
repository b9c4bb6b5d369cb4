"""bench.py: the interrupt-delivery benchmark in every configuration this machine can run, and its report.

    bench.py run [--iters N] [--apic x2apic|xapic] [--jobs J] [--only NAME,...] [--out DIR]
        boots guest/tests/bench.c natively and under apicvisor in each APICv mode (posted and its native
        baseline under Bochs 3.0, the rest under Bochs 2.7), then writes DIR/report.md, bench.csv, root.csv
        and one PNG per operation (report.py) and prints the main table. `make bench` runs this.
    bench.py iso OUT [--iters N] [--apic ...]
        the same runs as one GRUB menu on a hybrid BIOS/UEFI ISO, for a USB stick on a real machine
        (`make bench-iso`; docs/benchmarks.md).

Every run is one boot from a copy of that menu whose default entry is the configuration's: what the
emulators run is what a real machine runs.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "emu"))
sys.path.insert(0, str(HERE))

import report  # noqa: E402
from emulators import BUILD, ROOT, EmulatorError, run_bochs  # noqa: E402

BOCHS27 = "Bochs 2.7"
BOCHS30 = "Bochs 3.0"


@dataclass(frozen=True)
class Config:
    name: str      # the report's column
    emulator: str  # BOCHS27 or BOCHS30
    mode: str      # the hypervisor's apicv= (native: no hypervisor)


# Baselines first on each emulator; the order of the report's columns.
CONFIGS = (
    Config("native-3.0", BOCHS30, "native"),
    Config("posted", BOCHS30, "posted"),
    Config("native-2.7", BOCHS27, "native"),
    Config("vid", BOCHS27, "vid"),
    Config("tpr", BOCHS27, "tpr"),
    Config("emulated", BOCHS27, "emulated"),
)
# The menu's entries: one per mode, then native.
MENU = ("posted", "vid", "tpr", "emulated", "native")

MENU_HEAD = """# grub.cfg of the benchmark medium (test/bench/bench.py): one entry per configuration.
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout={timeout}
set default={default}
"""
MENU_HV = """
menuentry "bench under apicvisor, apicv={mode}" {{
	multiboot2 /boot/apicvisor/hv.elf apicv={mode}{extra}
	module2 /boot/apicvisor/bench.conf hv.conf
	module2 /boot/apicvisor/bench.elf bench.elf
	boot
}}
"""
MENU_NATIVE = """
menuentry "bench native (no hypervisor; legacy BIOS boot finds the second CPU)" {{
	multiboot /boot/apicvisor/bench.elf {guest_cmdline}
	boot
}}
"""
BENCH_CONF = """# bench.conf: the benchmark guest on CPUs 0 and 1 (written by test/bench/bench.py).
hypervisor cmdline="loglevel=info"
guest name=bench cpus=0-1 memory=16M image=bench.elf cmdline="{guest_cmdline}"
"""


def guest_cmdline(iters, apic):
    return f"mode={apic} cpus=2 iters={iters}"


def write_iso(out, *, iters, apic, default=0, timeout=30, extra=""):
    """The benchmark medium: GRUB, the hypervisor, bench.elf and its hv.conf, the menu of MENU."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        (tree / "boot/grub").mkdir(parents=True)
        files = tree / "boot/apicvisor"
        files.mkdir(parents=True)
        shutil.copy(BUILD / "hv.elf", files / "hv.elf")
        shutil.copy(BUILD / "guest/bench.elf", files / "bench.elf")
        cmdline = guest_cmdline(iters, apic)
        (files / "bench.conf").write_text(BENCH_CONF.format(guest_cmdline=cmdline))
        cfg = MENU_HEAD.format(timeout=timeout, default=default)
        for mode in MENU:
            cfg += (MENU_NATIVE.format(guest_cmdline=cmdline) if mode == "native"
                    else MENU_HV.format(mode=mode, extra=extra))
        (tree / "boot/grub/grub.cfg").write_text(cfg)
        proc = subprocess.run(["grub-mkrescue", "-o", str(out), str(tree)], capture_output=True, text=True)
        if proc.returncode:
            raise RuntimeError(f"grub-mkrescue failed: {proc.stderr.strip()}")
    return out


class Progress:
    """One line per event, from several runs at once: which configuration, how far, how long."""

    def __init__(self, total_ops):
        self.lock = threading.Lock()
        self.total_ops = total_ops

    def say(self, cfg, text):
        with self.lock:
            print(f"  {cfg.name:<11} {cfg.emulator:<10} {text}", flush=True)

    def watcher(self, cfg, start):
        seen = set()

        def progress(log):
            for m in report.FIGURE_RE.finditer(log):
                op, median = m.group(1), m.group(5)
                if op not in seen:
                    seen.add(op)
                    self.say(cfg, f"{op:<15} median {median:>6} cycles   ({len(seen)}/{self.total_ops} figures, "
                                  f"{time.monotonic() - start:.0f} s)")
        return progress


def run_one(cfg, *, iters, apic, work, progress, timeout):
    """Boot one configuration; returns its report.Run (error set when the run failed) and saves its serial log."""
    tmp = work / cfg.name
    tmp.mkdir(parents=True, exist_ok=True)
    iso = write_iso(tmp / "bench.iso", iters=iters, apic=apic, default=MENU.index(cfg.mode), timeout=0,
                    extra=" onpanic=poweroff")
    start = time.monotonic()
    progress.say(cfg, f"booting ({cfg.mode}, {iters} iterations)")
    watch = progress.watcher(cfg, start)
    try:
        res = run_bochs(tmp, iso=iso, cpus=2, mem=512, timeout=timeout, bochs3=cfg.emulator == BOCHS30,
                        progress=watch)
        watch(res.log)  # the figures that came after the last look, just before the emulator ended
    except EmulatorError as e:
        progress.say(cfg, f"not run: {e}")
        return report.Run(cfg.name, cfg.emulator, mode=cfg.mode, error=f"not run: {e}")
    (work / f"{cfg.name}.log").write_text(res.log)
    run = report.parse(cfg.name, cfg.emulator, res.log)
    if res.timed_out:
        run.error = f"timed out after {timeout} s" + (f" ({run.error})" if run.error else "")
    elif run.ok and run.mode != cfg.mode:
        run.error = f"ran in mode {run.mode}, not {cfg.mode} (the CPU model lacks a feature?)"
    progress.say(cfg, f"{'done' if run.ok else 'FAILED: ' + run.error} in {res.seconds:.0f} s")
    return run


def cmd_run(args):
    for f in ("hv.elf", "guest/bench.elf"):
        if not (BUILD / f).exists():
            sys.exit(f"bench: {BUILD / f} is missing: run `make` first (make bench does)")
    configs = [c for c in CONFIGS if not args.only or c.name in args.only.split(",")]
    if not configs:
        sys.exit(f"bench: --only {args.only}: no such configuration (there are {', '.join(c.name for c in CONFIGS)})")
    out = args.out
    work = out / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    progress = Progress(len(report.OPS) - 1)  # one of the two timer figures runs
    timeout = 120 + args.iters
    print(f"bench: {len(configs)} configurations, {args.iters} iterations each, {args.apic}, "
          f"{args.jobs} at a time; serial logs in {work}", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, c, iters=args.iters, apic=args.apic, work=work, progress=progress,
                               timeout=timeout) for c in configs]
        runs = [f.result() for f in futures]
    rev = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip() or "unknown"
    note = (f"`make bench` at {rev}: {args.iters} iterations per figure, APIC mode {args.apic}, guest on 2 CPUs, "
            f"Bochs CPU model corei7_skylake_x.")
    report.write_report(runs, out, title_note=note)
    print()
    print(report.main_table(runs))
    print()
    for t in report.targets(runs):
        print(f"  {({True: 'met', False: 'MISSED', None: 'not measured'})[t.met]:<12} {t.text}: {t.found}")
    print(f"\nbench: report in {out / 'report.md'} (CSV: bench.csv, root.csv; plots: *.png)")
    failed = [r for r in runs if not r.ok]
    for r in failed:
        print(f"bench: {r.name} ({r.emulator}) failed: {r.error}; its serial log: {work / (r.name + '.log')}")
    return 1 if failed else 0


def cmd_iso(args):
    write_iso(args.out, iters=args.iters, apic=args.apic)
    print(f"bench: {args.out}: write it to a USB stick (docs/benchmarks.md) and pick an entry from the menu")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="boot every configuration and write the report")
    run.add_argument("--out", type=Path, default=BUILD / "bench")
    run.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="runs at once")
    run.add_argument("--only", help="comma-separated configuration names")
    iso = sub.add_parser("iso", help="the benchmark medium for a real machine")
    iso.add_argument("out", type=Path)
    for p in (run, iso):
        p.add_argument("--iters", type=int, default=200, help="samples per figure (at most 4096)")
        p.add_argument("--apic", choices=("x2apic", "xapic"), default="x2apic")
    args = ap.parse_args(argv)
    if not 1 <= args.iters <= 4096:
        ap.error("--iters: 1 to 4096")
    return cmd_run(args) if args.cmd == "run" else cmd_iso(args)


if __name__ == "__main__":
    sys.exit(main())
