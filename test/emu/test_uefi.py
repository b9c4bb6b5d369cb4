"""test_uefi.py: the UEFI loader (BOOTX64.EFI) under OVMF: good boots and each kind of bad input.

The ESP is a copy of build/esp served by QEMU as a FAT drive, or the USB disk
image as a usb-storage device. Runs that must stop in the loader are ended as
soon as the loader's stop line (or the firmware's next step) shows up.
"""
import re
import shutil
import struct
import subprocess

import pytest

from conftest import BUILD, assert_booted, make_iso, run_qemu

BANNER = "apicvisor UEFI loader"
STOP_LINE = ("apicvisor loader: stopped. Returning to the firmware in 10 seconds "
             "(press a key to return now).")
HANDOFF = "exiting boot services and jumping to"
HV_BANNER_RE = re.compile(r"^\[cpu0\] apicvisor \S+: a micro-hypervisor", re.M)
USB_PART_OFFSET = 1024 * 1024  # partition 1 starts at sector 2048 (boot/efi/efi.mk)
ESP_FILES = ("EFI/BOOT/BOOTX64.EFI", "apicvisor/hv.elf", "apicvisor/hv.conf")


@pytest.fixture(scope="session")
def uefi_built():
    """The loader's build products; `make esp usb` (or `make emu`) makes them."""
    for f in [f"esp/{p}" for p in ESP_FILES] + ["apicvisor-usb.img"]:
        assert (BUILD / f).exists(), f"{BUILD / f} missing: run `make esp usb` first"
    return BUILD


@pytest.fixture
def esp(uefi_built, tmp_path):
    """A private copy of build/esp (QEMU's fat:rw may write to it)."""
    d = tmp_path / "esp"
    shutil.copytree(uefi_built / "esp", d)
    return d


def run_ovmf_until(tmp_path, pattern, *, esp_dir, timeout=90):
    """Boots esp_dir under OVMF and stops QEMU once pattern (a regex, multiline) is in the serial log."""
    return run_qemu(tmp_path, esp_dir=esp_dir, firmware="ovmf", smp=2, timeout=timeout, until=pattern)


def assert_uefi_booted(res):
    ready = assert_booted(res)
    assert BANNER in res.log, res.explain()
    assert re.search(r"^\[cpu0\] boot: entered through UEFI loader from \"apicvisor UEFI loader\"$", res.log,
                     re.M), res.explain()
    assert HV_BANNER_RE.search(res.log), res.explain()
    assert "mem: summary:" in res.log, res.explain()
    assert res.returncode == 1, res.explain()  # isa-debug-exit with code 0: a clean power-off
    return ready


def assert_stopped_in_loader(res, *errors):
    """The loader printed each error line and its stop line, and never handed over."""
    assert not res.timed_out, res.explain()
    for e in errors:
        assert f"apicvisor loader: ERROR: {e}" in res.log, f"missing error {e!r}\n" + res.explain()
    assert STOP_LINE in res.log, res.explain()
    assert HANDOFF not in res.log and not HV_BANNER_RE.search(res.log), res.explain()
    assert res.log.index(BANNER) < res.log.index(STOP_LINE)


def elf_phdrs(data):
    """(file offset of the program header, p_type, p_offset, p_vaddr, p_paddr) of each one."""
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    out = []
    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, _, p_offset, p_vaddr, p_paddr = struct.unpack_from("<IIQQQ", data, at)
        out.append((at, p_type, p_offset, p_vaddr, p_paddr))
    return out


def higher_half(data):
    return [p for p in elf_phdrs(data) if p[1] == 1 and p[3] >= 0xffff800000000000]


# ---- good boots ----

def test_esp_folder_boots_to_ready(esp, tmp_path):
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf", smp=2)
    assert_uefi_booted(res)
    assert "apicvisor loader: image: 2048 KiB at physical 0x400000 (its preferred address)" in res.log
    assert re.search(r"apicvisor loader: ACPI RSDP at 0x[0-9A-F]+$", res.log, re.M), res.explain()
    assert 'apicvisor loader: module 0 "hv.conf"' in res.log
    assert re.search(r'^\[cpu0\] boot: module 0 "hv.conf" at 0x[0-9a-f]+', res.log, re.M), res.explain()


def test_more_than_4_gib(esp, tmp_path):
    """With 6 GiB (RAM above 4 GiB up to 8 GiB on q35) the identity map covers all of it."""
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf", mem=6144)
    assert "identity map of 0-8 GiB" in res.log, res.explain()
    assert_uefi_booted(res)


def test_usb_image_layout(uefi_built, tmp_path):
    """GPT with one EFI System Partition holding exactly the ESP files, byte for byte."""
    img = uefi_built / "apicvisor-usb.img"
    part = subprocess.run(["sgdisk", "-i", "1", str(img)], capture_output=True, text=True, check=True).stdout
    assert "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" in part  # EFI System Partition
    assert "First sector: 2048 " in part
    files = subprocess.run(["mdir", "-/", "-b", "-i", f"{img}@@{USB_PART_OFFSET}", "::"],
                           capture_output=True, text=True, check=True).stdout.split()
    files = sorted(f for f in files if not f.endswith("/"))
    assert files == sorted(f"::/{p}" for p in ESP_FILES)
    for p in ESP_FILES:
        out = tmp_path / p.replace("/", "_")
        subprocess.run(["mcopy", "-n", "-i", f"{img}@@{USB_PART_OFFSET}", f"::/{p}", str(out)], check=True)
        assert out.read_bytes() == (uefi_built / "esp" / p).read_bytes(), p


