"""Which way the arrows point (ARCHITECTURE.md): imports at the top of a module, and no
circle between the packages of app/ through them.

An import inside a function is allowed only with a comment on its line or the line
above saying why (a heavy library loaded on first use, a test's stand-in); never to
dodge a circle. PACKAGES lists the packages held to this so far.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app as app_package

APP = Path(app_package.__file__).resolve().parent
PACKAGES = ("api", "staff")


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _package(module: str) -> str:
    """app.api.views → api; app.web → web (a module of app/ is a node of its own)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def top_level_graph() -> dict[str, set[str]]:
    """Package → the packages of app/ its modules import at the top of the file."""
    graph: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        module = _module(path)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                names = [_target(node, module, path.name == "__init__.py")]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("app.") and _package(name) != _package(module):
                    graph.setdefault(_package(module), set()).add(_package(name))
    return graph


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path of imports from start to goal, or None."""
    seen, todo = {start}, [[start]]
    while todo:
        path = todo.pop()
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == goal:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                todo.append([*path, nxt])
    return None


def imports_inside_functions(path: Path) -> list[int]:
    """Lines of imports inside a function with no comment on their line or the one above."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                here, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                if "#" not in here and not above.strip().startswith("#"):
                    out.append(inner.lineno)
    return sorted(set(out))


def test_no_circle_goes_through_these_packages():
    graph = top_level_graph()
    for package in PACKAGES:
        for other in sorted(graph.get(package, ())):
            back = reaches(graph, other, package)
            assert back is None, f"{package} → {' → '.join(back or [])}"


def test_imports_inside_functions_say_why():
    found = []
    for package in PACKAGES:
        for path in sorted((APP / package).rglob("*.py")):
            found += [f"{_module(path)}:{n}" for n in imports_inside_functions(path)]
    assert found == []


def test_the_checks_see_a_circle_and_an_import_without_a_reason(tmp_path):
    graph = {"api": {"submissions"}, "submissions": {"documents"}, "documents": {"api"}}
    assert reaches(graph, "submissions", "api") == ["submissions", "documents", "api"]
    module = tmp_path / "views.py"
    module.write_text(
        "def a():\n"
        "    from app.submissions import services\n"
        "def b():\n"
        "    # loaded on first use: the library takes a second to import\n"
        "    import weasyprint\n"
        "def c():\n"
        "    import json  # the standard library, here for the example\n"
    )
    assert imports_inside_functions(module) == [2]
