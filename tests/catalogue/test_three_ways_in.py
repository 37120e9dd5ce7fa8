"""The same bad row is refused the same way, with the same words, by the staff page, the
API and the CSV import, on SQLite and PostgreSQL; a confirmed jump is accepted by each.

Procedure A of the worked example (department 01) has 50,000 receipts in FY2021 and
40,000 in FY2023, and no exclusion reason.
"""

from __future__ import annotations

import csv
import io
from html import escape

import pytest
from sqlalchemy import func, select

from app.api import tokens
from app.catalogue import rules
from app.catalogue.models import StatusChange, VolumeRecord
from app.catalogue.services import import_catalogue
from app.clock import today
from app.extensions import db
from app.staff import services as staff

PASSWORD = "correct horse battery"
MB_NOTE = "長" * 1_000_000

COUNT = ("受付件数は0から100,000,000までの整数で入力してください", "receipts must be a whole number from 0 to 100,000,000")  # fmt: skip
YEAR = ("年度は1990から2100までの西暦で入力してください（例: 2025）", "fiscal_year must be a year from 1990 to 2100, such as 2025")  # fmt: skip
ONLINE_OVER = ("オンライン件数（50,000）が受付件数（40,000）を上回っています", "online_receipts (50,000) exceed receipts (40,000)")  # fmt: skip
LONG_NOTE = ("メモは2,000文字までです（1,000,000文字あります）", "note must be at most 2,000 characters (it has 1,000,000)")  # fmt: skip
NUL_NOTE = ("使えない文字（U+0000）が含まれています。", "Contains a character that cannot be used (U+0000).")  # fmt: skip
JUMP_UP = ("2024年度の受付件数 400,001 は 2023年度（40,000）の10倍を超えています。正しい値なら、確認のうえ理由をメモに書いてください", "receipts 400,001 for FY2024 are more than 10 times those of FY2023 (40,000): if they are right, confirm them with a note")  # fmt: skip
JUMP_DOWN = ("2024年度の受付件数 3,999 は 2023年度（40,000）の10分の1未満です。正しい値なら、確認のうえ理由をメモに書いてください", "receipts 3,999 for FY2024 are less than 1/10 of those of FY2023 (40,000): if they are right, confirm them with a note")  # fmt: skip
REASON = ("対象外（excluded）には理由が必要です（メモ、または手続の対象外理由）", "excluded needs a reason: a note, or the procedure's exclusion_reason")  # fmt: skip


def day_window() -> tuple[str, str]:
    last = rules.last_day(today()).isoformat()
    return (
        f"適用日は1990-01-01から{last}までの日付で入力してください（例: 2026-04-01）",
        f"effective_date must be a date from 1990-01-01 to {last}, such as 2026-04-01",
    )


# (what, volume row, field, (ja, en)); a row's values as a spreadsheet holds them
BAD_VOLUMES = [
    ("huge count", {"fiscal_year": 2024, "receipts": 9_000_000_000_000_000_000}, "receipts", COUNT),
    ("over the maximum", {"fiscal_year": 2024, "receipts": 100_000_001}, "receipts", COUNT),
    ("negative", {"fiscal_year": 2024, "receipts": -1}, "receipts", COUNT),
    ("negative online", {"fiscal_year": 2024, "receipts": 40_000, "online_receipts": -1}, "online_receipts",
     ("オンライン件数は0から100,000,000までの整数か、空欄です", "online_receipts must be a whole number from 0 to 100,000,000, or empty")),
    ("online over receipts", {"fiscal_year": 2024, "receipts": 40_000, "online_receipts": 50_000}, "online_receipts", ONLINE_OVER),
    ("year before the window", {"fiscal_year": 1989, "receipts": 40_000}, "fiscal_year", YEAR),
    ("year after the window", {"fiscal_year": 2101, "receipts": 40_000}, "fiscal_year", YEAR),
    ("1 MB note", {"fiscal_year": 2024, "receipts": 40_000, "note": MB_NOTE}, "note", LONG_NOTE),
    ("NUL in the note", {"fiscal_year": 2024, "receipts": 40_000, "note": "誤\x00記"}, "note", NUL_NOTE),
    ("10× jump, no note", {"fiscal_year": 2024, "receipts": 400_001}, "receipts", JUMP_UP),
    ("a tenth, no note", {"fiscal_year": 2024, "receipts": 3_999}, "receipts", JUMP_DOWN),
]  # fmt: skip

# (what, status row, field, (ja, en) or None for the date window of today)
BAD_STATUSES = [
    ("year 1", {"status": "online", "effective_date": "0001-01-01"}, "effective_date", None),
    ("year 9999", {"status": "online", "effective_date": "9999-12-31"}, "effective_date", None),
    ("1 MB note", {"status": "online", "effective_date": "2024-04-01", "note": MB_NOTE}, "note", LONG_NOTE),
    ("NUL in the note", {"status": "online", "effective_date": "2024-04-01", "note": "誤\x00記"}, "note", NUL_NOTE),
    ("excluded without a reason", {"status": "excluded", "effective_date": "2024-04-01"}, "note", REASON),
    ("unknown status", {"status": "digital", "effective_date": "2024-04-01"}, "status",
     ("状態は paper、planned、partial、online、end_to_end、excluded のいずれかです", "status must be one of paper, planned, partial, online, end_to_end, excluded")),
]  # fmt: skip


