"""test_shell.py: the console switch and the debug shell, driven through COM1 as a user would: Ctrl-] h opens
the shell, every command's output is checked against the machine's known state, Ctrl-] <n> gives the input
to guest n (an echo guest shows what it received)."""
import re
import time

import pytest

from conftest import BUILD, BochsConsole, make_iso

ESC = "\x1d"  # Ctrl-]


def echo_guests(tmp_path, cpus):
    """One echo guest per core, each waiting (HLT) for two lines."""
    lines = [f'guest name=e{c} cpus={c} memory=16M image=echo.elf cmdline="lines=2"' for c in range(cpus)]
    modules = {"echo.elf": (BUILD / "guest" / "echo.elf").read_bytes()}
    return make_iso(tmp_path, cmdline="onpanic=poweroff", config="\n".join(lines) + "\n", modules=modules)


def wait_after(con, mark, pattern, timeout=30):
    """Wait for the regex in what the console printed after position mark; returns the match."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(pattern, con.text[mark:], re.M)
        if m:
            return m
        time.sleep(0.1)
    tail = "\n".join(con.text[mark:].splitlines()[-30:])
    pytest.fail(f"{pattern!r} did not appear within {timeout}s; console since the mark:\n{tail}")


def command(con, text, expect, timeout=30):
    """Type a command at the prompt, wait for its output and the next prompt; returns what it printed."""
    mark = max(0, len(con.text) - len("hv> "))
    con.type(text + "\r", delay=0.01)
    out = wait_after(con, mark, rf"^hv> {re.escape(text)}\n((?:.*\n)*?)hv> ", timeout).group(1)
    for pattern in expect:
        assert re.search(pattern, out, re.M), f"{text}: {pattern!r} not in:\n{out}"
    return out


@pytest.mark.parametrize("cpus", [2, 4])
def test_shell_commands_and_console_switch(built, tmp_path, cpus):
    last = cpus - 1
    with BochsConsole(tmp_path, iso=echo_guests(tmp_path, cpus), cpus=cpus) as con:
        for c in range(cpus):
            con.wait_for(rf"^\[e{c}\] # echo: ready", timeout=120)
        assert re.search(r"console: typed input goes to guest e0 \(its COM1\); Ctrl-\] h switches to the shell",
                         con.text)
        # the first guest has the input until the escape
        con.type("to e0\r")
        con.wait_for(r"^\[e0\] echo: to e0$")

        con.type(ESC + "h")
        con.wait_for(r"^\[console\] input goes to the hypervisor shell")
        con.wait_for(r"^hv> ")
        command(con, "help", [rf"^  {c} " for c in ("help", "cpus", "guests", "caps", "stats", "trace", "inject",
                                                    "nmi", "log")])
        command(con, "cpus", [rf"^{c} +{c} +VMX root +e{c}/0 +halted +\d+$" for c in range(cpus)] +
                [r"apicv=vid$"])
        command(con, "guests", [rf"^{c} +e{c} +running +0\({c}\) +\d+\.\d{{3}}s$" for c in range(cpus)])
        command(con, "caps", [r"virtual-interrupt delivery +yes", r"^apicv mode in use: vid$"])
        # every guest wrote its lines through port I/O and then halted: both show in its CPU's exits
        out = command(con, f"stats {last}", [rf"^cpu {last} \(e{last}/0\): \d+ exits",
                                            r"^ +30 IO_INSTRUCTION +\d+ +\d+ +\d+ +\d+$", r"^ +12 HLT +1 "])
        assert "cpu 0 " not in out
        out = command(con, "stats", [rf"^cpu {c} \(e{c}/0\)" for c in range(cpus)])
        # inject: the vector goes the way an IPI goes; the hypervisor counts it as delivered to that vCPU
        command(con, f"stats {last}", [rf"^cpu {last} \(e{last}/0\): \d+ exits, 0 interrupts delivered"])
        command(con, f"inject {last} 0x40", [rf"^vector 0x40 posted to e{last}/0 on cpu {last}, edge-triggered"])
        command(con, f"stats {last}", [rf"^cpu {last} \(e{last}/0\): \d+ exits, 1 interrupts delivered"])
        command(con, f"inject {last} 7", [r"^inject: vector 7: give 16-255"])
        command(con, "inject", [r"^usage: inject <cpu> <vector>$"])
        out = command(con, f"trace {last} 4", [rf"^cpu {last}: last 4 of \d+ exits, oldest first",
                                               r"^ +0 12 HLT "])  # the newest: the HLT it waits in
        assert len(re.findall(r"^ +-?\d+ \d+ [A-Z_]+ ", out, re.M)) == 4, out
        command(con, "trace 0", [r"^cpu 0: last 16 of \d+ exits"])
        command(con, "trace 99", [r"^no such CPU: 99 \(cpus lists them\)$"])
        command(con, "trace", [r"^usage: trace <cpu> \[count\]$"])
        command(con, "log debug", [r"^log level: 3$"])
        command(con, "log", [r"^log level: 3 "])
        command(con, "log loud", [r"^log: unknown level loud"])
        command(con, "log info", [r"^log level: 2$"])
        command(con, "frobnicate", [r"^unknown command: frobnicate \(help lists them\)$"])
        # line editing: a backspace, then the history (Up arrow) brings back the last command
        mark = len(con.text)
        con.type("cpuz\x7fs\r")
        wait_after(con, mark, r"^0 +0 +VMX root +e0/0")
        mark = len(con.text)
        con.type("\x1b[A")
        wait_after(con, mark, r"\x1b\[2K\rhv> cpus$|hv> cpus$")
        con.type("\x15")  # Ctrl-U: the recalled line is dropped

        # the switch: a guest that does not exist, the help, an unknown key, then guest `last`
        con.type(ESC + "9")
        con.wait_for(rf"^\[console\] no guest 9 \(there are {cpus}\); input still goes to the shell$")
        con.type(ESC + "?")
        con.wait_for(r"^\[console\] Ctrl-\] then: h the shell, 0-9 that guest, n the next guest")
        con.type(ESC + "x")
        con.wait_for(r"^\[console\] Ctrl-\] 0x78: not a console key")
        con.type(ESC + str(last))
        con.wait_for(rf"^\[console\] input goes to guest {last} e{last} \(its COM1\)")
        con.type(f"hello e{last}\r")
        con.wait_for(rf"^\[e{last}\] echo: hello e{last}$")
        # Ctrl-] n from the last guest wraps to guest 0, which takes its second line and ends
        con.type(ESC + "n")
        con.wait_for(r"^\[console\] input goes to guest 0 e0 ")
        con.type("bye\r")
        con.wait_for(r"^\[e0\] echo: bye$")
        con.wait_for(r"^\[e0\] SUMMARY: \d+ tests, 0 failures$")
        con.type(ESC + "h")
        command(con, "guests", [r"^0 +e0 +stopped .*\(exited with status 0\)", rf"^{last} +e{last} +running"])
        command(con, "nmi 0", [r"^cpu 0 runs no vCPU any more \(its guest stopped\)$"])
        # nmi: the guest takes it (its library ignores NMIs); its CPU's trace shows the entry that injected it
        command(con, f"nmi {last}", [rf"^NMI posted to e{last}/0 on cpu {last}$"])
        for _ in range(10):
            out = command(con, f"trace {last} 4", [])
            if re.search(r" vector 0x2 type 2$", out, re.M):
                break
            time.sleep(0.5)
        assert re.search(r"^ +-?\d+ +\d+ [A-Z_]+ .* vector 0x2 type 2$", out, re.M), out
    log = con.text
    assert f"[e{last}] echo: to e0" not in log and "[e0] echo: hello" not in log, log
    for c in range(1, cpus):
        if c != last:
            assert f"[e{c}] echo:" not in log, log
