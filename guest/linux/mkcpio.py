#!/usr/bin/env python3
"""mkcpio.py: writes a gzipped newc cpio archive (an initramfs) from a list of entries, without root.

    mkcpio.py LIST OUT.cpio.gz

LIST has one entry a line ('#' starts a comment; paths are inside the archive, without a leading /):

    dir   PATH MODE
    file  PATH SOURCE MODE
    nod   PATH MODE c|b MAJOR MINOR
    slink PATH TARGET MODE

Device nodes need no mknod: the archive only describes them. Every entry has
owner root and time 0, so the same inputs give the same bytes. The format is
the "new ASCII" (newc) one that the kernel unpacks (Documentation/driver-api/
early-userspace/buffer-format.rst): a 110-byte header of "070701" and 13
eight-digit hex fields, the NUL-terminated name, the data, each padded to 4 bytes.
"""
import gzip
import stat
import sys


def header(ino, mode, nlink, size, rdev, name):
    major, minor = rdev
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, major, minor, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * (-n % 4)


def entry(ino, mode, name, data=b"", nlink=1, rdev=(0, 0)):
    """One archive member: header, name, padding, data, padding."""
    name_b = name.encode()
    head = header(ino, mode, nlink, len(data), rdev, name_b) + name_b + b"\0"
    return head + pad(len(head)) + data + pad(len(data))


def member(ino, words, where):
    kind, path = words[0], words[1]
    if kind == "dir" and len(words) == 3:
        return entry(ino, stat.S_IFDIR | int(words[2], 8), path, nlink=2)
    if kind == "file" and len(words) == 4:
        with open(words[2], "rb") as f:
            return entry(ino, stat.S_IFREG | int(words[3], 8), path, f.read())
    if kind == "nod" and len(words) == 6 and words[3] in ("c", "b"):
        kind_bits = stat.S_IFCHR if words[3] == "c" else stat.S_IFBLK
        return entry(ino, kind_bits | int(words[2], 8), path, rdev=(int(words[4]), int(words[5])))
    if kind == "slink" and len(words) == 4:
        return entry(ino, stat.S_IFLNK | int(words[3], 8), path, words[2].encode())
    sys.exit(f"{where}: expected dir, file, nod or slink with their fields, got: {' '.join(words)}")


def main(list_path, out_path):
    parts = []
    with open(list_path) as f:
        for number, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if words:
                parts.append(member(len(parts) + 1, words, f"{list_path}:{number}"))
    parts.append(entry(0, 0, "TRAILER!!!"))
    with open(out_path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(b"".join(parts))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py LIST OUT.cpio.gz")
    main(sys.argv[1], sys.argv[2])