def test_usb_image_boots_to_ready(uefi_built, tmp_path):
    img = tmp_path / "usb.img"
    shutil.copy(uefi_built / "apicvisor-usb.img", img)
    res = run_qemu(tmp_path, usb_img=img, firmware="ovmf", smp=2)
    assert_uefi_booted(res)
    assert "USB" in res.log[:res.log.index(BANNER)]  # the firmware booted the stick, nothing else


def test_no_hv_conf_warns_and_boots(esp, tmp_path):
    (esp / "apicvisor/hv.conf").unlink()
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf")
    assert "apicvisor loader: WARNING: no \\apicvisor\\hv.conf: using built-in defaults" in res.log, res.explain()
    assert_uefi_booted(res)
    assert 'module 0 "hv.conf"' not in res.log


def test_config_modules_are_loaded(esp, tmp_path):
    """Files named by image=/module= become page-aligned boot modules after hv.conf, and reach the hypervisor.

    The hypervisor lists its modules; QEMU has no VMX, so no guest runs.
    """
    (esp / "apicvisor/guests").mkdir()
    (esp / "apicvisor/guests/g0.elf").write_bytes(bytes(range(256)) * 20)
    (esp / "apicvisor/initrd one.img").write_bytes(b"x" * 4097)
    (esp / "apicvisor/hv.conf").write_text(
        '# image=guests/commented.elf\nguest name=g0 cpus=0 memory=16M image=guests/g0.elf module="initrd one.img"\n')
    res = run_ovmf_until(tmp_path, r"^HV (READY|STOPPED)", esp_dir=esp)
    assert not res.timed_out, res.explain()
    expect = [("hv.conf", None), ("guests/g0.elf", 5120), ("initrd one.img", 4097)]
    for i, (name, size) in enumerate(expect):
        m = re.search(rf'^apicvisor loader: module {i} "{re.escape(name)}": (\d+) bytes at 0x([0-9A-F]+)$', res.log,
                      re.M)
        assert m, res.explain()
        assert int(m.group(2), 16) % 4096 == 0
        assert size is None or int(m.group(1)) == size
    assert "commented" not in res.log
    assert re.search(r'^\[cpu0\] boot: entered through UEFI loader', res.log, re.M), res.explain()
    for i, (name, _) in enumerate(expect):
        assert f'boot: module {i} "{name}" at 0x' in res.log, res.explain()
    assert re.search(r"^HV READY cpus=\d+ vmx=\S+ apicv=\S+ guests=0$", res.log, re.M), res.explain()


def test_preferred_address_taken(esp, tmp_path):
    """p_paddr of the image at 2 GiB, above the VM's 512 MiB: the loader places it elsewhere."""
    elf = bytearray((esp / "apicvisor/hv.elf").read_bytes())
    for at, *_ in higher_half(elf):
        p_paddr, = struct.unpack_from("<Q", elf, at + 24)
        struct.pack_into("<Q", elf, at + 24, 0x80000000 + (p_paddr - 0x400000))
    (esp / "apicvisor/hv.elf").write_bytes(bytes(elf))
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf")
    assert "preferred physical 0x80000000 is taken or unusable; placed the 2048 KiB at 0x" in res.log, res.explain()
    assert_uefi_booted(res)
    m = re.search(r"^\[cpu0\] boot: image at physical 0x([0-9a-f]+),", res.log, re.M)
    assert m and int(m.group(1), 16) % (2 << 20) == 0 and int(m.group(1), 16) != 0x80000000, res.explain()


def test_shell_command_line_reaches_hypervisor(esp, tmp_path):
    """Started from the UEFI shell with arguments: they become the command line, the program name is dropped."""
    shutil.move(esp / "EFI/BOOT/BOOTX64.EFI", esp / "apicvisor/loader.efi")  # no removable-media boot
    (esp / "startup.nsh").write_text("fs0:\r\n\\apicvisor\\loader.efi loglevel=debug onpanic=halt\r\n")
    res = run_qemu(tmp_path, esp_dir=esp, firmware="ovmf", extra=["-nic", "none"])
    assert 'apicvisor loader: command line: "loglevel=debug onpanic=halt"' in res.log, res.explain()
    assert '[cpu0] boot: command line "loglevel=debug onpanic=halt"' in res.log, res.explain()
    assert_uefi_booted(res)


# ---- bad input: a clear error, a stop, no hand-off ----

