"""emulators.py: boots real images under QEMU and Bochs and hands back the serial log (the emulator tests
and the benchmark driver test/bench/bench.py share it).

Every run is bounded by a timeout; a run that hits it is reported as such
(RunResult.timed_out) so a hang fails the test that caused it.
"""
import functools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", ROOT / "build")).resolve()
BOCHS_IPS = 50_000_000  # Bochs's instructions per second: the rate its TSC counts virtual time at
# For Linux guests' kernel command line: their programs (init, busybox, lxbench: static glibc) use no REP STOSB or REP MOVSB in memset and memcpy.
# A page fault followed at once by a VM exit makes Bochs 3.0 save the faulting RIP with the handler's CS and
# stack, and Linux panics. The batched REP STOSB made that common; without it, it is rare (docs/benchmarks.md,
# "A crash under Bochs 3.0"). The kernel passes an unknown KEY=VALUE parameter to init as an environment
# variable; the same guest runs everywhere.
NO_REP_STRINGS = ("GLIBC_TUNABLES=glibc.cpu.x86_rep_stosb_threshold=1000000000000"
                  ":glibc.cpu.x86_rep_movsb_threshold=1000000000000")
OVMF = Path("/usr/share/ovmf/OVMF.fd")
BOCHS_BIOS = Path("/usr/share/bochs/BIOS-bochs-latest")
VGA_BIOS = Path("/usr/share/vgabios/vgabios.bin")

READY_RE = re.compile(r"^HV READY cpus=(\d+) vmx=(on|off|unsupported) apicv=(\S+) guests=(\d+)\r?$", re.M)
ANSI_RE = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]|\x1b[()][A-Z0-9]")


class EmulatorError(RuntimeError):
    """A run that could not be made (no Bochs 3.0 root), or a console that never showed what was awaited."""


@dataclass
class RunResult:
    log: str          # serial output, ANSI escapes removed, CR dropped
    returncode: int   # emulator exit status (QEMU: (code << 1) | 1 via isa-debug-exit)
    timed_out: bool
    seconds: float
    emulator_log: str = ""
    stopped: str = ""  # why the caller's progress function ended the run early ("": it did not)

    def ready(self):
        """The fields of the one HV READY line, or None; fails if there are several."""
        found = READY_RE.findall(self.log)
        assert len(found) <= 1, f"more than one ready line: {found}"
        if not found:
            return None
        cpus, vmx, apicv, guests = found[0]
        return {"cpus": int(cpus), "vmx": vmx, "apicv": apicv, "guests": int(guests)}

    def explain(self):
        tail = "\n".join(self.log.splitlines()[-40:])
        return f"timed_out={self.timed_out} rc={self.returncode} after {self.seconds:.1f}s; serial tail:\n{tail}"


def clean(text):
    return ANSI_RE.sub("", text).replace("\r", "")


def _serial_text(serial):
    return clean(serial.read_text(errors="replace")) if serial.exists() else ""


def _run(cmd, serial, timeout, until=None, progress=None):
    """Run an emulator until it exits, or until the regex `until` shows up in the serial log.

    timed_out is set when neither happened within timeout seconds. progress,
    if given, is called with the serial text so far while the run goes on; a
    non-empty string it returns ends the run there, as RunResult.stopped.
    """
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    timed_out = True
    stopped = ""
    try:
        while time.monotonic() - start < timeout:
            if proc.poll() is not None:
                timed_out = False
                break
            text = _serial_text(serial) if until or progress else ""
            stopped = (progress(text) or "") if progress else ""
            if stopped or (until and re.search(until, text, re.M)):
                timed_out = False
                break
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait()
    return RunResult(_serial_text(serial), proc.returncode, timed_out, time.monotonic() - start, stopped=stopped)


