"""One form records a status change for many procedures, each as its own history row."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.catalogue.models import Procedure, StatusChange
from app.extensions import db
from app.staff.models import AuditEvent

from .conftest import sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def history_of(app, code: str) -> list[tuple[str, str | None]]:
    with app.app_context():
        pid = db.session.scalar(select(Procedure.id).where(Procedure.code == code))
        return [
            (s, n)
            for s, n in db.session.execute(
                select(StatusChange.status, StatusChange.note)
                .where(StatusChange.procedure_id == pid)
                .order_by(StatusChange.id)
            )
        ]


def test_a_department_changes_its_procedures_in_one_form(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    page = client.get("/staff/procedures").get_data(as_text=True)
    assert 'name="code" value="A"' in page and 'name="code" value="B"' in page
    before_a, before_b = history_of(app, "A"), history_of(app, "B")
    r = client.post(
        "/staff/procedures/status",
        data={
            "code": ["A", "B"],
            "status": "end_to_end",
            "effective_date": "2026-04-01",
            "note": "一括で記録",
        },
    )
    assert r.status_code == 302
    assert history_of(app, "A") == [*before_a, ("end_to_end", "一括で記録")]
    assert history_of(app, "B") == [*before_b, ("end_to_end", "一括で記録")]
    assert "2 件の手続に状態を記録しました" in text(client.get(r.headers["Location"]))
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "procedure.status")
            )
            == 2
        )


def test_a_refused_change_records_nothing_and_keeps_the_choices(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    before = history_of(app, "A")
    r = client.post(
        "/staff/procedures/status",
        data={"code": ["A", "B"], "status": "excluded", "effective_date": "2026-04-01", "note": ""},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "A: 対象外（excluded）には理由が必要です" in text(r)  # which procedure lacks it
    assert 'value="A" id="pick-A" checked' in html and 'value="B" id="pick-B" checked' in html
    assert history_of(app, "A") == before
    r = client.post(
        "/staff/procedures/status", data={"status": "online", "effective_date": "2026-04-01"}
    )
    assert r.status_code == 422 and "状態を変える手続を選んでください" in text(r)


def test_nobody_changes_another_departments_procedures(office):
    app, _ = office
    client = sign_in(app, "d01@example.jp")
    before_a, before_c = history_of(app, "A"), history_of(app, "C")
    r = client.post(
        "/staff/procedures/status",
        data={"code": ["A", "C"], "status": "online", "effective_date": "2026-04-01"},
    )
    assert r.status_code == 403
    assert history_of(app, "A") == before_a and history_of(app, "C") == before_c
    bureau = sign_in(app, "bureau@example.jp")
    assert 'name="code"' not in bureau.get("/staff/procedures").get_data(as_text=True)
    assert (
        bureau.post(
            "/staff/procedures/status",
            data={"code": ["A"], "status": "online", "effective_date": "2026-04-01"},
        ).status_code
        == 403
    )
