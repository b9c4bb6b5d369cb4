#!/usr/bin/env python3
"""seeds.py: writes the committed seed corpus of each libFuzzer harness (test/fuzz/corpus/NAME/).

Usage: python3 test/fuzz/seeds.py [CORPUS_DIR]   (default: test/fuzz/corpus next to this file)

Every seed is built here, byte by byte, in the shape the real input has
(an ELF kernel as ld lays it out, ACPI tables as a PC BIOS lays them out, a
hv.conf as docs/config.md writes it, ...), and in the input format the
harness's header comment gives. The output is deterministic: running this
again rewrites the same files, so `git status` shows any change. A seed
can also be added by hand: drop a file into the harness's folder.
"""
import os
import struct
import sys

SEEDS = {}  # harness name -> {file name: bytes}


def seed(harness, name, data):
    SEEDS.setdefault(harness, {})[name] = bytes(data)


def u8(v):
    return struct.pack("<B", v & 0xFF)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def pad(b, n, fill=b"\0"):
    assert len(b) <= n, (len(b), n)
    return b + fill * (n - len(b))


def put(buf, off, data):
    buf[off:off + len(data)] = data


MiB = 1 << 20
RAM_32M = (32 * MiB) // 4096  # fz_ram_size's field for 32 MiB


# ---- kernels: multiboot (v1), bzImage, PVH vmlinux ----

MB_MAGIC = 0x1BADB002
CODE = bytes.fromhex("fa" "b8 02 b0 ad 2b" "f4" "eb fd")  # cli; mov eax, 0x2badb002; hlt; jmp $-1


def mb_header(flags, extra=b""):
    return u32(MB_MAGIC) + u32(flags) + u32(-(MB_MAGIC + flags)) + extra


def elf32_mb(nseg=1, bss=0x8000):
    """An ELF32 i386 multiboot kernel as a small `ld -N` lays it out: headers, multiboot header, code."""
    phnum = nseg + 1  # and PT_GNU_STACK, as the repo's guests have
    hdr_at = 52 + 32 * phnum
    body = mb_header(0x3) + CODE
    text_off = 0
    text_len = hdr_at + len(body)
    data = b"\x11" * 64
    f = bytearray(pad(b"", text_len + (len(data) if nseg > 1 else 0)))
    base = 0x100000
    entry = base + hdr_at + 12
    put(f, 0, b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9)
    put(f, 16, u16(2) + u16(3) + u32(1) + u32(entry) + u32(52) + u32(0) + u32(0) + u16(52) + u16(32) + u16(phnum) +
        u16(40) + u16(0) + u16(0))
    ph = u32(1) + u32(text_off) + u32(base) + u32(base) + u32(text_len) + u32(text_len + (0 if nseg > 1 else bss)) + \
        u32(7) + u32(0x1000)
    if nseg > 1:
        dbase = base + 0x2000
        ph += u32(1) + u32(text_len) + u32(dbase) + u32(dbase) + u32(len(data)) + u32(len(data) + bss) + u32(6) + \
            u32(0x1000)
        put(f, text_len, data)
    ph += u32(0x6474E551) + u32(0) * 5 + u32(6) + u32(16)  # PT_GNU_STACK
    put(f, 52, ph)
    put(f, hdr_at, body)
    return bytes(f)


def elf64_mb():
    """An ELF64 x86-64 multiboot kernel: one PT_LOAD with the headers, the multiboot header and code."""
    hdr_at = 64 + 56
    body = mb_header(0x2) + CODE
    n = hdr_at + len(body)
    base = 0x200000
    f = bytearray(n)
    put(f, 0, b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9)
    put(f, 16, u16(2) + u16(62) + u32(1) + u64(base + hdr_at + 12) + u64(64) + u64(0) + u32(0) + u16(64) + u16(56) +
        u16(1) + u16(64) + u16(0) + u16(0))
    put(f, 64, u32(1) + u32(7) + u64(0) + u64(base) + u64(base) + u64(n) + u64(n + 0x4000) + u64(0x1000))
    put(f, hdr_at, body)
    return bytes(f)


