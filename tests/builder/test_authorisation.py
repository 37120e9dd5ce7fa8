"""Who may do what in the form builder, tried from the outside on every route: the author's
department, another department, the bureau, an admin, and someone not signed in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.builder import document
from app.builder.models import FormDraft
from app.extensions import db
from app.submissions.models import FormVersion

from .conftest import EMAILS, sign_in, start

OK, RE, FORBID, NOTFOUND, CONFLICT, BAD = 200, 302, 403, 404, 409, 422
ALL_SIGNED_IN = {"anon": RE, "d01": OK, "d02": OK, "bureau": OK, "admin": OK}
SEE = {"anon": RE, "d01": OK, "d02": FORBID, "bureau": OK, "admin": OK}
EDIT = {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE}
D = "/staff/builder/{d}"
GROUP = {
    "id": "officers",
    "type": "group",
    "label": {"ja": "役員"},
    "fields": [{"id": "officer_name", "type": "text", "label": {"ja": "氏名"}}],
}
MATRIX = [
    ("GET", "/staff/builder/", ALL_SIGNED_IN),
    (
        "GET",
        "/staff/builder/start/A",
        {"anon": RE, "d01": OK, "d02": FORBID, "bureau": FORBID, "admin": OK},
    ),
    ("GET", "/staff/builder/start/NOPE", {"d01": NOTFOUND, "admin": NOTFOUND}),
    ("POST", "/staff/builder/start/A", EDIT),
    ("GET", D, SEE),
    ("GET", "/staff/builder/999999", {"d01": NOTFOUND, "bureau": NOTFOUND}),
    ("GET", D + "/settings", SEE),
    ("POST", D + "/settings", EDIT),
    ("POST", D + "/pages", EDIT),
    ("GET", D + "/pages/0", SEE),
    ("GET", D + "/pages/99", {"d01": NOTFOUND, "bureau": NOTFOUND}),
    ("POST", D + "/pages/0", EDIT),
    ("GET", D + "/pages/0/questions/0", SEE),
    ("GET", D + "/pages/0/questions/99", {"d01": NOTFOUND}),
    ("POST", D + "/pages/0/questions/0", EDIT),
    # the questions inside a repeating group (the fourth question of the first page)
    ("POST", D + "/pages/0/questions/3/fields", EDIT),
    ("POST", D + "/pages/0/questions/0/fields", {"d01": NOTFOUND}),  # not a group
    ("GET", D + "/pages/0/questions/3/fields/0", SEE),
    ("GET", D + "/pages/0/questions/3/fields/9", {"d01": NOTFOUND, "bureau": NOTFOUND}),
    ("GET", D + "/pages/0/questions/0/fields/0", {"d01": NOTFOUND}),
    ("POST", D + "/pages/0/questions/3/fields/0", EDIT),
    ("GET", D + "/form.yaml", SEE),
    ("GET", "/staff/builder/versions/{fv}.yaml", ALL_SIGNED_IN),
    ("GET", "/staff/builder/versions/999999.yaml", {"d01": NOTFOUND}),
    ("POST", D + "/upload", EDIT),  # no file: told so on the overview
    (
        "POST",
        D + "/send",
        {"anon": RE, "d01": CONFLICT, "d02": FORBID, "bureau": FORBID, "admin": CONFLICT},
    ),
    (
        "POST",
        D + "/withdraw",
        {"anon": RE, "d01": BAD, "d02": FORBID, "bureau": FORBID, "admin": BAD},
    ),
    ("GET", D + "/review", SEE),
    # the author never reviews their own draft; the bureau and admins do
    ("POST", D + "/review", {"anon": RE, "d01": FORBID, "d02": FORBID, "bureau": RE, "admin": RE}),
    ("POST", "/staff/builder/versions/{fv}/draft", EDIT),
    (
        "GET",
        "/staff/builder/forms/A",
        {"anon": RE, "d01": OK, "d02": FORBID, "bureau": OK, "admin": OK},
    ),
    ("GET", "/staff/builder/bundle.zip", ALL_SIGNED_IN),
    (
        "POST",
        "/staff/builder/bundle",
        {"anon": RE, "d01": RE, "bureau": FORBID, "admin": RE},
    ),  # no file
    (
        "POST",
        "/staff/builder/forms/A/withdraw",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE, "admin": RE},
    ),
    ("POST", "/staff/builder/forms/NOPE/withdraw", {"d01": NOTFOUND}),
    ("GET", D + "/preview", {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE, "admin": RE}),
    ("GET", D + "/preview/old/applicant", {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE}),
    ("POST", D + "/preview/old/applicant", {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE}),
    ("GET", D + "/preview/old/check", {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE}),
    ("POST", D + "/preview/old/submit", {"anon": RE, "d01": RE, "d02": FORBID, "bureau": RE}),
]


def _data(url: str, revision: int) -> dict:
    if url.endswith("/start/A"):
        return {"form_id": "matrix-form", "how": "blank", "title": "題名"}
    if url.endswith("/review"):
        return {"decision": "comment", "comment": "確認しました"}
    if url.endswith("/withdraw") and "/forms/" in url:
        return {"form_id": "no-such-form"}  # told so on the versions page
    if url.endswith("/send"):
        return {}  # no revision: a stale page (409) for those who may send
    if url.endswith("/fields"):
        return {"revision": str(revision), "type": "text"}
    return {"revision": str(revision), "action": "save", "title-ja": "題名", "id": "corporation"}


def test_every_builder_route_is_in_the_matrix(app):
    routes = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/staff/builder")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, url, _ in MATRIX:
        endpoint, _args = adapter.match(url.format(d=1, fv=1), method=method)
        rule = next(
            r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods
        )
        covered.add((method, rule.rule))
    assert routes <= covered, f"routes without an authorisation test: {sorted(routes - covered)}"


@pytest.mark.parametrize(
    ("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX]
)
def test_builder_route_as_each_role(office, method, url, expected):
    app, _ = office
    draft_id = start(sign_in(app, EMAILS["d01"]))
    with app.app_context():
        draft = db.session.get(FormDraft, draft_id)
        data, _ = document.read(draft.yaml_text)
        data["pages"][0]["fields"].append(GROUP)
        draft.yaml_text = document.dump(data)
        db.session.commit()
        if url.endswith("/review") and method == "POST":
            draft.state = "in_review"
            db.session.commit()
        fv = db.session.scalar(select(FormVersion.id).where(FormVersion.form_id == "test-permit"))
    target = url.format(d=draft_id, fv=fv)
    for role, status in expected.items():
        with app.app_context():
            revision = db.session.get(FormDraft, draft_id).revision
        client = app.test_client() if role == "anon" else sign_in(app, EMAILS[role])
        r = client.open(target, method=method, data=_data(url, revision))
        assert r.status_code == status, f"{role} {method} {target}: {r.status_code}"
        if role == "anon" and status == 302:
            assert "/staff/login" in r.headers["Location"]
