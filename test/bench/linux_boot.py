"""linux_boot.py: how long Debian's Linux takes to boot to its init, bare and in each APICv mode, in one run.

    linux_boot.py [--cpus N] [--out DIR]

Boots the bzImage of `make linux` with its initramfs and `init.checks=0` (the init prints its start line and
ends at once): bare through GRUB, and as a guest of apicvisor in each mode, posted and its bare baseline under
Bochs 3.0, the rest under Bochs 2.7, two emulators at a time. Writes DIR/linux-boot.md: Linux's uptime when
its init starts (its own clock), the ratio to bare on the same emulator, and the exits of the run per reason
(boot and power-off; the exit report apicvisor prints as the guest ends). `make linux-boot` runs it.

The bare runs pass `tsc_early_khz=`: Bochs's CPUID claims a 3.5 GHz TSC while its TSC counts instructions at
the configured rate (ips), so a bare Linux would otherwise run its clock 70 times slow.
"""
import argparse
import concurrent.futures
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "emu"))

from conftest import exit_reports  # noqa: E402
from emulators import BUILD, NO_REP_STRINGS, make_linux_guest_iso, make_native_linux_iso, run_bochs  # noqa: E402

KCMD = f"console=ttyS0 quiet retbleed=off init.checks=0 {NO_REP_STRINGS}"
INIT_RE = re.compile(r"^(?:\[\S+\] )?init: started at ([\d.]+) s uptime", re.M)
# (name, emulator, apicv= or None for bare)
CONFIGS = [("bare-3.0", True, None), ("posted", True, "posted"), ("bare-2.7", False, None),
           ("vid", False, "vid"), ("tpr", False, "tpr"), ("emulated", False, "emulated")]


def run_one(out, cpus, name, bochs3, apicv):
    tmp = out / "runs" / name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmdline = f"{KCMD} init.cpus={cpus}"
    iso = (make_native_linux_iso(tmp, cmdline) if apicv is None else
           make_linux_guest_iso(tmp, apicv=apicv, cpus=cpus, cmdline=cmdline, image="vmlinuz"))
    res = run_bochs(tmp, iso=iso, cpus=cpus, mem=1024, timeout=900, bochs3=bochs3)
    m = INIT_RE.search(res.log)
    reports = exit_reports(res, "lx") if apicv else []
    ok = m is not None and (apicv is None or f"HV READY cpus={cpus} vmx=on apicv={apicv} " in res.log)
    return {"name": name, "emulator": "Bochs 3.0" if bochs3 else "Bochs 2.7", "ok": ok,
            "uptime": float(m.group(1)) if m else None, "rows": reports[0]["rows"] if reports else {},
            "why": "" if ok else res.explain()}


def report(results, cpus):
    bare = {r["emulator"]: r["uptime"] for r in results if r["name"].startswith("bare") and r["ok"]}
    lines = [f"# Linux boot to its init, {cpus} CPU(s), bzImage, `{KCMD}`", "",
             "| run | emulator | uptime at init | x bare | exits | top reasons |",
             "| --- | --- | ---: | ---: | ---: | --- |"]
    for r in results:
        if not r["ok"]:
            lines.append(f"| {r['name']} | {r['emulator']} | failed | | | |")
            continue
        ratio = r["uptime"] / bare[r["emulator"]] if bare.get(r["emulator"]) else None
        rows = {k: v for k, v in r["rows"].items() if k not in ("all exits", "interrupts injected")}
        top = sorted(rows.items(), key=lambda kv: -kv[1][-1])[:4]
        lines.append(f"| {r['name']} | {r['emulator']} | {r['uptime']:.2f} s | "
                     f"{f'{ratio:.2f}x' if ratio else '-'} | "
                     f"{r['rows']['all exits'][-1] if r['rows'] else '-'} | "
                     f"{', '.join(f'{k} {v[-1]}' for k, v in top) or '-'} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--out", type=Path, default=BUILD / "bench")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: run_one(args.out, args.cpus, *c), CONFIGS))
    text = report(results, args.cpus)
    (args.out / "linux-boot.md").write_text(text)
    print(text)
    for r in results:
        if not r["ok"]:
            print(f"{r['name']}: {r['why']}", file=sys.stderr)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
