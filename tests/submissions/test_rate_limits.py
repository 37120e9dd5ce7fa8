"""Rate limits on the resident's side, per client address: starting a form, posting a page
that carries files, resume look-ups, API submissions without a token. Past a limit: 429
with the site's message page (the way back to the form's page) or the API's JSON error;
nothing entered before is lost."""

from __future__ import annotations

import io
import json
import threading
import time

from app.api.tokens import create_token
from app.extensions import db, limiter
from app.ratelimit_memory import SweptMemoryStorage

from .conftest import GOOD, Resident, png

BUSY = "短時間にアクセスが集中しています。しばらくしてからもう一度お試しください。"


def resident_at(app, address: str) -> Resident:
    resident = Resident(app)
    resident.client.environ_base["REMOTE_ADDR"] = address
    return resident


def test_starting_forms_is_limited(form_app):
    form_app.config["START_RATE_LIMIT"] = "2 per minute"
    resident = resident_at(form_app, "192.0.2.11")
    codes = [resident.client.post("/apply/test-permit/start").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    r = resident.client.post("/apply/test-permit/start")
    assert r.status_code == 429 and BUSY in r.get_data(as_text=True)
    assert (
        resident_at(form_app, "192.0.2.12").client.post("/apply/test-permit/start").status_code
        == 302
    )  # another address has its own count


def test_pages_posted_with_files_are_limited_and_keep_the_answers(form_app):
    form_app.config["UPLOAD_RATE_LIMIT"] = "2 per minute"
    resident = resident_at(form_app, "192.0.2.21")
    resident.start()
    resident.page("applicant", {**GOOD, "kind": "a"})
    for name in ("1.png", "2.png"):
        r = resident.page("docs", {"photo": (io.BytesIO(png()), name)})
        assert r.request.path.endswith("/check"), r.status_code
    r = resident.client.post(
        "/apply/test-permit/docs",
        data={"action": "next", "photo": (io.BytesIO(png()), "3.png")},
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 429 and BUSY in html
    assert 'href="/apply/test-permit/docs"' in html  # the way back to the page
    # pages without files, and every GET, are not counted
    assert resident.page("applicant", {**GOOD, "kind": "a"}).status_code == 200
    assert all(resident.client.get("/apply/test-permit/docs").status_code == 200 for _ in range(3))
    check = resident.get("/apply/test-permit/check").get_data(as_text=True)
    assert "2.png" in check and "3.png" not in check and "山田 太郎" in check


def test_resume_look_ups_are_limited(form_app):
    form_app.config["RESUME_RATE_LIMIT"] = "2 per minute"
    visitor = resident_at(form_app, "192.0.2.31")
    codes = [
        visitor.client.post("/apply/test-permit/resume", data={"code": "AAAAA-BBBBB"}).status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]
    assert visitor.client.get("/apply/test-permit/resume").status_code == 200  # the page itself


def test_api_submissions_without_a_token_are_limited(form_app):
    form_app.config["API_SUBMIT_RATE_LIMIT"] = "2 per minute"
    with form_app.app_context():
        _, plaintext = create_token("01", "窓口アプリ")
        db.session.commit()
    client = form_app.test_client()
    env = {"REMOTE_ADDR": "192.0.2.41"}
    answers = {
        "name": {
            "family": "山田",
            "given": "太郎",
            "family_kana": "ヤマダ",
            "given_kana": "タロウ",
        },
        "email": "taro@example.jp",
        "kind": "a",
    }

    def submit(headers=None):
        return client.post(
            "/api/v1/forms/test-permit/submissions",
            data=json.dumps({"answers": answers, "declaration": True}),
            content_type="application/json",
            headers=headers or {},
            environ_base=env,
        )

    assert [submit().status_code for _ in range(2)] == [201, 201]
    r = submit()
    assert r.status_code == 429
    assert r.get_json()["error"] == "too_many_requests"
    assert r.get_json()["message"].startswith("短時間にアクセスが集中しています")
    assert submit({"Authorization": "Bearer tzk_not-a-token"}).status_code == 429
    # a department's software with its API token is not held to the anonymous limit
    assert submit({"Authorization": f"Bearer {plaintext}"}).status_code == 201


def test_without_redis_the_counts_live_in_memory_and_start_no_thread_per_request(form_app):
    """A site without Redis counts in its own memory (app/ratelimit_memory.py): still per
    address and per window, and no request starts a thread to tidy the counts."""
    assert form_app.config["RATELIMIT_STORAGE_URI"] == "swept-memory://"
    assert isinstance(limiter.storage, SweptMemoryStorage)
    form_app.config["START_RATE_LIMIT"] = "3 per second"
    resident = resident_at(form_app, "192.0.2.31")
    threads = threading.active_count()
    codes = []
    for _ in range(4):
        codes.append(resident.client.post("/apply/test-permit/start").status_code)
        time.sleep(0.02)  # past `limits`' own 10 ms: it would start a thread for the next
    assert codes == [302, 302, 302, 429]
    assert threading.active_count() == threads
    time.sleep(1.1)  # the window is over: counted afresh
    assert resident.client.post("/apply/test-permit/start").status_code == 302
