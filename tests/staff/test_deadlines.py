"""Due dates (標準処理期間): working days after receipt, without weekends, Japanese public
holidays, the 12/29–1/3 closure, or the days a case waited for the resident's correction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.clock import JST, today
from app.extensions import db
from app.submissions import receipts, store, transitions, versions
from app.submissions.deadlines import due_date, is_closed_day
from tests.submissions.conftest import FORM

from .conftest import ANSWERS, PASSWORD, sign_in


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2026, 12, 28), False),  # Monday, the last working day of the year
        (date(2026, 12, 29), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), True),  # 元日
        (date(2027, 1, 3), True),
        (date(2027, 1, 4), False),  # Monday: offices open again
        (date(2027, 1, 11), True),  # 成人の日
        (date(2026, 5, 6), True),  # 振替休日 (5/3 was a Sunday)
        (date(2026, 5, 7), False),
        (date(2026, 9, 22), True),  # 国民の休日 between 敬老の日 and 秋分の日
        (date(2026, 12, 5), True),  # Saturday
    ],
)
def test_closed_days(day, closed):
    assert is_closed_day(day) is closed


def test_year_end_closure_is_not_counted():
    # received Friday 25 December 2026: 28 Dec counts, 29 Dec – 3 Jan and the weekend do not
    assert due_date(date(2026, 12, 25), 1) == date(2026, 12, 28)
    assert due_date(date(2026, 12, 25), 2) == date(2027, 1, 4)
    assert due_date(date(2026, 12, 25), 5) == date(2027, 1, 7)
    # 成人の日 (11 Jan 2027) is skipped as well
    assert due_date(date(2026, 12, 25), 7) == date(2027, 1, 12)


def test_golden_week():
    # 2027: 29 Apr (Thu) 昭和の日, 3–5 May Mon–Wed; received Wednesday 28 April
    assert due_date(date(2027, 4, 28), 1) == date(2027, 4, 30)
    assert due_date(date(2027, 4, 28), 2) == date(2027, 5, 6)
    # 2026: 3 May is a Sunday, so 6 May is a substitute holiday
    assert due_date(date(2026, 5, 1), 1) == date(2026, 5, 7)


def test_days_waiting_for_a_correction_are_not_counted():
    start = date(2026, 11, 2)  # Monday
    assert due_date(start, 10) == date(2026, 11, 17)  # 3 Nov 文化の日, 2 weekends
    # returned on Thursday 5 Nov, back on Tuesday 10 Nov: 6–10 Nov are not counted
    assert due_date(start, 10, [(date(2026, 11, 5), date(2026, 11, 10))]) == date(2026, 11, 20)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=JST)


def test_a_case_gets_its_due_date_and_loses_it_while_returned(office):
    app, receipts = office
    receipt_no = receipts["01"]["receipt_no"]
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "A"))
        procedure.standard_processing_days = 10
        sub = store.find_by_receipt(receipt_no)
        sub.events[0].at = _at(date(2026, 11, 2))
        db.session.flush()
        transitions.transition(sub, "in_review", None, by="t")
        assert sub.due_on == date(2026, 11, 17)
        transitions.transition(sub, "returned", "番地を補正してください。", by="t")
        sub.events[-1].at = _at(date(2026, 11, 5))
        assert sub.due_on is None  # waiting for the resident: no clock runs
        db.session.flush()
        transitions.transition(sub, "in_review", None, by="t")
        sub.events[-1].at = _at(date(2026, 11, 10))
        db.session.flush()
        transitions.after_status_change(sub)
        assert sub.due_on == date(2026, 11, 20)
        db.session.commit()


def test_overdue_and_due_soon_on_the_home_page_and_the_case(office):
    app, receipts = office
    with app.app_context():
        late = store.find_by_receipt(receipts["01"]["receipt_no"])
        late.due_on = today() - timedelta(days=3)
        db.session.commit()
    client = sign_in(app, "d01@example.jp", PASSWORD)
    home = client.get("/staff/").get_data(as_text=True)
    assert '期限超過</a>: <strong class="warn">1</strong>' in home
    assert receipts["01"]["receipt_no"] in home
    page = client.get(f"/staff/submissions/{receipts['01']['receipt_no']}").get_data(as_text=True)
    assert "期限超過" in page
    # another department's staff do not count it
    other = sign_in(app, "d02@example.jp", PASSWORD).get("/staff/").get_data(as_text=True)
    assert "期限超過</a>: <strong>0</strong>" in other
    # the inbox flags it, and lists only the late ones when asked
    inbox = client.get("/staff/submissions").get_data(as_text=True)
    assert "期限超過" in inbox
    late = client.get("/staff/submissions?late=1").get_data(as_text=True)
    assert receipts["01"]["receipt_no"] in late
    with app.app_context():
        soon = store.find_by_receipt(receipts["01"]["receipt_no"])
        soon.due_on = today() + timedelta(days=1)
        db.session.commit()
    home = client.get("/staff/").get_data(as_text=True)
    assert "期限間近（3日以内）: <strong>1</strong>" in home


def test_the_forms_processing_days_give_a_new_case_its_due_date(office, tmp_path):
    app, _ = office
    with app.app_context():
        path = tmp_path / "f.yaml"
        path.write_text(
            FORM.replace("version: 1", "version: 3") + "processing_days: 5\n", encoding="utf-8"
        )
        assert not versions.load_forms([path]).problems
    r = app.test_client().post(
        "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
    )
    with app.app_context():
        sub = store.find_by_receipt(r.get_json()["receipt_no"])
        received = sub.created_at.astimezone(JST).date()
        assert sub.due_on == due_date(received, 5)


@pytest.mark.parametrize(
    ("catalogue", "shown"), [(None, "5 営業日"), (12, "12 営業日"), (0, "即日")]
)
def test_the_start_page_and_the_receipt_say_the_days_the_due_date_uses(
    office, tmp_path, catalogue, shown
):
    """One figure everywhere: the catalogue's standard processing days (0 is the same
    day), else the form's `processing_days`."""
    app, _ = office
    with app.app_context():
        path = tmp_path / "f.yaml"
        path.write_text(
            FORM.replace("version: 1", "version: 3") + "processing_days: 5\n", encoding="utf-8"
        )
        assert not versions.load_forms([path]).problems
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "A"))
        procedure.standard_processing_days = catalogue
        db.session.commit()
    page = app.test_client().get("/apply/test-permit").get_data(as_text=True)
    assert f"<dd>{shown}</dd>" in page
    r = app.test_client().post(
        "/api/v1/forms/test-permit/submissions", json={"answers": ANSWERS, "declaration": True}
    )
    with app.app_context():
        sub = store.find_by_receipt(r.get_json()["receipt_no"])
        html = receipts.receipt_html(sub)
        days = catalogue if catalogue is not None else 5
        assert (f"標準処理期間: {days} 営業日" in html) is (days > 0)
        if days:
            assert sub.due_on == due_date(sub.created_at.astimezone(JST).date(), days)
