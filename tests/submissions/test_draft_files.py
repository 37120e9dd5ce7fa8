"""A draft's files: what is replaced or removed is deleted at once, a draft holds at most
its quota, and a submission takes only the files it answers with."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.submissions import uploads, versions
from app.submissions.models import Draft, StoredFile, Submission

from .conftest import GOOD, Resident, png

FORM_ID = "attach-form"
ATTACH_FORM = """\
id: attach-form
version: 1
procedure: A
title: {ja: 添付試験, en: Attachment test, ja-easy: てんぷの しけん}
languages: [ja, en, ja-easy]
pages:
  - id: about
    title: {ja: 内容, en: About, ja-easy: ないよう}
    fields:
      - id: kind
        type: radio
        label: {ja: 種類, en: Kind, ja-easy: しゅるい}
        required: true
        options:
          - {value: a, label: {ja: 甲, en: A, ja-easy: こう}}
          - {value: b, label: {ja: 乙, en: B, ja-easy: おつ}}
  - id: papers
    title: {ja: 添付, en: Files, ja-easy: ファイル}
    fields:
      - {id: note, type: text, label: {ja: 備考, en: Note, ja-easy: めも}}
      - {id: scans, type: file, label: {ja: 書類, en: Documents, ja-easy: しょるい}, accept: [image/png], multiple: true, max_size_mb: 1}
  - id: extra
    title: {ja: 追加, en: Extra, ja-easy: ついか}
    show_if: {field: kind, equals: b}
    fields:
      - {id: proof, type: file, label: {ja: 証明書, en: Proof, ja-easy: しょうめいしょ}, accept: [image/png]}
