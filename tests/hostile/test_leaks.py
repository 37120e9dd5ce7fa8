"""What the answers give away: the server's versions, and https left to chance.

The `Server` header of the development server (`make run`) names no versions, and every
answer served over https — directly, or as a trusted proxy reports it — carries HSTS.
"""

from __future__ import annotations

import http.client
import threading

import pytest
from werkzeug.serving import make_server

HSTS = "max-age=31536000; includeSubDomains"
PAGES = ("/", "/dashboard", "/staff/login", "/api/v1/kpi", "/no-such-page", "/static/app.css")


def get(client, path, **kwargs):
    """→ the answer's headers (the answer closed: a static file holds its file open)."""
    answer = client.get(path, **kwargs)
    answer.close()
    return answer.headers


@pytest.fixture
def served(app):
    """The app behind Werkzeug's development server (what `flask run` starts)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    server.server_close()


def test_the_development_server_names_no_versions(served):
    for path in ("/healthz", "/", "/no-such-page"):
        conn = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        conn.close()
        assert answer.getheader("Server") == "Werkzeug", path
        values = " ".join(v for _, v in answer.getheaders())
        assert "Python" not in values and "Werkzeug/" not in values, path


def test_every_answer_over_https_carries_hsts(app):
    client = app.test_client()
    for path in PAGES:
        headers = get(client, path, base_url="https://tetsuzuki.example.jp")
        assert headers.get("Strict-Transport-Security") == HSTS, path
        headers = get(client, path)  # plain http (development): a browser ignores it anyway
        assert "Strict-Transport-Security" not in headers, path
    answer = client.post("/staff/login", data={}, base_url="https://tetsuzuki.example.jp")
    assert answer.status_code == 401 and answer.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize(("hops", "sent"), [(1, True), (0, False)])
def test_https_as_the_trusted_proxy_reports_it(make_app, hops, sent):
    """Behind the proxy the app sees http; X-Forwarded-Proto counts only from a trusted one."""
    from app.extensions import db

    app = make_app(PROXY_HOPS=hops)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for path in PAGES:
        headers = get(client, path, headers={"X-Forwarded-Proto": "https"})
        assert ("Strict-Transport-Security" in headers) is sent, path
        headers = get(client, path, headers={"X-Forwarded-Proto": "http"})
        assert "Strict-Transport-Security" not in headers, path
