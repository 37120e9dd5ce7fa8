"""The PDF receipt of every shipped form: Japanese text, every answer, tagged PDF/UA;
downloadable from the done page and the status page, with a 作成中 state."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.formengine import render
from app.formengine.render import flat
from app.jobs.models import OutboxJob
from app.submissions import validation, versions
from app.submissions.models import Draft, Submission
from app.submissions.receipts import receipt_for, receipt_path

from .conftest import SHIPPED_FORMS, assert_tagged_pdf_ua, pdf_text, squash
from .fill import submit


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("form_id", SHIPPED_FORMS)
def test_every_shipped_form_has_a_receipt_with_every_answer(shipped_app, tmp_path, form_id, lang):
    client = shipped_app.test_client()
    r = submit(client, form_id, lang)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    with shipped_app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        data, state = receipt_for(sub)
        assert state == "ready", db.session.scalars(select(OutboxJob.last_error)).all()
        defn = versions.definition(sub.form_version)
        pairs = flat(render(defn, sub.answers, lang, validation.context(lang)))
        title = defn.title.get(lang)
        next_steps = defn.what_happens_next.get(lang) if defn.what_happens_next else ""
    text = squash(pdf_text(data, tmp_path))
    expected = {
        "ja": [
            "申請受付票（控え）",
            "到達番号",
            "アクセスコード",
            "受付日時",
            f"様式第{defn.version}版",
            "申請内容",
            "このあとの流れ",
        ],
        "en": [
            "Applicationreceipt(yourcopy)",
            "Receiptnumber",
            "Accesscode",
            "Received",
            f"formversion{defn.version}",
            "Youranswers",
            "Whathappensnext",
        ],
    }[lang]
    for s in [
        *expected,
        body["receipt_no"],
        body["access_code"],
        title,
        next_steps,
        f"status?receipt_no={body['receipt_no']}",
    ]:
        assert squash(s) in text, s
    assert len(pairs) >= 8
    for label, value in pairs:
        assert squash(label.split(" / ")[-1]) in text, label
        assert squash(value) in text, (label, value)
    assert_tagged_pdf_ua(data, tmp_path, body["receipt_no"])


def test_japanese_text_of_a_receipt_is_japanese(shipped_app, tmp_path):
    """Kanji, kana and full-width punctuation come out as written (no tofu, no mojibake)."""
    client = shipped_app.test_client()
    body = submit(client, "hunting-licence-renewal").get_json()
    with shipped_app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        data, _ = receipt_for(sub)
    text = pdf_text(data, tmp_path)
    for s in [
        "狩猟免許の更新申請",
        "山田 太郎（ヤマダ タロウ）",
        "〒514-0006 三重県津市広明町13番地 県庁舎3階",
        "三重県 行政手続オンライン",
    ]:
        assert s in text, s


def _pages(shipped_app, form_id="information-disclosure"):
    client = shipped_app.test_client()
    body = submit(client, form_id).get_json()
    with shipped_app.app_context():  # as if it had been submitted from a draft on the pages
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        draft = Draft(token=f"draft-of-{sub.receipt_no}", form_version_id=sub.form_version_id)
        db.session.add(draft)
        db.session.flush()
        sub.draft_id = draft.id
        db.session.commit()
    with client.session_transaction() as sess:  # what the submit page leaves in the session
        sess["own_receipts"] = {body["receipt_no"]: f"draft-of-{body['receipt_no']}"}
    done = f"/apply/{form_id}/done/{body['receipt_no']}"
    return client, body, done


def test_the_receipt_downloads_from_the_done_and_the_status_pages(shipped_app):
    client, body, done = _pages(shipped_app)
    page = client.get(done).get_data(as_text=True)
    assert f'href="{done}/receipt.pdf"' in page and "申請受付票（PDF）をダウンロード" in page
    pdf = client.get(f"{done}/receipt.pdf")
    assert (
        pdf.status_code == 200
        and pdf.mimetype == "application/pdf"
        and pdf.data.startswith(b"%PDF")
    )
    assert body["receipt_no"] in pdf.headers["Content-Disposition"]

    stranger = shipped_app.test_client()
    assert stranger.get(f"{done}/receipt.pdf").status_code == 404
    assert stranger.get(f"/status/{body['receipt_no']}/receipt.pdf").status_code == 302
    stranger.post(
        "/status", data={"receipt_no": body["receipt_no"], "access_code": body["access_code"]}
    )
    status = stranger.get(f"/status/{body['receipt_no']}").get_data(as_text=True)
    assert f'href="/status/{body["receipt_no"]}/receipt.pdf"' in status
    assert stranger.get(f"/status/{body['receipt_no']}/receipt.pdf").data == pdf.data


def test_while_the_receipt_is_being_made_the_pages_say_so(shipped_app):
    client, body, done = _pages(shipped_app)
    # not asked for yet: the link is offered, and no job or file exists
    assert "申請受付票（PDF）をダウンロード" in client.get(done).get_data(as_text=True)
    assert client.get(f"{done}/receipt.pdf").status_code == 200  # asked: made (no queue)
    with shipped_app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        receipt_path(sub).unlink()  # as if the worker had not got to it yet
        key = f"receipt_pdf:{sub.id}"
        db.session.execute(update(OutboxJob).where(OutboxJob.key == key).values(state="queued"))
        db.session.commit()
        assert receipt_for(sub) == (None, "pending")
    assert "作成中" in client.get(done).get_data(as_text=True)
    r = client.get(f"{done}/receipt.pdf")
    assert r.status_code == 202 and "作成しています" in r.get_data(as_text=True)

    with shipped_app.app_context():
        db.session.execute(update(OutboxJob).where(OutboxJob.key == key).values(state="failed"))
        db.session.commit()
        assert receipt_for(sub)[1] == "failed"
    assert "作成できませんでした" in client.get(done).get_data(as_text=True)
    assert client.get(f"{done}/receipt.pdf").status_code == 503
