"""The done page asks one optional question; the answer is tied to the submission by a
signed token (no cookie), once per submission, with personal data in the comment masked."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.submissions.models import SatisfactionAnswer
from tests.submissions.conftest import Resident, resident  # noqa: F401 - the fixture
from tests.submissions.test_codes import submitted


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_a_resident_answers_once_without_a_cookie(resident, form_app):  # noqa: F811
    receipt = submitted(resident)
    done = resident.get(f"/apply/test-permit/done/{receipt}").get_data(as_text=True)
    assert "この手続の使いやすさはいかがでしたか" in done
    token = _token(done)
    # another browser, with no session at all, can send the answer with the token alone
    stranger = Resident(form_app).client
    r = stranger.post("/feedback", data={"token": token, "score": "7", "comment": "よい"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "5段階のうち、あてはまるものを1つ選んでください。" in page
    assert ">よい</textarea>" in page  # what was typed is kept
    r = stranger.post(
        "/feedback",
        data={
            "token": token,
            "score": "4",
            "comment": "電話 090-1234-5678 か taro@example.jp へ。〒514-0001",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/feedback/thanks")
    assert "Set-Cookie" not in r.headers
    with form_app.app_context():
        (row,) = db.session.scalars(select(SatisfactionAnswer)).all()
        assert row.score == 4
        assert row.comment == "電話 ＊＊＊ か ＊＊＊ へ。＊＊＊"
    # one answer per submission
    r = stranger.post("/feedback", data={"token": token, "score": "1"})
    assert r.status_code == 409 and "すでにいただいています" in r.get_data(as_text=True)
    done = resident.get(f"/apply/test-permit/done/{receipt}").get_data(as_text=True)
    assert "すでにいただいています" in done and 'name="score"' not in done


def test_bad_tokens_and_long_comments(resident, form_app):  # noqa: F811
    c = Resident(form_app).client
    assert c.post("/feedback", data={"token": "forged", "score": "3"}).status_code == 400
    assert c.post("/feedback", data={"score": "3"}).status_code == 400
    receipt = submitted(resident)
    token = _token(resident.get(f"/apply/test-permit/done/{receipt}").get_data(as_text=True))
    r = c.post("/feedback", data={"token": token, "score": "3", "comment": "あ" * 1001})
    assert r.status_code == 422
    assert "1000文字以内" in r.get_data(as_text=True)
    r = c.post("/feedback?lang=en", data={"token": token, "score": "3", "comment": "あ" * 1001})
    assert r.status_code == 422
