"""The public service-performance page of a procedure: per form version, and residents'
answers only once enough of them exist."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.submissions import transitions
from app.submissions.models import Submission
from tests.submissions.conftest import resident  # noqa: F401 - the fixture
from tests.submissions.test_codes import submitted


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _answer(resident, receipt, score):  # noqa: F811
    done = resident.get(f"/apply/test-permit/done/{receipt}").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', done).group(1)
    r = resident.client.post("/feedback", data={"token": token, "score": str(score)})
    assert r.status_code == 302


def test_figures_show_once_enough_answers_exist(resident, form_app):  # noqa: F811
    form_app.config["QUALITY_MIN_ANSWERS"] = 2
    receipt = submitted(resident)
    _answer(resident, receipt, 4)
    c = form_app.test_client()
    page = text(
        c.get("/dashboard/services/A", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    assert "サービスの実績: 手続A" in page and "様式 第1版" in page
    assert "回答が2件に達するまで表示しません（いま1件）。" in page
    assert "100.0% (開始 1 件のうち申請 1 件)" in page
    # the case: returned for correction once, then approved the same day
    with form_app.app_context():
        sub = db.session.scalar(select(Submission))
        for to in ("returned", "in_review", "approved"):  # approved as a decision is made
            transitions.transition(
                sub, to, "書類を補ってください。", by="staff@example.jp", decision=to == "approved"
            )
        db.session.commit()
    receipt2 = submitted(resident)
    _answer(resident, receipt2, 2)
    page = text(
        c.get("/dashboard/services/A", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    )
    # (4 + 2) / 2 = 3.0; one of two answered 4 or more
    assert "3.0 / 5 — 「使いやすい」以上 50.0% (回答 2 件)" in page
    assert "補正の依頼（100件あたり） 50.0 (1 件)" in page  # 1 returned of 2 submissions
    assert "処理日数（中央値、営業日） 0 営業日" in page
    assert c.get("/dashboard/services/NOPE").status_code == 404
    assert c.get("/dashboard/services/A?lang=en").status_code == 200


def test_a_procedure_without_a_form_here(resident, form_app):  # noqa: F811
    page = text(form_app.test_client().get("/dashboard/services/B").get_data(as_text=True))
    assert "この手続には、このシステムの申請様式がありません。" in page
