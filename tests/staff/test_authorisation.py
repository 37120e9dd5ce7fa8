"""Who may do what, tried from the outside on every staff route."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD, sign_in

# (method, url template, {role: expected status}); roles: anon, d01 (own), d02 (other), bureau, admin
# {r01}/{r02} are the receipts of department 01's and 02's submissions; A is 01's procedure.
OK, RE, FORBID, NOTFOUND, GONE, BAD = 200, 302, 403, 404, 410, 422
MATRIX = [
    ("GET", "/staff/login", {"anon": OK, "d01": RE}),
    ("GET", "/staff/", {"anon": RE, "d01": OK, "d02": OK, "bureau": OK, "admin": OK}),
    ("POST", "/staff/keepalive", {"anon": RE, "d01": OK, "admin": OK}),
    ("GET", "/staff/procedures", {"anon": RE, "d01": OK, "bureau": OK, "admin": OK}),
    (
        "GET",
        "/staff/procedures/A",
        {"anon": RE, "d01": OK, "d02": FORBID, "bureau": OK, "admin": OK},
    ),
    ("GET", "/staff/procedures/NOPE", {"d01": NOTFOUND, "bureau": NOTFOUND}),
    (
        "POST",
        "/staff/procedures/A/status",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    (
        "POST",
        "/staff/procedures/A/volumes",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    ("GET", "/staff/catalogue", {"anon": RE, "d01": OK, "bureau": OK, "admin": OK}),
    # nothing chosen: the page again with its message (department 02 may send its own)
    ("POST", "/staff/catalogue/check", {"anon": RE, "d01": BAD, "bureau": BAD, "admin": BAD}),
    # no checked upload in this session: back to the page
    ("POST", "/staff/catalogue/apply", {"anon": RE, "d01": RE, "bureau": RE, "admin": RE}),
    (
        "GET",
        "/staff/catalogue/procedures.csv",
        {"anon": RE, "d01": OK, "d02": OK, "bureau": OK, "admin": OK},
    ),
    (
        "GET",
        "/staff/catalogue/catalogue.xlsx",
        {"anon": RE, "d01": OK, "d02": OK, "bureau": OK, "admin": OK},
    ),
    (
        "POST",
        "/staff/procedures/status",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    (
        "GET",
        "/staff/procedures/A/guide",
        {"anon": RE, "d01": OK, "d02": FORBID, "bureau": FORBID, "admin": OK},
    ),
    (
        "POST",
        "/staff/procedures/A/guide",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    (
        "POST",
        "/staff/procedures/A/validity",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    (
        "POST",
        "/staff/procedures/A/form",
        {"anon": RE, "d01": RE, "d02": FORBID, "bureau": FORBID, "admin": RE},
    ),
    ("GET", "/staff/submissions", {"anon": RE, "d01": OK, "d02": OK, "bureau": OK, "admin": OK}),
    (
        "GET",
        "/staff/submissions/{r01}",
        {"anon": RE, "d01": OK, "d02": FORBID, "bureau": OK, "admin": OK},
    ),
    ("GET", "/staff/submissions/2026-ZZZZZZZZ", {"d01": NOTFOUND}),
    (
        "POST",
        "/staff/submissions/{r01}/status",
        {"anon": RE, "d02": FORBID, "bureau": FORBID, "d01": RE},
    ),
    (
        "POST",
        "/staff/submissions/{r01}/decision",
        {"anon": RE, "d02": FORBID, "bureau": FORBID, "d01": RE, "admin": RE},
    ),
    # returning for correction (補正): the department's staff and admins; a message is needed
    (
        "POST",
        "/staff/submissions/{r01}/return",
        {"anon": RE, "d02": FORBID, "bureau": FORBID, "d01": RE},
    ),
    (
        "GET",
        "/staff/submissions/{r01}/revisions/1",
        {"anon": RE, "d02": FORBID, "d01": NOTFOUND, "bureau": NOTFOUND},
    ),
    ("GET", "/staff/submissions/{r01}/files/nofile", {"anon": RE, "d02": FORBID, "d01": NOTFOUND}),
    ("GET", "/staff/audit", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK}),
    ("GET", "/staff/users", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK}),
    ("POST", "/staff/users", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": BAD}),
    (
        "POST",
        "/staff/users/{uid}/active",
        {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": RE},
    ),
    ("GET", "/staff/users/{uid}", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK}),
    ("GET", "/staff/users/999999", {"admin": NOTFOUND}),
    ("POST", "/staff/users/{uid}", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": RE}),
    (
        "POST",
        "/staff/users/{uid}/reset",
        {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK},
    ),
    ("POST", "/staff/users/999999/reset", {"admin": NOTFOUND}),
    ("GET", "/staff/reset/not-a-token", {"d01": RE}),
    ("GET", "/staff/reset", {"anon": GONE, "d01": GONE}),
    ("POST", "/staff/reset", {"anon": GONE}),
    (
        "POST",
        "/staff/users/{uid}/2fa/reset",
        {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": RE},
    ),
    ("GET", "/staff/catalogue/import", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK}),
    (
        "POST",
        "/staff/catalogue/import",
        {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": BAD},
    ),
    ("GET", "/staff/login/code", {"anon": RE, "d01": RE}),
    ("POST", "/staff/login/code", {"anon": RE}),
    ("GET", "/staff/2fa", {"anon": RE, "d01": OK, "bureau": OK, "admin": OK}),
    ("GET", "/staff/2fa/setup", {"anon": RE, "d01": OK, "admin": OK}),
    ("POST", "/staff/2fa/setup", {"anon": RE, "d01": RE}),
    ("POST", "/staff/2fa/recovery", {"anon": RE, "d01": RE}),
    ("POST", "/staff/2fa/disable", {"anon": RE, "d01": RE}),
    ("GET", "/staff/tokens", {"anon": RE, "d01": OK, "bureau": FORBID, "admin": OK}),
    ("POST", "/staff/tokens", {"anon": RE, "d01": OK, "bureau": FORBID, "admin": BAD}),
    (
        "POST",
        "/staff/tokens/{tid}/revoke",
        {"anon": RE, "d02": NOTFOUND, "bureau": FORBID, "d01": RE},
    ),
    ("POST", "/staff/tokens/999999/revoke", {"d01": NOTFOUND, "admin": NOTFOUND}),
    ("GET", "/staff/jobs", {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": OK}),
    (
        "POST",
        "/staff/jobs/999999/retry",
        {"anon": RE, "d01": FORBID, "bureau": FORBID, "admin": NOTFOUND},
    ),
    ("GET", "/staff/bureau/", {"anon": RE, "d01": FORBID, "bureau": OK, "admin": OK}),
    ("GET", "/staff/bureau/quality.xlsx", {"anon": RE, "d01": FORBID, "bureau": OK}),
    ("GET", "/staff/bureau/comments", {"anon": RE, "d01": OK, "bureau": OK, "admin": OK}),
    ("GET", "/staff/bureau/years", {"anon": RE, "d01": FORBID, "bureau": OK, "admin": OK}),
    ("POST", "/staff/bureau/years", {"anon": RE, "d01": FORBID, "bureau": 400}),
    ("POST", "/staff/logout", {"anon": RE, "d01": RE}),
    ("POST", "/staff/login", {"anon": 401}),
]
DATA = {
    "/staff/procedures/A/status": {"status": "online", "effective_date": "2024-04-01"},
    "/staff/procedures/A/volumes": {"fiscal_year": "2024", "receipts": "41000"},
    "/staff/procedures/status": {"code": "A", "status": "online", "effective_date": "2024-04-01"},
    "/staff/procedures/A/validity": {"valid_from": "2020-04-01", "valid_until": ""},
    "/staff/procedures/A/guide": {"fee": "なし", "section_phone": "059-224-2000"},
    "/staff/procedures/A/form": {"form": "test-permit"},
    "/staff/submissions/{r01}/status": {"to": "in_review"},
    "/staff/submissions/{r01}/decision": {"action": "memo", "memo": "書類を確認中"},
    "/staff/submissions/{r01}/return": {"message": "住所を補正してください。"},
    "/staff/users": {"email": "x"},
    "/staff/users/{uid}/active": {"active": "0"},
    "/staff/users/{uid}": {"role": "department", "department": "01", "name": "異動"},
    "/staff/tokens": {"name": "基幹システム"},
}
EMAILS = {
    "d01": "d01@example.jp",
    "d02": "d02@example.jp",
    "bureau": "bureau@example.jp",
    "admin": "admin@example.jp",
}


def test_every_staff_route_is_in_the_matrix(app):
    routes = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/staff") and not r.rule.startswith("/staff/builder")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, url, _ in MATRIX:
        for rule in app.url_map.iter_rules():
            if method in rule.methods and rule.rule.startswith("/staff"):
                adapter = app.url_map.bind("localhost")
                try:
                    endpoint, _args = adapter.match(
                        url.format(r01="2026-AAAAAAAA", uid=1, tid=1), method=method
                    )
                except Exception:  # noqa: BLE001 - the url is for another rule
                    continue
                if endpoint == rule.endpoint:
                    covered.add((method, rule.rule))
    # the form builder's routes have their own matrix (tests/builder/test_authorisation.py)
    assert routes <= covered, f"routes without an authorisation test: {sorted(routes - covered)}"


@pytest.mark.parametrize(
    ("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX]
)
def test_route_as_each_role(office, method, url, expected):
    app, receipts = office
    from sqlalchemy import select

    from app.api.tokens import create_token
    from app.extensions import db
    from app.staff.models import User

    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "d02@example.jp"))
        tid = create_token("01", "テスト用", by="test")[0].id
        db.session.commit()
    target = url.format(r01=receipts["01"]["receipt_no"], uid=uid, tid=tid)
    for role, status in expected.items():
        client = app.test_client() if role == "anon" else sign_in(app, EMAILS[role], PASSWORD)
        data = DATA.get(url, {})
        if url == "/staff/login":
            data = {"email": "d01@example.jp", "password": "wrong"}
        r = client.open(target, method=method, data=data)
        assert r.status_code == status, f"{role} {method} {target}: {r.status_code}"
        if role == "anon" and status == 302:
            assert "/staff/login" in r.headers["Location"]


def test_csrf_is_required_on_staff_forms(office):
    app, _ = office
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        r = client.post("/staff/login", data={"email": "d01@example.jp", "password": PASSWORD})
        assert r.status_code == 400
        page = client.get("/staff/login").get_data(as_text=True)
        import re

        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = client.post(
            "/staff/login",
            data={"email": "d01@example.jp", "password": PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _throttled(app, url, data, limit_key, limit):
    app.config[limit_key] = limit
    client = app.test_client()
    codes = [client.post(url, data=data).status_code for _ in range(4)]
    return codes


def test_login_and_status_lookup_are_rate_limited_in_memory(office):
    app, _ = office
    codes = _throttled(
        app,
        "/staff/login",
        {"email": "d01@example.jp", "password": "x"},
        "LOGIN_RATE_LIMIT",
        "3 per minute",
    )
    assert codes[:3] == [401, 401, 401] and codes[3] == 429
    codes = _throttled(
        app,
        "/status",
        {"receipt_no": "2026-AAAAAAAA", "access_code": "X"},
        "LOOKUP_RATE_LIMIT",
        "3 per minute",
    )
    assert codes[3] == 429
    r = app.test_client().post("/status", data={})
    assert "短時間にアクセスが集中しています" in r.get_data(as_text=True)


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(make_app, redis_server, worked_example):
    """Two app processes (here: two apps) share one count when REDIS_URL is set."""
    url, prefix = redis_server
    first = make_app(
        REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix + "limits", LOGIN_RATE_LIMIT="2 per minute"
    )
    second = make_app(
        REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix + "limits", LOGIN_RATE_LIMIT="2 per minute"
    )
    from app.extensions import db

    for a in (first, second):
        with a.app_context():
            db.create_all()
    import uuid

    from app.extensions import limiter

    address = (
        f"192.0.2.{uuid.uuid4().int % 250 + 1}"  # a client of its own (TEST-NET-1, never contacted)
    )
    env = {"REMOTE_ADDR": address}

    def attempt(app):
        return (
            app.test_client()
            .post("/staff/login", data={"email": "a@b.jp", "password": "x"}, environ_base=env)
            .status_code
        )

    codes = [attempt(first), attempt(second), attempt(first)]
    assert codes == [401, 401, 429]
    assert first.config["RATELIMIT_STORAGE_URI"] == url
    from redis import Redis

    keys = [k.decode() for k in Redis.from_url(url).scan_iter(match=f"*{address}*")]
    assert keys, "the count lives in Redis"
    for k in keys:
        Redis.from_url(url).delete(k)
    assert limiter.enabled


def sign_in_attempt(app, email, password="wrong password", address="192.0.2.1"):
    return app.test_client().post(
        "/staff/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_in_is_limited_per_account_whatever_the_address(office):
    """Guessing one account's password from many addresses: the account's own count
    stops it, with the same page as the per-address limit; other accounts sign in."""
    app, _ = office
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"
    spellings = ["d01@example.jp", " D01@Example.JP ", "d01@EXAMPLE.jp"]
    codes = [
        sign_in_attempt(app, email, address=f"198.51.100.{i}").status_code
        for i, email in enumerate(spellings, 1)
    ]
    assert codes == [401, 401, 401]
    locked = sign_in_attempt(app, "d01@example.jp", PASSWORD, address="198.51.100.9")
    assert locked.status_code == 429  # even with the right password, for the minute
    assert "短時間にアクセスが集中しています" in locked.get_data(as_text=True)
    assert (
        sign_in_attempt(app, "d02@example.jp", PASSWORD, address="198.51.100.1").status_code == 302
    )


def test_sign_in_is_limited_per_address_too(office):
    app, _ = office
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    emails = ["d01@example.jp", "d02@example.jp", "bureau@example.jp", "admin@example.jp"]
    codes = [sign_in_attempt(app, e, address="198.51.100.7").status_code for e in emails]
    assert codes == [401, 401, 401, 429]
    assert sign_in_attempt(app, "admin@example.jp", address="198.51.100.8").status_code == 401


def test_a_whole_office_behind_one_address_signs_in_under_the_default_limits(make_app):
    """Twelve colleagues behind one NAT sign in within a minute; one account is still
    stopped after 10 wrong passwords."""
    from app.extensions import db
    from app.staff import services as staff
    from config import Config

    app = make_app(
        LOGIN_RATE_LIMIT=Config.LOGIN_RATE_LIMIT,
        LOGIN_ACCOUNT_RATE_LIMIT=Config.LOGIN_ACCOUNT_RATE_LIMIT,
    )
    emails = [f"staff{n:02}@example.jp" for n in range(13)]
    with app.app_context():
        db.create_all()
        for email in emails:
            staff.create_user(email, PASSWORD, "bureau")
        db.session.commit()
    office_nat = "203.0.113.5"
    codes = [sign_in_attempt(app, e, PASSWORD, address=office_nat).status_code for e in emails[:12]]
    assert codes == [302] * 12
    guesses = [sign_in_attempt(app, emails[12], address=office_nat).status_code for _ in range(11)]
    assert guesses == [401] * 10 + [429]


@pytest.mark.redis
def test_the_per_account_count_is_shared_through_redis_under_a_hashed_key(
    make_app, redis_server, caplog
):
    import logging
    import uuid

    from redis import Redis

    from app.extensions import db
    from app.staff import services as staff

    url, prefix = redis_server
    apps = [
        make_app(
            REDIS_URL=url,
            RATELIMIT_KEY_PREFIX=prefix + "limits",
            LOGIN_ACCOUNT_RATE_LIMIT="2 per minute",
        )
        for _ in range(2)
    ]
    for a in apps:
        with a.app_context():
            db.create_all()
    local = f"guess{uuid.uuid4().hex[:12]}"  # an account of this run's own
    email = f"{local}@example.jp"
    caplog.set_level(logging.DEBUG)
    codes = [
        sign_in_attempt(apps[0], email, address="192.0.2.11").status_code,
        sign_in_attempt(apps[1], email.upper(), address="192.0.2.12").status_code,
        sign_in_attempt(apps[0], email, address="192.0.2.13").status_code,
    ]
    assert codes == [401, 401, 429]
    with apps[0].app_context():
        digest = staff.sign_in_key(email).removeprefix("account:")
    client = Redis.from_url(url)
    keys = [k.decode() for k in client.scan_iter(match=f"*{digest}*")]
    assert keys and all("login_submit" in k for k in keys), "the account's count is in Redis"
    assert list(client.scan_iter(match=f"*{local}*")) == []  # the address is in no key
    assert local not in caplog.text and digest in caplog.text  # nor in the log
    for k in keys:
        client.delete(k)
    client.close()


def test_api_status_lookup_is_rate_limited_too(office):
    app, receipts = office
    app.config["LOOKUP_RATE_LIMIT"] = "2 per minute"
    client = app.test_client()
    url = f"/api/v1/submissions/{receipts['01']['receipt_no']}"
    codes = [
        client.get(
            url, headers={"X-Access-Code": "WRONG234"}, environ_base={"REMOTE_ADDR": "192.0.2.77"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]
    r = client.get(url, environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert r.status_code == 429 and r.get_json()["error"] == "too_many_requests"


@pytest.mark.parametrize("hops, separate", [(0, False), (1, True)])
def test_behind_a_trusted_proxy_each_resident_has_their_own_limit(
    make_app, worked_example, hops, separate
):
    """Behind a reverse proxy (PROXY_HOPS=1) the limit counts the address the proxy
    reports; without it every request comes from the proxy, and nobody's header is
    believed."""
    from app.extensions import db

    app = make_app(PROXY_HOPS=hops, LOOKUP_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    wrong = {"receipt_no": "2026-AAAAAAAA", "access_code": "X"}

    def lookup(address):
        return client.post("/status", data=wrong, headers={"X-Forwarded-For": address}).status_code

    assert [lookup("198.51.100.1") for _ in range(3)] == [404, 404, 429]
    assert lookup("198.51.100.2") == (404 if separate else 429)


def test_revoking_another_departments_token_reads_like_an_unknown_one(office):
    """Token ids cannot be found out by trying them: another department's token and one
    that does not exist answer alike (404), the token keeps working, and both attempts
    are in the audit log."""
    app, _ = office
    from sqlalchemy import select

    from app.api.models import ApiToken
    from app.api.tokens import create_token
    from app.extensions import db
    from app.staff.models import AuditEvent

    with app.app_context():
        theirs = create_token("01", "農林システム", by="test")[0].id
        unknown = db.session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc())) + 1000
        db.session.commit()
    client = sign_in(app, "d02@example.jp")
    answers = [client.post(f"/staff/tokens/{tid}/revoke") for tid in (theirs, unknown)]
    assert [a.status_code for a in answers] == [404, 404]
    bodies = [a.get_data(as_text=True) for a in answers]
    assert bodies[0] == bodies[1]
    with app.app_context():
        assert db.session.get(ApiToken, theirs).revoked_at is None
        events = db.session.execute(
            select(AuditEvent.actor, AuditEvent.target, AuditEvent.status_code).where(
                AuditEvent.action == "token.revoke.denied"
            )
        ).all()
    assert sorted(events) == sorted(
        [("d02@example.jp", f"token:{tid}", 404) for tid in (theirs, unknown)]
    )
