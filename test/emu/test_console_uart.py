"""test_console_uart.py: console= moves the hypervisor's console to another UART (COM2, a non-legacy I/O port,
another baud rate), refuses bad values on the console it has, and tries an MMIO UART only once paging is up.

QEMU's and Bochs's PCs have no MMIO 16550, so an MMIO console that answers is not tested here: the register layer
is (test/unit/test_uart16550.c), and so are the switch and the replay (test/unit/test_console.c). What the
emulators can show of MMIO is the refusals: an address where nothing answers, one that is RAM, and the APICs'
pages, which a probe would write (Bochs 2.7 aborts when the UART probe pokes its local APIC).
"""
import re

import pytest

import emulators
from conftest import BUILD, BochsConsole, assert_booted, make_iso, run_bochs, run_qemu
from emulators import clean

HV_LINE = re.compile(r"^(\[cpu\d+\] .*|HV (READY|STOPPED|PANIC).*)$", re.M)


def hv_lines(text):
    """The hypervisor's own lines in a serial log (GRUB's menu, also on COM1, is left out)."""
    return [m.group(1) for m in HV_LINE.finditer(text)]


def read_log(path):
    return clean(path.read_text(errors="replace")) if path.exists() else ""


def run_with_com2(tmp_path, cmdline, extra=()):
    """Boot the ISO under QEMU with COM1 (res.log) and COM2 (returned text) each in a file."""
    com2 = tmp_path / "com2.log"
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, cmdline=cmdline), extra=["-serial", f"file:{com2}", *extra])
    assert not res.timed_out, res.explain()
    return res, read_log(com2)


@pytest.mark.parametrize("baud", [None, 9600])
def test_console_moves_to_com2(built, tmp_path, baud):
    """COM1 gets one line, the move, before the banner; COM2 gets everything after it, ready line included.

    The emulated UART ignores the divisor, so 9600 shows only in the lines that name the console.
    """
    rate = baud or 115200
    res, com2 = run_with_com2(tmp_path, "console=com2" + (f",{baud}" if baud else ""))
    assert hv_lines(res.log) == [f"[cpu0] console: moving to port 0x2f8 at {rate} baud"], res.explain()
    lines = hv_lines(com2)
    assert lines[0] == f"[cpu0] console: now on port 0x2f8 at {rate} baud", com2
    assert re.match(r"\[cpu0\] apicvisor \S+: a micro-hypervisor", lines[1]), com2
    com2_res = emulators.RunResult(com2, res.returncode, False, res.seconds)
    assert_booted(com2_res)
    assert res.returncode == 1, res.explain()  # a clean power-off


def test_console_on_a_non_legacy_io_port(built, tmp_path):
    """A UART at an I/O port no COM name covers (as a PCI UART's I/O BAR would be): 0x2e0, IRQ 5."""
    odd = tmp_path / "odd.log"
    uart = ["-chardev", f"file,id=odd,path={odd}", "-device", "isa-serial,chardev=odd,iobase=0x2e0,irq=5"]
    res, _ = run_with_com2(tmp_path, "console=0x2e0,57600", uart)
    assert hv_lines(res.log) == ["[cpu0] console: moving to port 0x2e0 at 57600 baud"], res.explain()
    text = read_log(odd)
    assert hv_lines(text)[0] == "[cpu0] console: now on port 0x2e0 at 57600 baud", text
    assert_booted(emulators.RunResult(text, res.returncode, False, res.seconds))


BAD_VALUES = {
    "com2,9601": "the baud rate must divide 115200 (the 16550 divisor is 115200/baud)",
    "com2,0": "the baud rate must divide 115200",
    "mmio:": "mmio: and mmio32: need a physical address (mmio32:0xfe032000), not 0, below 2^52, 4-byte aligned",
    "mmio32:0xfe032002": "mmio: and mmio32: need a physical address",
    "0x10000": "an I/O port is 0x1 to 0xfff8 (the UART takes 8 ports)",
    "com2x": "expected com1..com4, an I/O port (0x2f8), mmio:<addr> or mmio32:<addr>, then optionally ,<baud>; or none",
}


@pytest.mark.parametrize("value", list(BAD_VALUES))
def test_bad_value_is_reported_and_the_console_stays(built, tmp_path, value):
    res, com2 = run_with_com2(tmp_path, f"console={value}")
    want = f"[cpu0] ERROR: console={value}: {BAD_VALUES[value]}"
    errors = [line for line in hv_lines(res.log) if line.startswith("[cpu0] ERROR: console=")]
    # Once for the loader's command line, once more for the effective one (hv.conf's options, then the loader's).
    assert len(errors) == 2 and all(e.startswith(want) for e in errors), res.explain()
    assert errors[0].endswith("; keeping the console on port 0x3f8 at 115200 baud"), errors[0]
    assert_booted(res)
    assert com2 == "", com2


def test_absent_uart_is_not_taken(built, tmp_path):
    """QEMU's PC has no COM3: its scratch register keeps nothing, and the console stays on COM1."""
    res, _ = run_with_com2(tmp_path, "console=com3")
    assert ("[cpu0] ERROR: console: nothing answers at port 0x3e8 (its scratch register does not keep a value); "
            "staying on port 0x3f8") in hv_lines(res.log), res.explain()
    assert_booted(res)