"""


@pytest.fixture
def attach_app(form_app, tmp_path):
    path = tmp_path / f"{FORM_ID}.yaml"
    path.write_text(ATTACH_FORM, encoding="utf-8")
    with form_app.app_context():
        assert not versions.load_forms([path]).problems
    return form_app


def rows(app) -> list[StoredFile]:
    with app.app_context():
        found = list(db.session.scalars(select(StoredFile).order_by(StoredFile.created_at)))
        db.session.expunge_all()
        return found


def on_disk(app) -> list[str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def draft_of(app) -> Draft:
    with app.app_context():
        (draft,) = db.session.scalars(select(Draft))
        db.session.expunge(draft)
        return draft


def text(r) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def files(*names: str, pad: int = 0) -> list:
    return [(io.BytesIO(png() + b"\0" * pad), name) for name in names]


def test_a_replaced_photo_is_deleted_at_once_and_a_removed_one_too(resident, form_app):
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "first.png")})
    assert r.request.path.endswith("/check")
    (first,) = rows(form_app)

    r = resident.page("docs", {"photo": (io.BytesIO(png()), "second.png")})
    assert r.request.path.endswith("/check")
    (second,) = rows(form_app)
    assert second.original_name == "second.png"
    assert on_disk(form_app) == [second.id]  # the first one's bytes are gone with its row
    assert "second.png" in text(r) and "first.png" not in text(r)

    # removed by the resident (the 削除する box): gone, and no longer an answer
    r = resident.page("docs", {"remove-photo": second.id})
    assert r.request.path.endswith("/check")
    assert rows(form_app) == [] and on_disk(form_app) == []
    assert "second.png" not in text(r)
    assert "photo" not in draft_of(form_app).answers
    assert uploads.Usage() == usage(form_app)


def usage(app) -> uploads.Usage:
    with app.app_context():
        return uploads.draft_usage(db.session.scalar(select(Draft)))


def test_a_replaced_photo_is_deleted_even_when_the_page_is_not_yet_right(resident, form_app):
    """The page with the new file is refused for another answer: the old file is gone
    all the same, and the answers never point at it."""
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "b"})
    resident.page("more", {"count": "2"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "first.png")})
    r = resident.page("more", {"count": "99"})  # refused: at most 10
    assert r.status_code == 422
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "second.png")})
    (kept,) = rows(form_app)
    assert kept.original_name == "second.png" and on_disk(form_app) == [kept.id]
    assert draft_of(form_app).answers["photo"]["id"] == kept.id


def test_a_draft_holds_at_most_its_number_of_files(attach_app):
    attach_app.config["DRAFT_UPLOAD_MAX_FILES"] = 3
    resident = Resident(attach_app)
    resident.start(FORM_ID)
    resident.page("about", {"kind": "a"}, form=FORM_ID)
    r = resident.page("papers", {"scans": files("1.png", "2.png")}, form=FORM_ID)
    assert r.request.path.endswith("/check")
    r = resident.page(
        "papers", {"note": "控えあり", "scans": files("3.png", "4.png")}, form=FORM_ID
    )
    assert r.status_code == 422 and r.request.path.endswith("/papers")
    message = (
        "4.png を添付できません。1件の申請に添付できるファイルは3個までです。"
        "ほかのファイルを削除してから添付してください。"
    )
    assert text(r).count(message) == 2  # in the summary and at the field
    assert 'href="#scans"' in r.get_data(as_text=True)
    assert 'value="控えあり"' in r.get_data(as_text=True)  # what was typed is kept
    assert [f.original_name for f in rows(attach_app)] == ["1.png", "2.png", "3.png"]
    assert len(on_disk(attach_app)) == 3

    # removing one makes room again
    one = rows(attach_app)[0]
    r = resident.page(
        "papers",
        {"note": "控えあり", "remove-scans": one.id, "scans": files("4.png")},
        form=FORM_ID,
    )
    assert r.request.path.endswith("/check")
    assert [f.original_name for f in rows(attach_app)] == ["2.png", "3.png", "4.png"]
    assert one.id not in on_disk(attach_app)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "ja",
            "b.png を添付すると、この申請の添付ファイルが合計0.001MBを超えます。"
            "ほかのファイルを削除するか、小さくしてから添付してください。",
        ),
        (
            "en",
            "Attaching b.png would take this application's files over 0.001 MB in total. "
            "Remove another file or make it smaller, then attach it again.",
        ),
        (
            "ja-easy",
            "b.pngを つけると ファイルが ぜんぶで 0.001MBより おおきく なります。"
            "ほかの ファイルを けすか、ちいさく してから つけてください。",
        ),
    ],
)
def test_a_draft_holds_at_most_its_number_of_bytes(attach_app, lang, message):
    attach_app.config["DRAFT_UPLOAD_MAX_MB"] = 0.001  # 1,048 bytes
    resident = Resident(attach_app)
    resident.get(f"/apply/{FORM_ID}?lang={lang}")
    resident.start(FORM_ID)
    resident.page("about", {"kind": "a"}, form=FORM_ID)
    r = resident.page("papers", {"scans": files("a.png", pad=600)}, form=FORM_ID)
    assert r.request.path.endswith("/check")
    r = resident.page("papers", {"note": "x", "scans": files("b.png", pad=600)}, form=FORM_ID)
    assert r.status_code == 422
    assert message in text(r)
    assert [f.original_name for f in rows(attach_app)] == ["a.png"]


def test_replacing_a_single_file_counts_the_one_it_replaces_as_gone(resident, form_app):
    """A draft at its quota can still swap its photo for another."""
    form_app.config["DRAFT_UPLOAD_MAX_FILES"] = 1
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "first.png")})
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "second.png")})
    assert r.request.path.endswith("/check")
    assert [f.original_name for f in rows(form_app)] == ["second.png"]


def test_the_api_holds_a_submission_to_the_same_quota(attach_app):
    attach_app.config["DRAFT_UPLOAD_MAX_FILES"] = 2
    r = attach_app.test_client().post(
        f"/api/v1/forms/{FORM_ID}/submissions",
        data={"answers": json.dumps({"kind": "a"}), "scans": files("1.png", "2.png", "3.png")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert r.get_json()["errors"]["scans"] == [
        "3.png を添付できません。1件の申請に添付できるファイルは2個までです。"
        "ほかのファイルを削除してから添付してください。"
    ]
    assert rows(attach_app) == [] and on_disk(attach_app) == []


def test_files_of_a_page_no_longer_asked_go_with_its_answers(attach_app):
    resident = Resident(attach_app)
    resident.start(FORM_ID)
    resident.page("about", {"kind": "b"}, form=FORM_ID)
    resident.page("papers", {}, form=FORM_ID)
    r = resident.page("extra", {"proof": files("proof.png")[0]}, form=FORM_ID)
    assert r.request.path.endswith("/check") and "proof.png" in text(r)
    assert len(rows(attach_app)) == 1
    r = resident.page("about", {"kind": "a"}, form=FORM_ID, query_string={"from": "check"})
    assert r.request.path.endswith("/check") and "proof.png" not in text(r)
    assert rows(attach_app) == [] and on_disk(attach_app) == []


def test_a_submission_takes_only_the_files_it_answers_with_and_the_draft_keeps_nothing(
    attach_app,
):
    resident = Resident(attach_app)
    resident.start(FORM_ID)
    resident.page("about", {"kind": "b"}, form=FORM_ID)
    resident.page("papers", {"scans": files("scan.png")}, form=FORM_ID)
    # a proof saved for later on a page that a changed answer then leaves out
    r = resident.post(
        f"/apply/{FORM_ID}/extra",
        {"action": "save", "proof": files("proof.png")[0]},
        content_type="multipart/form-data",
    )
    assert r.request.path.endswith("/saved")
    r = resident.page("about", {"kind": "a"}, form=FORM_ID, query_string={"from": "check"})
    assert r.request.path.endswith("/check")
    assert sorted(f.original_name for f in rows(attach_app)) == ["proof.png", "scan.png"]

    r = resident.post(f"/apply/{FORM_ID}/submit", {})
    assert "/done/" in r.request.path
    (scan,) = rows(attach_app)
    assert scan.original_name == "scan.png" and scan.submission_id is not None
    assert on_disk(attach_app) == [scan.id]  # the proof's bytes are gone too
    draft = draft_of(attach_app)
    assert (draft.answers, draft.pending, draft.resume_code) == ({}, {}, None)
    with attach_app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.answers["scans"][0]["id"] == scan.id and "proof" not in sub.answers
