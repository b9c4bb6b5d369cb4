"""layers.py: checks that the folders' include graph follows the layer table of docs/architecture.md.

    python3 test/lint/layers.py [--root DIR] [--doc PATH] [--graph]

The table is the one fenced code block of the document whose info string is `layers`:

    # folder      may include (folders; "-" for nothing, "*" for every folder of the table)
    vmm/lib       -
    arch/x86      vmm/lib
    vmm           *
    files vmm: main.c main.h

A folder is one directory (vmm and vmm/lib are two nodes); its own files may always include each other. A
`files` line lists the only source files allowed directly in that folder. The table must be acyclic.

The tree is the git-tracked .c .h .asm .inc .S files in the table's folders and below them. Every quoted
#include and %include (relative to the root, else to the including file) is an edge from the file's folder to
the included file's; each must be allowed by the table. Exit status: 0 clean, 1 errors, 2 usage or no table.
"""
import argparse
import posixpath
import re
import subprocess
import sys
from collections import defaultdict, deque
from pathlib import Path, PurePosixPath

SOURCE_SUFFIXES = {".c", ".h", ".asm", ".inc", ".S"}
NASM_SUFFIXES = {".asm", ".inc"}
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*(\S*)")
FOLDER = re.compile(r"^[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*$")
FILES_LINE = re.compile(r"^files\s+(\S+?)\s*:(.*)$")
# C comments, and the string and character literals to step over: a "/*" inside one opens no comment.
C_COMMENT_OR_LITERAL = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?', re.S)
C_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"\n]+)"')
NASM_INCLUDE = re.compile(r'^\s*%include\s+(["\'])(.+?)\1')


class Usage(Exception):
    """A problem that stops the check before it starts (exit status 2)."""


class Table:
    """The layer table: folders in the document's (bottom-up) order, what each may include, `files` lines."""

    def __init__(self):
        self.order = []  # folders as listed
        self.line = {}  # folder -> line number in the document
        self.allowed = {}  # folder -> set of folders, or "*"
        self.files = {}  # folder -> set of file names allowed directly in it
        self.files_line = {}

    def may_include(self, folder):
        """The folders that folder may include, with * expanded."""
        allowed = self.allowed[folder]
        return set(self.order) - {folder} if allowed == "*" else allowed - {folder}


def table_block(doc_text):
    """The `layers` block's lines as (line number, text); Usage if there is not exactly one."""
    blocks, fence, current = [], None, None
    for number, text in enumerate(doc_text.splitlines(), 1):
        m = FENCE.match(text)
        if fence is None:
            if m:  # opening fence: remember it so a shorter or different one inside does not close it
                fence = m.group(1)
                current = [] if m.group(2) == "layers" else None
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2):
            if current is not None:
                blocks.append(current)
            fence, current = None, None
        elif current is not None:
            current.append((number, text))
    if current is not None:
        raise Usage("the ```layers block is not closed")
    if len(blocks) != 1:
        raise Usage(f"expected one ```layers block, found {len(blocks)}")
    return blocks[0]


def parse_table(lines):
    """The Table and the errors found in it, each as (line number, message)."""
    table, errors = Table(), []
    for number, text in lines:
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        m = FILES_LINE.match(text)
        if m:
            folder, names = m.group(1), m.group(2).split()
            if not valid_folder(folder):
                errors.append((number, f"cannot read '{text}': {folder} is not a folder from the root"))
            elif folder in table.files:
                errors.append((number, f"a second files line for {folder} (first on line {table.files_line[folder]})"))
            elif any("/" in name for name in names):
                errors.append((number, f"files {folder}: names only files directly in {folder}, without '/'"))
            else:
                table.files[folder], table.files_line[folder] = set(names), number
            continue
        folder, *allowed = text.split()
        if not valid_rule(folder, allowed):
            errors.append((number, f"cannot read '{text}': expected 'folder  folder...', 'folder  -', "
                           "'folder  *' or 'files folder: file...' (folders from the root, no '/' at either end)"))
        elif folder in table.line:
            errors.append((number, f"{folder} is listed twice (first on line {table.line[folder]})"))
        else:
            table.order.append(folder)
            table.line[folder] = number
            table.allowed[folder] = "*" if allowed == ["*"] else set(allowed) - {"-"}
    return table, errors + table_graph_errors(table)


