"""A receipt PDF is made when it is first asked for, not for every submission: from what
the submission stored (the answers of that revision), once, however often it is asked for."""

from __future__ import annotations

import re

from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.jobs.models import OutboxJob
from app.submissions import receipts, revisions
from app.submissions.models import Submission
from tests.submissions.conftest import form_app  # noqa: F401  (fixture)
from tests.submissions.test_api_and_cli import ANSWERS, post


def receipt_jobs(app) -> list[OutboxJob]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxJob).where(OutboxJob.kind == "receipt_pdf")))


def text_of(pdf: bytes) -> str:
    import io

    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_no_receipt_is_made_until_the_resident_asks_then_one_is_made_once(form_app):  # noqa: F811
    client = form_app.test_client()
    body = post(client, {**ANSWERS, "kind": "a"}).get_json()
    assert receipt_jobs(form_app) == []  # the submission itself made no PDF
    with form_app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        assert receipts.receipt_state(sub) == receipts.ON_REQUEST
        assert not receipts.receipt_path(sub).exists()

    url = f"/api/v1/submissions/{body['receipt_no']}/receipt.pdf"
    headers = {"X-Access-Code": body["access_code"]}
    first = client.get(url, headers=headers)  # without a queue: made at once, for this answer
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert body["receipt_no"] in text_of(first.data)
    again = client.get(url, headers=headers)
    assert again.data == first.data  # the same file, not made again
    jobs = receipt_jobs(form_app)
    assert [(j.state, j.key) for j in jobs] == [("done", jobs[0].key)] and len(jobs) == 1


def test_a_receipt_asked_for_after_a_correction_shows_what_each_revision_said(form_app):  # noqa: F811
    client = form_app.test_client()
    body = post(client, {**ANSWERS, "kind": "b", "reason": "最初の理由"}).get_json()
    with form_app.app_context():
        sub = db.session.scalar(
            select(Submission).where(Submission.receipt_no == body["receipt_no"])
        )
        revisions.add_revision(sub, {**sub.answers, "reason": "補正後の理由"})
        sub.answers = {**sub.answers, "reason": "補正後の理由"}
        db.session.commit()
        first = text_of(receipts.render_receipt(sub, 1))
        second = text_of(receipts.render_receipt(sub, 2))
    assert "最初の理由" in first and "補正後の理由" not in first and "第2版" not in first
    assert "補正後の理由" in second and "最初の理由" not in second and "第2版" in second
    # the resident is given the newest: asking makes the second revision's receipt
    r = client.get(
        f"/api/v1/submissions/{body['receipt_no']}/receipt.pdf",
        headers={"X-Access-Code": body["access_code"]},
    )
    assert r.status_code == 200 and "補正後の理由" in text_of(r.data)
    assert [j.key.endswith(":r2") for j in receipt_jobs(form_app)] == [True]
