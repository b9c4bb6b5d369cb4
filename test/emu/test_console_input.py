"""test_console_input.py: what is typed at the hypervisor's serial console reaches the first guest's COM1 by interrupt."""
import re

import pytest

from conftest import BUILD, BochsConsole, make_iso

SUMMARY_RE = re.compile(r"^\[(\S+)\] SUMMARY: (\d+) tests, (\d+) failures$", re.M)


def echo_iso(tmp_path, lines):
    modules = {"echo.elf": (BUILD / "guest" / "echo.elf").read_bytes()}
    return make_iso(tmp_path, cmdline="onpanic=poweroff", config="\n".join(lines) + "\n", modules=modules)


def type_lines(con, guest, texts, delay=0.02):
    """Type each line once the guest is ready, and check it comes back whole."""
    con.wait_for(rf"^\[{guest}\] # echo: ready", timeout=120)
    for text in texts:
        con.type(text + "\r", delay=delay)
        con.wait_for(rf"^\[{guest}\] echo: {re.escape(text)}$", timeout=60)


def finish(con, guest, tests):
    res = con.wait_exit(timeout=60)
    assert not res.timed_out, res.explain()
    summary = {name: (int(n), int(f)) for name, n, f in SUMMARY_RE.findall(res.log)}
    assert summary.get(guest) == (tests, 0), res.explain()
    assert "all guests have ended: powering off" in res.log, res.explain()
    return res


@pytest.mark.parametrize("wait", ["hlt", "spin"])
def test_typed_lines_reach_the_guest_on_the_same_core(built, tmp_path, wait):
    """CPU 0 takes the console interrupt while its guest is halted (the wait loop) or running (an exit)."""
    iso = echo_iso(tmp_path, [f'guest name=echo cpus=0 memory=16M image=echo.elf cmdline="lines=2 wait={wait}"'])
    with BochsConsole(tmp_path, iso=iso, cpus=1) as con:
        type_lines(con, "echo", ["hello, guest"])
        # A paste: no pause between bytes, longer than the guest UART's 64-byte receive FIFO.
        type_lines(con, "echo", ["pasted " + "0123456789" * 10], delay=0)
        res = finish(con, "echo", 5)
    assert re.search(r"console: input by interrupt: ISA IRQ 4, GSI 4, vector 0xf2 on CPU 0", res.log), res.explain()
    assert "console: typed input goes to guest echo" in res.log


def test_typed_line_reaches_a_guest_on_another_core(built, tmp_path):
    """The console interrupt lands on CPU 0, which idles; the guest's I/O APIC pin posts to its vCPU on CPU 1."""
    iso = echo_iso(tmp_path, ['guest name=far cpus=1 memory=16M image=echo.elf cmdline="lines=1"'])
    with BochsConsole(tmp_path, iso=iso, cpus=2) as con:
        type_lines(con, "far", ["across cores"])
        finish(con, "far", 5)


def test_input_for_a_stopped_guest_is_dropped_with_one_warning(built, tmp_path):
    """The owner has ended; the other guest keeps running and gets nothing; the console says why, once."""
    iso = echo_iso(tmp_path, [
        'guest name=gone cpus=0 memory=16M image=echo.elf cmdline="lines=1"',
        'guest name=other cpus=1 memory=16M image=echo.elf cmdline="lines=1"',
    ])
    with BochsConsole(tmp_path, iso=iso, cpus=2) as con:
        type_lines(con, "gone", ["last words"])
        con.wait_for(r"^\[gone\] SUMMARY: 5 tests, 0 failures$")
        con.wait_for(r"guest gone: exited with status 0", timeout=30)
        con.type("lost\r")
        con.wait_for(r"console: guest gone could not take typed input .*: dropped", timeout=30)
        con.type("lost again\r")
    log = con.text
    assert log.count("could not take typed input") == 1, log
    assert "[other] echo:" not in log
