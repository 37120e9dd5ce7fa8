"""Bundles: what one deployment exports another imports as drafts; a hostile zip is refused."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from app.builder import bundle, document
from app.builder.models import FormDraft
from app.extensions import db

from .conftest import EMAILS, sign_in


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
