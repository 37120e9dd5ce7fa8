"""The current fiscal year's take-up is partial: counted from 1 April (Japan's days) to
today and compared with the same period of the year before, never a whole year."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import update

from app.extensions import db
from app.submissions.models import Submission
from tests.staff.conftest import ANSWERS


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_partial_year_against_the_same_period(office, monkeypatch):  # noqa: F811
    app, _ = office  # one submission for A and one for C, today
    monkeypatch.setattr("app.dashboard.services.today", lambda: datetime(2026, 12, 3).date())
    c = app.test_client()
    moved = {}
    for when in (
        datetime(2026, 3, 31, 15, 30, tzinfo=UTC),  # 1 April 00:30 in Japan: this year
        datetime(2025, 6, 1, 3, 0, tzinfo=UTC),  # the same period a year before
        datetime(2025, 12, 20, 3, 0, tzinfo=UTC),  # after 3 December: not compared
    ):
        r = c.post(
            "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
        )
        moved[r.get_json()["receipt_no"]] = when
    with app.app_context():
        # the fixture's two were received "today": put them on the pinned day (in Japan), so
        # the test holds whatever day it is in Japan when it runs
        db.session.execute(
            update(Submission)
            .where(Submission.receipt_no.not_in(list(moved)))
            .values(created_at=datetime(2026, 12, 3, 14, 59, tzinfo=UTC))  # 23:59 in Japan
        )
        for receipt, when in moved.items():
            db.session.execute(
                update(Submission).where(Submission.receipt_no == receipt).values(created_at=when)
            )
        db.session.commit()
    page = text(c.get("/dashboard", headers={"Accept-Language": "ja"}).get_data(as_text=True))
    assert (
        "2026-04-01 から 2026-12-03 まで、このシステムで 3 件を受け付けました。"
        "前年度の同じ期間（2025-04-01 から 2025-12-03 まで）は 1 件です。 （+200.0%）" in page
    )
    table = page.split("前年度の同じ期間 増減")[1]
    assert table.startswith(" 手続A 2 1 +100.0% 手続C 1 0 —")
