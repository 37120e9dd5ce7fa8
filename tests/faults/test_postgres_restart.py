"""PostgreSQL restarted while residents and API clients submit: during the outage they
get the app's 503 (page or JSON, Japanese, Retry-After, no stack trace); a retry after it
succeeds; nothing is stored half-way, and every accepted receipt number is stored."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass

import pytest

from .conftest import (
    FORM_ID,
    WEB_APPLICANT,
    api_submit,
    assert_unavailable,
    consistency,
    load_form,
)

pytestmark = pytest.mark.postgres

API_CLIENTS = 3
RESIDENTS = 2


@dataclass
class Call:
    started: float
    ended: float
    who: str
    path: str
    status: int


class Load:
    """Threads that submit until told to stop, retrying on 503 as a person would."""

    def __init__(self, app):
        self.app = app
        self.calls: list[Call] = []
        self.accepted: list[str] = []  # receipt numbers answered 201 / shown on a done page
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def call(self, who: str, send, expected: int):
        """Send until the answer is not 503 (each 503 checked); → the answer."""
        while True:
            started = time.monotonic()
            r = send()
            with self.lock:
                self.calls.append(
                    Call(started, time.monotonic(), who, r.request.path, r.status_code)
                )
            if r.status_code != 503:
                assert r.status_code == expected, (
                    r.request.path,
                    r.status_code,
                    r.get_data(as_text=True)[:2000],
                )
                return r
            assert_unavailable(r)
            time.sleep(0.05)

    def api_client(self, n: int) -> None:
        client = self.app.test_client()
        i = 0
        while not self.stop.is_set():
            key = f"load-{n}-{i}"  # the same key on every retry: one submission
            r = self.call(f"api{n}", lambda k=key: api_submit(client, k), 201)
            with self.lock:
                self.accepted.append(r.get_json()["receipt_no"])
            i += 1

    def resident(self, n: int) -> None:
        client = self.app.test_client()
        who = f"web{n}"
        base = f"/apply/{FORM_ID}"
        while not self.stop.is_set():
            self.call(who, lambda: client.post(f"{base}/start"), 302)
            self.call(
                who,
                lambda: client.post(
                    f"{base}/applicant",
                    data={"action": "next", **WEB_APPLICANT},
                    content_type="multipart/form-data",
                ),
                302,
            )
            self.call(
                who,
                lambda: client.post(
                    f"{base}/docs", data={"action": "next"}, content_type="multipart/form-data"
                ),
                302,
            )
            r = self.call(
                who, lambda: client.post(f"{base}/submit", data={"declaration": "y"}), 302
            )
            done = r.headers["Location"]
            assert f"{base}/done/" in done, done
            page = self.call(who, lambda u=done: client.get(u), 200)
            receipt = done.rsplit("/", 1)[-1]
            assert receipt in page.get_data(as_text=True)
            with self.lock:
                self.accepted.append(receipt)

    def seen(self, answered: str, since: float) -> set[str]:
        """The kinds of client ("api", "web") answered "ok" (< 400) or "503" since then."""
        with self.lock:
            return {
                c.who[:3]
                for c in self.calls
                if c.started >= since and (c.status < 400 if answered == "ok" else c.status == 503)
            }

    def run(self, target, *args) -> threading.Thread:
        def body():
            try:
                target(*args)
            except BaseException:  # noqa: BLE001 - reported by the test
                self.errors.append(traceback.format_exc())

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        return thread


def wait_for(condition, at_least: float, at_most: float = 30.0) -> None:
    """At least `at_least` seconds, then until `condition()` holds (a busy machine is slow)."""
    started = time.monotonic()
    time.sleep(at_least)
    while not condition():
        assert time.monotonic() - started < at_most, "the clients made no progress"
        time.sleep(0.05)


def test_postgresql_restarted_under_load(make_app, tmp_path, private_postgres):
    app = make_app(private_postgres.url, UPLOAD_DIR=str(tmp_path / "uploads"), JOB_PERIODIC=False)
    load_form(app, tmp_path)
    load = Load(app)
    threads = [load.run(load.api_client, n) for n in range(API_CLIENTS)]
    threads += [load.run(load.resident, n) for n in range(RESIDENTS)]

    kinds = {"api", "web"}
    wait_for(lambda: load.seen("ok", since=0) == kinds, at_least=1.0)  # under load, server up
    down = time.monotonic()
    private_postgres.stop("fast")  # active connections are cut, pooled ones go stale
    wait_for(lambda: load.seen("503", since=down) == kinds, at_least=1.5)
    private_postgres.start()
    up = time.monotonic()
    wait_for(lambda: load.seen("ok", since=up) == kinds, at_least=1.0)
    load.stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client never got an answer"
    assert not load.errors, "\n".join(load.errors)

    unavailable = [c for c in load.calls if c.status == 503]
    after = [c for c in load.calls if c.started > up]
    recovered = min((c.ended for c in after), default=None)
    print(
        f"\nPostgreSQL down {up - down:.2f} s; {len(load.calls)} requests, "
        f"{len(unavailable)} answered 503 ({len({c.who for c in unavailable})} clients), "
        f"{len(after)} after the restart, all answered; first answer {recovered - up:.3f} s "
        f"after the server was up; {len(load.accepted)} submissions accepted"
    )
    # the outage was seen by every kind of client, and only during the outage
    assert {c.who[:3] for c in unavailable} == {"api", "web"}
    assert all(c.ended >= down and c.started <= up for c in unavailable)
    # once the server is back, stale pooled connections fail no one
    assert after and all(c.status != 503 for c in after)

    # nothing half-written: every accepted receipt is stored, with its history and jobs
    state = consistency(app)
    assert set(load.accepted) == state.receipts
    assert len(load.accepted) == state.submissions  # no duplicate from a retried request
    assert state.without_event == [] and state.without_jobs == []


def test_a_connection_cut_after_the_answer_is_made_still_gives_the_answer(
    make_app, tmp_path, private_postgres, caplog
):
    """The server ends the connection between the answer and the end of the request (as a
    failover or pg_terminate_backend does): the answer still reaches the client."""
    import psycopg
    from sqlalchemy import text

    from app.extensions import db

    app = make_app(private_postgres.url, UPLOAD_DIR=str(tmp_path / "uploads"), JOB_PERIODIC=False)
    load_form(app, tmp_path)
    admin = f"host=127.0.0.1 port={private_postgres.port} user=postgres dbname=postgres"
    cut = {"on": True}

    @app.after_request
    def end_connection(response):
        if cut["on"]:
            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                while conn.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)
                ).fetchone():
                    time.sleep(0.01)
        return response

    client = app.test_client()
    r = api_submit(client, "cut-after-answer")
    assert r.status_code == 201, r.get_data(as_text=True)
    page = client.get(f"/apply/{FORM_ID}")
    assert page.status_code == 200 and "テスト許可申請" in page.get_data(as_text=True)
    assert caplog.text.count("database connection lost after an answer") == 2

    cut["on"] = False
    assert api_submit(client, "cut-after-answer").get_json() == r.get_json()  # stored once
    state = consistency(app)
    assert state.receipts == {r.get_json()["receipt_no"]} and not state.without_jobs
