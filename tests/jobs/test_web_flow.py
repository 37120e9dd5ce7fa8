"""The resident's web flow sets off the same jobs: after submitting, the done page offers
the receipt PDF, and a double tap makes one PDF and one mail."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import OutboxJob
from app.submissions.models import Submission
from tests.submissions.conftest import GOOD, form_app, resident  # noqa: F401 - fixtures


def test_the_done_page_offers_the_receipt_made_by_the_jobs(resident, form_app):  # noqa: F811
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {})
    r = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    again = resident.post("/apply/test-permit/submit", {"declaration": "y"})  # a double tap
    assert r.request.path == again.request.path
    html = r.get_data(as_text=True)
    assert "申請受付票（PDF）をダウンロード" in html
    pdf = resident.get(r.request.path + "/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with form_app.app_context():
        sub = db.session.scalar(select(Submission))
        jobs = {j.key: j.state for j in db.session.scalars(select(OutboxJob))}
    assert jobs == {f"receipt_pdf:{sub.id}": "done", f"mail_resident:{sub.id}": "done"}
    instance = Path(form_app.instance_path)
    assert len(list(instance.rglob("*.pdf"))) == 1 and len(list(instance.rglob("*.eml"))) == 1
