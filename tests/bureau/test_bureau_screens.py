"""The bureau's screens: services ranked by where improvement helps most, comments (a
department sees its own), the service-quality report as .xlsx, confirmed years."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from app.catalogue.models import Procedure
from app.catalogue.services import record_status, record_volume
from app.extensions import db
from app.submissions import satisfaction
from app.submissions.models import Submission
from tests.staff.conftest import csrf, sign_in


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _prepare(app):
    """FY2025: A 100 receipts, 40 online (60 still off-line); C 50 receipts, 45 online;
    an answer with a comment on each submission."""
    with app.app_context():
        a = db.session.scalar(select(Procedure).where(Procedure.code == "A"))
        c = db.session.scalar(select(Procedure).where(Procedure.code == "C"))
        record_volume(a, 2025, 100, 40, confirmed=True, note="2025年度の実績")
        record_volume(c, 2025, 50, 45, confirmed=True, note="2025年度の実績")
        for sub, score, comment in zip(
            db.session.scalars(select(Submission).order_by(Submission.id)),
            (2, 5),
            ("入力欄が多い。連絡は 059-224-2000 まで", "簡単でした"),
            strict=True,
        ):
            assert satisfaction.record(sub, satisfaction.Answer(score, comment, {}))
        db.session.commit()


def test_ranking_and_the_quality_report(office):
    app, _ = office
    _prepare(app)
    bureau = sign_in(app, "bureau@example.jp")
    page = text(
        bureau.get("/staff/bureau/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    rows = page.split("使いやすさ（5段階）")[1]
    # A: 100 − 40 = 60 a year still off-line comes before C: 50 − 45 = 5
    assert rows.index("手続A") < rows.index("手続C")
    assert "手続A 部局01 · 様式 第1版 60 40.0%" in rows and "2.0 回答 1 件" in rows
    r = bureau.get("/staff/bureau/quality.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["サービス品質", "利用者の声"]
    ws = wb["サービス品質"]
    header = [c.value for c in ws[1]]
    assert header[:9] == [
        "手続コード",
        "手続",
        "部局",
        "様式の版",
        "年度",
        "全受付件数",
        "オンライン件数",
        "改善の余地（件/年）",
        "オンライン利用率",
    ]
    a = [c.value for c in ws[2]]
    assert a[:9] == ["A", "手続A", "部局01", 1, 2025, 100, 40, 60, 0.4]
    assert [c.value for c in wb["利用者の声"][3]][3] == "入力欄が多い。連絡は ＊＊＊ まで"
    # department staff may not see the ranking
    assert sign_in(app, "d01@example.jp").get("/staff/bureau/").status_code == 403


def test_each_department_sees_its_own_comments(office):
    app, _ = office
    _prepare(app)
    d01 = text(sign_in(app, "d01@example.jp").get("/staff/bureau/comments").get_data(as_text=True))
    assert "入力欄が多い。連絡は ＊＊＊ まで" in d01 and "簡単でした" not in d01
    assert "059-224-2000" not in d01
    everyone = text(
        sign_in(app, "bureau@example.jp").get("/staff/bureau/comments").get_data(as_text=True)
    )
    assert "入力欄が多い" in everyone and "簡単でした" in everyone


def test_a_confirmed_year_and_a_later_correction(office):
    app, _ = office
    bureau = sign_in(app, "bureau@example.jp")
    page = bureau.get("/staff/bureau/years").get_data(as_text=True)
    r = bureau.post("/staff/bureau/years", data={"fiscal_year": "2026", "csrf_token": csrf(page)})
    assert r.status_code == 400  # the current year cannot be confirmed
    r = bureau.post("/staff/bureau/years", data={"fiscal_year": "2025", "reason": ""})
    assert r.status_code == 302
    public = app.test_client()
    head = text(
        public.get("/dashboard?fy=2025", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    assert "確定値" in head and "訂正" not in head.split("年度ごとの推移")[0]
    assert "暫定値" in text(
        public.get("/dashboard", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    # C was online since 2025-01-01 after all: FY2025 priority 70,000 / 95,000 → 100 %
    with app.app_context():
        c = db.session.scalar(select(Procedure).where(Procedure.code == "C"))
        record_status(c, "online", date(2025, 1, 1), note="記録漏れの訂正", by="d02@example.jp")
        db.session.commit()
    head = text(
        public.get("/dashboard?fy=2025", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    assert "訂正 : 確定後に記録が訂正され、数値が確定時の 73.7% から変わりました。" in head
    assert "C（状態）: 記録漏れの訂正" in head
    # confirming again needs a reason; with one, the corrected figure is the confirmed one
    r = bureau.post("/staff/bureau/years", data={"fiscal_year": "2025", "reason": ""})
    assert r.status_code == 422 and "理由を入力してください" in r.get_data(as_text=True)
    r = bureau.post(
        "/staff/bureau/years", data={"fiscal_year": "2025", "reason": "Cの状態の訂正を反映"}
    )
    assert r.status_code == 302
    head = text(
        public.get("/dashboard?fy=2025", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    assert "確定値" in head and "確定後に記録が訂正され" not in head
    years = text(bureau.get("/staff/bureau/years").get_data(as_text=True))
    assert "Cの状態の訂正を反映" in years
    assert (
        sign_in(app, "d01@example.jp")
        .post("/staff/bureau/years", data={"fiscal_year": "2025"})
        .status_code
        == 403
    )
