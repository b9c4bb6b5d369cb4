"""linux_bench.py: Linux workloads natively and under apicvisor in each APICv mode, and their report.

    linux_bench.py [--iters N] [--idle S] [--only NAME,...] [--jobs J] [--out DIR]

Boots Debian's Linux (`make linux`) on 2 CPUs with `init.bench=N init.idle=S`: its init runs lxbench
(guest/linux/lxbench): ipi_pingpong, tlb_shootdown and timer_sleep with N samples each, idle for S seconds.
Natively through GRUB (the bzImage) on Bochs 3.0 and 2.7, and as a guest of apicvisor (the PVH vmlinux taken
from that bzImage, with user_stats=yes so that lxbench reads every vCPU's exits) in posted under Bochs 3.0 and in
vid, tpr and emulated under Bochs 2.7; two emulators at a time. Writes DIR/linux.md, linux.csv, linux_<workload>.png
and the "Linux workloads" section of DIR/report.md (test/bench/linux_report.py). `make bench-linux` runs it,
and `make bench` after the micro-benchmark.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "emu"))
sys.path.insert(0, str(HERE))

import linux_report  # noqa: E402
from emulators import (BOCHS_IPS, BUILD, NO_REP_STRINGS, ROOT, EmulatorError,  # noqa: E402
                       make_linux_guest_iso, make_native_linux_iso, run_bochs)

BOCHS27 = "Bochs 2.7"
BOCHS30 = "Bochs 3.0"
KCMD = f"console=ttyS0 quiet retbleed=off init.cpus=2 {NO_REP_STRINGS}"
# A guest kernel that panics stays up with nothing more to say: the run ends there instead of at its timeout.
PANIC_RE = r"Kernel panic - not syncing"
CPUS = 2
# (name, emulator, mode): baselines first on each emulator, the order of the report's columns.
CONFIGS = (("native-3.0", BOCHS30, "native"), ("posted", BOCHS30, "posted"), ("native-2.7", BOCHS27, "native"),
           ("vid", BOCHS27, "vid"), ("tpr", BOCHS27, "tpr"), ("emulated", BOCHS27, "emulated"))

def bench_cmdline(iters, idle):
    return f"{KCMD} init.bench={iters} init.idle={idle}"


def guest_iso(tmp, cmdline, mode, *, user_stats=True):
    """apicvisor in one mode with the Linux guest on both CPUs; user_stats=yes lets lxbench read the exits."""
    return make_linux_guest_iso(tmp, apicv=mode, cpus=CPUS, cmdline=cmdline, keys="user_stats=yes" if user_stats else "")


class Progress:
    """One line per event from runs going on at once: which configuration, which workload, how long."""

    def __init__(self):
        self.lock = threading.Lock()

    def say(self, name, emulator, text):
        with self.lock:
            print(f"  {name:<11} {emulator:<10} {text}", flush=True)

    def watcher(self, name, emulator, start):
        seen = set()

        def look(log):
            events = [("init", "Linux up, workloads starting")] if "LXBENCH start" in log else []
            events += [(m.group(1), f"{m.group(1):<14} median {m.group(3):>8} p99 {m.group(4):>8} cycles")
                       for m in linux_report.FIGURE_RE.finditer(log)]
            events += [("idle", f"idle           {m.group(2)} timer ticks/s")
                       for m in linux_report.IDLE_RE.finditer(log)]
            for key, text in events:
                if key not in seen:
                    seen.add(key)
                    self.say(name, emulator, f"{text}   ({time.monotonic() - start:.0f} s)")
        return look


def boot(tmp, cfg, *, iters, idle, timeout, user_stats=True, progress=None):
    """Boot one configuration; returns (its serial log, the RunResult)."""
    name, emulator, mode = cfg
    cmdline = bench_cmdline(iters, idle)
    iso = make_native_linux_iso(tmp, cmdline) if mode == "native" else guest_iso(tmp, cmdline, mode, user_stats=user_stats)
    return run_bochs(tmp, iso=iso, cpus=CPUS, mem=1024, timeout=timeout, bochs3=emulator == BOCHS30,
                     until=PANIC_RE, progress=progress)


def run_one(cfg, *, iters, idle, work, progress, timeout):
    name, emulator, mode = cfg
    tmp = work / name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    start = time.monotonic()
    progress.say(name, emulator, f"booting ({mode}, {iters} samples per workload, idle {idle} s)")
    watch = progress.watcher(name, emulator, start)
    try:
        res = boot(tmp, cfg, iters=iters, idle=idle, timeout=timeout, progress=watch)
        watch(res.log)
    except EmulatorError as e:
        progress.say(name, emulator, f"not run: {e}")
        return linux_report.Run(name, emulator, mode, error=f"not run: {e}")
    (work / f"{name}.log").write_text(res.log)
    run = linux_report.parse(name, emulator, mode, res.log)
    run.seconds = res.seconds
    panic = re.search(rf"^.*{PANIC_RE}.*$", res.log, re.M)
    if panic:
        run.error = f"Linux panicked ({panic.group(0).strip()})" + (f"; {run.error}" if run.error else "")
    elif res.timed_out:
        run.error = f"timed out after {timeout} s" + (f" ({run.error})" if run.error else "")
    elif mode != "native" and f"apicv={mode} " not in res.log:
        run.error = f"apicvisor did not run in mode {mode}"
    elif mode != "native" and run.ok and run.stats != "on":
        run.error = f"no exit statistics (stats={run.stats})"
    progress.say(name, emulator, f"{'done' if run.ok else 'FAILED: ' + run.error} in {res.seconds:.0f} s")
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iters", type=int, default=1000, help="samples per workload (1 to 100000)")
    ap.add_argument("--idle", type=int, default=5, help="seconds of the idle workload (1 to 3600)")
    ap.add_argument("--only", help="comma-separated configuration names")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="runs at once")
    ap.add_argument("--out", type=Path, default=BUILD / "bench")
    args = ap.parse_args(argv)
    if not 1 <= args.iters <= 100000 or not 1 <= args.idle <= 3600:
        ap.error("--iters: 1 to 100000; --idle: 1 to 3600")
    for f in ("hv.elf", "linux/vmlinuz", "linux/vmlinux", "linux/initramfs.cpio.gz"):
        if not (BUILD / f).exists():
            sys.exit(f"bench-linux: {BUILD / f} is missing: run `make all linux` first (make bench-linux does)")
    configs = [c for c in CONFIGS if not args.only or c[0] in args.only.split(",")]
    if not configs:
        sys.exit(f"bench-linux: --only {args.only}: no such configuration "
                 f"(there are {', '.join(c[0] for c in CONFIGS)})")
    work = args.out / "linux-runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # A native boot through GRUB takes about 3 minutes of Bochs; the workloads, seconds of virtual time each.
    timeout = 900 + args.iters + 4 * args.idle
    print(f"bench-linux: {len(configs)} configurations, {args.iters} samples per workload, idle {args.idle} s, "
          f"{args.jobs} at a time; serial logs in {work}", flush=True)
    progress = Progress()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(lambda c: run_one(c, iters=args.iters, idle=args.idle, work=work, progress=progress,
                                               timeout=timeout), configs))
    rev = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                         text=True).stdout.strip() or "unknown"
    note = (f"`make bench-linux` at {rev}: {args.iters} samples per workload, idle {args.idle} s, Linux on "
            f"{CPUS} CPUs, Bochs CPU model corei7_skylake_x at {BOCHS_IPS // 1_000_000} M instructions per second.")
    linux_report.write_report(runs, args.out, note=note)
    print()
    print(linux_report.main_table(runs))
    print(f"\nbench-linux: {args.out / 'linux.md'} (also in report.md; CSV: linux.csv; plots: linux_*.png)")
    failed = [r for r in runs if not r.ok]
    for r in failed:
        print(f"bench-linux: {r.name} ({r.emulator}) failed: {r.error}; its serial log: {work / (r.name + '.log')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