def valid_folder(word):
    return FOLDER.match(word) is not None and not {".", "..", "-"} & set(word.split("/"))


def valid_rule(folder, allowed):
    """Whether a table line reads 'folder  -', 'folder  *' or 'folder  folder...'."""
    if not valid_folder(folder) or not allowed:
        return False
    return allowed in (["-"], ["*"]) or all(valid_folder(word) for word in allowed)


def table_graph_errors(table):
    """Folders the table names but does not list, and its cycles."""
    errors = []
    for folder in table.order:
        if table.allowed[folder] != "*":
            for unknown in sorted(table.allowed[folder] - set(table.order)):
                errors.append((table.line[folder], f"{folder} may include {unknown}, which is not in the table"))
    for folder, number in table.files_line.items():
        if folder not in table.line:
            errors.append((number, f"files line for {folder}, which is not in the table"))
    graph = {folder: table.may_include(folder) & set(table.order) for folder in table.order}
    for component in strongly_connected(graph):
        if len(component) > 1:
            for cycle in cycles(graph, component):
                errors.append((table.line[cycle.split()[0]], f"the table has a cycle: {cycle}"))
    return errors


def strongly_connected(graph):
    """Tarjan's algorithm: the graph's strongly connected components, each a sorted list."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:  # v is the root of a component: it is what is above v on the stack
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            components.append(sorted(component))

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return components


def cycles(graph, component):
    """Cycles that cover a strongly connected component, as 'a -> b -> a': a shortest one through each folder
    not on an earlier one."""
    found, covered = [], set()
    for start in component:
        if start not in covered:
            path = shortest_cycle(graph, start, set(component))
            covered.update(path)
            found.append(" -> ".join(path + [start]))
    return found


def shortest_cycle(graph, start, members):
    """Breadth-first from start, within members, back to start: the path, without the final start."""
    queue, seen = deque([[start]]), {start}
    while queue:
        path = queue.popleft()
        for w in sorted(graph[path[-1]] & members):
            if w == start:
                return path
            if w not in seen:
                seen.add(w)
                queue.append(path + [w])
    raise AssertionError(f"{start} is in a strongly connected component but on no cycle")


def folder_of(path):
    return str(PurePosixPath(path).parent)


def in_scope(folder, table):
    """Whether folder is in the table or below a folder that is."""
    parts = folder.split("/")
    return any("/".join(parts[:n]) in table.line for n in range(1, len(parts) + 1))


def source_files(root, table):
    """The tracked source files in the table's folders and below them."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise Usage(f"git ls-files in {root} failed: {getattr(e, 'stderr', b'').decode().strip() or e}") from e
    paths = [p for p in out.decode().split("\0") if p]
    return sorted(p for p in paths if PurePosixPath(p).suffix in SOURCE_SUFFIXES and in_scope(folder_of(p), table)
                  and (root / p).is_file())  # a tracked file deleted from the work tree is not there to read


def includes(path, text):
    """The file's quoted includes as (line number, path as written), outside comments."""
    if PurePosixPath(path).suffix in NASM_SUFFIXES:  # NASM's comments start with ';', so never before %include
        return [(n, m.group(2)) for n, line in enumerate(text.splitlines(), 1) if (m := NASM_INCLUDE.match(line))]
    text = C_COMMENT_OR_LITERAL.sub(lambda m: re.sub(r"[^\n]", " ", m[0]) if m[0][0] == "/" else m[0], text)
    return [(n, m.group(1)) for n, line in enumerate(text.splitlines(), 1) if (m := C_INCLUDE.match(line))]


def resolve(root, path, target):
    """The included file's path from the root: the target from the root, else from the including file's folder."""
    for base in ("", folder_of(path)):
        candidate = posixpath.normpath(posixpath.join(base, target))  # a/../b is b, as the compiler sees it
        if (root / candidate).is_file():
            return candidate
    return None


