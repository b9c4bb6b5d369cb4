"""linux_bench.py: Linux workloads natively and under apicvisor in each APICv mode, and their report.

    linux_bench.py [--iters N] [--idle S] [--only NAME,...] [--jobs J] [--out DIR] [--if-check]

Boots Debian's Linux (`make linux`) on 2 CPUs with `init.bench=N init.idle=S`: its init runs lxbench
(guest/linux/lxbench): ipi_pingpong, tlb_shootdown and timer_sleep with N samples each, idle for S seconds.
Natively through GRUB (the bzImage) on Bochs 3.0 and 2.7, and as a guest of apicvisor (the PVH vmlinux taken
from that bzImage, with user_stats=yes so that lxbench reads every vCPU's exits) in posted under Bochs 3.0 and in
vid, tpr and emulated under Bochs 2.7; two emulators at a time. Writes DIR/linux.md, linux.csv, linux_<workload>.png
and the "Linux workloads" section of DIR/report.md (test/bench/linux_report.py). `make bench-linux` runs it,
and `make bench` after the micro-benchmark.

A run whose Linux hangs (its kernel reports a stalled CPU, or prints nothing for SILENT_S seconds after its
init started) ends there. Under Bochs a vid or posted guest can hang through no fault of the hypervisor's: Bochs
delivers a virtual interrupt through RFLAGS.IF = 0 when a host interrupt reaches the CPU (docs/benchmarks.md,
"A hang under Bochs, explained"), so such a run is made once more, and the progress lines and linux.md say so.
--if-check puts debug.if_check on the hypervisor's command line and retries only a run in which the hypervisor
caught the CPU doing that (it sees it in vid); native, tpr and emulated runs never retry.
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
# Linux's own word that a CPU stopped answering: its soft-lockup watchdog, RCU's stall warning.
STALL_RE = re.compile(r"watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s|rcu: INFO: rcu_\w+ (?:self-)?detected stall")
SILENT_S = 300  # a workload prints its figure within seconds; a boot to init is not watched
# What debug.if_check says when it catches the CPU delivering through IF = 0 (vmm/exit/if_check.c).
CAUGHT_RE = re.compile(r"debug: guest lx, vCPU (\d+): the CPU delivered vector (0x[0-9a-f]+) through RFLAGS\.IF = 0")
RETRY_MODES = ("vid", "posted")  # where the CPU delivers, and the Bochs fault can hang Linux
CPUS = 2
# (name, emulator, mode): baselines first on each emulator, the order of the report's columns.
CONFIGS = (("native-3.0", BOCHS30, "native"), ("posted", BOCHS30, "posted"), ("native-2.7", BOCHS27, "native"),
           ("vid", BOCHS27, "vid"), ("tpr", BOCHS27, "tpr"), ("emulated", BOCHS27, "emulated"))

def bench_cmdline(iters, idle):
    return f"{KCMD} init.bench={iters} init.idle={idle}"


def guest_iso(tmp, cmdline, mode, *, user_stats=True, if_check=False):
    """apicvisor in one mode with the Linux guest on both CPUs; user_stats=yes lets lxbench read the exits."""
    return make_linux_guest_iso(tmp, apicv=mode, cpus=CPUS, cmdline=cmdline, keys="user_stats=yes" if user_stats else "",
                                hv_extra="debug.if_check" if if_check else "")


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


def hang_watch(look):
    """look, then whether Linux hung: the reason to end the run, or None."""
    seen = {"len": 0, "at": time.monotonic()}

    def watch(log):
        look(log)
        now = time.monotonic()
        if len(log) != seen["len"]:
            seen["len"], seen["at"] = len(log), now
        stall = STALL_RE.search(log)
        if stall:
            return f"Linux hung: {stall.group(0)}"
        if "init: started" in log and now - seen["at"] > SILENT_S:
            return f"Linux hung: no console output for {SILENT_S} s"
        return None
    return watch


def boot(tmp, cfg, *, iters, idle, timeout, user_stats=True, progress=None, if_check=False):
    """Boot one configuration; returns the RunResult."""
    name, emulator, mode = cfg
    cmdline = bench_cmdline(iters, idle)
    iso = (make_native_linux_iso(tmp, cmdline) if mode == "native" else
           guest_iso(tmp, cmdline, mode, user_stats=user_stats, if_check=if_check))
    return run_bochs(tmp, iso=iso, cpus=CPUS, mem=1024, timeout=timeout, bochs3=emulator == BOCHS30,
                     until=PANIC_RE, progress=progress)


def retry_reason(mode, res, if_check):
    """Why a hung run of this mode is made once more, or None: see the module's doc."""
    if mode not in RETRY_MODES or not (res.stopped or res.timed_out):
        return None
    caught = CAUGHT_RE.findall(res.log)
    if caught:
        return (f"the CPU delivered vector {caught[0][1]} through RFLAGS.IF = 0 on vCPU {caught[0][0]}"
                f"{f' and {len(caught) - 1} more' if len(caught) > 1 else ''} (debug.if_check)")
    if if_check:
        return None
    return "under Bochs most likely its delivery through RFLAGS.IF = 0"