def run_qemu(tmp_path, *, iso=None, esp_dir=None, usb_img=None, firmware="seabios", smp=1, mem=512,
             timeout=90, until=None, extra=()):
    """Boot one medium under QEMU (TCG); the serial port goes to a file.

    No network card: a failed boot would otherwise spend a minute in PXE.
    """
    serial = tmp_path / "serial.log"
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max", "-smp", str(smp), "-m", str(mem),
           "-display", "none", "-monitor", "none", "-serial", f"file:{serial}", "-no-reboot", "-nic", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if firmware == "ovmf":
        cmd += ["-bios", str(OVMF)]
    if iso:
        cmd += ["-cdrom", str(iso)]
    if esp_dir:
        cmd += ["-drive", f"file=fat:rw:{esp_dir},format=raw"]
    if usb_img:
        cmd += ["-device", "qemu-xhci", "-drive", f"if=none,id=stick,format=raw,file={usb_img}",
                "-device", "usb-storage,drive=stick"]
    return _run(cmd + list(extra), serial, timeout, until)


def _inside(path, chroot):
    """A path as Bochs sees it: unchanged, or relative to the root it runs chrooted in."""
    return Path("/") / Path(path).relative_to(chroot) if chroot else path


def _bochs_config(tmp_path, *, iso, disk, firmware, cpus, model, mem, com1, chroot=None):
    """Write a bochsrc for one run; com1 is the serial port's line after "com1: enabled=1, ".

    chroot: the root Bochs runs in; tmp_path and iso must lie under it. The
    firmware paths are the same inside it, so they then name the root's own files.
    """
    log = tmp_path / "bochs.log"
    conf = tmp_path / "bochsrc"
    if firmware == "ovmf":
        rom = f"romimage: file={OVMF}, address=0xffe00000"
    else:
        rom = f"romimage: file={BOCHS_BIOS}, options=fastboot"
    if disk:
        copy = tmp_path / "disk.img"
        shutil.copy(disk, copy)
        medium = f"ata0-master: type=disk, path={_inside(copy, chroot)}, mode=flat\nboot: disk"
    else:
        medium = f"ata0-master: type=cdrom, path={_inside(iso, chroot)}, status=inserted\nboot: cdrom"
    conf.write_text(f"""megs: {mem}
cpu: model={model}, count={cpus}, reset_on_triple_fault=0, ips={BOCHS_IPS}
{rom}
vgaromimage: file={VGA_BIOS}
{medium}
com1: enabled=1, {com1}
port_e9_hack: enabled=1
clock: sync=none
speaker: enabled=0
sound: driver=dummy
log: {_inside(log, chroot)}
display_library: rfb, options="timeout=0"
""")
    rc_file = tmp_path / "bochs.rc"
    rc_file.write_text("continue\n")
    return conf, rc_file, log