def test_mmio_console_waits_for_paging_and_needs_a_device(built, tmp_path):
    """An MMIO console is taken once the page tables are up; at 512 GiB nothing answers, so COM1 keeps it."""
    res, _ = run_with_com2(tmp_path, "console=mmio32:0x8000000000,9600")
    lines = hv_lines(res.log)
    waiting = ("[cpu0] console: mmio32 0x8000000000 at 9600 baud takes over once the page tables are up; "
               "until then the console stays on port 0x3f8")
    assert lines.count(waiting) == 1, res.explain()
    paging = next(i for i, line in enumerate(lines) if line.startswith("[cpu0] paging: identity map"))
    moving = lines.index("[cpu0] console: moving to mmio32 0x8000000000 at 9600 baud")
    assert lines.index(waiting) < paging < moving, res.explain()
    assert lines[moving + 1] == ("[cpu0] ERROR: console: nothing answers at mmio32 0x8000000000 (its scratch register "
                                 "does not keep a value); staying on port 0x3f8"), res.explain()
    assert_booted(res)


def test_mmio_console_in_ram_is_refused(built, tmp_path):
    """RAM is the page allocator's, and through it the guests': no console is placed in it."""
    res, _ = run_with_com2(tmp_path, "console=mmio:0x1000000")
    assert ("[cpu0] ERROR: console: mmio 0x1000000 is memory in the firmware's map (usable), not a device; the "
            "console stays put") in hv_lines(res.log), res.explain()
    assert not any("moving to" in line for line in hv_lines(res.log)), res.explain()
    assert_booted(res)


APIC_PAGES = {
    "mmio:0xfee00000": "mmio 0xfee00000 is the local APIC and interrupt-message window 0xfee00000-0xfeefffff "
                       "(SDM Vol. 3, 11.11.1), not a UART",
    "mmio32:0xfec00000,9600": "mmio32 0xfec00000 is the I/O APIC's default page 0xfec00000, not a UART",
}


@pytest.mark.parametrize("emulator,value", [("bochs", "mmio:0xfee00000"), ("qemu", "mmio:0xfee00000"),
                                            ("qemu", "mmio32:0xfec00000,9600")])
def test_mmio_console_on_an_apic_is_refused(built, tmp_path, emulator, value):
    """The local APIC's page (and the interrupt-message window around it) and the I/O APIC's are refused as the
    command line is read, before anything probes a UART there; the boot goes on on COM1, under Bochs with a guest."""
    config = 'guest name=g cpus=0 memory=16M image=exitcode.elf\n'
    iso = make_iso(tmp_path, cmdline=f"console={value} onpanic=poweroff", config=config,
                   modules={"exitcode.elf": (BUILD / "guest" / "exitcode.elf").read_bytes()})
    if emulator == "bochs":
        res = run_bochs(tmp_path, iso=iso, cpus=1, timeout=180)
    else:
        res = run_qemu(tmp_path, iso=iso)
    lines = hv_lines(res.log)
    errors = [line for line in lines if line.startswith("[cpu0] ERROR: console=")]
    want = f"[cpu0] ERROR: console={value}: {APIC_PAGES[value]}; keeping the console on port 0x3f8 at 115200 baud"
    assert errors == [want, want], res.explain()  # the loader's command line, then the effective one
    assert not any("takes over" in line or "moving to" in line for line in lines), res.explain()
    ready = assert_booted(res)
    if emulator == "bochs":
        assert ready["vmx"] == "on" and ready["guests"] == 1, res.explain()
        assert re.search(r"^\[g\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
        assert "[cpu0] all guests have ended: powering off" in lines, res.explain()


def test_typed_input_on_com2_reaches_a_guest_under_bochs(built, tmp_path, monkeypatch):
    """With guests (VMX, so Bochs): COM2 carries the console both ways, its receive interrupt on ISA IRQ 3.

    BochsConsole serves its socket as COM1; here the bochsrc it writes puts COM1 in a file and the socket on COM2.
    """
    com1 = tmp_path / "com1.log"
    make_config = emulators._bochs_config

    def com2_config(path, **kw):
        socket = kw["com1"]
        kw["com1"] = f"mode=file, dev={com1}"
        conf, rc_file, log = make_config(path, **kw)
        conf.write_text(conf.read_text() + f"com2: enabled=1, {socket}\n")
        return conf, rc_file, log

    monkeypatch.setattr(emulators, "_bochs_config", com2_config)
    conf = 'guest name=echo cpus=0 memory=16M image=echo.elf cmdline="lines=1"\n'
    iso = make_iso(tmp_path, cmdline="console=com2 onpanic=poweroff", config=conf,
                   modules={"echo.elf": (BUILD / "guest" / "echo.elf").read_bytes()})
    with BochsConsole(tmp_path, iso=iso, cpus=1) as con:
        con.wait_for(r"^\[echo\] # echo: ready", timeout=120)
        con.type("over COM2\r")
        con.wait_for(r"^\[echo\] echo: over COM2$", timeout=60)
        res = con.wait_exit(timeout=60)
    assert not res.timed_out, res.explain()
    assert hv_lines(read_log(com1)) == ["[cpu0] console: moving to port 0x2f8 at 115200 baud"], read_log(com1)
    assert "[cpu0] console: input by interrupt: ISA IRQ 3, GSI 3, vector 0xf2 on CPU 0" in res.log, res.explain()
    ready = assert_booted(res)
    assert ready["guests"] == 1, res.explain()
    assert re.search(r"^\[echo\] SUMMARY: \d+ tests, 0 failures$", res.log, re.M), res.explain()
