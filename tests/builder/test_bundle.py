"""Bundles: what one deployment exports another imports as drafts; a hostile zip is refused."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from app.builder import bundle, document, services
from app.builder.models import FormDraft, FormTemplate
from app.extensions import db
from app.staff.models import AuditEvent

from .conftest import EMAILS, sign_in, start


def test_export_then_import_makes_drafts_of_the_forms(office, author):
    app, _ = office
    raw = author.get("/staff/builder/bundle.zip").get_data()
    got = bundle.read(raw)
    assert not got.problems
    kinds = {(e.kind, e.form_id) for e in got.entries}
    assert ("form", "test-permit") in kinds and ("template", "corporation-applicant") in kinds
    r = author.post(
        "/staff/builder/bundle",
        data={"bundle": (io.BytesIO(raw), "forms-bundle.zip")},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "下書きにした様式" in html
    # department 01 may take in its own procedure's form, not department 02's
    assert "test-permit-c" in html and "手続 C がないか、編集できません" in html
    with app.app_context():
        draft = db.session.scalar(select(FormDraft).where(FormDraft.form_id == "test-permit"))
        data, _ = document.read(draft.yaml_text)
        assert data["version"] == 2  # a new version of the form published here


def _zip(members: dict[str, bytes], manifest=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if manifest is not None:
            zf.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue()


def _listed(name, data, kind="form"):
    return {"file": name, "kind": kind, "form_id": "x", "version": 1,
            "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip


def test_hostile_bundles_are_refused_piece_by_piece():
    assert bundle.read(b"not a zip").problems
    assert bundle.read(_zip({"forms/a.yaml": b"id: a"})).problems  # no manifest
    bomb = b"a" * (bundle.MAX_MEMBER_BYTES * 4)  # compresses to a few KB
    got = bundle.read(
        _zip(
            {"forms/bomb.yaml": bomb},
            {"format": bundle.FORMAT, "files": [_listed("forms/bomb.yaml", bomb)]},
        )
    )
    assert not got.entries and "大きすぎます" in got.problems[0]
    evil = b"id: a"
    for name in ("../../etc/passwd.yaml", "/abs.yaml", "forms/../x.yaml", "forms/a b.yaml"):
        got = bundle.read(
            _zip({name: evil}, {"format": bundle.FORMAT, "files": [_listed(name, evil)]})
        )
        assert not got.entries and "使えない名前" in got.problems[0]
    listed = _listed("forms/a.yaml", b"other")
    got = bundle.read(_zip({"forms/a.yaml": evil}, {"format": bundle.FORMAT, "files": [listed]}))
    assert not got.entries and "チェックサム" in got.problems[0]
    many = {
        "format": bundle.FORMAT,
        "files": [_listed("forms/a.yaml", evil)] * (bundle.MAX_MEMBERS + 1),
    }
    assert bundle.read(_zip({"forms/a.yaml": evil}, many)).problems


def test_a_bundle_from_another_role_is_not_imported(office):
    app, _ = office
    bureau = sign_in(app, EMAILS["bureau"])
    r = bureau.post("/staff/builder/bundle", data={}, content_type="multipart/form-data")
    assert r.status_code == 403


# --- templates travel too ------------------------------------------------------------------

HOUSEHOLD = """# ひな形: 世帯の状況（ほかの団体が作ったもの）
id: household-template
version: 3
procedure: TEMPLATE
title: {ja: 世帯の状況, en: Household}
languages: [ja, en]
pages:
  - id: household
    title: {ja: 世帯, en: Household}
    fields:
      - id: household_size
        type: integer
        label: {ja: 世帯の人数, en: People in the household}
        required: true
        min: 1
