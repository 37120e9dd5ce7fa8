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

    def run(self, target, *args) -> threading.Thread:
        def body():
            try:
                target(*args)
            except BaseException:  # noqa: BLE001 - reported by the test
                self.errors.append(traceback.format_exc())

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        return thread


def test_postgresql_restarted_under_load(make_app, tmp_path, private_postgres):
    app = make_app(private_postgres.url, UPLOAD_DIR=str(tmp_path / "uploads"), JOB_PERIODIC=False)
    load_form(app, tmp_path)
    load = Load(app)
    threads = [load.run(load.api_client, n) for n in range(API_CLIENTS)]
    threads += [load.run(load.resident, n) for n in range(RESIDENTS)]

    time.sleep(1.0)  # the site under load, the server up
    down = time.monotonic()
    private_postgres.stop("fast")  # active connections are cut, pooled ones go stale
    time.sleep(1.5)
    private_postgres.start()
    up = time.monotonic()
    time.sleep(1.0)
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
