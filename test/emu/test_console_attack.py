"""test_console_attack.py: a guest that attacks the operator (issue 18): its terminal escapes and a forged hypervisor
line reach the console as visible text under its own tag, its flood of a per-event warning is rate-limited with a
count of the rest, and its neighbour on the other core is not disturbed. With console=raw its bytes pass as written.

The serial log is read as bytes from the file Bochs wrote (RunResult.log has gone through emulators.clean(), which
drops CR and ANSI sequences: exactly what this test looks for).
"""
import re

import pytest

from conftest import BUILD, assert_booted, exit_reports, make_iso, run_bochs

MOVES = 2000
BURST = 10
APIC_WARNING = re.compile(r"^\[cpu0\] WARNING: irq: guest hostile moved its APIC base to 0xa0[01]000, inside its "
                          r"memory: not trapped there$")
SUPPRESSED = re.compile(r"^\[cpu0\] WARNING: guest hostile: (\d+) more suppressed: irq: APIC base moved inside its "
                        r"memory \(at most 10 at once, then one per 5 s\)$")
SUMMARY = re.compile(r"^\[(hostile|benign)\] SUMMARY: (\d+) tests, (\d+) failures$")

# What each attack line of guest/tests/console_attack.c must look like, whole, in escaped mode.
SHOWN = [
    r"[hostile] reset:^[c",
    r"[hostile] title:^[]0;pwned^G",
    r"[hostile] forged:^[[2K^M[cpu1] guest benign: exited with status 1",
    r"[hostile] ff-del:^L^?",
    r"[hostile] c1:\x9b31mred",
    r"[hostile] utf8:caf\xc3\xa9",
]


def boot(tmp_path, *, apicv=None, console="escaped", moves=MOVES, neighbour=True):
    """hostile on CPU 0, and (neighbour) the platform guest as benign on CPU 1; the serial bytes from the banner."""
    config = f'guest name=hostile cpus=0 memory=16M image=console_attack.elf console={console} cmdline="moves={moves}"\n'
    if neighbour:
        config += "guest name=benign cpus=1 memory=16M image=platform.elf\n"
    cmdline = "onpanic=poweroff" + (f" apicv={apicv}" if apicv else "")
    modules = {m: (BUILD / "guest" / m).read_bytes() for m in ("console_attack.elf", "platform.elf")}
    res = run_bochs(tmp_path, iso=make_iso(tmp_path, cmdline=cmdline, config=config, modules=modules),
                    cpus=2 if neighbour else 1, mem=512, timeout=300)
    raw = (tmp_path / "serial.log").read_bytes()
    start = raw.find(b"a micro-hypervisor")  # before it: GRUB's menu, with its own escape sequences
    assert start >= 0, res.explain()
    return res, raw[start:]


def lines_of(hv_bytes):
    """The hypervisor's part of the log as lines (CR LF or LF ends one); the bytes must be ASCII."""
    return hv_bytes.decode("ascii").replace("\r\n", "\n").split("\n")


def summaries(lines):
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in map(SUMMARY.match, lines) if m}


@pytest.mark.parametrize("apicv", [None, "emulated"])
def test_hostile_guest_is_shown_not_obeyed_and_its_flood_is_limited(built, tmp_path, apicv):
    res, hv = boot(tmp_path, apicv=apicv)
    ready = assert_booted(res, cpus=2)
    assert ready["apicv"] == (apicv or "vid") and ready["guests"] == 2, res.explain()

    # Not one byte a terminal acts on, from the banner to the power-off: printable ASCII, tab, CR, LF.
    bad = sorted({b for b in hv if not (0x20 <= b < 0x7f or b in b"\t\r\n")})
    assert not bad, f"bytes {[hex(b) for b in bad]} reached the console\n" + res.explain()
    assert b"\r[cpu1]" not in hv and b"\x1bc" not in hv and b"\x07" not in hv, res.explain()
    lines = lines_of(hv)
    for want in SHOWN:
        assert lines.count(want) == 1, f"{want!r} is not a line of its own\n" + res.explain()

    # The forged end of the neighbour appears only inside the hostile guest's line; the real one says 0.
    forged = [line for line in lines if "guest benign: exited with status 1" in line]
    assert forged == [SHOWN[2]], forged
    assert "[cpu1] guest benign: exited with status 0" in lines, res.explain()
    assert summaries(lines).get("benign", (0, 1))[1] == 0, res.explain()
    assert summaries(lines).get("hostile") == (2, 0), res.explain()
    assert "[cpu0] guest hostile: exited with status 0" in lines, res.explain()

    # The flood: a burst, a line per 5 s of TSC time at most after it, and every move accounted for.
    warned = [i for i, line in enumerate(lines) if APIC_WARNING.match(line)]
    held = [(i, int(m.group(1))) for i, m in enumerate(map(SUPPRESSED.match, lines)) if m]
    report = exit_reports(res, "hostile")
    seconds = report[0]["seconds"] if report else 0
    assert BURST <= len(warned) <= BURST + 1 + int(seconds / 5), f"{len(warned)} warnings in {seconds} s"
    assert held and held[-1][1] > 0, res.explain()
    assert len(warned) + sum(n for _, n in held) == MOVES, f"{len(warned)} said + {held} held back != {MOVES}"
    # The last count comes as the guest stops: after its end, before its exit report.
    stopped = lines.index("[cpu0] guest hostile: exited with status 0")
    report_at = next(i for i, line in enumerate(lines) if "guest hostile: VM exits of this run" in line)
    assert stopped < held[-1][0] < report_at, res.explain()
    assert report and report[0]["rows"]["MSR_WRITE"][-1] >= MOVES + 1, res.explain()


