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


def test_retention_deletes_the_files_of_the_draft_too(resident, form_app):  # noqa: F811
    import io
    from datetime import timedelta

    from app.clock import utcnow
    from app.formengine.parser import parse
    from app.submissions import uploads, versions
    from app.submissions.models import FormVersion, StoredFile, SubmissionEvent
    from app.submissions.retention import purge_expired
    from tests.submissions.conftest import png

    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    resident.page("docs", {"photo": (io.BytesIO(png()), "first.png")})
    resident.get("/apply/test-permit/docs")
    resident.page("docs", {"photo": (io.BytesIO(png()), "second.png")})  # replaces the first
    resident.post("/apply/test-permit/submit", {"declaration": "y"})
    with form_app.app_context():
        (second,) = db.session.scalars(select(StoredFile))  # the first went when replaced
        assert second.original_name == "second.png" and second.submission_id is not None
        # a file replaced before replaced files were deleted at once: the draft's only
        earlier = StoredFile(
            id="0" * 32, draft_id=second.draft_id, field_id="photo", original_name="first.png",
            content_type="image/png", size=len(png()), sha256="-", path="earlier/" + "0" * 32,
        )  # fmt: skip
        db.session.add(earlier)
        db.session.commit()
        uploads.file_path(earlier).parent.mkdir(parents=True)
        uploads.file_path(earlier).write_bytes(png())
        rows = list(db.session.scalars(select(StoredFile)))
        paths = [uploads.file_path(f) for f in rows]
        assert len(rows) == 2 and all(p.exists() for p in paths)
        fv = db.session.scalar(select(FormVersion))  # give the test form a retention period
        fv.yaml_text += "retention_days: 10\n"
        versions._definitions.clear()
        assert parse(fv.yaml_text)[0].retention_days == 10
        sub = db.session.scalar(select(Submission))
        sub.events[0].at = utcnow() - timedelta(days=12)
        sub.status = "approved"
        db.session.add(
            SubmissionEvent(
                submission_id=sub.id, status="approved", at=utcnow() - timedelta(days=11)
            )
        )
        db.session.commit()
        assert purge_expired().files == 2
        assert db.session.scalar(select(StoredFile)) is None and not any(p.exists() for p in paths)
        versions._definitions.clear()
