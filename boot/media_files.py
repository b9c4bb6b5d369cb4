#!/usr/bin/env python3
"""media_files.py: the files an hv.conf names, for the boot media (make iso, esp, usb with CONFIG=).

    media_files.py CONF --search DIR... [--copy DEST] [--grub FILE] [--deps]

Every `guest` line's image=, module= and initrd= value is a path as the boot
loader names the file (docs/config.md). The file itself is looked for under each
--search folder in turn (the conf's own folder, the repository, the build
folder). --copy writes CONF as DEST/hv.conf and each file as DEST/PATH; --grub
writes the module2 lines (hv.conf first, then each file once, in the order
named); --deps prints the source files found, for make, and never fails. A file
found nowhere is an error that names the conf line.
"""
import argparse
import shlex
import shutil
import sys
from pathlib import Path

KEYS = ("image", "module", "initrd")
GRUB_DIR = "/boot/apicvisor"


def words(line):
    """The line's words as hv.conf reads them: blanks between, double quotes around blanks, # a comment."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    lexer.escape = ""
    lexer.quotes = '"'
    return list(lexer)


def named_files(conf):
    """(path, line number) for each file the guest lines name, each path once, in file order."""
    seen, out = set(), []
    for number, line in enumerate(conf.read_text().splitlines(), 1):
        try:
            w = words(line)
        except ValueError as e:  # an unclosed quote: the hypervisor's parser will say more
            sys.exit(f"{conf}:{number}: {e}")
        if not w or w[0] != "guest":
            continue
        for word in w[1:]:
            key, _, value = word.partition("=")
            if key in KEYS and value not in seen:
                seen.add(value)
                out.append((value, number, key))
    return out


def find(path, search):
    for folder in search:
        candidate = Path(folder) / path
        if candidate.is_file():
            return candidate
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("conf", type=Path)
    ap.add_argument("--search", nargs="+", required=True)
    ap.add_argument("--copy", type=Path)
    ap.add_argument("--grub", type=Path)
    ap.add_argument("--deps", action="store_true")
    args = ap.parse_args()
    files = []
    for path, number, key in named_files(args.conf):
        if path.startswith("/") or ".." in Path(path).parts:
            sys.exit(f"{args.conf}:{number}: {key}={path}: the path must be relative and stay below the media's "
                     "apicvisor folder")
        src = find(path, args.search)
        if src is None and not args.deps:
            sys.exit(f"{args.conf}:{number}: {key}={path}: no such file in {', '.join(args.search)}"
                     f"{' (make linux builds the Linux files)' if path.startswith('linux/') else ''}")
        if src is not None:
            files.append((path, src))
    if args.deps:
        print(" ".join(str(src) for _, src in files))
    if args.copy:
        args.copy.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.conf, args.copy / "hv.conf")
        for path, src in files:
            (args.copy / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, args.copy / path)
    if args.grub:
        lines = [f"\tmodule2 {GRUB_DIR}/hv.conf hv.conf"]
        lines += [f"\tmodule2 {GRUB_DIR}/{path} {path}" for path, _ in files]
        args.grub.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