def aout_mb():
    """A multiboot kernel that gives its load addresses (flag 16), not ELF: a flat binary."""
    load = 0x100000
    hdr_at = 0x40
    end = hdr_at + 48 + len(CODE)
    addrs = u32(load + hdr_at) + u32(load) + u32(load + end) + u32(load + end + 0x1000) + u32(load + hdr_at + 48)
    f = bytearray(end)
    put(f, 0, b"\xeb\x3e")  # jmp over the header, as such kernels start
    put(f, hdr_at, mb_header((1 << 16) | 0x3, addrs + u32(0) * 4))
    put(f, hdr_at + 48, CODE)
    return bytes(f)


def bzimage(pm_len=0x600, version=0x20F, relocatable=1, pref=0x1000000, init_size=0x40000):
    """A bzImage as Linux's build lays it out: boot sector and setup (one sector), then the protected-mode part."""
    setup_sects = 1
    f = bytearray((setup_sects + 1) * 512 + pm_len)
    h = 0x1F1
    put(f, h, u8(setup_sects) + u16(0) + u32(pm_len // 16) + u16(0) + u16(0xFFFF) + u16(0))
    put(f, 0x1FE, u16(0xAA55))
    put(f, 0x200, bytes([0xEB, 0x26C - 0x202]))  # jmp over the header: its end at 0x26c
    put(f, 0x202, b"HdrS" + u16(version))
    put(f, 0x210, u8(0) + u8(0x01))  # type_of_loader, loadflags: LOADED_HIGH
    put(f, 0x214, u32(0x100000))  # code32_start
    put(f, 0x22C, u32(0x7FFFFFFF) + u32(0x200000) + u8(relocatable) + u8(21) + u16(0x3) + u32(2047))
    put(f, 0x258, u64(pref) + u32(init_size) + u32(0x190) + u32(0))
    pm = (setup_sects + 1) * 512
    put(f, pm, b"\xfc\xfa" + b"\x90" * 0x1FE + b"\xfa\xf4\xeb\xfd")  # 32-bit entry, then the 64-bit one at +0x200
    return bytes(f[:pm + pm_len])


def pvh_vmlinux(entry_size=4):
    """A vmlinux with the PVH entry note: ELF64, PT_LOAD at 16 MiB (virtual in the top 2 GiB), PT_NOTE."""
    phnum = 3
    note_desc = u32(0x1000000) if entry_size == 4 else u64(0x1000000)
    note = u32(4) + u32(len(note_desc)) + u32(18) + b"Xen\0" + note_desc
    other = u32(4) + u32(4) + u32(1) + b"GNU\0" + u32(0)  # a note before it, as vmlinux has
    notes = other + note
    text_off = 0x200
    text = b"\xfa\xf4\xeb\xfd" + b"\x90" * 0x3FC
    note_off = text_off + len(text)
    f = bytearray(note_off + len(notes))
    put(f, 0, b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9)
    put(f, 16, u16(2) + u16(62) + u32(1) + u64(0xFFFFFFFF81000000) + u64(64) + u64(0) + u32(0) + u16(64) + u16(56) +
        u16(phnum) + u16(64) + u16(0) + u16(0))
    ph = u32(1) + u32(5) + u64(text_off) + u64(0xFFFFFFFF81000000) + u64(0x1000000) + u64(len(text)) + \
        u64(0x10000) + u64(0x200000)
    ph += u32(4) + u32(4) + u64(note_off) + u64(0xFFFFFFFF81000000 + note_off) + u64(0x1000000 + note_off) + \
        u64(len(notes)) + u64(len(notes)) + u64(4)
    ph += u32(0x6474E551) + u32(6) + u64(0) * 5 + u64(16)
    put(f, 64, ph)
    put(f, text_off, text)
    put(f, note_off, notes)
    return bytes(f)


def mbload_input(image, nmods=0, mod_sizes=(), cmdline=b"", ram=RAM_32M):
    assert len(mod_sizes) == nmods
    return u16(ram) + u8(nmods) + u8(len(cmdline)) + cmdline + b"".join(u16(s) for s in mod_sizes) + image


def linux_input(image, initrd=0, cmdline=b"", ram=RAM_32M):
    return u16(ram) + u16(initrd) + u8(len(cmdline)) + cmdline + image


def loader_seeds():
    seed("mbload", "elf32-one-segment", mbload_input(elf32_mb(), 0, (), b"console=ttyS0"))
    seed("mbload", "elf32-two-segments-modules",
         mbload_input(elf32_mb(nseg=2), 2, (4096, 100), b"loglevel=debug name=\"a b\""))
    seed("mbload", "elf64", mbload_input(elf64_mb(), 1, (5000,), b""))
    seed("mbload", "aout-kludge", mbload_input(aout_mb(), 3, (1, 0, 4097), b"x", ram=512))
    seed("linux_load", "bzimage", linux_input(bzimage(), 4096, b"console=ttyS0 init.checks=0"))
    seed("linux_load", "bzimage-fixed-no-initrd", linux_input(bzimage(relocatable=0, version=0x20C), 0, b""))
    # A protected-mode kernel that ends where its 64-bit entry would be: refused (it once loaded, fuzz_linux_load's
    # entry check found).
    seed("linux_load", "bzimage-entry-at-end", linux_input(bzimage(pm_len=0x200, init_size=0x100), 0, b""))
    seed("linux_load", "pvh", linux_input(pvh_vmlinux(), 8192, b"console=ttyS0 quiet"))
    seed("linux_load", "pvh-entry64", linux_input(pvh_vmlinux(8), 0, b""))
    seed("linux_load", "multiboot", linux_input(elf32_mb(), 0, b""))


# ---- hv.conf and the command line ----

def config_seeds(repo):
    for name in ("hv.conf", "linux.conf"):  # the shipped ones
        with open(os.path.join(repo, "boot", name), "rb") as fh:
            seed("config", name, fh.read())
    seed("config", "docs-example", b"""# two guests, as docs/config.md shows them
hypervisor cmdline="loglevel=info console=com1 apicv=vid onpanic=halt mem=0x40000000"
guest name=os image=guests/kernel.elf cpus=1-2 memory=256M cmdline="console=com1" module=guests/initrd.img
guest name=selftest image=guests/selftest.elf cpus=3 restart=yes\r
guest name=linux image=vmlinuz cpus=0,4-5,63 memory=0x10000000 initrd=initrd.cpio cmdline="console=ttyS0" # a comment
""")
    seed("config", "all-keys", b"guest\tname=a_b-1 image=k module=m1 module=dir/m2 initrd=i restart=no memory=2M "
         b"cmdline=\"\" cpus=7\n\n   # blank line above\nhypervisor cmdline=\"debug.fault=0 vmx.raw console=0x2f8\"\n")
    # A line over 1024 characters with a control character past column 1024: the error names its real column.
    seed("config", "long-line", b"guest name=a image=k cpus=0 cmdline=\"" + b"x" * 1100 + b"\x01\"\nhypervisor\n")
    seed("config", "loadoptions-ucs2", "fs0:\\EFI\\BOOT\\BOOTX64.EFI loglevel=debug apicv=posted\0".encode("utf-16-le"))


# ---- ACPI: the firmware's tables, in fuzz_acpi's input format (pointers as table numbers from 1) ----

def sdt(sig, body, revision=1, oem=b"BOCHS ", table_id=b"BXPC    "):
    """An SDT header and its body; the checksum is left 0: the harness sets it (flag bit 0)."""
    length = 36 + len(body)
    return sig + u32(length) + u8(revision) + u8(0) + oem + pad(table_id[:8], 8, b" ") + u32(1) + b"BXPC" + \
        u32(1) + body


def rsdp(revision, rsdt=0, xsdt=0):
    return b"RSD PTR " + u8(0) + b"BOCHS " + u8(revision) + u32(rsdt) + u32(36 if revision >= 2 else 0) + \
        u64(xsdt) + u8(0) + b"\0" * 3


def fadt_rev1(dsdt, pm1a=0xB004, tmr=0xB008):
    """FADT revision 1 as the Bochs BIOS writes it: 116 bytes, I/O port blocks, no reset register."""
    b = bytearray(116 - 36)
    put(b, 0, u32(0) + u32(dsdt) + u8(1) + u8(0) + u16(9) + u32(0xB2) + u8(0xF1) + u8(0xF0))
    put(b, 56 - 36, u32(0xB000) + u32(0) + u32(pm1a) + u32(0) + u32(0) + u32(tmr) + u32(0xAFE0))
    put(b, 88 - 36, u8(4) + u8(2) + u8(0) + u8(4) + u8(4))
    put(b, 112 - 36, u32((1 << 0) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8)))
    return sdt(b"FACP", bytes(b), revision=1)


def fadt_rev6(x_dsdt):
    """FADT revision 6, hardware-reduced, as a UEFI firmware writes it: X_DSDT, sleep registers, reset register."""
    b = bytearray(276 - 36)
    put(b, 112 - 36, u32((1 << 10) | (1 << 20) | (1 << 8)))
    put(b, 116 - 36, u8(1) + u8(8) + u8(0) + u8(1) + u64(0x602) + u8(1))  # RESET_REG in I/O space, RESET_VALUE
    put(b, 131 - 36, u8(5))  # minor version
    put(b, 140 - 36, u64(x_dsdt))
    put(b, 172 - 36, u8(1) + u8(16) + u8(0) + u8(2) + u64(0x604))  # X_PM1a_CNT_BLK in I/O space
    put(b, 244 - 36, u8(1) + u8(8) + u8(0) + u8(1) + u64(0x600) + u8(1) + u8(8) + u8(0) + u8(1) + u64(0x601))
    return sdt(b"FACP", bytes(b), revision=6)


def dsdt(s5_values=(5, 5)):
    """A DSDT with a little AML around Name (\\_S5, Package (4) {...}), as iasl emits it."""
    aml = bytes.fromhex("10 1a 5c 5f 53 42 5f")  # Scope (\\_SB_) {...}
    aml += bytes.fromhex("5b 82 13 50 43 49 30 08 5f 48 49 44 0c 41 d0 0a 03")  # Device (PCI0) { Name (_HID, ...) }
    aml += bytes.fromhex("08 5c 5f 53 35 5f 12 08 04 0a") + bytes([s5_values[0]]) + b"\x0a" + bytes([s5_values[1]]) + \
        b"\x00\x00"
    return sdt(b"DSDT", aml, revision=2)


def madt(entries, lapic=0xFEE00000, flags=1):
    return sdt(b"APIC", u32(lapic) + u32(flags) + b"".join(entries), revision=3)


def lapic_entry(uid, apic_id, flags=1):
    return u8(0) + u8(8) + u8(uid) + u8(apic_id) + u32(flags)


def ioapic_entry(ioapic_id, addr=0xFEC00000, gsi=0):
    return u8(1) + u8(12) + u8(ioapic_id) + u8(0) + u32(addr) + u32(gsi)


def iso_entry(irq, gsi, flags):
    return u8(2) + u8(10) + u8(0) + u8(irq) + u32(gsi) + u16(flags)


def x2apic_entry(apic_id, uid, flags=1):
    return u8(9) + u8(16) + u16(0) + u32(apic_id) + u32(flags) + u32(uid)


def acpi_seeds():
    fix = u8(1)
    # Bochs BIOS: RSDP revision 0, RSDT -> FACP, APIC, HPET; FACP -> DSDT.  Tables: 1 RSDT 2 FACP 3 DSDT 4 APIC 5 HPET
    rsdt = sdt(b"RSDT", u32(2) + u32(4) + u32(5))
    m = madt([lapic_entry(0, 0), lapic_entry(1, 1), lapic_entry(2, 2, flags=0), ioapic_entry(2),
              iso_entry(0, 2, 0), iso_entry(5, 5, 0xD), iso_entry(9, 9, 0xD), iso_entry(10, 10, 0xD),
              iso_entry(11, 11, 0xD), u8(4) + u8(6) + u8(0xFF) + u16(0) + u8(1)])
    hpet = sdt(b"HPET", u32(0x8086A201) + u8(0) + u8(0) + u8(0) + u8(0) + u64(0xFED00000) + u8(0) + u16(0) + u8(0))
    seed("acpi", "bochs-rsdt", fix + rsdp(0, rsdt=1) + rsdt + fadt_rev1(3) + dsdt() + m + hpet)
    # A UEFI machine: RSDP revision 2, XSDT -> FACP (rev 6, X_DSDT), APIC with x2APIC entries and an address
    # override.  Tables: 1 XSDT 2 FACP 3 APIC 4 DSDT
    xsdt = sdt(b"XSDT", u64(2) + u64(3) + u64(0), oem=b"OVMF  ")
    m2 = madt([lapic_entry(0, 0), x2apic_entry(0x100, 1), x2apic_entry(0x101, 2, flags=2), ioapic_entry(8, gsi=0),
               ioapic_entry(9, addr=0xFEC01000, gsi=24), iso_entry(0, 2, 0), u8(5) + u8(12) + u16(0) + u64(0xFEE00000),
               u8(10) + u8(12) + u16(0) + u32(0xFFFFFFFF) + u8(1) + b"\0\0\0"], flags=0)
    seed("acpi", "uefi-xsdt", fix + rsdp(2, rsdt=0, xsdt=1) + xsdt + fadt_rev6(4) + m2 + dsdt((7, 0)))
    # Checksums as given (all 0): every table refused, the RSDP first.
    seed("acpi", "bad-checksums", u8(0) + rsdp(0, rsdt=1) + rsdt + fadt_rev1(3) + dsdt())


# ---- hv.elf (the UEFI loader's check) and the multiboot2 information (the boot) ----

def hv_elf():
    """hv.elf's shape (readelf -l build/hv.elf): a low boot segment, then four higher-half ones, the first with
    the image header; the contents cut to a few bytes each."""
    base = 0xFFFFFFFF80400000
    segs = [  # vaddr, paddr, filesz, memsz, flags
        (0x200000, 0x200000, 0x40, 0x8400, 7),
        (base, 0x400000, 0x80, 0x26905, 5),
        (base + 0x27000, 0x427000, 0x40, 0x39080, 4),
        (base + 0x61000, 0x461000, 0x20, 0xAB988, 6),
        (base + 0x10D000, 0x50D000, 0x40, 0x598F, 4),
    ]
    off = 64 + 56 * len(segs)
    ph, body = b"", b""
    image_size = segs[-1][0] + segs[-1][3] - base
    for i, (va, pa, fsz, msz, fl) in enumerate(segs):
        data = bytearray(fsz)
        if i == 1:
            put(data, 0, u64(0x3156524F53495643) + u64(base) + u64(base + 0x40) + u64(image_size))
        ph += u32(1) + u32(fl) + u64(off + len(body)) + u64(va) + u64(pa) + u64(fsz) + u64(msz) + u64(0x1000)
        body += bytes(data)
    eh = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9 + u16(2) + u16(62) + u32(1) + u64(0x200018) + u64(64) + u64(0) + \
        u32(0) + u16(64) + u16(56) + u16(len(segs)) + u16(64) + u16(0) + u16(0)
    return eh + ph + body


def mb2_tag(t, payload):
    b = u32(t) + u32(8 + len(payload)) + payload
    return b + b"\0" * (-len(b) % 8)


def mb2_info(cmdline, modules, ranges, rsdp_tag=14):
    tags = mb2_tag(21, u32(0x200000))  # load base address
    tags += mb2_tag(1, cmdline + b"\0") + mb2_tag(2, b"GRUB 2.06-13+deb12u1\0")
    for start, end, name in modules:
        tags += mb2_tag(3, u32(start) + u32(end) + name + b"\0")
    tags += mb2_tag(4, u32(639) + u32(523200))  # basic memory information
    tags += mb2_tag(5, u32(0xE0) + u32(0xFFFFFFFF) + u32(0xFFFFFFFF))  # boot device
    tags += mb2_tag(6, u32(24) + u32(0) + b"".join(u64(b) + u64(ln) + u32(t) + u32(0) for b, ln, t in ranges))
    rsdp_bytes = b"RSD PTR " + u8(0x51) + b"BOCHS " + u8(0) + u32(0x1FFE1000)
    tags += mb2_tag(rsdp_tag, rsdp_bytes + (u32(36) + u64(0) + u8(0) + b"\0" * 3 if rsdp_tag == 15 else b""))
    tags += mb2_tag(0, b"")
    return u32(8 + len(tags)) + u32(0) + tags


def boot_seeds():
    seed("hvelf", "hv.elf", hv_elf())
    bochs_e820 = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xE8000, 0x18000, 2), (0x100000, 0x1FEF0000, 1),
                  (0x1FFF0000, 0x10000, 3), (0xFFFC0000, 0x40000, 2)]
    seed("bootinfo", "grub-bochs", mb2_info(b"/boot/hv.elf loglevel=debug", [
        (0x527000, 0x5270B0, b"/boot/hv.conf"), (0x528000, 0x54F000, b"/boot/guests/platform.elf")], bochs_e820))
    uefi = [(0, 0xA0000, 1), (0x100000, 0x700000, 1), (0x800000, 0x8000, 4), (0x808000, 0x3000, 1),
            (0x80B000, 0x1000, 4), (0x900000, 0x1F000000, 1), (0x1F900000, 0x100000, 3), (0x1FA00000, 0x8000, 5),
            (0xFFC00000, 0x400000, 2), (0x100000000, 0x40000000, 1), (0x4000000000, 0x1000, 7)]
    seed("bootinfo", "grub-uefi-mem-limit", mb2_info(b"mem=512M console=0x2f8", [
        (0x1000000, 0x1002000, b"hv.conf"), (0x1003000, 0x1003000, b"empty")], uefi, rsdp_tag=15))


