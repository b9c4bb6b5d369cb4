"""test_layers.py: layers.py on small git repositories made in tmp_path, one problem at a time.

The base tree is clean; each test adds the file or table line that breaks it and checks the exact report.
"""
import subprocess
import sys
from pathlib import Path

import pytest

LAYERS = Path(__file__).with_name("layers.py")
DOC = "docs/architecture.md"
TABLE_LINE = 4  # the table's first line in the document below

# Bottom-up, as the real table: each folder after the ones it may include.
TABLE = """\
vmm/lib    -        # no dependencies
arch/x86   vmm/lib
lapic      vmm/lib
vmm        *
"""

BASE_FILES = {
    "vmm/lib/string.h": "#pragma once\n",
    "vmm/lib/string.c": '#include "vmm/lib/string.h"\n#include <stdint.h>\n',
    "arch/x86/cpu.h": '#pragma once\n#include "vmm/lib/string.h"\n',
    "arch/x86/cpu.c": '#include "arch/x86/cpu.h"\n',
    "lapic/vlapic.h": "#pragma once\n",
    "lapic/vlapic.c": '#include "lapic/vlapic.h"\n#include "vmm/lib/string.h"\n',
    "vmm/main.c": '#include "arch/x86/cpu.h"\n#include "lapic/vlapic.h"\n#include "vmm/lib/string.h"\n',
    "vmm/vmm.mk": '#include "not/a/source/file.h"\n',  # not a source file: not read
    "test/unit/unit.h": '#include "nowhere.h"\n',  # not under a folder of the table: not read
    "Makefile": "all:\n",
}


def document(table):
    return f"# Architecture\n\n```layers\n{table}```\n\nMore text.\n"


