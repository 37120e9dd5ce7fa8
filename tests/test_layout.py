"""The house's layout, as docs/development.md draws it: which package of app/ may import
which. A feature may use another feature where the flow needs it, never in a circle; the
ground floor (infrastructure) imports no feature; an import inside a function says why.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# infrastructure: imports no feature
GROUND = {
    "badges",
    "clock",
    "csvfile",
    "documents",
    "formengine",
    "jobs",
    "kpi",
    "notify",
    "resources",
    "metrics",
    "logs",
    "xlsxfile",
}
# shared plumbing of the web app, below every feature too
PLUMBING = {"extensions", "settings", "web", "links", "prepared", "gcpause", "health", "startup"}
# the two places that put the house together: they may import anything
TOP = {"__init__", "cli", "wiring"}
# the pure cores: not even Flask or the database
PURE = {"formengine", "kpi"}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "app" else None


def _comment_above(lines: list[str], lineno: int) -> str:
    """The import's own line, the lines of the import block it is part of, and the line
    just above that block: where a comment saying why it is inside a function goes."""
    i = lineno - 1
    text = lines[i]
    while i > 0 and lines[i - 1].lstrip().startswith(("from ", "import ")):
        i -= 1
        text += lines[i]
    return text + (lines[i - 1] if i > 0 else "")


def _imports():
    """(importing package, imported package, file, line, inside a function, comment)."""
    out = []
    for path in APP.rglob("*.py"):
        rel = path.relative_to(APP.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        me = parts[1] if len(parts) > 1 else "__init__"
        if len(parts) == 2 and path.name != "__init__.py":
            me = parts[1]
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        inner: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        inner.add(id(sub))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = list(rel.parts)[: len(rel.parts) - node.level]
                    names = [".".join(base + ([node.module] if node.module else []))]
                    if node.module is None:
                        names = [".".join([*base, a.name]) for a in node.names]
                elif node.module:
                    names = [node.module]
            for name in names:
                other = _package(name) if name.startswith("app.") else None
                if name == "app" and isinstance(node, ast.ImportFrom):
                    other = None  # `from app import __version__`
                said = _comment_above(lines, node.lineno)
                out.append((me, other, name, path, node.lineno, id(node) in inner, "#" in said))
    return out


IMPORTS = _imports()


def _edges():
    edges = defaultdict(set)
    for me, other, _name, _path, _line, _inner, _said in IMPORTS:
        if other and other != me and me not in TOP and other not in TOP:
            edges[me].add(other)
    return edges


def _cycles(edges) -> list[list[str]]:
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_no_circle_between_packages():
    assert _cycles(_edges()) == []


def test_the_ground_floor_and_the_plumbing_import_no_feature():
    below = GROUND | PLUMBING
    wrong = sorted(
        f"{path.relative_to(APP.parent)}:{line}: {me} imports {name}"
        for me, other, name, path, line, _i, _s in IMPORTS
        if me in below and other and other != me and other not in below
    )
    assert wrong == []


# the floor the architecture names: it imports no other part of the house, not even logs or
# metrics (they hear from it through what it offers: jobs.registry, documents.pdf)
FLOOR = {"jobs", "documents", "notify", "clock", "formengine", "kpi"}
FLOOR_MAY_USE = {"extensions", "settings", "web", "prepared", "gcpause", "health"}


def test_the_architectures_floor_imports_only_the_floor():
    wrong = sorted(
        f"{path.relative_to(APP.parent)}:{line}: {me} imports {name}"
        for me, other, name, path, line, _i, _s in IMPORTS
        if me in FLOOR and other and other != me and other not in FLOOR | FLOOR_MAY_USE
    )
    assert wrong == []


def test_the_pure_cores_import_neither_flask_nor_the_database():
    wrong = sorted(
        f"{path.relative_to(APP.parent)}:{line}: {name}"
        for me, _other, name, path, line, _i, _s in IMPORTS
        if me in PURE
        and name.split(".")[0] in {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "wtforms"}
        and not (me == "formengine" and name.startswith("wtforms"))
    )
    assert wrong == []


def test_an_import_inside_a_function_says_why():
    silent = sorted(
        f"{path.relative_to(APP.parent)}:{line}: {name}"
        for _me, _other, name, path, line, inner, said in IMPORTS
        if inner and not said
    )
    assert silent == []


@pytest.mark.parametrize("edges", [{"a": {"b"}, "b": {"a"}}, {"a": {"b"}, "b": {"c"}, "c": {"a"}}])
def test_the_cycle_finder_finds_cycles(edges):
    assert _cycles(edges)
