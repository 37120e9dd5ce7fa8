"""`flask receipts regenerate` and `flask mails resend`: what an operator runs after a
lost volume, a restore without DOCUMENT_DIR, or mails that did not arrive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from app.clock import today
from app.extensions import db
from app.jobs.models import FAILED, OutboxJob
from app.submissions.models import Submission
from tests.jobs.conftest import ask_receipt, jobs_app, receiver, submit  # noqa: F401 - fixtures


def _receipt(app, receipt_no: str) -> Path:
    (path,) = (Path(app.instance_path) / "documents" / "receipts").rglob(f"{receipt_no}.pdf")
    return path


def _downloaded(app) -> str:
    """A submission whose receipt the resident has downloaded → its receipt number."""
    body = submit(app)
    assert ask_receipt(app, body).status_code == 200
    return body["receipt_no"]


def test_a_lost_receipt_is_written_again_and_a_good_one_kept(jobs_app):  # noqa: F811
    never_asked = submit(jobs_app, key="never-asked")["receipt_no"]
    receipt_no = _downloaded(jobs_app)
    path = _receipt(jobs_app, receipt_no)
    original = path.read_bytes()
    path.unlink()
    run = jobs_app.test_cli_runner().invoke
    r = run(args=["receipts", "regenerate", receipt_no])
    assert r.exit_code == 0 and f"{receipt_no}: written" in r.output
    assert path.read_bytes().startswith(b"%PDF-")
    again = run(args=["receipts", "regenerate", receipt_no])
    assert f"{receipt_no}: kept" in again.output
    day = today().isoformat()
    ranged = run(args=["receipts", "regenerate", "--from", day, "--to", day])
    assert f"{receipt_no}: kept" in ranged.output and "kept=1" in ranged.output
    # one never asked for is left to be made when it is
    assert f"{never_asked}: on_request" in ranged.output and "on_request=1" in ranged.output
    path.write_bytes(b"garbage")  # unreadable: written again, the damaged file kept aside
    assert f"{receipt_no}: replaced" in run(args=["receipts", "regenerate", receipt_no]).output
    assert path.read_bytes().startswith(b"%PDF-") and len(original) > 100


def test_days_are_days_in_japan(jobs_app):  # noqa: F811
    """00:30 on 4 December in Japan is 15:30 on 3 December in UTC: an operator asking for
    the 4th (days in Japan) gets it, asking for the 3rd does not."""
    receipt_no = _downloaded(jobs_app)
    with jobs_app.app_context():
        db.session.execute(
            update(Submission)
            .where(Submission.receipt_no == receipt_no)
            .values(created_at=datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
        )
        db.session.commit()
    run = jobs_app.test_cli_runner().invoke
    fourth = run(args=["receipts", "regenerate", "--from", "2026-12-04", "--to", "2026-12-04"])
    assert f"{receipt_no}: kept" in fourth.output
    third = run(args=["receipts", "regenerate", "--from", "2026-12-01", "--to", "2026-12-03"])
    assert receipt_no not in third.output and "none" in third.output


def test_replace_keeps_the_old_receipt_beside_the_new(jobs_app):  # noqa: F811
    receipt_no = _downloaded(jobs_app)
    path = _receipt(jobs_app, receipt_no)
    r = jobs_app.test_cli_runner().invoke(args=["receipts", "regenerate", "--replace", receipt_no])
    assert f"{receipt_no}: replaced" in r.output
    (old,) = path.parent.glob(f"{receipt_no}.pdf.replaced-*")
    assert old.read_bytes().startswith(b"%PDF-") and path.read_bytes().startswith(b"%PDF-")


def test_bad_choices_are_refused_with_a_message(jobs_app):  # noqa: F811
    run = jobs_app.test_cli_runner().invoke
    r = run(args=["receipts", "regenerate", "2026-NOSUCH00"])
    assert r.exit_code == 1 and "no receipt 2026-NOSUCH00" in r.output
    r = run(args=["receipts", "regenerate"])
    assert r.exit_code == 2 and "give receipt numbers or --from/--to" in r.output
    r = run(args=["receipts", "regenerate", "--from", "2026-12-03", "--to", "2026-12-01"])
    assert r.exit_code == 2 and "--to is before --from" in r.output
    r = run(args=["receipts", "regenerate", "--from", "yesterday"])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_mails_are_sent_again_by_receipt(jobs_app):  # noqa: F811
    receipt_no = submit(jobs_app)["receipt_no"]
    folder = Path(jobs_app.instance_path) / "documents" / "mail"
    records = sorted(folder.glob("mail_*.eml"))
    assert len(records) == 2  # the resident's and the department's
    for record in records:
        record.write_bytes(b"")  # as if it never went out properly
    r = jobs_app.test_cli_runner().invoke(args=["mails", "resend", receipt_no])
    assert r.exit_code == 0, r.output
    assert "sent again: 2" in r.output
    for record in records:
        assert b"Message-ID" in record.read_bytes()


def test_failed_mails_are_sent_again(jobs_app):  # noqa: F811
    submit(jobs_app)
    with jobs_app.app_context():
        db.session.execute(
            update(OutboxJob).where(OutboxJob.kind == "mail_department").values(state=FAILED)
        )
        db.session.commit()
    r = jobs_app.test_cli_runner().invoke(args=["mails", "resend", "--failed"])
    assert r.exit_code == 0 and "sent again: 1" in r.output
    with jobs_app.app_context():
        states = set(
            db.session.scalars(select(OutboxJob.state).where(OutboxJob.kind == "mail_department"))
        )
    assert states == {"done"}
