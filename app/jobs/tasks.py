"""Job functions: the same ones run by an RQ worker or inline. Each takes an outbox id,
loads what it needs, and is idempotent — a second run has the effect of one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from app.extensions import db

from . import outbox
from .models import OutboxJob

log = logging.getLogger(__name__)


def _app() -> Flask:
    """The app of the worker entry point (`flask worker` builds it and runs the jobs in its
    context) or of the caller (inline). A job never builds an app of its own."""
    if not has_app_context():
        raise RuntimeError("jobs run inside an app context: start workers with `flask worker`")
    return current_app._get_current_object()  # type: ignore[attr-defined]


def run(outbox_id: int) -> str:
    """The RQ entry point: run one outbox job in an app context of its own (a fresh
    database session). Failures are recorded in the outbox, not raised: RQ only carries."""
    with _app().app_context():
        return execute(outbox_id)


def execute(outbox_id: int) -> str:
    job = outbox.claim(outbox_id)
    if job is None:
        return "skipped"  # done already, or another run has it
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"unknown job kind {job.kind!r}")
        result = handler(job)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        state = outbox.fail(
            outbox_id,
            f"{type(exc).__name__}: {exc}",
            permanent=bool(getattr(exc, "permanent", False)) or handler is None,
        )
        log.warning("job %s (%s) failed, now %s: %s", outbox_id, job.kind, state, exc)
        return state
    outbox.succeed(outbox_id, result)
    return "done"


# --- handlers: OutboxJob → a short result for the outbox row -------------------------------


def _submission(job: OutboxJob):
    from app.submissions.models import Submission

    sub = db.session.get(Submission, job.submission_id)
    if sub is None:
        raise LookupError(f"submission {job.submission_id} does not exist")
    return sub


def receipt_pdf(job: OutboxJob) -> str:
    from app.documents import receipts

    from .retention import is_deleted

    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    path, made = receipts.make_receipt(sub)
    return f"{'written' if made else 'exists'}: {path.name}"


def mail_resident(job: OutboxJob) -> str:
    from app.notify import mail

    from .retention import is_deleted

    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    return mail.send(mail.resident_mail(sub), job.key)


def mail_department(job: OutboxJob) -> str:
    from app.notify import mail

    from .retention import is_deleted

    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    return mail.send(mail.department_mail(sub, job.payload["to"]), job.key)


def webhook(job: OutboxJob) -> str:
    from app.notify import webhook as hook

    from .retention import is_deleted

    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    status = hook.deliver(job.payload["url"], hook.submission_payload(sub), delivery_id=job.key)
    return f"HTTP {status}"


def kpi_report(job: OutboxJob) -> str:
    """The monthly report for 推進本部; mailed when KPI_REPORT_MAIL_TO is set."""
    from app.documents import reports

    month = job.payload["month"]
    path, made = reports.make_monthly_report(month)
    to = current_app.config.get("KPI_REPORT_MAIL_TO")
    if to:
        outbox.add(
            outbox.MAIL_REPORT,
            f"{outbox.MAIL_REPORT}:{month}",
            payload={"month": month, "to": to},
            unique_check=True,
        )
        db.session.commit()
    return f"{'written' if made else 'exists'}: {path.name}"


def mail_report(job: OutboxJob) -> str:
    from app.documents import reports
    from app.notify import mail

    month = job.payload["month"]
    path = reports.monthly_report_path(month)
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is not made yet")
    return mail.send(mail.report_mail(month, path, job.payload["to"]), job.key)


def retention(job: OutboxJob) -> str:
    from . import retention as ret

    return str(ret.purge_expired())


HANDLERS: dict[str, Callable[[OutboxJob], str]] = {
    outbox.RECEIPT_PDF: receipt_pdf,
    outbox.MAIL_RESIDENT: mail_resident,
    outbox.MAIL_DEPARTMENT: mail_department,
    outbox.WEBHOOK: webhook,
    outbox.KPI_REPORT: kpi_report,
    outbox.MAIL_REPORT: mail_report,
    outbox.RETENTION: retention,
}
