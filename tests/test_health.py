"""/healthz tells an operator what answers."""

from __future__ import annotations

import pytest


def test_inline_queue_without_redis(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok", "queue": "inline"}


@pytest.mark.redis
def test_real_redis_is_ok(make_app, redis_server):
    url, _prefix = redis_server
    app = make_app(REDIS_URL=url)
    assert app.test_client().get("/healthz").get_json()["queue"] == "ok"


def test_unreachable_redis_is_reported_down_but_the_site_stays_up(make_app):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    r = app.test_client().get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "degraded", "database": "ok", "queue": "down"}


def test_unusable_database_is_503_in_json(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.get_json()["database"] == "down"


@pytest.mark.postgres
def test_real_postgresql(make_app, postgres_url):
    app = make_app(postgres_url)
    assert app.test_client().get("/healthz").get_json()["database"] == "ok"


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
