"""The inbox for real volumes: one search (receipt number, name, any answer), filters,
sort and pages, the same on SQLite and PostgreSQL; the list as CSV or Excel; and which
cases each member of staff has not opened since they (last) arrived."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, Text, and_, cast, exists, func, or_, select
from sqlalchemy.orm import aliased

from app import csvfile, xlsxfile
from app.catalogue.models import Procedure
from app.clock import format_time, today, utcnow
from app.extensions import db
from app.submissions import deadlines
from app.submissions.models import (
    CASE_STATUSES,
    CorrectionRequest,
    FormVersion,
    Submission,
    SubmissionEvent,
)

from .models import CaseRead, User

PER_PAGE = 50
MAX_QUERY = 100  # characters of a search
MAX_EXPORT = 10_000  # rows in one export
SORTS = {
    "new": Submission.id.desc(),
    "old": Submission.id.asc(),
    "status": (Submission.status.asc(), Submission.id.desc()),
    "form": (FormVersion.form_id.asc(), Submission.id.desc()),
}


@dataclass
class Filters:
    """What the inbox was asked for (each already checked)."""

    q: str = ""
    form: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None
    new_only: bool = False
    overdue: bool = False  # returned, and the correction's deadline has passed
    late: bool = False  # past its due date (標準処理期間, submissions/deadlines.py)
    sort: str = "new"
    page: int = 1


def _department(user: User, stmt: Select) -> Select:
    if not user.sees_all():
        stmt = stmt.where(Procedure.department_id == user.department_id)
    return stmt


def forms_of(user: User) -> list[str]:
    """The forms the user's inbox may be filtered by: their department's only."""
    stmt = select(FormVersion.form_id).join(Procedure, Procedure.code == FormVersion.procedure_code)
    return sorted(set(db.session.scalars(_department(user, stmt).distinct())))


def _arrived():
    """When a submission last arrived: first received, or received again corrected."""
    return (
        select(func.max(SubmissionEvent.at))
        .where(SubmissionEvent.submission_id == Submission.id, SubmissionEvent.status == "received")
        .scalar_subquery()
    )


def unread(user: User):
    """A condition: the user has not opened the case since it (last) arrived."""
    return ~exists().where(
        CaseRead.submission_id == Submission.id,
        CaseRead.user_id == user.id,
        CaseRead.read_at >= func.coalesce(_arrived(), Submission.created_at),
    )


def correction_overdue():
    """A condition: the newest correction asked of the submission is past its deadline (the
    resident can no longer resubmit: staff decide what follows)."""
    later = aliased(CorrectionRequest)
    newest = (
        select(func.max(later.id))
        .where(later.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    return exists().where(
        CorrectionRequest.submission_id == Submission.id,
        CorrectionRequest.id == newest,
        CorrectionRequest.due_on.is_not(None),
        CorrectionRequest.due_on < today(),
    )


def matches(q: str):
    """A condition: the receipt number, or any answer (a name too), contains `q`.

    The answers are stored as JSON text with every non-ASCII character escaped
    (`\\u5c71`), on both databases: the search text is escaped the same way, and both
    sides are lower-cased, so that `yamada` finds `Yamada` and `山田` finds 山田."""
    needle = json.dumps(q)[1:-1].lower()
    return or_(
        func.lower(Submission.receipt_no).contains(q.lower(), autoescape=True),
        func.lower(cast(Submission.answers, Text)).contains(needle, autoescape=True),
    )


def query(user: User, f: Filters) -> Select:
    """The submissions the user may see that the filters select, in the order asked."""
    stmt = (
        select(Submission)
        .join(Procedure, Procedure.code == Submission.procedure_code)
        .join(FormVersion, FormVersion.id == Submission.form_version_id)
    )
    stmt = _department(user, stmt)
    if f.q:
        stmt = stmt.where(matches(f.q))
    if f.form:
        stmt = stmt.where(FormVersion.form_id == f.form)
    if f.status:
        stmt = stmt.where(Submission.status == f.status)
    if f.since:
        stmt = stmt.where(Submission.created_at >= f.since)
    if f.until:
        stmt = stmt.where(Submission.created_at < f.until + timedelta(days=1))
    if f.new_only:
        stmt = stmt.where(unread(user))
    if f.overdue:
        stmt = stmt.where(Submission.status == "returned", correction_overdue())
    if f.late:
        stmt = stmt.where(Submission.status.in_(deadlines.OPEN), Submission.due_on < today())
    order = SORTS[f.sort]
    return stmt.order_by(*(order if isinstance(order, tuple) else (order,)))


def count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    unread_ids: set[int]


def page_of(user: User, f: Filters) -> Page:
    stmt = query(user, f)
    total = count(stmt)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, f.page), pages)
    rows = list(db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    ids = [r.id for r in rows]
    new = set()
    if ids:
        new = set(
            db.session.scalars(select(Submission.id).where(Submission.id.in_(ids), unread(user)))
        )
    return Page(rows, total, page, pages, new)


def unread_count(user: User) -> int:
    """How many cases the user may see are new to them (the inbox's and home page's badge)."""
    stmt = select(Submission.id).join(Procedure, Procedure.code == Submission.procedure_code)
    return count(_department(user, stmt).where(unread(user)))


def mark_read(user: User, sub: Submission) -> None:
    """The user opened the case page; the caller commits."""
    row = db.session.scalar(
        select(CaseRead).where(and_(CaseRead.submission_id == sub.id, CaseRead.user_id == user.id))
    )
    if row is None:
        db.session.add(CaseRead(submission_id=sub.id, user_id=user.id, read_at=utcnow()))
    else:
        row.read_at = utcnow()


# --- reading the request, one rule for the page and the exports --------------------------------


class BadFilter(ValueError):
    """A filter that cannot be used: its field and the message (the page says it, 400)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def filters_from(args, dates) -> Filters:
    """The filters in a request's query string; `dates(name)` reads a date filter (the
    staff pages' one rule for typed dates) and raises BadFilter for one it cannot use."""
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise BadFilter("q", _("検索語は%(n)s文字以内で入力してください。", n=MAX_QUERY))
    status = args.get("status") or ""
    if status and status not in CASE_STATUSES:
        raise BadFilter("status", _("状況の指定が正しくありません。"))
    sort = args.get("sort") or "new"
    if sort not in SORTS:
        raise BadFilter("sort", _("並び順の指定が正しくありません。"))
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        page = 1
    return Filters(
        q=q,
        form=(args.get("form") or "")[:100],
        status=status,
        since=dates("since"),
        until=dates("until"),
        new_only=args.get("new") == "1",
        overdue=args.get("overdue") == "1",
        late=args.get("late") == "1",
        sort=sort,
        page=max(1, min(page, 1_000_000)),
    )