# ---- the instruction decoder: the encodings of test/unit/test_insn_decode.c (nasm + objdump) ----

def insn_seeds(repo):
    import re
    text = open(os.path.join(repo, "test", "unit", "test_insn_decode.c")).read()
    text = text.replace("FEE_ADDR64", "0x20, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00")
    modes = {"M16": 0, "M32": 1, "M64": 2}
    found = 0
    for i, m in enumerate(re.finditer(r'\{"([^"]*)",\s*(M16|M32|M64),\s*\{([0-9a-fx, ]+)\}', text)):
        code = bytes(int(b, 0) for b in m.group(3).replace(" ", "").split(",") if b)
        # mode, memory operand, register operand, flags (CF set: ADC and SBB use it), then the bytes
        seed("insn_decode", "%03d" % i, u8(modes[m.group(2)]) + u64(0x80000000FFFFFFFF - i) + u64(0x7F + i * 0x101) +
             u8(0x01) + code)
        found += 1
    assert found >= 40, found


# ---- a guest's page tables: compact ones, every level's table in page 0 at a different index ----

def walk_seed(ctl, cr3, linear, how, mem, pdptes=(0, 0, 0, 0), maxphy=0):
    return u8(ctl) + u8(maxphy) + u64(cr3) + u64(linear) + u8(how) + b"".join(u64(p) for p in pdptes) + mem


