"""The staff home page says what is waiting: missing volumes, late procedures, forms
with missing translations; each department its own."""

from __future__ import annotations

import re

from app.clock import today
from app.kpi import fiscal_year_of

from .conftest import sign_in


def text(r) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.get_data(as_text=True)))


def test_the_home_page_lists_what_is_waiting_for_the_department(office):
    app, _ = office
    page = text(sign_in(app, "d01@example.jp").get("/staff/"))
    assert "やること" in page
    # the worked example records volumes up to FY2023 only: last year's are missing
    assert re.search(r"の受付件数が未登録の手続: 2 件 A 手続A B 手続B", page), page
    assert "手続C" not in page  # another department's
    assert "台帳ファイルを取り込む・ダウンロードする" in page
    client = sign_in(app, "d01@example.jp")
    assert client.post(
        "/staff/procedures/A/volumes",
        data={"fiscal_year": str(fiscal_year_of(today()) - 1), "receipts": "40000"},
    ).status_code == 302
    assert re.search(r"未登録の手続: 1 件 B 手続B", text(client.get("/staff/")))


def test_the_bureau_sees_every_department_and_no_button_it_cannot_use(office):
    app, _ = office
    page = text(sign_in(app, "bureau@example.jp").get("/staff/"))
    assert "未登録の手続: 4 件" in page
    assert "手続の状態と件数を更新する" not in page and "手続を見る" in page