# --- exports ---------------------------------------------------------------------------------


def _rows(user: User, f: Filters, lang: str) -> list[list]:
    header = [_("到達番号"), _("様式"), _("様式ID"), _("状況"), _("受付日時"), _("受付経路")]
    out = [header]
    for s in db.session.scalars(query(user, f).limit(MAX_EXPORT)):
        labels = CASE_STATUSES.get(s.status, (s.status, s.status))
        out.append(
            [
                s.receipt_no,
                s.form_version.title_ja,
                s.form_version.form_id,
                labels[1] if lang == "en" else labels[0],
                format_time(s.created_at, lang),
                s.channel,
            ]
        )
    return out


def export_csv(user: User, f: Filters, lang: str) -> Response:
    body = csvfile.encode(_rows(user, f, lang), newline="\r\n")
    return Response(
        body,
        mimetype="text/csv",  # Flask adds "; charset=utf-8" (once)
        headers={"Content-Disposition": "attachment; filename=submissions.csv"},
    )


def export_xlsx(user: User, f: Filters, lang: str) -> Response:
    """The same rows as the CSV, through the one Excel writer (texts neutralised as the
    CSV's are and stored as text, never as a formula)."""
    header, *rows = _rows(user, f, lang)
    return Response(
        xlsxfile.workbook([xlsxfile.Sheet("submissions", header, rows)]),
        mimetype=xlsxfile.MIMETYPE,
        headers={"Content-Disposition": "attachment; filename=submissions.xlsx"},
    )


def here(**changes) -> str:
    """The inbox with the same filters and these changed (None: left out)."""
    values = {k: v for k, v in {**request.args.to_dict(), **changes}.items() if v is not None}
    return url_for("staff.inbox", **values)


def wants_export() -> str | None:
    fmt = request.args.get("format")
    return fmt if fmt in ("csv", "xlsx") else None
