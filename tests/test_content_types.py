"""Every route that returns a file says what it is, once: the media type its name promises,
`charset=utf-8` exactly once on text, and none on JSON and binary files. The routes are found in
the URL map, so a new file route without a case here fails the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.catalogue.services import import_catalogue
from app.extensions import db
from app.staff import services as staff
from app.submissions import versions
from app.submissions.models import StoredFile, Submission
from config import TestConfig
from tests.conftest import ROOT
from tests.documents.fill import submit

FORM_ID = "hunting-licence-renewal"
STATIC = ROOT / "app" / "static"
TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".pdf": "application/pdf",
    ".css": "text/css",
    ".js": "text/javascript",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# text carries its charset; JSON and JSON-LD are UTF-8 by definition and have no charset
# parameter (RFC 8259, JSON-LD 1.1's media type registration)
TEXT = ("text/", "image/svg+xml")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("types")
    app = create_app(
        TestConfig,
        instance_path=str(tmp / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'app.db'}",
        UPLOAD_DIR=str(tmp / "uploads"),
        JOB_PERIODIC=False,
    )
    with app.app_context():
        db.create_all()
        assert import_catalogue(ROOT / "procedures").ok
        assert not versions.load_forms([ROOT / "forms"]).problems
        staff.create_user("admin@example.jp", "correct horse battery", "admin")
        db.session.commit()
    body = submit(app.test_client(), FORM_ID).get_json()
    with app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        files = db.session.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id))
        stored = [(f.id, f.content_type) for f in files]
    assert stored, "the form takes files"
    yield app, body, stored
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _check(r, expected: str, where: str) -> None:
    assert r.status_code == 200, (where, r.status_code)
    header = r.headers["Content-Type"]
    assert len(r.headers.getlist("Content-Type")) == 1, where
    assert header.split(";")[0].strip() == expected, (where, header)
    charsets = re.findall(r"charset=([^;\s]+)", header, re.I)
    if expected.startswith(TEXT):
        assert charsets == ["utf-8"], (where, header)
    else:
        assert charsets == [], (where, header)


def _static_files() -> list[str]:
    return sorted(
        str(p.relative_to(STATIC)) for p in STATIC.rglob("*") if p.is_file() and p.suffix in TYPES
    )


def _cases(app, body, stored) -> dict[str, list[tuple[str, str, dict]]]:
    """endpoint → (path, expected media type, request headers)."""
    no, code = body["receipt_no"], body["access_code"]
    file_id, file_type = stored[0]
    opendata = [
        (f"/opendata/{n}.{ext}", TYPES[f".{ext}"], {})
        for n in ("procedures", "volumes", "status_history", "figures")
        for ext in ("csv", "json")
    ]
    return {
        "opendata.download": [*opendata, ("/opendata/procedures.jsonld", TYPES[".jsonld"], {})],
        "opendata.catalog": [("/opendata/catalog.jsonld", TYPES[".jsonld"], {})],
        "opendata.vocab": [
            ("/opendata/vocab.ttl", "text/turtle", {}),
            ("/opendata/vocab.jsonld", "application/ld+json", {}),
            ("/opendata/vocab", "text/turtle", {"Accept": "text/turtle"}),
            ("/opendata/vocab", "text/html", {}),
        ],
        "dashboard.report_pdf": [("/dashboard/report.pdf?fy=2025", "application/pdf", {})],
        "dashboard.figures_xlsx": [("/dashboard/figures.xlsx?fy=2025", TYPES[".xlsx"], {})],
        "bureau.quality_xlsx": [("/staff/bureau/quality.xlsx", TYPES[".xlsx"], {})],
        "dashboard.departments_csv": [
            ("/dashboard/departments.csv", "text/csv", {}),
            ("/dashboard/departments.csv?lang=en", "text/csv", {}),
        ],
        "api_docs.openapi_json": [("/api/openapi.json", "application/json", {})],
        "api.get_receipt_pdf": [
            (f"/api/v1/submissions/{no}/receipt.pdf", "application/pdf", {"X-Access-Code": code})
        ],
        "submissions.status_receipt_pdf": [(f"/status/{no}/receipt.pdf", "application/pdf", {})],
        "submissions.status_file": [(f"/status/{no}/files/{file_id}", file_type, {})],
        "staff.submission_file": [(f"/staff/submissions/{no}/files/{file_id}", file_type, {})],
        "health.metrics_view": [("/metrics", "text/plain", {})],
        "staff.files.download_csv": [
            (f"/staff/catalogue/{n}.csv", "text/csv", {})
            for n in ("procedures", "volumes", "status_history")
        ],
        "staff.files.download_xlsx": [("/staff/catalogue/catalogue.xlsx", TYPES[".xlsx"], {})],
        "staff.inbox": [
            ("/staff/submissions?format=csv", "text/csv", {}),
            ("/staff/submissions?format=xlsx", TYPES[".xlsx"], {}),
        ],
        "static": [(f"/static/{name}", TYPES[Path(name).suffix], {}) for name in _static_files()],
    }


# files reached only in the middle of a resident's own form (a draft's files, the done
# page's receipt): tests/documents and tests/submissions read them; their media types come
# from the same two functions as the routes above (uploads.file_download, receipt_download)
FROM_THE_SAME_FUNCTIONS = {"submissions.draft_file", "submissions.done_receipt_pdf"}
# a decided case's signed result document: tests/staff/test_results.py fetches it
FROM_THE_SAME_FUNCTIONS |= {"results.result_pdf"}
# pages that give a file when asked by a parameter (the inbox: ?format=csv or xlsx); a new
# one belongs here and in _cases
FILES_BY_PARAMETER = {"staff.inbox", "health.metrics_view"}  # and the metrics' text


def _file_routes(app) -> set[str]:
    out = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if (
            Path(rule.rule).suffix in TYPES
            or "/files/" in rule.rule
            or rule.endpoint
            in (
                "static",
                "opendata.download",
                "opendata.vocab",
            )
        ):
            out.add(rule.endpoint)
    return out | FILES_BY_PARAMETER


def test_every_file_route_is_checked(site):
    app, body, stored = site
    assert _file_routes(app) - FROM_THE_SAME_FUNCTIONS == set(_cases(app, body, stored))


def test_every_file_says_its_type_once(site):
    app, body, stored = site
    resident = app.test_client()
    r = resident.post(
        "/status", data={"receipt_no": body["receipt_no"], "access_code": body["access_code"]}
    )
    assert r.status_code in (200, 302)
    officer = app.test_client()
    assert (
        officer.post(
            "/staff/login", data={"email": "admin@example.jp", "password": "correct horse battery"}
        ).status_code
        == 302
    )
    checked = 0
    for endpoint, cases in _cases(app, body, stored).items():
        client = officer if endpoint.startswith(("staff.", "bureau.")) else resident
        for path, expected, headers in cases:
            response = client.get(path, headers=headers)
            try:
                _check(response, expected, path)
            finally:
                response.close()  # a file sent from disk stays open until then
            checked += 1
    assert checked >= 20