@functools.lru_cache(maxsize=None)
def _bochs3_root_or_error():
    """(root, None) or (None, why): test/bochs3-root.sh makes the root once per machine, asked once per session."""
    if os.geteuid() != 0:
        return None, "Bochs 3.0 runs through chroot, which needs root"
    proc = subprocess.run(["sh", str(ROOT / "test/bochs3-root.sh")], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, f"test/bochs3-root.sh failed (rc={proc.returncode}): {proc.stderr.strip()}"
    return Path(proc.stdout.strip().splitlines()[-1]), None


def bochs3_root():
    """The Debian 13 root whose Bochs 3.0 has posted-interrupt processing; fails the test without it."""
    root, why = _bochs3_root_or_error()
    if root is None:
        raise EmulatorError(f"no Bochs 3.0 root: {why}")
    return root


def _run_bochs3(tmp_path, *, iso, disk, firmware, cpus, model, mem, timeout, until, bochs, progress):
    """run_bochs inside the Bochs 3.0 root: chrooted Bochs sees only the root's files, so the run's
    files live in a private folder under ROOT/tmp, removed afterwards; its logs are copied to tmp_path."""
    root = bochs3_root()
    for f in (OVMF if firmware == "ovmf" else BOCHS_BIOS, VGA_BIOS):
        if not (root / f.relative_to("/")).exists():
            raise EmulatorError(f"the Bochs 3.0 root {root} has no {f}")
    work = Path(tempfile.mkdtemp(prefix="apicvisor-", dir=root / "tmp"))
    try:
        if iso:
            iso = Path(shutil.copy(iso, work / "test.iso"))
        serial = work / "serial.log"
        conf, rc_file, log = _bochs_config(work, iso=iso, disk=disk, firmware=firmware, cpus=cpus, model=model,
                                           mem=mem, com1=f"mode=file, dev={_inside(serial, root)}", chroot=root)
        res = _run(["chroot", str(root), bochs, "-q", "-f", str(_inside(conf, root)),
                    "-rc", str(_inside(rc_file, root))], serial, timeout, until, progress)
        for f in (serial, log):
            if f.exists():
                shutil.copy(f, tmp_path / f.name)
        res.emulator_log = log.read_text(errors="replace") if log.exists() else ""
        return res
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_bochs(tmp_path, *, iso=None, disk=None, firmware="bios", cpus=1, model="corei7_skylake_x", mem=256,
              timeout=120, until=None, bochs="bochs", bochs3=False, progress=None):
    """Boot an ISO (BIOS) or a disk image (firmware="ovmf": the USB image) under Bochs.

    A disk image is copied first: Bochs locks the file it uses. Bochs running
    OVMF installs no ACPI tables, so the hypervisor finds CPUs through the
    UEFI loader there, and ends the run through the Bochs shutdown port.
    bochs3: run Debian 13's Bochs 3.0 (posted-interrupt processing) in its root.
    progress: called with the serial text so far while the run goes on.
    """
    if bochs3:
        return _run_bochs3(tmp_path, iso=iso, disk=disk, firmware=firmware, cpus=cpus, model=model, mem=mem,
                           timeout=timeout, until=until, bochs=bochs, progress=progress)
    serial = tmp_path / "serial.log"
    conf, rc_file, log = _bochs_config(tmp_path, iso=iso, disk=disk, firmware=firmware, cpus=cpus, model=model,
                                       mem=mem, com1=f"mode=file, dev={serial}")
    res = _run([bochs, "-q", "-f", str(conf), "-rc", str(rc_file)], serial, timeout, until, progress)
    res.emulator_log = log.read_text(errors="replace") if log.exists() else ""
    return res


class BochsConsole:
    """Bochs with COM1 on a local socket: read the console as it comes and type into it, as a user would.

    Bochs listens (mode=socket-server) and waits for this client before it
    starts. Everything received is also written to serial.log in tmp_path.
    """

    def __init__(self, tmp_path, *, iso, cpus=1, model="corei7_skylake_x", mem=256, bochs="bochs"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.serial = tmp_path / "serial.log"
        conf, rc_file, self._log = _bochs_config(tmp_path, iso=iso, disk=None, firmware="bios", cpus=cpus,
                                                 model=model, mem=mem,
                                                 com1=f"mode=socket-server, dev=127.0.0.1:{port}")
        self._start = time.monotonic()
        self._proc = subprocess.Popen([bochs, "-q", "-f", str(conf), "-rc", str(rc_file)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._sock = None
        for _ in range(200):
            try:
                self._sock = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                if self._proc.poll() is not None:
                    break
                time.sleep(0.05)
        if self._sock is None:
            self.close()
            raise RuntimeError(f"Bochs did not open its COM1 socket on port {port}")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        self._sock.settimeout(None)
        with open(self.serial, "wb") as out:
            while True:
                try:
                    data = self._sock.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                with self._lock:
                    self._buf += data
                out.write(data)
                out.flush()

    @property
    def text(self):
        with self._lock:
            return clean(self._buf.decode(errors="replace"))

    def wait_for(self, pattern, timeout=60):
        """Wait until the regex shows up in the console output; returns its match or fails with the tail."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.text, re.M)
            if m:
                return m
            if self._proc.poll() is not None:
                break
            time.sleep(0.1)
        tail = "\n".join(self.text.splitlines()[-40:])
        raise EmulatorError(f"{pattern!r} did not appear within {timeout}s (emulator rc={self._proc.poll()}); "
                    f"serial tail:\n{tail}")

    def type(self, text, delay=0.02):
        """Send text a byte at a time, as a person (or a terminal at its baud rate) would."""
        for b in text.encode():
            self._sock.sendall(bytes([b]))
            time.sleep(delay)

    def wait_exit(self, timeout=60):
        """Wait for the emulator to end by itself; returns a RunResult (timed_out when it did not)."""
        try:
            self._proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        self.close()
        return RunResult(self.text, self._proc.returncode, timed_out, time.monotonic() - self._start,
                         self._log.read_text(errors="replace") if self._log.exists() else "")

    def close(self):
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, 9)
        self._proc.wait()
        if self._sock:
            self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


GRUB_CFG = """serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "apicvisor" {{
	multiboot2 /boot/apicvisor/hv.elf {cmdline}
	{modules}
	boot
}}
"""


def make_iso(tmp_path, *, cmdline="", config=None, modules=None, hv_elf=None):
    """A GRUB ISO like `make iso` writes, with our own command line and modules.

    config: text of hv.conf (None: the default boot/hv.conf; False: no hv.conf).
    modules: {name: bytes} extra module2 files.
    """
    tree = tmp_path / "iso"
    (tree / "boot/grub").mkdir(parents=True)
    (tree / "boot/apicvisor").mkdir(parents=True)
    shutil.copy(hv_elf or BUILD / "hv.elf", tree / "boot/apicvisor/hv.elf")
    lines = []
    if config is not False:
        text = (ROOT / "boot/hv.conf").read_text() if config is None else config
        (tree / "boot/apicvisor/hv.conf").write_text(text)
        lines.append("module2 /boot/apicvisor/hv.conf hv.conf")
    for name, data in (modules or {}).items():
        (tree / "boot/apicvisor" / name).write_bytes(data)
        lines.append(f"module2 /boot/apicvisor/{name} {name}")
    (tree / "boot/grub/grub.cfg").write_text(GRUB_CFG.format(cmdline=cmdline, modules="\n\t".join(lines)))
    iso = tmp_path / "test.iso"
    subprocess.run(["grub-mkrescue", "-o", str(iso), str(tree)], check=True, capture_output=True)
    return iso


NATIVE_GRUB_CFG = """serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "native" {{
	{boot}
	boot
}}
"""


def _native_iso(tmp_path, files, boot):
    """A GRUB ISO of files {name under /boot: source path} whose one entry runs the GRUB lines boot."""
    tree = tmp_path / "native-iso"
    (tree / "boot/grub").mkdir(parents=True)
    for name, src in files.items():
        shutil.copy(src, tree / "boot" / name)
    (tree / "boot/grub/grub.cfg").write_text(NATIVE_GRUB_CFG.format(boot=boot))
    iso = tmp_path / "native.iso"
    subprocess.run(["grub-mkrescue", "-o", str(iso), str(tree)], check=True, capture_output=True)
    return iso


def make_native_iso(tmp_path, kernel, cmdline=""):
    """A GRUB ISO that boots one multiboot (v1) kernel, a test guest, directly: no hypervisor, the bare
    machine's firmware state (for native baselines)."""
    name = Path(kernel).name
    return _native_iso(tmp_path, {name: kernel}, f"multiboot /boot/{name} {cmdline}")


def make_native_linux_iso(tmp_path, cmdline):
    """A GRUB ISO that boots `make linux`'s bzImage and initramfs on the bare emulator. Bochs's CPUID claims a
    3.5 GHz TSC while its TSC counts virtual time at BOCHS_IPS, so the kernel is told the rate
    (tsc_early_khz), as the hypervisor's CPUID tells a guest."""
    return _native_iso(tmp_path, {"vmlinuz": BUILD / "linux/vmlinuz", "initrd": BUILD / "linux/initramfs.cpio.gz"},
                       f"linux /boot/vmlinuz {cmdline} tsc_early_khz={BOCHS_IPS // 1000}\n\tinitrd /boot/initrd")


def make_linux_guest_iso(tmp_path, *, apicv, cpus, cmdline, image="vmlinux", keys="", hv_extra=""):
    """apicvisor in mode apicv with one Linux guest "lx" of 256 MiB on CPUs 0 to cpus-1: `make linux`'s PVH
    vmlinux (or its bzImage, image="vmlinuz") and initramfs; keys: more key=value words for its guest line;
    hv_extra: more words for the hypervisor's command line."""
    config = ('hypervisor cmdline="loglevel=info"\n'
              f'guest name=lx image={image} initrd=initrd cpus=0-{cpus - 1} memory=256M {keys}'
              f'{" " if keys else ""}cmdline="{cmdline}"\n')
    mods = {image: (BUILD / "linux" / image).read_bytes(), "initrd": (BUILD / "linux/initramfs.cpio.gz").read_bytes()}
    return make_iso(tmp_path, cmdline=f"onpanic=poweroff apicv={apicv} {hv_extra}".rstrip(), config=config,
                    modules=mods)