def make_repo(root, table=TABLE, files=None, doc=None):
    """A git repository at root with the architecture document and the base files plus files, all staged."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    contents = {**BASE_FILES, DOC: document(table) if doc is None else doc, **(files or {})}
    for path, text in contents.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def layers(root, *args):
    result = subprocess.run([sys.executable, str(LAYERS), "--root", str(root), *args], capture_output=True,
                            text=True)
    return result.returncode, result.stdout.splitlines(), result.stderr


def errors(root, *args):
    """The error lines of a run that must fail, without the final count (checked here)."""
    status, out, err = layers(root, *args)
    assert status == 1, out
    assert out[-1] == f"layers: {len(out) - 1} error{'s' if len(out) != 2 else ''}"
    return out[:-1]


def test_clean_tree(tmp_path):
    status, out, err = layers(make_repo(tmp_path))
    assert (status, err) == (0, "")
    assert out == [f"layers: 4 folders, 7 files, 5 folder edges: every include follows {DOC}"]


def test_untracked_file_is_ignored(tmp_path):
    make_repo(tmp_path)
    (tmp_path / "lapic/scratch.c").write_text('#include "vmm/main.c"\n')
    assert layers(tmp_path)[0] == 0


def test_tracked_file_deleted_from_the_work_tree_is_ignored(tmp_path):
    make_repo(tmp_path, files={"lapic/gone.c": '#include "arch/x86/cpu.h"\n'})
    (tmp_path / "lapic/gone.c").unlink()
    assert layers(tmp_path)[:2] == (0, [f"layers: 4 folders, 7 files, 5 folder edges: every include follows {DOC}"])


def test_disallowed_includes_all_reported_sorted(tmp_path):
    make_repo(tmp_path, files={
        "lapic/vlapic.c": '#include "lapic/vlapic.h"\n#include "arch/x86/cpu.h"\n' + "\n" * 7 +
                          '#include "arch/x86/cpu.h"\n',
        "lapic/timer.c": '#include "arch/x86/cpu.h"\n',
    })
    assert errors(tmp_path) == [  # by file, then line (10 after 2)
        f"layers: lapic/timer.c:1 includes arch/x86/cpu.h: lapic may not include arch/x86 ({DOC})",
        f"layers: lapic/vlapic.c:2 includes arch/x86/cpu.h: lapic may not include arch/x86 ({DOC})",
        f"layers: lapic/vlapic.c:10 includes arch/x86/cpu.h: lapic may not include arch/x86 ({DOC})",
    ]


def test_cycle_between_two_folders(tmp_path):
    make_repo(tmp_path, files={"arch/x86/trap.c": '#include "arch/x86/cpu.h"\n#include "vmm/main.c"\n'})
    assert errors(tmp_path) == [
        f"layers: arch/x86/trap.c:2 includes vmm/main.c: arch/x86 may not include vmm ({DOC})",
        "layers: include cycle: arch/x86 -> vmm -> arch/x86",
    ]


def test_cycle_through_three_folders(tmp_path):
    make_repo(tmp_path, files={"vmm/lib/string.c": '#include "lapic/vlapic.h"\n',
                               "lapic/vlapic.c": '#include "arch/x86/cpu.h"\n'})
    assert errors(tmp_path)[-1] == "layers: include cycle: arch/x86 -> vmm/lib -> lapic -> arch/x86"


def test_files_line_restricts_a_folder(tmp_path):
    make_repo(tmp_path, table=TABLE + "files vmm: main.c main.h\n", files={
        "vmm/main.h": "#pragma once\n",
        "vmm/extra.c": '#include "vmm/main.h"\n',
        "vmm/lib/fine.c": "",  # a subfolder is another folder
    })
    assert errors(tmp_path) == [
        f"layers: vmm/extra.c: a file directly in vmm/; {DOC} allows only main.c main.h there",
    ]


def test_folder_missing_from_table(tmp_path):
    make_repo(tmp_path, files={
        "vmm/mm/page.c": '#include "vmm/lib/string.h"\n',
        "vmm/mm/page.h": "",
        "guest/tests/t.c": '#include "vmm/main.c"\n#include "nowhere.h"\n',  # no table entry at or above guest/
    })
    assert errors(tmp_path) == [f"layers: folder vmm/mm is not in the layer table of {DOC}"]


def test_folder_missing_from_table_is_not_an_include_target(tmp_path):
    make_repo(tmp_path, files={"vmm/main.c": '#include "test/unit/unit.h"\n'})  # * is the table's folders
    assert errors(tmp_path) == [f"layers: vmm/main.c:1 includes test/unit/unit.h: vmm may not include test/unit "
                                f"({DOC})"]


def test_star_allows_every_folder_of_the_table(tmp_path):
    make_repo(tmp_path, table=TABLE + "boot -\n",
              files={"boot/entry.c": "", "vmm/main.c": '#include "boot/entry.c"\n'})
    status, out, _ = layers(tmp_path)
    assert status == 0, out


@pytest.mark.parametrize("table, line, message", [
    (TABLE.replace("vmm/lib    -", "vmm/lib arch/x86"), 1,  # the line of the cycle's first folder
     "the table has a cycle: arch/x86 -> vmm/lib -> arch/x86"),
    (TABLE + "boot  vmm\n", 4, "the table has a cycle: boot -> vmm -> boot"),  # vmm's * includes boot
    (TABLE.replace("lapic      vmm/lib", "lapic vmm/lib nosuch"), 2,
     "lapic may include nosuch, which is not in the table"),
    (TABLE + "files boot: a.c\n", 4, "files line for boot, which is not in the table"),
    (TABLE + "arch/x86 -\n", 4, "arch/x86 is listed twice (first on line 5)"),
])
def test_table_errors(tmp_path, table, line, message):
    make_repo(tmp_path, table=table)
    assert errors(tmp_path) == [f"layers: {DOC}:{TABLE_LINE + line}: {message}"]


@pytest.mark.parametrize("bad", ["boot", "boot - vmm", "boot * vmm", "boot/ -", "boot ../vmm", "- vmm", "vmm:x a"])
def test_table_syntax_errors(tmp_path, bad):
    make_repo(tmp_path, table=TABLE + bad + "\n")
    [error] = errors(tmp_path)
    assert error.startswith(f"layers: {DOC}:{TABLE_LINE + 4}: cannot read '{bad}'")


def test_two_star_folders_are_a_cycle(tmp_path):
    make_repo(tmp_path, table=TABLE + "boot *\n")
    assert errors(tmp_path) == [f"layers: {DOC}:{TABLE_LINE + 4}: the table has a cycle: boot -> vmm -> boot"]


def test_nasm_includes(tmp_path):
    make_repo(tmp_path, files={
        "vmm/lib/defs.inc": "%define X 1\n",
        "lapic/regs.inc": "",
        "arch/x86/entry.asm": '%include "vmm/lib/defs.inc"\n'
                              '%include "asm_offsets.inc"\n'  # generated into build/, found with -I
                              '; %include "lapic/regs.inc"\n'
                              "  %include 'lapic/regs.inc'\n",
        "arch/x86/gen.c": '#include "generated.h"\n',  # the exemption is for NASM only
    })
    assert errors(tmp_path) == [
        "layers: arch/x86/entry.asm:4 includes lapic/regs.inc: arch/x86 may not include lapic "
        f"({DOC})",
        "layers: arch/x86/gen.c:1 includes generated.h: include of a file that does not exist",
    ]


def test_includes_in_comments_are_ignored(tmp_path):
    make_repo(tmp_path, files={"arch/x86/cpu.c": (
        '/* #include "lapic/vlapic.h" */\n'
        "/*\n"
        '#include "lapic/vlapic.h"\n'
        "*/\n"
        '// #include "lapic/vlapic.h"\n'
        'static const char *s = "/*";  // a string does not open a comment\n'
        "#include \"lapic/vlapic.h\" /* this one counts */\n"
    )})
    assert errors(tmp_path) == [
        f"layers: arch/x86/cpu.c:7 includes lapic/vlapic.h: arch/x86 may not include lapic ({DOC})",
    ]


def test_include_relative_to_the_file(tmp_path):
    make_repo(tmp_path, files={
        "vmm/lib/string.c": '#include "string.h"\n',  # vmm/lib/string.h: not an edge
        "arch/x86/cpu.c": '#include "../../lapic/vlapic.h"\n',
    })
    assert errors(tmp_path) == [
        f"layers: arch/x86/cpu.c:1 includes lapic/vlapic.h: arch/x86 may not include lapic ({DOC})",
    ]


def test_missing_include(tmp_path):
    make_repo(tmp_path, files={"vmm/main.c": '#include "arch/x86/cpu.h"\n\n#include "vmm/nope.h"\n'})
    assert errors(tmp_path) == ["layers: vmm/main.c:3 includes vmm/nope.h: include of a file that does not exist"]


def test_angle_bracket_includes_are_ignored(tmp_path):
    make_repo(tmp_path, files={"arch/x86/cpu.c": "#include <lapic/vlapic.h>\n#include <nowhere.h>\n"})
    assert layers(tmp_path)[0] == 0


def test_graph(tmp_path):
    make_repo(tmp_path, files={"vmm/other.c": '#include "vmm/lib/string.h"\n'})
    status, out, _ = layers(tmp_path, "--graph")
    assert status == 0
    assert out == [
        "arch/x86 -> vmm/lib (1 include)",
        "lapic -> vmm/lib (1 include)",
        "vmm -> vmm/lib (2 includes)",
        "vmm -> arch/x86 (1 include)",
        "vmm -> lapic (1 include)",
        f"layers: 4 folders, 8 files, 5 folder edges: every include follows {DOC}",
    ]


def test_other_document_and_nested_fences(tmp_path):
    make_repo(tmp_path)
    doc = tmp_path / "elsewhere.md"
    # An example inside a longer fence is not the table, and its ``` do not close the longer fence.
    doc.write_text("````md\n```\n```layers\nvmm -\n```\n````\n\n~~~layers\n" + TABLE + "vmm/x -\n~~~\n")
    status, out, _ = layers(tmp_path, "--doc", str(doc))
    assert status == 0, out
    assert out == ["layers: 5 folders, 7 files, 5 folder edges: every include follows elsewhere.md"]


@pytest.mark.parametrize("doc, message", [
    (None, "cannot read the layer table"),
    ("no table here\n```c\nint x;\n```\n", "expected one ```layers block, found 0"),
    (document(TABLE) + document(TABLE), "expected one ```layers block, found 2"),
    ("```layers\nvmm -\n", "the ```layers block is not closed"),
])
def test_no_usable_table(tmp_path, doc, message):
    make_repo(tmp_path, doc="")
    if doc is None:
        (tmp_path / DOC).unlink()
    else:
        (tmp_path / DOC).write_text(doc)
    status, out, err = layers(tmp_path)
    assert status == 2
    assert message in err and out == []


def test_not_a_repository(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / DOC).write_text(document(TABLE))
    status, _, err = layers(tmp_path)
    assert status == 2 and "git ls-files" in err