def entries(size, pairs, fill=b""):
    m = bytearray(size)
    for off, val, width in pairs:
        put(m, off, u64(val) if width == 8 else u32(val))
    return bytes(m[:len(m) - len(fill)]) + fill


def guest_walk_seeds():
    PW = 0x3  # present, writable
    data = bytes(range(0x40, 0x80))
    # 4-level: PML4 index 1, PDPT 2, PD 3, PT 4, all in page 0; a 2 MiB page at PD index 5; 16 bytes read at 0x28.
    lin4 = (1 << 39) | (2 << 30) | (3 << 21) | (4 << 12) | 0x28
    mem4 = entries(0x80, [(8, PW, 8), (16, PW, 8), (24, PW, 8), (32, PW, 8), (40, 0x200000 | PW | 0x80, 8)], data)
    seed("guest_walk", "4-level", walk_seed(0x67, 0, lin4, (16 << 2) | 1, mem4))
    # 5-level: PML5 index 6 above the same, and an execute-disabled leaf fetched.
    mem5 = entries(0x80, [(8, PW, 8), (16, PW, 8), (24, PW, 8), (32, PW | (1 << 63), 8), (48, PW, 8)], data)
    seed("guest_walk", "5-level-nx-fetch", walk_seed(0x6F, 0, lin4 | (6 << 48), (8 << 2) | 2, mem5, maxphy=2))
    # PAE: the PDPTE at index 1 (no R/W bit there), PD index 2, PT index 3; once from CR3, once held by the CPU.
    lin_pae = (1 << 30) | (2 << 21) | (3 << 12) | 0x30
    mem_pae = entries(0x80, [(8, 0x1, 8), (16, PW, 8), (24, PW, 8)], data)
    seed("guest_walk", "pae", walk_seed(0x63, 0, lin_pae, (32 << 2), mem_pae))
    seed("guest_walk", "pae-held-pdptes", walk_seed(0xE3, 0, lin_pae, (4 << 2) | 1, mem_pae, pdptes=(0, 1, 0, 0)))
    # 32-bit paging: PDE index 1 to a PT in page 0, PTE index 2; a 4 MiB page (PSE-36 bits) at PDE index 3.
    lin32 = (1 << 22) | (2 << 12) | 0x20
    mem32 = entries(0x40, [(4, PW, 4), (8, PW, 4), (12, 0x400000 | (0x3 << 13) | 0x80 | 0x1, 4)], data[:0x20])
    seed("guest_walk", "32-bit-pse", walk_seed(0x31, 0, lin32, (8 << 2) | 1, mem32, maxphy=3))
    seed("guest_walk", "no-paging", walk_seed(0x00, 0, 0x10, (16 << 2), data))