"""


def _bundle_with(*extra: bundle.Entry, base: bytes | None = None) -> bytes:
    entries = bundle.read(base).entries if base else []
    return bundle.write([*entries, *extra])


def _import(client, raw: bytes):
    r = client.post(
        "/staff/builder/bundle",
        data={"bundle": (io.BytesIO(raw), "forms-bundle.zip")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _stored(app) -> list[FormTemplate]:
    with app.app_context():
        rows = list(db.session.scalars(select(FormTemplate).order_by(FormTemplate.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _template_options(client, code: str) -> str:
    html = client.get(f"/staff/builder/start/{code}").get_data(as_text=True)
    return html[html.index('<select id="template"') : html.index("</select>")]


ENTRY = bundle.Entry("template", "templates/household.yaml", "household-template", 3, HOUSEHOLD)


def test_a_bundles_templates_become_templates_of_the_importing_department(office, author):
    app, _ = office
    exported = author.get("/staff/builder/bundle.zip").get_data()
    html = _import(author, _bundle_with(ENTRY, base=exported))
    assert "ひな形にしたもの" in html and "世帯の状況（household）" in html
    assert "あなたの部局の手続で使えます。" in html
    # the shipped templates are offered here already: not stored a second time
    assert "templates/corporation.yaml: 同じひな形がすでにあります" in html
    (row,) = _stored(app)
    assert row.yaml_text == HOUSEHOLD and row.title == "世帯の状況"
    # offered on the start page of the department's procedures, not another department's
    assert f'<option value="stored:{row.id}">世帯の状況（取り込んだひな形）' in _template_options(
        author, "A"
    )
    other = sign_in(app, EMAILS["d02"])
    assert f"stored:{row.id}" not in _template_options(other, "C")
    r = other.post(
        "/staff/builder/start/C",
        data={"form_id": "c-household", "how": "template", "template": f"stored:{row.id}"},
    )
    assert r.status_code == 422 and "ひな形を選んでください。" in r.get_data(as_text=True)
    # a draft started from it holds its questions, as a form of the procedure
    draft_id = start(author, template=f"stored:{row.id}", form_id="a-household")
    overview = author.get(f"/staff/builder/{draft_id}").get_data(as_text=True)
    assert "世帯の人数" in overview
    with app.app_context():
        draft = db.session.get(FormDraft, draft_id)
        data, _ = document.read(draft.yaml_text)
        assert (data["id"], data["procedure"], data["version"]) == ("a-household", "A", 1)
        assert draft.origin == f"template:stored:{row.id}"
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert "builder.template_stored" in actions


def test_export_then_import_carries_a_template_unchanged(office, author):
    """What one deployment took in goes out in its bundle as it came, and the receiving
    deployment (here: one whose templates are gone) takes it in again."""
    app, _ = office
    _import(author, _bundle_with(ENTRY))
    exported = author.get("/staff/builder/bundle.zip").get_data()
    got = bundle.read(exported)
    assert not got.problems
    (sent,) = [e for e in got.entries if e.name == "templates/household.yaml"]
    assert sent.text == HOUSEHOLD and (sent.form_id, sent.version) == ("household-template", 3)
    # department 02 receives it elsewhere
    with app.app_context():
        db.session.query(FormTemplate).delete()
        db.session.commit()
    other = sign_in(app, EMAILS["d02"])
    html = _import(other, exported)
    assert "世帯の状況（household）" in html
    (row,) = _stored(app)
    assert row.yaml_text == HOUSEHOLD and row.origin == "bundle:templates/household.yaml"
    assert f"stored:{row.id}" in _template_options(other, "C")
    assert f"stored:{row.id}" not in _template_options(author, "A")
    # the same bundle again changes nothing; a newer text under the same name replaces it
    html = _import(other, exported)
    assert "templates/household.yaml: 同じひな形がすでにあります" in html
    newer = HOUSEHOLD.replace("title: {ja: 世帯の状況", "title: {ja: 世帯の状況（改訂）")
    html = _import(other, _bundle_with(bundle.Entry("template", ENTRY.name, "h", 4, newer)))
    assert "同じ名前のひな形を置き換えました" in html
    (row,) = _stored(app)
    assert row.yaml_text == newer and row.title == "世帯の状況（改訂）"


def test_an_admins_templates_are_offered_to_every_department(office):
    app, _ = office
    admin = sign_in(app, EMAILS["admin"])
    html = _import(admin, _bundle_with(ENTRY))
    assert "すべての部局の手続で使えます。" in html
    (row,) = _stored(app)
    assert row.department_id is None
    for email, code in ((EMAILS["d01"], "A"), (EMAILS["d02"], "C")):
        assert f"stored:{row.id}" in _template_options(sign_in(app, email), code)


def test_a_template_that_is_not_a_form_is_left_out_and_the_count_is_bounded(
    office, author, monkeypatch
):
    app, _ = office
    broken = [
        bundle.Entry("template", "templates/list.yaml", "x", 1, "- just\n- a list\n"),
        bundle.Entry("template", "templates/nopages.yaml", "x", 1, "id: x\ntitle: t\n"),
        bundle.Entry("template", "templates/bad.yaml", "x", 1, "id: [unclosed\n"),
    ]
    html = _import(author, _bundle_with(*broken))
    for name in ("list", "nopages", "bad"):
        assert f"templates/{name}.yaml: ひな形として読めません" in html
    assert _stored(app) == []
    monkeypatch.setattr(services, "MAX_TEMPLATES", 1)
    second = bundle.Entry("template", "templates/second.yaml", "s", 1, HOUSEHOLD + "# 2\n")
    html = _import(author, _bundle_with(ENTRY, second))
    assert "templates/second.yaml: ひな形が多すぎます（1件まで）。" in html
    assert [t.name for t in _stored(app)] == ["household"]


def test_the_builders_page_is_titled_by_its_name_alone(office, author):
    """The page's title is text: the sharing section once ended up inside it."""
    html = author.get("/staff/builder/").get_data(as_text=True)
    title = html[html.index("<title>") + 7 : html.index("</title>")]
    assert title.startswith("オンライン申請フォームの作成 |") and "<" not in title
    assert html.count('id="bundle"') == 1
