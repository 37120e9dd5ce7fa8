"""/metrics: scraped and parsed as Prometheus would, by route (never the raw path), with
submissions, drafts, jobs, PDF time, the KPI cache and the backlog; for allowed networks or
the token only; summed over gunicorn's processes in multiprocess mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import logs
from app.metrics import REGISTRY
from tests.jobs.conftest import ask_receipt, free_port, jobs_app, receiver, submit  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


def scrape(client, **kw) -> dict[str, list]:
    """name → samples [(sample name, labels, value)] of one scrape."""
    r = client.get("/metrics", **kw)
    assert r.status_code == 200, r.status_code
    assert r.content_type.startswith("text/plain")
    out: dict[str, list] = {}
    for family in text_string_to_metric_families(r.get_data(as_text=True)):
        out[family.name] = [(s.name, s.labels, s.value) for s in family.samples]
    return out


def value(metrics: dict, family: str, sample: str | None = None, **labels) -> float:
    return sum(
        v
        for name, have, v in metrics.get(family, [])
        if (sample is None or name == sample) and all(have.get(k) == x for k, x in labels.items())
    )


def test_requests_are_counted_by_route_never_by_path(client):
    before = scrape(client)
    client.get("/")
    client.get("/")
    client.get("/procedures/P-secret-伊勢花子")  # a path with something personal in it
    client.get("/no-such-page/hanako@example.jp")
    after = scrape(client)
    route = {"route": "/", "method": "GET", "status": "200"}
    assert (
        value(after, "tetsuzuki_http_requests", **route)
        - value(before, "tetsuzuki_http_requests", **route)
        == 2
    )
    assert (
        value(
            after,
            "tetsuzuki_http_request_duration_seconds",
            "tetsuzuki_http_request_duration_seconds_count",
            route="/",
            method="GET",
        )
        >= 2
    )
    routes = {labels["route"] for _n, labels, _v in after["tetsuzuki_http_requests"]}
    assert "<unmatched>" in routes
    text = client.get("/metrics").get_data(as_text=True)
    assert "伊勢花子" not in text and "hanako@example.jp" not in text and "P-secret" not in text


def test_only_allowed_networks_or_the_token_may_scrape(make_app):
    app = make_app(METRICS_ALLOWED_NETWORKS="10.0.0.0/8", METRICS_TOKEN="s3cret-token")
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not in 10.0.0.0/8 here
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 404
    right = {"Authorization": "Bearer s3cret-token"}
    assert client.get("/metrics", environ_base=outside, headers=right).status_code == 200
    inside = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", environ_base=inside).status_code == 200


def test_submissions_drafts_jobs_pdf_and_the_kpi_cache(jobs_app):  # noqa: F811 - the fixture
    client = jobs_app.test_client()
    before = scrape(client)
    body = submit(jobs_app)  # API: a mail and a webhook run inline after it
    assert ask_receipt(jobs_app, body).status_code == 200  # the receipt PDF, made when asked
    client.get("/apply/jobs-permit", follow_redirects=False)
    client.post("/apply/jobs-permit/start", data={})
    client.get("/api/v1/kpi")
    client.get("/api/v1/kpi")
    after = scrape(client)

    def grew(family, sample=None, **labels):
        return value(after, family, sample, **labels) - value(before, family, sample, **labels)

    assert grew("tetsuzuki_submissions", form="jobs-permit", channel="api") == 1
    assert grew("tetsuzuki_drafts_started", form="jobs-permit") == 1
    assert grew("tetsuzuki_jobs_run", outcome="done") >= 3  # receipt, mail, webhook
    assert grew("tetsuzuki_job_duration_seconds", "tetsuzuki_job_duration_seconds_count") >= 3
    assert grew("tetsuzuki_pdf_render_seconds", "tetsuzuki_pdf_render_seconds_count") >= 1
    assert grew("tetsuzuki_kpi_cache_lookups", result="hit") >= 1
    assert value(after, "tetsuzuki_database_up") == 1
    assert value(after, "tetsuzuki_jobs", state="done") >= 3
    assert value(after, "tetsuzuki_jobs", state="failed") == 0


def test_statements_sent_to_the_database_are_counted(app, client, count_statements):
    """tetsuzuki_db_statements_total grows by the statements the engine sent, no more."""

    def counted() -> float:
        labels = {"component": logs.component()}
        return REGISTRY.get_sample_value("tetsuzuki_db_statements_total", labels) or 0

    client.get("/api/v1/procedures")  # warm
    before = counted()
    with app.app_context(), count_statements() as seen:
        assert client.get("/api/v1/procedures").status_code == 200
    assert seen
    assert counted() - before == len(seen)
    assert value(scrape(client), "tetsuzuki_db_statements", component=logs.component()) >= len(seen)


def test_queue_depth_with_redis(make_app, redis_server):
    url, prefix = redis_server
    app = make_app(REDIS_URL=url, REDIS_KEY_PREFIX=prefix + "metrics:")
    with app.app_context():
        from app.extensions import db  # noqa: PLC0415 - the tables of this app only

        db.create_all()
    after = scrape(app.test_client())
    assert value(after, "tetsuzuki_queue_up") == 1
    assert "tetsuzuki_queue_depth" in after


GUNICORN_APP = "from app import create_app\napp = create_app()\n"


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn runs on Linux")
def test_gunicorn_processes_are_summed_in_multiprocess_mode(tmp_path):
    """Two gunicorn workers, each counting into PROMETHEUS_MULTIPROC_DIR: a scrape (by
    whichever worker) counts every request."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (tmp_path / "serve.py").write_text(GUNICORN_APP)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.pop("REDIS_URL", None)
    env.update(
        PYTHONPATH=f"{tmp_path}:{ROOT}",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
        SECRET_KEY="x" * 40,
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        env=env, cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "-c", "python:app.gunicorn_conf", "serve:app"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz/live", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (
                    "gunicorn did not start"
                )
                time.sleep(0.2)
        for _ in range(20):
            urllib.request.urlopen(base + "/healthz/live", timeout=5).read()
        text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    live = sum(
        s.value
        for s in families["tetsuzuki_http_requests"].samples
        if s.labels.get("route") == "/healthz/live" and s.name.endswith("_total")
    )
    assert live >= 21  # the wait's successful probe and the twenty, over both workers
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 1
