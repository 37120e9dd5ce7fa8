"""What a submission sets off, and who does it: the jobs of the outbox (app.jobs).

A new submission writes, in its own transaction (store.py), one job per effect:

- `mail_resident`: the resident's mail, when the form asked for an e-mail address;
- `mail_department`: one per `outputs` entry of type email;
- `webhook`: one per `outputs` entry of type webhook.

The receipt PDF (`receipt_pdf`) is a job too, written when a resident first asks for it
(receipts.request_receipt), not for every submission.

A change of a case's status the resident should know about (received again after a
correction, returned, approved, rejected) and a result made ready write a `notice` job
(`announce`), in the transaction of the change: the resident's mail about it (notices.py).

The daily `retention` job deletes personal data past the form's retention and expired
drafts (retention.py). `register()` tells app.jobs about these kinds; `create_app` calls
it. Each handler takes the outbox row, loads what it needs, and is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from app import jobs
from app.catalogue import queries
from app.extensions import db
from app.jobs.models import PENDING, OutboxJob
from app.jobs.outbox import add, dispatch
from app.notify import mail
from app.notify import webhook as hook

from . import notices, receipts, results, retention
from . import queries as submission_queries
from .models import Submission, SubmissionEvent, is_deleted
from .versions import definition

RECEIPT_PDF = receipts.RECEIPT_PDF
MAIL_RESIDENT = "mail_resident"
MAIL_DEPARTMENT = "mail_department"
WEBHOOK = "webhook"
RETENTION = "retention"
NOTICE = "notice"
# the statuses a resident is told about by mail (受付 again after a correction: by=resident)
ANNOUNCED = frozenset({"received", "returned", "approved", "rejected"})
RESULT_READY = "result_ready"


def submission_jobs(defn, answers) -> list[tuple[str, str, dict]]:
    """What a new submission sets off → (kind, key suffix, payload) each; the key is
    `<kind>:<submission id><suffix>`. Written in the submission's own transaction
    (store.py), handed out by `outbox.dispatch()` after its commit."""
    made = []  # the receipt PDF is made when first asked for (receipts.request_receipt)
    if notices.resident_email(defn, answers or {}):
        made.append((MAIL_RESIDENT, "", {}))
    for n, out in enumerate(defn.outputs):
        if out.type == "email" and out.to:
            made.append((MAIL_DEPARTMENT, f":{n}", {"to": out.to}))
        elif out.type == "webhook" and out.url:
            made.append((WEBHOOK, f":{n}", {"url": out.url}))
    return made


def announce(sub: Submission, event: SubmissionEvent) -> list[int]:
    """Write the resident's mail about this status change, if they gave an address and
    should know of it (the first 受付 has its own mail, `mail_resident`). The caller
    commits, then dispatches the ids (or leaves them to the sweep)."""
    if event.status not in ANNOUNCED or not notices.resident_email(
        definition(sub.form_version), sub.answers or {}
    ):
        return []
    if event.status == "received" and event.by is None:
        return []  # the first receipt: mail_resident says it
    key = f"{NOTICE}:{sub.receipt_no}:{event.id}"  # unique beyond this database, as a file too
    row = add(NOTICE, key, submission_id=sub.id, payload={"event": event.id})
    db.session.flush()
    return [row.id]


def announce_result(sub: Submission, documents: list[str], key: str) -> list[int]:
    """The hook for result documents (電子交付): tell the resident their result is ready to
    download from the status page, listing the documents by name. `key` makes it once
    (e.g. the decision's id). The caller commits, then dispatches the ids."""
    if not notices.resident_email(definition(sub.form_version), sub.answers or {}):
        return []
    row = add(
        NOTICE,
        f"{NOTICE}:{sub.receipt_no}:{RESULT_READY}:{key}",
        submission_id=sub.id,
        payload={"result": [str(d)[:200] for d in documents][:20]},
    )
    db.session.flush()
    return [row.id]


def dispatch_notices(sub: Submission) -> None:
    """After the commit of a status change: hand out its pending notices now."""
    ids = db.session.scalars(
        select(OutboxJob.id).where(
            OutboxJob.submission_id == sub.id,
            OutboxJob.kind == NOTICE,
            OutboxJob.state == PENDING,
        )
    )
    dispatch(list(ids))


# --- handlers: OutboxJob → a short result for the outbox row ---------------------------------


def _submission(job) -> Submission:
    sub = db.session.get(Submission, job.submission_id)
    if sub is None:
        raise LookupError(f"submission {job.submission_id} does not exist")
    return sub


def make_receipt(job) -> str:
    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    revision = (job.payload or {}).get("revision") if isinstance(job.payload, dict) else None
    path, made = receipts.make_receipt(sub, revision)
    return f"{'written' if made else 'exists'}: {path.name}"


def mail_resident(job) -> str:
    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    return mail.send(notices.resident_mail(sub), job.key)


def mail_department(job) -> str:
    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    return mail.send(notices.department_mail(sub, job.payload["to"]), job.key)


def send_notice(job) -> str:
    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    if "result" in job.payload:
        msg = notices.result_mail(sub, job.payload["result"])
    else:
        event = db.session.get(SubmissionEvent, job.payload["event"])
        msg = notices.status_mail(sub, event)
    return mail.send(msg, job.key)


def send_webhook(job) -> str:
    sub = _submission(job)
    if is_deleted(sub):
        return "skipped: personal data deleted"
    status = hook.deliver(job.payload["url"], notices.webhook_payload(sub), delivery_id=job.key)
    return f"HTTP {status}"


def run_retention(job) -> str:
    return str(retention.purge_expired())


def _daily(now: datetime) -> Iterator[tuple[str, str, dict]]:
    """Today's retention run (Japan's date), written once a day by the sweep."""
    day = now.date().isoformat()
    yield RETENTION, f"{RETENTION}:{day}", {"date": day}


def register() -> None:
    jobs.register(RECEIPT_PDF, make_receipt)
    jobs.register(MAIL_RESIDENT, mail_resident)
    jobs.register(MAIL_DEPARTMENT, mail_department)
    jobs.register(WEBHOOK, send_webhook)
    jobs.register(NOTICE, send_notice)
    jobs.register(RETENTION, run_retention)
    jobs.register(results.RESULT_PDF, results.make_from_job)  # a signed result document
    jobs.register_periodic(RETENTION, _daily)
    # applications received here count in the KPI's take-up (the catalogue asks for them)
    queries.register_online_receipts(
        "submissions", submission_queries.submissions_stamp, submission_queries.submission_counts
    )
