"""test_media_config.py: `make iso|esp|usb CONFIG=FILE` puts FILE on the media as hv.conf with every file its
guest lines name (image=, module=, initrd=), and GRUB a module2 line for each. No emulator runs: the media
are built into tmp_path and read back (osirrox for the ISO, mtools for the USB image)."""
import re
import subprocess

from conftest import BUILD, ROOT

USB_PART_OFFSET = 2048 * 512


def make_media(tmp_path, conf, *targets):
    """make the media for conf into tmp_path (the shared build's own ISO and ESP stay as they are)."""
    out = tmp_path / "media"
    out.mkdir(exist_ok=True)
    args = ["make", "-C", str(ROOT), f"BUILD={BUILD}", f"CONFIG={conf}", f"ISO={out}/t.iso", f"ESP={out}/esp",
            f"ESP_HV={out}/esp.stamp", f"USB_IMG={out}/usb.img", *targets]
    return subprocess.run(args, capture_output=True, text=True), out


def iso_file(iso, path, dest):
    subprocess.run(["osirrox", "-indev", str(iso), "-extract", path, str(dest)], check=True, capture_output=True)
    return dest.read_bytes()


def grub_modules(out):
    return re.findall(r"^\s*module2 (\S+) (\S+)$", (out / "t.iso.grub.cfg").read_text(), re.M)


def test_config_files_on_every_medium(tmp_path):
    conf_dir = tmp_path / "conf"
    (conf_dir / "sub").mkdir(parents=True)
    (conf_dir / "k.elf").write_bytes(b"kernel from the conf's folder")
    (conf_dir / "sub/m.bin").write_bytes(b"module in a subfolder")
    (conf_dir / "rd.img").write_bytes(b"initial ram disk" * 100)
    conf = conf_dir / "my.conf"
    conf.write_text('hypervisor cmdline="loglevel=info"  # image=not-a-guest-line\n'
                    'guest name=a image=k.elf cpus=0 module=sub/m.bin initrd=rd.img cmdline="x # y"\n'
                    'guest name=b image=guest/platform.elf cpus=1 module=sub/m.bin\n')
    proc, out = make_media(tmp_path, conf, "iso", "esp", "usb")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expect = {"hv.conf": conf.read_bytes(), "k.elf": (conf_dir / "k.elf").read_bytes(),
              "sub/m.bin": (conf_dir / "sub/m.bin").read_bytes(), "rd.img": (conf_dir / "rd.img").read_bytes(),
              "guest/platform.elf": (BUILD / "guest/platform.elf").read_bytes()}  # found under the build folder
    # GRUB: hv.conf first, then each file once, in the order the conf names them.
    order = ["hv.conf", "k.elf", "sub/m.bin", "rd.img", "guest/platform.elf"]
    assert grub_modules(out) == [(f"/boot/apicvisor/{p}", p) for p in order]
    for p, data in expect.items():
        assert iso_file(out / "t.iso", f"/boot/apicvisor/{p}", tmp_path / "x") == data, p
        assert (out / "esp/apicvisor" / p).read_bytes() == data, p
        got = tmp_path / "u"
        subprocess.run(["mcopy", "-n", "-i", f"{out}/usb.img@@{USB_PART_OFFSET}", f"::/apicvisor/{p}", str(got)],
                       check=True)
        assert got.read_bytes() == data, p
    listing = subprocess.run(["mdir", "-/", "-b", "-i", f"{out}/usb.img@@{USB_PART_OFFSET}", "::"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert sorted(f for f in listing if not f.endswith("/")) == sorted(
        ["::/EFI/BOOT/BOOTX64.EFI", "::/apicvisor/hv.elf"] + [f"::/apicvisor/{p}" for p in expect])


def test_config_missing_file_names_the_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("# a comment\nguest name=a image=guest/platform.elf cpus=0 initrd=missing.img\n")
    proc, out = make_media(tmp_path, conf, "iso")
    assert proc.returncode != 0
    assert f"{conf}:2: initrd=missing.img: no such file in" in proc.stderr, proc.stderr
    assert not (out / "t.iso").exists()


def test_linux_conf_media(tmp_path):
    """boot/linux.conf (make run-linux): the PVH kernel and the initramfs of make linux, once each."""
    for f in ("vmlinux", "initramfs.cpio.gz"):
        assert (BUILD / "linux" / f).exists(), f"{BUILD / 'linux' / f} missing: run `make linux`"
    proc, out = make_media(tmp_path, ROOT / "boot/linux.conf", "iso")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = ["hv.conf", "linux/vmlinux", "linux/initramfs.cpio.gz"]
    assert grub_modules(out) == [(f"/boot/apicvisor/{p}", p) for p in names]
    text = iso_file(out / "t.iso", "/boot/apicvisor/hv.conf", tmp_path / "c").decode()
    assert re.findall(r"^guest name=(\S+) .* cpus=(\S+)", text, re.M) == [("linux", "0-1"), ("linux2", "2")]
    assert iso_file(out / "t.iso", "/boot/apicvisor/linux/initramfs.cpio.gz", tmp_path / "i") == \
        (BUILD / "linux/initramfs.cpio.gz").read_bytes()