def test_missing_hv_elf_returns_to_firmware(esp, tmp_path):
    (esp / "apicvisor/hv.elf").unlink()
    res = run_ovmf_until(tmp_path, r"^BdsDxe: failed to start Boot\d+ .*: Not Found$", esp_dir=esp, timeout=60)
    assert_stopped_in_loader(res, "cannot open \\apicvisor\\hv.elf: Not Found")
    # The loader waited for its timeout, then returned EFI_NOT_FOUND to the boot manager.
    assert res.log.index(STOP_LINE) < res.log.index("BdsDxe: failed to start"), res.explain()


BAD_ELF_CASES = {
    "text": "\\apicvisor\\hv.elf is not a usable hypervisor image: not an ELF file (bad magic)",
    "tiny": "\\apicvisor\\hv.elf is not a usable hypervisor image: file too small for an ELF header",
    "no_header": ("\\apicvisor\\hv.elf is not a usable hypervisor image: "
                  "no hypervisor image header (bad magic) at the image start"),
    "segment_outside": "\\apicvisor\\hv.elf: segment at 0xFFFFFFFF80400000 ",
}


@pytest.mark.parametrize("case", BAD_ELF_CASES)
def test_bad_hv_elf(esp, tmp_path, case):
    path = esp / "apicvisor/hv.elf"
    elf = bytearray(path.read_bytes())
    if case == "text":
        path.write_text("This is not an ELF file, just some text a user copied here by mistake.\n" * 4)
    elif case == "tiny":
        path.write_bytes(b"\x7fELF")
    else:
        hdr = min(higher_half(elf), key=lambda p: p[3])[2]  # the lowest segment's file offset
        if case == "no_header":
            struct.pack_into("<Q", elf, hdr, 0x1122334455667788)
        else:
            struct.pack_into("<Q", elf, hdr + 24, 0x1000)  # image_size: smaller than .text alone
        path.write_bytes(bytes(elf))
    res = run_ovmf_until(tmp_path, re.escape(STOP_LINE), esp_dir=esp)
    assert_stopped_in_loader(res, BAD_ELF_CASES[case])
    if case == "segment_outside":
        assert "lies outside the image [0xFFFFFFFF80400000, +0x1000)" in res.log, res.explain()


# hv.conf is read with the hypervisor's own tokenizer (cfg_parse): a syntax error stops the loader with the
# line, column and message the hypervisor would print.
BAD_CONF_CASES = {
    "missing_module": ("guest image=guests/missing.elf\n",
                       ["cannot open \\apicvisor\\guests\\missing.elf: Not Found",
                        'module "guests/missing.elf" named by hv.conf:1:13 could not be loaded']),
    "too_many_modules": ("".join(f"guest image=g{i}.elf\n" for i in range(40)),
                         ["hv.conf:32:7: too many modules (at most 32, hv.conf included)"]),
    "open_quote": ('# a guest\nguest module="oops.img\n', ["hv.conf:2:14: unterminated quoted value"]),
    "syntax": ("hypervisor cmdline=x\r\nguest image = g0.elf\r\n", ["hv.conf:2:12: expected '=' after key 'image'"]),
    "absolute_path": ("guest image=/g0.elf\n", ["hv.conf:1:13: file path must be relative to \\apicvisor"]),
}


@pytest.mark.parametrize("case", BAD_CONF_CASES)
def test_bad_config(esp, tmp_path, case):
    text, errors = BAD_CONF_CASES[case]
    (esp / "apicvisor/hv.conf").write_text(text)
    res = run_ovmf_until(tmp_path, re.escape(STOP_LINE), esp_dir=esp)
    assert_stopped_in_loader(res, *errors)


def test_loader_and_hypervisor_agree_on_syntax(esp, tmp_path):
    """One tokenizer: the error the loader stops with is the one the hypervisor gives the same file under GRUB."""
    text, (error,) = BAD_CONF_CASES["syntax"]
    res = run_qemu(tmp_path, iso=make_iso(tmp_path, config=text), until=r"^HV (READY|STOPPED)")
    assert f"config: {error}" in res.log, res.explain()
    assert "HV STOPPED: bad configuration file" in res.log, res.explain()


def test_hv_conf_too_large(esp, tmp_path):
    (esp / "apicvisor/hv.conf").write_bytes(b"# padding\n" * (110 * 1024))
    res = run_ovmf_until(tmp_path, re.escape(STOP_LINE), esp_dir=esp)
    assert_stopped_in_loader(res, "\\apicvisor\\hv.conf is 1126400 bytes; the limit is 1048576")


def test_out_of_memory(esp, tmp_path):
    """An image header asking for 896 MiB in a 512 MiB machine: the allocation fails cleanly."""
    path = esp / "apicvisor/hv.elf"
    elf = bytearray(path.read_bytes())
    hdr = min(higher_half(elf), key=lambda p: p[3])[2]
    struct.pack_into("<Q", elf, hdr + 24, 896 << 20)
    path.write_bytes(bytes(elf))
    res = run_ovmf_until(tmp_path, re.escape(STOP_LINE), esp_dir=esp)
    assert_stopped_in_loader(
        res, "out of memory: cannot allocate 919552 KiB for the hypervisor image: Out of Resources")