# ---- the device models: operation sequences (each harness's header lists the opcodes) ----

def vlapic_seeds():
    def mmio_w(cpu, reg, v):
        return u8(1 | cpu << 7) + u16(reg << 4) + u8(0) + u32(v)

    def mmio_r(cpu, reg):
        return u8(0 | cpu << 7) + u16(reg << 4) + u8(0)

    def msr_w(cpu, reg, v):
        return u8(3 | cpu << 7) + u8(reg) + u64(v)

    def time(ticks, shift=0):
        return u8(6) + u32(ticks) + u8(shift)

    # An OS bringing up two xAPICs the way Linux does, a periodic timer, an IPI from CPU 0 to 1 and its EOI.
    xapic = u8(0x07) + u8(0) + u8(1) + u64(1 << 32)
    for cpu in (0, 1):
        xapic += mmio_w(cpu, 0x0F, 0x1FF) + mmio_w(cpu, 0x35, 0x10700) + mmio_w(cpu, 0x36, 0x400) + \
            mmio_w(cpu, 0x37, 0xFE) + mmio_w(cpu, 0x28, 0) + mmio_r(cpu, 0x28) + mmio_w(cpu, 0x08, 0)
    xapic += mmio_w(0, 0x3E, 0x3) + mmio_w(0, 0x32, 0x200EC) + mmio_w(0, 0x38, 0x1000) + time(0x10000) + \
        mmio_r(0, 0x39) + u8(8) + mmio_r(0, 0x10 + 7) + mmio_w(0, 0x0B, 0) + time(0x12345, 4)
    xapic += mmio_w(0, 0x31, 1 << 24) + mmio_w(0, 0x30, 0x40FD) + u8(8 | 1 << 7) + mmio_w(1, 0x0B, 0)
    xapic += mmio_w(0, 0x30, 0xC4500) + mmio_w(0, 0x30, 0xC4601)  # INIT, SIPI to all but self
    seed("vlapic", "xapic-linux", xapic)

    # x2APIC and the TSC-deadline timer; a self IPI, a logical IPI, a level interrupt from the I/O APIC and its EOI.
    x2 = u8(0x1B) + u8(0) + u8(0x21) + u64(1000) + u8(4) + u8(2) + u64(0) + u8(4 | 1 << 7) + u8(2) + u64(0)
    x2 += msr_w(0, 0x0F, 0x1FF) + msr_w(1, 0x0F, 0x11FF) + msr_w(0, 0x32, (2 << 17) | 0xEF) + u8(5) + u64(5000)
    x2 += time(10000) + u8(8) + msr_w(0, 0x0B, 0) + msr_w(0, 0x3F, 0x31) + u8(8) + u8(9)
    x2 += msr_w(0, 0x30, (0x20001 << 32) | 0x800 | 0x40) + u8(8 | 1 << 7) + u8(2 | 1 << 7) + u8(0x10 | 1 << 7)
    x2 += u8(7 | 1 << 7) + u8(0x41) + u8(1) + u8(8 | 1 << 7) + msr_w(1, 0x0B, 0) + u8(11) + u8(0xE) + u8(12) + u8(4)
    x2 += u8(13) + u8(0) + u64(1 << 40) + u8(5) + u64(1 << 41) + time(0xFFFFFFFF, 39) + u8(4) + u8(0) + u64(0)
    seed("vlapic", "x2apic-deadline", x2)