def test_raw_console_passes_the_bytes_as_written(built, tmp_path):
    """console=raw: the guest's bytes at once, unprefixed, with no "\\n" turned into "\\r\\n". Alone on one
    CPU: another core's lines would land between its bytes (docs/serial-console.md says so)."""
    res, hv = boot(tmp_path, console="raw", moves=20, neighbour=False)
    assert_booted(res, cpus=1)
    attacks = (b"# hostile: terminal attacks follow\nreset:\x1bc\ntitle:\x1b]0;pwned\x07\n"
               b"forged:\x1b[2K\r[cpu1] guest benign: exited with status 1\nff-del:\x0c\x7f\nc1:\x9b31mred\n"
               b"utf8:caf\xc3\xa9\n# hostile: end of the attacks\n")
    assert attacks in hv, res.explain()
    assert b"[hostile]" not in hv, res.explain()
    assert b"\nSUMMARY: 2 tests, 0 failures\n" in hv, res.explain()
    assert b"\n[cpu0] guest hostile: exited with status 0\r\n" in hv, res.explain()


SPEW = 300  # lines of about 110 bytes: some 3 s of a 115200-baud line


def test_a_guest_flooding_its_own_console_gets_its_turn_not_the_console(built, tmp_path):
    """A guest that writes its COM1 as fast as it can: every line of its own comes out (a guest's console is not
    rate-limited, docs/security.md), and its neighbour's heartbeats still come out while it writes, each within a
    few of its lines of when it was due (the console lock serves cores in turn), with its counts exact."""
    beats, beat_us = 30, 100000
    config = (f'guest name=hostile cpus=0 memory=16M image=console_attack.elf cmdline="moves=0 spew={SPEW}"\n'
              f'guest name=benign cpus=1 memory=4M image=benign.elf cmdline="beats={beats} beat_us={beat_us}"\n')
    modules = {m: (BUILD / "guest" / m).read_bytes() for m in ("console_attack.elf", "benign.elf")}
    res = run_bochs(tmp_path, iso=make_iso(tmp_path, cmdline="onpanic=poweroff", config=config, modules=modules),
                    cpus=2, mem=512, timeout=300)
    assert_booted(res, cpus=2)
    lines = res.log.splitlines()
    spew = [(i, int(m.group(1))) for i, m in enumerate(re.match(r"^\[hostile\] spew (\d+): [a-z]{100}$", line)
                                                         for line in lines) if m]
    assert [n for _, n in spew] == list(range(SPEW)), res.explain()
    beat_at = [i for i, line in enumerate(lines) if re.match(r"^\[benign\] # benign: heartbeat \d+ of ", line)]
    assert len(beat_at) == beats, res.explain()
    first, last = spew[0][0], spew[-1][0]
    during = [i for i in beat_at if first < i < last]
    # Between two heartbeats inside the flood: the lines the flooder wrote in one beat, never a pile-up of beats.
    gaps = [b - a for a, b in zip(during, during[1:])]
    print(f"{len(during)} heartbeats during {SPEW} spew lines; lines between them: {gaps}")
    assert len(during) >= 3, res.explain()
    assert min(gaps) > 1 and max(gaps) < 3 * min(gaps) + 2, gaps
    assert summaries(lines).get("benign", (0, 1))[1] == 0 and summaries(lines).get("hostile") == (1, 0), res.explain()
    assert "[cpu0] guest hostile: exited with status 0" in lines, res.explain()
    assert "[cpu1] guest benign: exited with status 0" in lines, res.explain()
