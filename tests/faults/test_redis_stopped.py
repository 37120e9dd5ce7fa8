"""Redis stopped: residents and API clients still submit (the outbox keeps the jobs),
status look-ups are still answered and still throttled, and once Redis is back a worker
catches up: the mails are sent, and the receipt asked for meanwhile is there."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from redis import Redis

from tests.jobs.conftest import private_redis, work  # noqa: F401 - fixture
from tests.submissions.conftest import Resident

from .conftest import FORM_ID, WEB_APPLICANT, api_submit, assert_no_leak, load_form, png

pytestmark = pytest.mark.redis

WRONG = {"receipt_no": "2026-AAAAAAAA", "access_code": "WRONG234"}
GUESSER = {"REMOTE_ADDR": "192.0.2.10"}  # someone trying access codes (TEST-NET-1)


@pytest.fixture
def limiter_reset():
    """The rate limiter is one object per process: after a test that killed its storage,
    the next app starts on its own storage, not on this test's fallback."""
    from app.extensions import limiter

    yield limiter
    limiter._storage_dead = False


def outbox(app) -> dict[str, str]:
    from sqlalchemy import select

    from app.extensions import db
    from app.jobs.models import OutboxJob

    with app.app_context():
        rows = {j.key: j.state for j in db.session.scalars(select(OutboxJob))}
        db.session.remove()
        return rows


def test_redis_stopped_submissions_are_accepted_and_jobs_catch_up(
    make_app,
    tmp_path,
    private_redis,  # noqa: F811 - the fixture
    limiter_reset,
):
    app = make_app(
        REDIS_URL=private_redis.url,
        REDIS_KEY_PREFIX="faults:",
        UPLOAD_DIR=str(tmp_path / "uploads"),
        JOB_PERIODIC=False,
        LOOKUP_RATE_LIMIT="3 per minute",
    )
    load_form(app, tmp_path / "form")
    lookup = app.test_client()
    assert lookup.post("/status", data=WRONG, environ_base=GUESSER).status_code == 404
    redis = Redis.from_url(private_redis.url)
    assert redis.keys("*submissions.status*"), "the look-up is counted in this Redis"
    redis.close()

    private_redis.stop()
    started = time.monotonic()
    resident = Resident(app)
    resident.start()
    resident.page("applicant", WEB_APPLICANT)
    resident.page("docs", {"photo": (io.BytesIO(png()), "photo.png")})
    done = resident.post(f"/apply/{FORM_ID}/submit", {"declaration": "y"})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "申請を受け付けました" in html, html[:2000]
    web_receipt = done.request.path.rsplit("/", 1)[-1]
    assert web_receipt in html
    api = api_submit(app.test_client(), "redis-down")
    assert api.status_code == 201, api.get_data(as_text=True)
    api_receipt, api_code = api.get_json()["receipt_no"], api.get_json()["access_code"]
    accepted_in = time.monotonic() - started
    assert accepted_in < 5  # no request waits on the missing Redis

    # the outbox keeps the work: the mail of each submission, none handed out
    assert sorted(outbox(app).values()) == ["pending"] * 2
    health = app.test_client().get("/healthz")
    assert health.get_json()["queue"] == "down"
    pdf = resident.get(done.request.path + "/receipt.pdf")  # asked for: its job waits too
    assert pdf.status_code == 202 and "作成しています" in pdf.get_data(as_text=True)
    assert sorted(outbox(app).values()) == ["pending"] * 3

    # look-ups are still answered, and still throttled (counted in memory meanwhile)
    codes = [lookup.post("/status", data=WRONG, environ_base=GUESSER).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    assert "短時間にアクセスが集中しています" in lookup.post(
        "/status", data=WRONG, environ_base=GUESSER
    ).get_data(as_text=True)
    status = app.test_client().get(
        f"/api/v1/submissions/{api_receipt}", headers={"X-Access-Code": api_code}
    )
    assert status.status_code == 200 and status.get_json()["status"] == "received"
    found = app.test_client().post(
        "/status", data={"receipt_no": web_receipt, "access_code": shown_code(html)}
    )
    assert found.status_code == 302
    for r in (pdf, status, found):
        assert_no_leak(r.get_data(as_text=True))

    # Redis is back: a worker's sweep hands out the pending jobs and it runs them
    private_redis.start()
    started = time.monotonic()
    assert work(app)
    caught_up = time.monotonic() - started
    print(f"\nsubmitted without Redis in {accepted_in:.2f} s; caught up in {caught_up:.2f} s")
    assert set(outbox(app).values()) == {"done"}
    pdfs = {p.name for p in Path(app.instance_path).rglob("*.pdf")}
    assert pdfs == {f"{web_receipt}.pdf"}  # the one asked for
    pdf = resident.get(done.request.path + "/receipt.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    api_pdf = f"/api/v1/submissions/{api_receipt}/receipt.pdf"
    pdf = app.test_client().get(api_pdf, headers={"X-Access-Code": api_code})
    assert pdf.status_code == 202  # asked for now, with Redis back: queued at once
    assert work(app)
    pdf = app.test_client().get(api_pdf, headers={"X-Access-Code": api_code})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def shown_code(done_page: str) -> str:
    """The access code the done page showed (after the receipt number)."""
    return re.findall(r'<strong class="receipt">([^<]+)</strong>', done_page)[1]


@pytest.fixture
def silent_redis():
    """A peer that takes connections and never answers: a Redis that hangs."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_redis_that_hangs_costs_seconds_not_the_request(
    make_app, tmp_path, silent_redis, limiter_reset
):
    """Look-ups give up on the limiter's Redis after its socket timeout and are answered;
    a submission still gets its receipt number, its jobs wait in the outbox."""
    app = make_app(
        REDIS_URL=silent_redis,
        REDIS_KEY_PREFIX="faults:",
        UPLOAD_DIR=str(tmp_path / "uploads"),
        JOB_PERIODIC=False,
    )
    load_form(app, tmp_path / "form")
    started = time.monotonic()
    r = app.test_client().post("/status", data=WRONG, environ_base=GUESSER)
    looked_up_in = time.monotonic() - started
    assert r.status_code == 404 and "到達番号またはアクセスコードが正しくありません" in r.get_data(
        as_text=True
    )
    assert looked_up_in < 8, looked_up_in
    started = time.monotonic()
    api = api_submit(app.test_client(), "redis-hangs")
    submitted_in = time.monotonic() - started
    assert api.status_code == 201, api.get_data(as_text=True)
    assert submitted_in < 8, submitted_in
    assert set(outbox(app).values()) == {"pending"}
    print(
        f"\nRedis hanging: look-up answered in {looked_up_in:.1f} s, submission in {submitted_in:.1f} s"
    )