def vioapic_seeds():
    def rte(pin, lo, hi):
        return u8(2) + u8(0x10 + 2 * pin) + u8(0) + u8(1) + u32(lo) + u8(2) + u8(0x11 + 2 * pin) + u8(0) + u8(1) + \
            u32(hi)

    s = u8(2) + u8(2) + u8(0x01) + u8(1) + u8(1)  # the ID, then read the version
    s += rte(4, 0x24, 0) + rte(9, 0xA000 | 0x39, 1 << 24) + rte(2, 0x30, 0) + rte(7, 0x10000 | 0x8000 | 0x27, 0)
    s += u8(3) + u8(4) + u8(1) + u8(3) + u8(4) + u8(0) + u8(3) + u8(4) + u8(1)  # COM1 rises, falls, rises
    s += u8(3) + u8(9) + u8(1) + u8(5) + u8(3) + u8(9) + u8(0) + u8(4) + u8(0x39)  # SCI level: EOI while low
    s += u8(3) + u8(7) + u8(1) + rte(7, 0x8000 | 0x27, 0) + u8(0) + u8(2) + u32(0x27)  # unmask, EOI register
    s += u8(3) + u8(25) + u8(1) + u8(1) + u8(0)  # a pin that does not exist
    seed("vioapic", "pc-pins", s)