def check_tree(root, table, doc_name):
    """The folder edges as {(from, to): count} and the errors, each a (sort key, message)."""
    edges, errors = defaultdict(int), []
    files = source_files(root, table)
    for folder in sorted({folder_of(p) for p in files} - set(table.line)):
        errors.append(((folder, 0), f"folder {folder} is not in the layer table of {doc_name}"))
    for path in files:
        folder, name = folder_of(path), PurePosixPath(path).name
        if folder in table.files and name not in table.files[folder]:
            only = " ".join(sorted(table.files[folder])) or "no files"
            errors.append(((path, 0), f"{path}: a file directly in {folder}/; {doc_name} allows only {only} there"))
        text = (root / path).read_text(errors="replace")
        for number, target in includes(path, text):
            included = resolve(root, path, target)
            if included is None:
                generated = "/" not in target and PurePosixPath(path).suffix in NASM_SUFFIXES
                if not generated:  # a bare name in NASM may be a file generated into build/, found with -I
                    errors.append(((path, number), f"{path}:{number} includes {target}: include of a file "
                                   "that does not exist"))
                continue
            to = folder_of(included)
            if to == folder:
                continue
            edges[folder, to] += 1
            if folder in table.line and to not in table.may_include(folder):
                errors.append(((path, number), f"{path}:{number} includes {included}: {folder} may not include "
                               f"{to} ({doc_name})"))
    return files, edges, errors


def graph_lines(table, edges):
    """The folder edges, bottom-up in the table's order (folders not in it last)."""
    rank = {folder: i for i, folder in enumerate(table.order)}
    key = lambda folder: (rank.get(folder, len(rank)), folder)
    return [f"{a} -> {b} ({n} include{'s' if n != 1 else ''})"
            for (a, b), n in sorted(edges.items(), key=lambda e: (key(e[0][0]), key(e[0][1])))]


def run(root, doc, show_graph):
    """The folder edges to print (with --graph), the messages, and the exit status."""
    doc_name = doc.relative_to(root).as_posix() if doc.is_relative_to(root) else str(doc)
    try:
        doc_text = doc.read_text()
    except OSError as e:
        raise Usage(f"cannot read the layer table: {e}") from e
    try:
        table, table_errors = parse_table(table_block(doc_text))
    except Usage as e:
        raise Usage(f"{doc_name}: {e}") from e
    if table_errors:  # checking the tree against a broken table would only add noise
        problems = [f"{doc_name}:{n}: {message}" for n, message in sorted(table_errors)]
        return [], problems + [count(problems)], 1
    files, edges, errors = check_tree(root, table, doc_name)
    graph = graph_lines(table, edges) if show_graph else []
    problems = [message for _, message in sorted(errors)]
    successors = defaultdict(set)
    for a, b in edges:
        successors[a].add(b)
    for component in strongly_connected(successors):
        if len(component) > 1:  # only possible if the table is broken, but cycles are what the table is for
            problems += [f"include cycle: {cycle}" for cycle in cycles(successors, component)]
    if problems:
        return graph, problems + [count(problems)], 1
    return graph, [f"{len(table.order)} folders, {len(files)} files, {len(edges)} folder edges: "
                   f"every include follows {doc_name}"], 0


def count(problems):
    return f"{len(problems)} error{'s' if len(problems) != 1 else ''}"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check the include graph against the layer table.")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the repository (default: the one holding this script)")
    parser.add_argument("--doc", type=Path, help="the document with the table (default: ROOT/docs/architecture.md)")
    parser.add_argument("--graph", action="store_true", help="also print the folder edges")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    doc = (args.doc or root / "docs" / "architecture.md").resolve()
    try:
        graph, messages, status = run(root, doc, args.graph)
    except Usage as e:
        print(f"layers: {e}", file=sys.stderr)
        return 2
    print("\n".join(graph + [f"layers: {message}" for message in messages]))
    return status


if __name__ == "__main__":
    sys.exit(main())
