"""Every JSON error has one shape, `{"error", "message", "errors"?}`, written in one place
(app.web.json_error): the API's own refusals, Flask's and the limiter's alike."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import app as app_package
from app.web import json_error

APP = Path(app_package.__file__).resolve().parent


def _error_bodies(tree: ast.AST):
    """Where a module builds a JSON error body itself: a dict with an "error" key, as a
    literal or as dict(error=…) → (line, the enclosing function)."""
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def function_of(node: ast.AST) -> str | None:
        while node in parents:
            node = parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.name
        return None

    for node in ast.walk(tree):
        literal = isinstance(node, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value == "error" for k in node.keys
        )
        call = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
            and any(kw.arg == "error" for kw in node.keywords)
        )
        if literal or call:
            yield node.lineno, function_of(node)


def test_only_json_error_builds_an_error_body():
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, function in _error_bodies(tree):
            where = f"{path.relative_to(APP.parent)}:{line}"
            if (where.split(":")[0], function) != ("app/web.py", json_error.__name__):
                found.append(where)
    assert found == [], "JSON error bodies built outside app.web.json_error"


def test_the_scan_finds_a_body_built_by_hand():
    """The scan above would see the usual ways of writing one."""
    source = (
        "def view():\n"
        "    return jsonify({'error': 'invalid', 'message': m}), 422\n"
        "def other():\n"
        "    return jsonify(dict(error='x', message=m))\n"
    )
    assert sorted(f for _, f in _error_bodies(ast.parse(source))) == ["other", "view"]


@pytest.fixture
def answers(client):
    """Error answers of the API from each kind of place that makes one."""
    return {
        "a view (404)": client.get("/api/v1/procedures/NOPE"),
        "a parameter (400)": client.get("/api/v1/procedures?page=zero"),
        "a token (401)": client.post("/api/v1/procedures/P-0001/statuses", json={}),
        "the router (405)": client.delete("/api/v1/kpi"),
        "the router (404)": client.get("/api/v1/nothing-here"),
        "no such form (404)": client.post("/api/v1/forms/x/submissions", data="x"),
    }


def test_every_kind_of_api_error_has_the_one_shape(answers):
    for what, r in answers.items():
        body = r.get_json()
        assert r.status_code >= 400 and r.is_json, what
        assert set(body) <= {"error", "message", "errors"}, what
        assert body["error"] and " / " in body["message"], (what, body)
    assert answers["a token (401)"].headers["WWW-Authenticate"].startswith("Bearer")