def vuart_seeds():
    w = lambda reg, v: u8(1) + u8(reg) + u8(v)
    r = lambda reg: u8(0) + u8(reg)
    s = w(1, 0) + w(3, 0x80) + w(0, 1) + w(1, 0) + r(0) + r(1) + w(3, 0x03) + w(2, 0xC7) + w(4, 0x0B) + w(7, 0xA5)
    s += r(7) + r(2) + r(5) + r(6) + w(1, 0x05) + r(2) + b"".join(u8(2) + u8(c) for c in b"ls\r") + r(2) + r(5)
    s += r(0) + r(0) + r(0) + r(0) + w(1, 0x07) + r(2) + r(2) + w(0, ord("$")) + r(2) + u8(3) + u8(70) + r(5)
    s += w(2, 0x07) + r(5) + w(4, 0x03) + r(2)
    seed("vuart", "linux-8250", s)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    loader_seeds()
    config_seeds(repo)
    acpi_seeds()
    boot_seeds()
    insn_seeds(repo)
    guest_walk_seeds()
    vlapic_seeds()
    vioapic_seeds()
    vuart_seeds()
    for harness, files in sorted(SEEDS.items()):
        d = os.path.join(root, harness)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(files.items()):
            with open(os.path.join(d, name), "wb") as fh:
                fh.write(data)
    total = sum(len(b) for files in SEEDS.values() for b in files.values())
    print("seeds.py: %d seeds, %d bytes, in %s" % (sum(len(f) for f in SEEDS.values()), total, root))


if __name__ == "__main__":
    main()
