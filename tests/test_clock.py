"""Every time a person reads is Japan time: the clock's rules, then every page that shows one.

Stored times are UTC (SQLite gives them back without a zone). Each page is read with
every stored time at 06:39:05 UTC: it must say 15:39, never 06:39 or UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime

from app.api import tokens as api_tokens
from app.clock import as_utc, format_time, iso_time, japan_time
from app.extensions import db
from app.jobs.models import FAILED, OutboxJob
from app.opendata.services import _jsonable, csv_cell
from tests.staff.conftest import office, sign_in  # noqa: F401  (fixture)
from tests.submissions.conftest import GOOD, Resident, form_app  # noqa: F401  (fixture)

STORED = datetime(2026, 12, 3, 6, 39, 5, tzinfo=UTC)
NAIVE = STORED.replace(tzinfo=None)  # how SQLite gives it back


# --- the clock ----------------------------------------------------------------------------


@pytest.mark.parametrize("at", [STORED, NAIVE, STORED.astimezone(timezone(timedelta(hours=-5)))])
def test_one_instant_reads_the_same_however_it_was_stored(at):
    assert as_utc(at) == STORED and as_utc(at).utcoffset() == timedelta(0)
    assert japan_time(at).isoformat() == "2026-12-03T15:39:05+09:00"
    assert iso_time(at) == "2026-12-03T15:39:05+09:00"
    assert format_time(at, "ja") == "2026年12月3日 15:39"
    assert format_time(at, "en") == "3 December 2026, 15:39 (JST)"


@pytest.mark.parametrize(
    ("lang", "zone", "seconds", "text"),
    [
        ("ja", None, False, "2026年12月3日 15:39"),
        ("ja", True, False, "2026年12月3日 15:39（JST）"),
        ("ja", True, True, "2026年12月3日 15:39:05（JST）"),
        ("easy", None, False, "2026年12月3日 15:39"),  # やさしい日本語 reads the Japanese form
        ("en", None, False, "3 December 2026, 15:39 (JST)"),
        ("en", None, True, "3 December 2026, 15:39:05 (JST)"),
    ],
)
def test_the_zone_is_shown_in_english_and_where_asked(lang, zone, seconds, text):
    assert format_time(STORED, lang, zone=zone, seconds=seconds) == text


def test_the_japanese_day_turns_at_midnight_in_japan_not_in_utc():
    new_year = datetime(2026, 12, 31, 15, 0)  # stored, UTC
    assert format_time(new_year, "ja") == "2027年1月1日 00:00"
    assert format_time(new_year, "en") == "1 January 2027, 00:00 (JST)"
    assert iso_time(new_year, timespec="minutes") == "2027-01-01T00:00+09:00"


def test_open_data_writes_a_time_with_its_offset():
    assert csv_cell(NAIVE) == "2026-12-03T15:39:05+09:00"
    assert _jsonable({"at": STORED, "day": STORED.date()}) == {
        "at": "2026-12-03T15:39:05+09:00",
        "day": "2026-12-03",
    }


# --- every page that shows a time ---------------------------------------------------------


@pytest.fixture
def stored_at_0639(office):  # noqa: F811
    """The office with a token, a failed job, staff signed in, and then every stored time (every
    DateTime column of every table) at 06:39:05 UTC → (app, receipt, access code, clients)."""
    app, _receipts = office
    clients = {who: sign_in(app, f"{who}@example.jp") for who in ("admin", "d01")}
    resident = Resident(app)  # who submitted through the pages: the done and status pages know
    resident.start()
    resident.page("applicant", GOOD)
    resident.page("more", {"count": "2"})
    resident.page("docs", {})
    done = resident.post("/apply/test-permit/submit", {"declaration": "y"})
    receipt_no = done.request.path.rsplit("/", 1)[1]
    clients[None] = resident.client
    with app.app_context():
        api_tokens.create_token("01", "部局システム", "test")
        db.session.add(
            OutboxJob(key="test:failed", kind="test", state=FAILED, attempts=5, last_error="x")
        )
        db.session.flush()
        for table in db.metadata.sorted_tables:
            times = {c.name: STORED for c in table.columns if isinstance(c.type, DateTime)}
            if times:
                db.session.execute(table.update().values(**times))
        db.session.commit()
    return receipt_no, clients


PAGES = {
    # name: (who, path with {no} for the receipt number, how the time is written)
    "done": (None, "/apply/test-permit/done/{no}", None),
    "status": (None, "/status/{no}", None),
    "inbox": ("admin", "/staff/submissions", None),
    "submission": ("admin", "/staff/submissions/{no}", None),
    "procedure history": ("d01", "/staff/procedures/A", None),
    "audit log": ("admin", "/staff/audit", {"zone": True, "seconds": True}),
    "jobs": ("admin", "/staff/jobs", {"zone": True}),
    "tokens": ("admin", "/staff/tokens", None),
    "users": ("admin", "/staff/users", None),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_japan_time(stored_at_0639, page, lang):
    receipt_no, clients = stored_at_0639
    who, path, style = PAGES[page]
    r = clients[who].get(path.format(no=receipt_no), query_string={"lang": lang})
    assert r.status_code == 200, r.status_code
    html = r.get_data(as_text=True)
    shown = format_time(STORED, lang, **(style or {}))
    assert "15:39" in shown and shown in html
    assert '<time datetime="2026-12-03T15:39:05+09:00">' in html
    assert "06:39" not in html and "UTC" not in html
