"""/healthz tells an operator what answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from app import __version__
from app.clock import utcnow
from app.extensions import db
from app.jobs.models import FAILED, PENDING, QUEUED, OutboxJob
from app.jobs.worker import make_worker
from app.startup import schema_head


@pytest.fixture
def migrated(make_app, tmp_path):
    """An app whose database was made by the migrations, as an operator makes it."""

    def make(url: str | None = None, **overrides):
        app = make_app(url or f"sqlite:///{tmp_path / 'migrated.db'}", **overrides)
        with app.app_context():
            upgrade()
        return app

    return make


def _job(app, *, state=PENDING, age_seconds=0):
    with app.app_context():
        db.session.add(
            OutboxJob(
                key=f"test:{state}:{age_seconds}",
                kind="test",
                payload={},
                state=state,
                run_after=utcnow() - timedelta(seconds=age_seconds),
            )
        )
        db.session.commit()


def test_live_answers_with_the_version(client):
    r = client.get("/healthz/live")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "version": __version__}
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_ready_on_a_migrated_database_without_redis(migrated):
    app = migrated()
    for path in ("/healthz/ready", "/healthz"):
        r = app.test_client().get(path)
        assert r.status_code == 200
        body = r.get_json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert body["schema"] == schema_head() and body["version"] == __version__
        assert body["queue"] == "inline"
        assert body["jobs"] == {"waiting": 0, "oldest_waiting_seconds": 0, "failed": 0}


def test_an_unmigrated_database_is_not_ready(client):
    """Made without the migrations (or before `flask db upgrade`): every page would fail."""
    r = client.get("/healthz/ready")
    assert r.status_code == 503
    body = r.get_json()
    assert body["status"] == "unavailable" and body["problems"] == ["schema"]
    assert body["schema"] is None and body["schema_expected"] == schema_head()


def test_unusable_database_is_503_in_json(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.get_json()["database"] == "down" and r.get_json()["problems"] == ["database"]
    assert app.test_client().get("/healthz/live").status_code == 200


def test_old_waiting_jobs_and_failed_jobs_are_told(migrated):
    app = migrated(HEALTH_MAX_JOB_AGE_SECONDS=300)
    _job(app, age_seconds=30)
    _job(app, state=FAILED)
    body = app.test_client().get("/healthz/ready").get_json()
    assert body["status"] == "ok"
    assert body["jobs"]["waiting"] == 1 and body["jobs"]["failed"] == 1
    assert 30 <= body["jobs"]["oldest_waiting_seconds"] < 300
    _job(app, age_seconds=900)
    r = app.test_client().get("/healthz/ready")
    assert r.status_code == 200  # residents can still apply: the node stays in rotation
    assert r.get_json()["status"] == "degraded" and r.get_json()["problems"] == ["jobs"]


def test_unreachable_redis_is_degraded_but_the_site_stays_up(migrated):
    app = migrated(REDIS_URL="redis://127.0.0.1:1/0")
    r = app.test_client().get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "degraded" and body["queue"] == "down"
    assert body["problems"] == ["queue"]


@pytest.mark.redis
def test_jobs_waiting_with_no_worker_alive_are_told(migrated, redis_server):
    url, prefix = redis_server
    app = migrated(REDIS_URL=url, REDIS_KEY_PREFIX=prefix + "health:")
    body = app.test_client().get("/healthz/ready").get_json()
    assert body["status"] == "ok" and body["queue"] == "rq" and body["workers"] == 0
    _job(app, state=QUEUED, age_seconds=5)
    body = app.test_client().get("/healthz/ready").get_json()
    assert body["status"] == "degraded" and body["problems"] == ["workers"]
    with app.app_context():
        worker = make_worker(app, name=f"health-{prefix}".replace(":", "-"))
        worker.register_birth()
        try:
            body = app.test_client().get("/healthz/ready").get_json()
            assert body["status"] == "ok" and body["workers"] == 1
        finally:
            worker.register_death()


@pytest.mark.postgres
def test_real_postgresql(migrated, postgres_url):
    app = migrated(postgres_url)
    body = app.test_client().get("/healthz/ready").get_json()
    assert body["status"] == "ok" and body["schema"] == schema_head()
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_public_api_answers_do_not_vary_by_cookie(client):
    """A shared cache may keep public API answers: no session is read for them."""
    assert "Cookie" not in (client.get("/api/v1/kpi").headers.get("Vary") or "")
    assert "Cookie" in (client.get("/dashboard").headers.get("Vary") or "")


def test_the_api_leaves_a_residents_cookie_alone(client):
    """The API is stateless: with the cookie of a browser that has a language chosen, an
    API answer neither sets nor clears it, and the pages still find the choice."""
    client.get("/?lang=en")
    cookie = client.get_cookie("session")
    assert cookie is not None
    for r in (client.get("/api/v1/kpi"), client.post("/api/v1/forms/none/submissions", json={})):
        assert "Set-Cookie" not in r.headers
    assert client.get_cookie("session").value == cookie.value
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
