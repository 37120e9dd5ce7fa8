"""The dashboard's background work: the monthly KPI report for the promotion
headquarters (推進本部), made once a month by the sweep and mailed when
KPI_REPORT_MAIL_TO is set. `register()` tells app.jobs about these kinds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message
from pathlib import Path

from flask import current_app

from app import jobs
from app.extensions import db
from app.jobs import outbox
from app.links import absolute_url
from app.notify import mail

from . import report

KPI_REPORT = "kpi_report"
MAIL_REPORT = "mail_report"


def make_report(job) -> str:
    """The report of a month; its mail job is written once it exists."""
    month = job.payload["month"]
    path, made = report.make_monthly_report(month)
    to = current_app.config.get("KPI_REPORT_MAIL_TO")
    if to:
        outbox.add(
            MAIL_REPORT,
            f"{MAIL_REPORT}:{month}",
            payload={"month": month, "to": to},
            unique_check=True,
        )
        db.session.commit()
    return f"{'written' if made else 'exists'}: {path.name}"


def report_mail(month: str, path: Path, to: str) -> Message:
    """The monthly KPI report for 推進本部, attached."""
    subject = f"【月次報告】行政手続のデジタル化の状況（{month}）"
    body = current_app.jinja_env.get_template("mail/report.txt").render(
        month=month, dashboard=absolute_url("dashboard.dashboard")
    )
    return mail.message(to, subject, body, pdfs=(path,))


def send_report(job) -> str:
    month = job.payload["month"]
    path = report.monthly_report_path(month)
    if not path.exists():
        raise FileNotFoundError(f"{path.name} is not made yet")
    return mail.send(report_mail(month, path, job.payload["to"]), job.key)


def _monthly(now: datetime) -> Iterator[tuple[str, str, dict]]:
    """The report of the month just ended (Japan time), written once by the sweep."""
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    yield KPI_REPORT, f"{KPI_REPORT}:{last_month}", {"month": last_month}


def register() -> None:
    jobs.register(KPI_REPORT, make_report)
    jobs.register(MAIL_REPORT, send_report)
    jobs.register_periodic(KPI_REPORT, _monthly)
