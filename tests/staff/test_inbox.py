"""The inbox for real volumes: paging, search (receipt number, name, any answer), filters,
sort, unread counts and the CSV/Excel exports — the same on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app.catalogue.services import import_catalogue
from app.extensions import db
from app.staff import inbox
from app.staff import services as staff
from app.staff.models import User
from app.submissions import versions
from app.submissions.models import CorrectionRequest, FormVersion
from tests.submissions.conftest import FORM

from .conftest import PASSWORD, sign_in

NAMES = [("山田", "太郎", "ヤマダ", "タロウ"), ("Smith", "Anna", "スミス", "アンナ")]


def answers(n: int) -> dict:
    family, given, fk, gk = NAMES[n % 2]
    return {
        "name": {"family": family, "given": given, "family_kana": fk, "given_kana": gk},
        "email": f"person{n}@example.jp",
        "kind": "b",
        "reason": '=HYPERLINK("http://evil")' if n == 0 else f"理由{n:03d}%_",
        "count": 1 + n % 9,
    }


@pytest.fixture
def busy(backend_app, worked_example, tmp_path):
    """120 submissions of department 01's form, 1 of department 02's → (app, receipts)."""
    app = backend_app
    path = tmp_path / "test-permit.yaml"
    path.write_text(FORM, encoding="utf-8")
    other = tmp_path / "test-permit-c.yaml"
    other.write_text(
        FORM.replace("id: test-permit", "id: test-permit-c").replace(
            "procedure: A", "procedure: C"
        ),
        encoding="utf-8",
    )
    with app.app_context():
        assert import_catalogue(worked_example).ok
        assert not versions.load_forms([path, other]).problems
        staff.create_user("d01@example.jp", PASSWORD, "department", department_code="01")
        staff.create_user("d02@example.jp", PASSWORD, "department", department_code="02")
        db.session.commit()
    client = app.test_client()
    receipts = []
    for n in range(120):
        r = client.post(
            "/api/v1/forms/test-permit/submissions",
            json={"answers": answers(n), "declaration": True},
        )
        assert r.status_code == 201, r.get_json()
        receipts.append(r.get_json()["receipt_no"])
    r = client.post(
        "/api/v1/forms/test-permit-c/submissions",
        json={"answers": answers(1), "declaration": True},
    )
    return app, receipts


def listed(html: str) -> list[str]:
    return re.findall(r'/staff/submissions/(\d{4}-[0-9A-Z]{8})"', html)


def test_pages_search_sort_and_unread(busy):
    app, receipts = busy
    client = sign_in(app, "d01@example.jp")
    html = client.get("/staff/submissions").get_data(as_text=True)
    assert "120 件中 1–50 件目" in html and "1 / 3 ページ" in html
    assert listed(html) == receipts[::-1][:50]  # newest first
    assert "未読 120 件" in html
    third = client.get("/staff/submissions?page=3").get_data(as_text=True)
    assert listed(third) == receipts[::-1][100:]
    old = client.get("/staff/submissions?sort=old").get_data(as_text=True)
    assert listed(old)[:3] == receipts[:3]

    # search: a receipt number (any case, part of it), a name, any answer
    part = receipts[7][5:].lower()
    assert listed(client.get(f"/staff/submissions?q={part}").get_data(as_text=True)) == [
        receipts[7]
    ]
    yamada = listed(client.get("/staff/submissions?q=山田&sort=old").get_data(as_text=True))
    assert yamada == receipts[0:100:2]  # the first page: 50 of the 60 Yamadas
    smith = client.get("/staff/submissions?q=smith").get_data(as_text=True)
    assert "60 件中" in smith
    assert listed(client.get("/staff/submissions?q=理由007").get_data(as_text=True)) == [
        receipts[7]
    ]
    # % and _ are letters, not wildcards
    assert "119 件中" in client.get("/staff/submissions?q=%_").get_data(as_text=True)
    assert "該当する申請はありません" in client.get("/staff/submissions?q=理由%0").get_data(
        as_text=True
    )

    # opening a case makes it read for this user only
    client.get(f"/staff/submissions/{receipts[5]}")
    html = client.get("/staff/submissions?new=1").get_data(as_text=True)
    assert "未読 119 件" in html and "119 件中" in html and receipts[5] not in listed(html)
    with app.app_context():
        other = db.session.scalar(db.select(User).where(User.email == "d02@example.jp"))
        assert inbox.unread_count(other) == 1  # department 02 sees its own one only


def test_department_sees_only_its_forms_and_bad_filters_say_why(busy):
    app, receipts = busy
    client = sign_in(app, "d02@example.jp")
    html = client.get("/staff/submissions").get_data(as_text=True)
    assert "1 件中" in html and 'value="test-permit"' not in html
    assert listed(client.get("/staff/submissions?q=山田").get_data(as_text=True)) == []
    r = client.get("/staff/submissions?q=" + "あ" * 101)
    assert r.status_code == 400 and "100文字以内" in r.get_data(as_text=True)
    r = client.get("/staff/submissions?sort=evil")
    assert r.status_code == 400 and "並び順" in r.get_data(as_text=True)
    r = client.get("/staff/submissions?status=evil")
    assert r.status_code == 400


def test_exports_hold_the_filtered_list_with_cells_neutralised(busy):
    app, receipts = busy
    client = sign_in(app, "d01@example.jp")
    r = client.get("/staff/submissions?q=山田&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    lines = r.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("到達番号,様式") and len(lines) == 61
    assert {line.split(",")[0] for line in lines[1:]} == set(receipts[0::2])
    r = client.get("/staff/submissions?q=山田&format=xlsx")
    sheet = load_workbook(io.BytesIO(r.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "到達番号" and len(rows) == 61
    assert {row[0] for row in rows[1:]} == set(receipts[0::2])


def test_a_form_title_like_a_formula_is_neutralised_in_both_exports(busy):
    app, receipts = busy
    with app.app_context():
        for fv in db.session.scalars(db.select(FormVersion)):
            fv.title_ja = "=1+2"
        db.session.commit()
    client = sign_in(app, "d01@example.jp")
    csv_text = client.get(f"/staff/submissions?q={receipts[0]}&format=csv").get_data().decode()
    assert ",'=1+2," in csv_text
    sheet = load_workbook(
        io.BytesIO(client.get(f"/staff/submissions?q={receipts[0]}&format=xlsx").get_data())
    ).active
    assert sheet.cell(2, 2).value == "'=1+2" and sheet.cell(2, 2).data_type == "s"


def test_overdue_corrections_are_their_own_filter(busy):
    app, receipts = busy
    client = sign_in(app, "d01@example.jp")
    for no in receipts[:2]:
        r = client.post(f"/staff/submissions/{no}/return", data={"message": "直してください。"})
        assert r.status_code == 302
    with app.app_context():
        req = db.session.scalar(
            db.select(CorrectionRequest).order_by(CorrectionRequest.id).limit(1)
        )
        req.due_on = date.today() - timedelta(days=3)  # as if set then, now past
        db.session.commit()
    html = client.get("/staff/submissions?overdue=1").get_data(as_text=True)
    assert listed(html) == [receipts[0]]