def run_one(cfg, *, iters, idle, work, progress, timeout, if_check=False):
    name, emulator, mode = cfg
    tmp = work / name
    retried = ""
    for attempt in (1, 2):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        progress.say(name, emulator, f"booting ({mode}, {iters} samples per workload, idle {idle} s)")
        look = progress.watcher(name, emulator, time.monotonic())
        try:
            res = boot(tmp, cfg, iters=iters, idle=idle, timeout=timeout, progress=hang_watch(look),
                       if_check=if_check and mode != "native")
            look(res.log)
        except EmulatorError as e:
            progress.say(name, emulator, f"not run: {e}")
            return linux_report.Run(name, emulator, mode, error=f"not run: {e}")
        why = retry_reason(mode, res, if_check)
        if attempt == 1 and why:
            hung = work / f"{name}.hung.log"
            hung.write_text(res.log)
            retried = f"{res.stopped or f'timed out after {timeout} s'}; {why}; its log: {hung.name}"
            progress.say(name, emulator, f"HUNG in {res.seconds:.0f} s ({retried}): once more")
            continue
        break
    (work / f"{name}.log").write_text(res.log)
    run = linux_report.parse(name, emulator, mode, res.log)
    run.seconds = res.seconds
    run.retried = retried
    panic = re.search(rf"^.*{PANIC_RE}.*$", res.log, re.M)
    if panic:
        run.error = f"Linux panicked ({panic.group(0).strip()})" + (f"; {run.error}" if run.error else "")
    elif res.stopped:
        run.error = res.stopped + (f" ({run.error})" if run.error else "")
    elif res.timed_out:
        run.error = f"timed out after {timeout} s" + (f" ({run.error})" if run.error else "")
    elif mode != "native" and f"apicv={mode} " not in res.log:
        run.error = f"apicvisor did not run in mode {mode}"
    elif mode != "native" and run.ok and run.stats != "on":
        run.error = f"no exit statistics (stats={run.stats})"
    if retried and run.error:
        run.error += f" (the second run; the first hung: {retried})"
    progress.say(name, emulator, f"{'done' if run.ok else 'FAILED: ' + run.error} in {run.seconds:.0f} s"
                 f"{' (the second run)' if retried and run.ok else ''}")
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iters", type=int, default=1000, help="samples per workload (1 to 100000)")
    ap.add_argument("--idle", type=int, default=5, help="seconds of the idle workload (1 to 3600)")
    ap.add_argument("--only", help="comma-separated configuration names")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="runs at once")
    ap.add_argument("--out", type=Path, default=BUILD / "bench")
    ap.add_argument("--if-check", action="store_true",
                    help="debug.if_check in every hypervisor run; retry a hang only where it caught the CPU")
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
                                               timeout=timeout, if_check=args.if_check), configs))
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
