"""The OpenAPI document and the routes agree: every route documented, every documented route real."""

from __future__ import annotations

import re

import pytest
import schemathesis
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app.api.docs import standalone_document

METHODS = {"get", "put", "post", "delete", "patch"}


def _path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


@pytest.fixture
def doc(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.is_json
    return r.get_json()


def documented(doc) -> set[tuple[str, str]]:
    return {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops if m in METHODS}


def test_every_api_route_is_documented_and_nothing_else(app, doc):
    routes = {
        (_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == documented(doc)


def test_every_documented_route_exists(app, doc):
    adapter = app.url_map.bind("localhost")
    for path, method in documented(doc):
        concrete = re.sub(r"\{[a-z_]+\}", "X-1", path)
        try:
            endpoint, _ = adapter.match(concrete, method=method)
        except (NotFound, MethodNotAllowed) as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{method} {path} is documented but not routed: {exc}")
        assert endpoint.startswith(("api.", "api_docs."))


def test_the_endpoints_of_interfaces_md_are_there(doc):
    expected = {
        ("/api/v1/kpi", "GET"),
        ("/api/v1/procedures", "GET"),
        ("/api/v1/procedures/{code}", "GET"),
        ("/api/v1/forms", "GET"),
        ("/api/v1/forms/{form_id}", "GET"),
        ("/api/v1/forms/{form_id}/submissions", "POST"),
        ("/api/v1/submissions/{receipt_no}", "GET"),
        ("/api/v1/submissions/{receipt_no}/receipt.pdf", "GET"),
        ("/api/v1/procedures/{code}/statuses", "POST"),
        ("/api/v1/procedures/{code}/volumes", "POST"),
    }
    assert expected <= documented(doc)


def test_the_served_document_is_the_standalone_one_and_loads_as_openapi(doc):
    assert doc == standalone_document()
    assert doc["openapi"].startswith("3.")
    schema = schemathesis.openapi.from_dict(doc)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) == len(documented(doc))


def test_operations_are_bilingual_and_errors_are_json(doc):
    errors = {"#/components/schemas/" + n for n in ("Error", "ValidationError", "ParameterError")}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert " / " in op["summary"], (method, path)
            for code, answer in op["responses"].items():
                if code.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema["$ref"] in errors, (method, path, code)


def test_only_the_writes_need_a_token(doc):
    secured = {
        (p, m) for p, ops in doc["paths"].items() for m, op in ops.items() if "security" in op
    }
    assert secured == {
        ("/api/v1/procedures/{code}/statuses", "post"),
        ("/api/v1/procedures/{code}/volumes", "post"),
        ("/api/v1/procedures/{code}/guide", "patch"),
    }
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_catalogue_reads_declare_etag_paging_and_filters(doc):
    op = doc["paths"]["/api/v1/procedures"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"department", "priority", "status", "page", "per_page", "If-None-Match"} <= names
    assert "304" in op["responses"] and "ETag" in op["responses"]["200"]["headers"]


def test_the_readable_page_shows_every_operation(client, doc):
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    for path, method in documented(doc):
        assert f"{method} {path}" in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
