"""The upload folder is full (a 64 KiB tmpfs, filled): a resident attaching a file is
told, in their language, that it could not be saved and to try again later (507); the
draft and every answer are kept, no piece of the file is left, and once there is room
again the same step works. The API answers 507 in JSON and stores nothing. The same
happens before the disk is full, when a file would leave less than UPLOAD_MIN_FREE_MB."""

from __future__ import annotations

import io
import re
import shutil
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.submissions.models import Draft, StoredFile, Submission
from tests.submissions.conftest import Resident

from .conftest import FORM_ID, WEB_APPLICANT, api_submit, assert_no_leak, fill, load_form, png

MB = 1024 * 1024
NOT_SAVED = {
    "ja": "photo.png を保存できませんでした。時間をおいて、もう一度添付してください。"
    "ほかの入力内容は保存されています。",
    "en": "We could not save photo.png. Please attach it again later. "
    "Your other answers have been kept.",
}


@pytest.fixture
def full_app(make_app, tmp_path, tiny_disk):
    app = make_app(UPLOAD_DIR=str(tiny_disk), JOB_PERIODIC=False)
    load_form(app, tmp_path / "form")
    filler = fill(tiny_disk)
    return app, tiny_disk, filler


def files_on(disk) -> list[str]:
    return sorted(str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file())


def rows(app, model) -> list:
    with app.app_context():
        found = list(db.session.scalars(select(model)))
        db.session.expunge_all()
        db.session.remove()
        return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_full_upload_folder_keeps_the_residents_answers(full_app, lang):
    app, disk, filler = full_app
    resident = Resident(app)
    resident.get(f"/apply/{FORM_ID}?lang={lang}")
    resident.start()
    resident.page("applicant", WEB_APPLICANT)
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})

    html = r.get_data(as_text=True)
    assert r.status_code == 507, html[:2000]
    assert f'<html lang="{lang}">' in html
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert text.count(NOT_SAVED[lang]) == 2  # in the summary at the top and at the field
    assert r.request.path == f"/apply/{FORM_ID}/docs"  # still on the page, to try again
    assert_no_leak(html)
    assert files_on(disk) == ["filler"]  # nothing of the photo is left
    assert rows(app, StoredFile) == []

    # the draft and the answers of the earlier page are kept
    [draft] = rows(app, Draft)
    assert draft.answers["name"]["family"] == "山田" and draft.answers["kind"] == "a"
    applicant = resident.get(f"/apply/{FORM_ID}/applicant").get_data(as_text=True)
    assert 'value="山田"' in applicant and 'value="taro@example.jp"' in applicant

    # room again (an operator freed it): the same step works, and the resident submits
    filler.unlink()
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    assert r.status_code == 200 and r.request.path == f"/apply/{FORM_ID}/check"
    assert "photo.png" in r.get_data(as_text=True)
    done = resident.post(f"/apply/{FORM_ID}/submit", {"declaration": "y"})
    assert done.status_code == 200 and "/done/" in done.request.path
    [stored] = rows(app, StoredFile)
    assert (disk / stored.path).read_bytes() == png() and stored.submission_id is not None


def test_a_full_upload_folder_is_507_from_the_api_and_nothing_is_stored(full_app):
    app, disk, filler = full_app
    client = app.test_client()
    r = api_submit(client, "full-disk", photo=png())
    assert r.status_code == 507
    body = r.get_json()
    assert body["error"] == "insufficient_storage"
    assert body["message"].startswith("ファイルを保存できませんでした")
    assert_no_leak(r.get_data(as_text=True))
    assert files_on(disk) == ["filler"]
    assert rows(app, Submission) == [] and rows(app, StoredFile) == []

    filler.unlink()
    r = api_submit(client, "full-disk", photo=png())  # the same request, later
    assert r.status_code == 201
    [stored] = rows(app, StoredFile)
    assert (disk / stored.path).read_bytes() == png()


# --- the floor: refused before the disk is full -------------------------------------------


@pytest.fixture
def floor_app(make_app, tmp_path):
    """An upload folder on an ordinary disk, with a floor above its free space."""
    uploads = tmp_path / "uploads"  # not made yet: the floor is checked on its disk
    free_mb = shutil.disk_usage(tmp_path).free / MB
    app = make_app(UPLOAD_DIR=str(uploads), JOB_PERIODIC=False, UPLOAD_MIN_FREE_MB=free_mb + 1000)
    load_form(app, tmp_path / "form")
    return app, uploads


def test_an_upload_that_would_go_under_the_floor_is_a_507_and_keeps_the_answers(floor_app, caplog):
    app, uploads = floor_app
    resident = Resident(app)
    resident.start()
    resident.page("applicant", WEB_APPLICANT)
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    html = r.get_data(as_text=True)
    assert r.status_code == 507
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    assert text.count(NOT_SAVED["ja"]) == 2  # the same message as a full disk
    assert_no_leak(html)
    assert not uploads.exists() or files_on(uploads) == []
    assert rows(app, StoredFile) == []
    assert "UPLOAD_MIN_FREE_MB" in caplog.text  # the operator is told why
    [draft] = rows(app, Draft)
    assert draft.answers["name"]["family"] == "山田"

    r = api_submit(app.test_client(), "under-the-floor", photo=png())
    assert r.status_code == 507 and r.get_json()["error"] == "insufficient_storage"
    assert rows(app, Submission) == [] and rows(app, StoredFile) == []

    app.config["UPLOAD_MIN_FREE_MB"] = 1  # room above the floor again
    r = resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    assert r.status_code == 200 and r.request.path == f"/apply/{FORM_ID}/check"
    assert api_submit(app.test_client(), "above-the-floor", photo=png()).status_code == 201
    assert len(rows(app, StoredFile)) == 2