@pytest.fixture
def ways(backend_app, worked_example, write_catalogue):
    """→ callables (row) → (refused?, what the user reads) for each way in, over the worked example."""
    with backend_app.app_context():
        assert import_catalogue(worked_example).ok
        staff.create_user("d01@example.jp", PASSWORD, "department", department_code="01")
        _, token = tokens.create_token("01", "部局システム", "test")
        db.session.commit()
    page = backend_app.test_client()
    assert page.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD}).status_code == 302  # fmt: skip
    api = backend_app.test_client()
    auth = {"Authorization": f"Bearer {token}"}

    def via_page(kind: str, row: dict) -> tuple[int, str]:
        data = {k: str(v) for k, v in row.items()}
        if kind == "volumes" and "note" in data:
            data["volume_note"] = data.pop("note")
        if row.get("confirm"):
            data["confirm"] = "1"
        r = page.post(f"/staff/procedures/A/{'status' if kind == 'statuses' else 'volumes'}", data=data)  # fmt: skip
        return r.status_code, r.get_data(as_text=True)

    def via_api(kind: str, row: dict) -> tuple[int, dict]:
        r = api.post(f"/api/v1/procedures/A/{kind}", json=row, headers=auth)
        return r.status_code, r.get_json()

    def via_csv(kind: str, row: dict) -> tuple[bool, list[str]]:
        columns = ("code", "fiscal_year", "receipts", "online_receipts", "note")
        if kind == "statuses":
            columns = ("code", "status", "effective_date", "note")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerow(["A" if c == "code" else row.get(c, "") for c in columns])
        name = "status_history.csv" if kind == "statuses" else "volumes.csv"
        folder = write_catalogue({"procedures.csv": "code,name_ja,department_code,priority\n", name: out.getvalue()})  # fmt: skip
        with backend_app.app_context():
            report = import_catalogue(folder)
        return report.ok, [str(p) for p in report.problems]

    def rows_recorded() -> tuple[int, int]:
        with backend_app.app_context():
            return tuple(
                db.session.scalar(select(func.count()).select_from(m))
                for m in (VolumeRecord, StatusChange)
            )

    return via_page, via_api, via_csv, rows_recorded


def _refused_everywhere(ways, kind, row, field, message):
    via_page, via_api, via_csv, rows_recorded = ways
    before = rows_recorded()
    ja, en = message
    status, html = via_page(kind, row)
    assert status == 422
    assert escape(ja, quote=False) in html  # at its field and in the summary
    assert f'id="{"volume_note" if (kind, field) == ("volumes", "note") else field}-error"' in html
    status, body = via_api(kind, row)
    assert status == 422, body
    assert f"{ja} / {en}" in body["errors"][field]
    ok, problems = via_csv(kind, row)
    assert not ok
    assert any(p.endswith(f":2: {ja} / {en}") for p in problems), problems
    assert rows_recorded() == before  # nothing written by any of them


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [pytest.param(r, f, m, id=what) for what, r, f, m in BAD_VOLUMES],
)
def test_a_bad_volume_row_is_refused_the_same_way_everywhere(ways, row, field, message):
    _refused_everywhere(ways, "volumes", row, field, message)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [pytest.param(r, f, m, id=what) for what, r, f, m in BAD_STATUSES],
)
def test_a_bad_status_row_is_refused_the_same_way_everywhere(ways, row, field, message):
    _refused_everywhere(ways, "statuses", row, field, message or day_window())


def test_a_jump_confirmed_with_a_note_is_accepted_everywhere(ways, backend_app):
    via_page, via_api, via_csv, rows_recorded = ways
    status, html = via_page("volumes", {"fiscal_year": 2024, "receipts": 400_001})
    assert status == 422 and 'name="confirm"' in html  # the page offers to confirm
    status, html = via_page("volumes", {"fiscal_year": 2024, "receipts": 400_001, "confirm": True})
    assert status == 422  # confirming needs the note that says why
    assert "件数を確認したときは、その理由をメモに書いてください" in html
    assert 'value="400001"' in html  # what was typed is kept
    status, body = via_api("volumes", {"fiscal_year": 2024, "receipts": 400_001, "confirm": True})
    assert status == 422
    assert body["errors"] == {
        "note": [
            "件数を確認したときは、その理由をメモに書いてください / a confirmed jump needs a note saying why"
        ]  # fmt: skip
    }
    before = rows_recorded()[0]
    note = "大規模な制度改正で申請が急増"
    status, _ = via_page("volumes", {"fiscal_year": 2024, "receipts": 400_001, "confirm": True, "note": note})  # fmt: skip
    assert status == 302
    status, body = via_api("volumes", {"fiscal_year": 2024, "receipts": 400_002, "confirm": True, "note": note})  # fmt: skip
    assert status == 201 and body["note"] == note
    # the CSV: FY2024 is now 400,002 in the database; 400,003 against FY2023 still jumps,
    # and a note confirms it
    ok, problems = via_csv("volumes", {"fiscal_year": 2024, "receipts": 400_003})
    assert not ok and any("10倍を超えています" in p for p in problems)
    ok, problems = via_csv("volumes", {"fiscal_year": 2024, "receipts": 400_003, "note": note})
    assert ok, problems
    assert rows_recorded()[0] == before + 3
    with backend_app.app_context():
        notes = db.session.scalars(
            select(VolumeRecord.note).where(VolumeRecord.fiscal_year == 2024)
        ).all()
    assert notes == [note] * 3
    history = backend_app.test_client()
    history.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
    assert note in history.get("/staff/procedures/A").get_data(as_text=True)


def test_the_page_shows_the_rule_in_english_too(ways, backend_app):
    client = backend_app.test_client()
    client.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
    client.get("/staff/procedures/A?lang=en")
    r = client.post(
        "/staff/procedures/A/volumes",
        data={"fiscal_year": "2024", "receipts": "40,000", "online_receipts": "50,000"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert ONLINE_OVER[1] in html and ONLINE_OVER[0] not in html
