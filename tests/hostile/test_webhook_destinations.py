"""Webhooks that would point inside: refused by `forms check` and again at delivery.

One table of hostile URLs goes through the form parser (what `forms check` says) and
through delivery (what the job records), without a connection being made. Names that
resolve inside, redirects, the address a connection goes to and the name TLS is asked
for are tried on a receiver of the test's own. No public DNS is reachable here: a name
is made to resolve by replacing the resolver for that name only.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from app.extensions import db
from app.formengine.errors import Detail, ErrorCode
from app.formengine.parser import parse
from app.notify import webhook
from tests.conftest import _unavailable
from tests.jobs.conftest import LOCAL_RECEIVER, SECRET, Receiver, load, outbox_rows, submit

FORM = """\
id: hook-form
version: 1
procedure: P-0001
title: テスト
outputs:
  - {{type: webhook, url: "{url}"}}
pages:
  - id: first
    title: 最初
    fields:
      - {{id: name, type: text, label: 氏名}}
"""

# (url, why it is refused, the kind of address when it is one that is not public)
HOSTILE = [
    ("http://169.254.169.254/latest/meta-data/", Detail.HTTPS_ONLY, None),
    ("https://169.254.169.254/latest/meta-data/", Detail.NOT_PUBLIC, Detail.LINK_LOCAL),
    ("https://127.0.0.1:6379/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://127.1/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://2130706433/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://0177.0.0.1/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://0x7f.0.0.1/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://0x7f000001/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://127.0.0.1./", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://[::1]:5432/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://[::ffff:127.0.0.1]/", Detail.NOT_PUBLIC, Detail.LOOPBACK),
    ("https://[::ffff:a9fe:a9fe]/", Detail.NOT_PUBLIC, Detail.LINK_LOCAL),
    ("https://[64:ff9b::a00:1]/", Detail.NOT_PUBLIC, Detail.PRIVATE),  # NAT64 → 10.0.0.1
    ("https://[2002:c0a8:1::]/", Detail.NOT_PUBLIC, Detail.PRIVATE),  # 6to4 → 192.168.0.1
    ("https://10.0.0.1/", Detail.NOT_PUBLIC, Detail.PRIVATE),
    ("https://172.16.0.1/", Detail.NOT_PUBLIC, Detail.PRIVATE),
    ("https://192.168.1.1:8443/", Detail.NOT_PUBLIC, Detail.PRIVATE),
    ("https://100.64.0.1/", Detail.NOT_PUBLIC, Detail.PRIVATE),
    ("https://[fd12:3456::1]/", Detail.NOT_PUBLIC, Detail.PRIVATE),
    ("https://[fe80::1%25eth0]/", Detail.NOT_PUBLIC, Detail.LINK_LOCAL),
    ("https://224.0.0.1/", Detail.NOT_PUBLIC, Detail.MULTICAST),
    ("https://[ff02::1]/", Detail.NOT_PUBLIC, Detail.MULTICAST),
    ("https://0.0.0.0/", Detail.NOT_PUBLIC, Detail.UNSPECIFIED),
    ("https://0/", Detail.NOT_PUBLIC, Detail.UNSPECIFIED),
    ("https://[::]/", Detail.NOT_PUBLIC, Detail.UNSPECIFIED),
    ("https://240.0.0.1/", Detail.NOT_PUBLIC, Detail.RESERVED),
    ("https://192.0.2.10/", Detail.NOT_PUBLIC, Detail.RESERVED),
    ("https://localhost:8080/", Detail.LOCALHOST, None),
    ("https://LocalHost./", Detail.LOCALHOST, None),
    ("https://api.localhost/", Detail.LOCALHOST, None),
    ("https://user:secret@backoffice.example/", Detail.CREDENTIALS, None),
    ("https://backoffice.example@127.0.0.1/", Detail.CREDENTIALS, None),
    ("ftp://backoffice.example/in", Detail.HTTPS_ONLY, None),
    ("gopher://127.0.0.1:6379/_INFO", Detail.HTTPS_ONLY, None),
    ("https://1.2.3.4.5/", Detail.NUMERIC_HOST, None),
    ("https://backoffice.0x10/", Detail.NUMERIC_HOST, None),
    ("https://256.0.0.1/", Detail.NUMERIC_HOST, None),
]
IDS = [url for url, _, _ in HOSTILE]


def reason_en(reason: Detail, kind: Detail | None) -> str:
    return reason.render("en", {"kind": kind} if kind else {})


@pytest.mark.parametrize(("url", "reason", "kind"), HOSTILE, ids=IDS)
def test_the_parser_refuses_a_webhook_url_that_points_inside(url, reason, kind):
    form, problems = parse(FORM.format(url=url), path="forms/hook.yaml")
    assert form is None
    [problem] = problems
    assert problem.code is ErrorCode.WEBHOOK_URL and problem.line == 6
    assert problem.message.endswith(f"cannot be a webhook destination: {reason_en(reason, kind)}")
    assert "webhook の送信先にできません" in problem.message  # Japanese first


@pytest.fixture
def hook_app(make_app):
    """Webhooks as in production (https to public addresses only), with a secret."""
    app = make_app(WEBHOOK_SECRET=SECRET, WEBHOOK_TIMEOUT_SECONDS=1)
    with app.app_context():
        yield app


@pytest.mark.parametrize(("url", "reason", "kind"), HOSTILE, ids=IDS)
def test_delivery_refuses_the_same_urls_without_connecting(
    hook_app, monkeypatch, url, reason, kind
):
    def no_network(*args, **kwargs):
        raise AssertionError("a refused URL is neither resolved nor connected to")

    monkeypatch.setattr(webhook, "resolve", no_network)
    monkeypatch.setattr(webhook, "_connection", no_network)
    with pytest.raises(webhook.WebhookRefused) as refused:
        webhook.deliver(url, {"event": "test"}, delivery_id="webhook:1:0")
    assert refused.value.permanent
    assert str(refused.value).endswith(reason_en(reason, kind))


def test_public_https_urls_pass_the_parser():
    for url in (
        "https://backoffice.example/api/intake",
        "https://backoffice.example:8443/in?system=tetsuzuki",
        "https://8.8.8.8/hook",
        "https://[2001:4860:4860::8888]/hook",
        "https://ミエ.example/受付",
    ):
        form, problems = parse(FORM.format(url=url), path="forms/hook.yaml")
        assert problems == [] and form.outputs[0].url == url


def test_http_and_private_addresses_only_where_the_development_settings_allow(make_app, tmp_path):
    from app.submissions import versions

    path = tmp_path / "hook-form.yaml"
    path.write_text(FORM.format(url="http://127.0.0.1:8080/in"), encoding="utf-8")
    for settings, refused in (
        ({}, "only https URLs can be used"),
        ({"WEBHOOK_ALLOW_HTTP": True}, "it is not a public address (loopback)"),
        (LOCAL_RECEIVER, None),
    ):
        app = make_app(**settings)
        with app.app_context():
            db.create_all()
            _ok, problems = versions.check_forms([path], with_catalogue=False)
        if refused:
            [problem] = problems
            assert problem.startswith(f"{path}:6: ") and refused in problem
        else:
            assert problems == []


def test_forms_check_names_the_rule(make_app, tmp_path):
    path = tmp_path / "hook-form.yaml"
    path.write_text(FORM.format(url="https://2130706433/in"), encoding="utf-8")
    app = make_app()
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["forms", "check", str(path)])
    assert result.exit_code == 1
    assert (
        "'https://2130706433/in' は webhook の送信先にできません:"
        " 公開されていないアドレス（ループバック）には送れません" in result.output
    )


# --- names, redirects, the connection --------------------------------------------------


@pytest.fixture
def resolver(monkeypatch):
    """Names of the test's own → addresses; every other name as the system resolves it.
    → the names looked up, in order."""
    real = socket.getaddrinfo
    names: dict[str, list[str]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        answer = names[host]
        addresses = answer.pop(0) if isinstance(answer[0], list) else answer
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    resolver = type("Resolver", (), {"names": names, "asked": asked})()
    return resolver


@pytest.mark.parametrize(
    ("addresses", "kind"),
    [
        (["127.0.0.1"], "loopback"),
        (["8.8.8.8", "10.1.2.3"], "private"),  # one address inside is enough
        (["2001:4860:4860::8888", "::ffff:169.254.169.254"], "link-local"),
    ],
)
def test_a_name_that_resolves_inside_is_refused(hook_app, resolver, monkeypatch, addresses, kind):
    resolver.names["intake.backoffice.test"] = addresses

    def no_connection(*args, **kwargs):
        raise AssertionError("nothing is connected to")

    monkeypatch.setattr(webhook, "_connection", no_connection)
    with pytest.raises(webhook.WebhookRefused) as refused:
        webhook.deliver("https://intake.backoffice.test/in", {}, delivery_id="webhook:1:0")
    message = str(refused.value)
    assert f"intake.backoffice.test resolves to an address that is not public ({kind})" in message
    assert not any(a in message for a in addresses)  # the rule, not the address list


def test_the_connection_goes_to_the_address_that_was_checked(make_app, resolver, receiver):
    """DNS rebinding: the name's second answer would point elsewhere; it is never asked."""
    app = make_app(WEBHOOK_SECRET=SECRET, **LOCAL_RECEIVER)
    port = receiver.server.server_address[1]
    resolver.names["intake.backoffice.test"] = [["127.0.0.1"], ["10.255.255.1"]]
    with app.app_context():
        status = webhook.deliver(
            f"http://intake.backoffice.test:{port}/in?x=1", {"n": 1}, delivery_id="webhook:1:0"
        )
    assert status == 200 and resolver.asked == ["intake.backoffice.test"]
    [req] = receiver.requests
    assert req["headers"]["Host"] == f"intake.backoffice.test:{port}"
    assert req["path"] == "/in?x=1"


def test_a_japanese_name_and_path_are_sent_as_idna_and_percent_escapes(
    make_app, resolver, receiver
):
    app = make_app(WEBHOOK_SECRET=SECRET, **LOCAL_RECEIVER)
    port = receiver.server.server_address[1]
    ascii_name = "受付.三重.test".encode("idna").decode()
    resolver.names[ascii_name] = ["127.0.0.1"]
    with app.app_context():
        status = webhook.deliver(
            f"http://受付.三重.test:{port}/申請/受付?種類=甲", {}, delivery_id="webhook:1:0"
        )
    assert status == 200 and resolver.asked == [ascii_name]
    [req] = receiver.requests
    assert req["headers"]["Host"] == f"{ascii_name}:{port}"
    assert req["path"] == "/%E7%94%B3%E8%AB%8B/%E5%8F%97%E4%BB%98?%E7%A8%AE%E9%A1%9E=%E7%94%B2"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hook_job_app(make_app, tmp_path, receiver):
    app = make_app(
        UPLOAD_DIR=str(tmp_path / "uploads"),
        WEBHOOK_SECRET=SECRET,
        JOB_PERIODIC=False,
        **LOCAL_RECEIVER,
    )
    load(app, tmp_path, receiver.url)
    return app


def webhook_row(app):
    return next(r for k, r in outbox_rows(app).items() if k.startswith("webhook"))


@pytest.mark.parametrize(
    "location",
    ["{receiver}/elsewhere", "http://169.254.169.254/latest/meta-data/", "ftp://127.0.0.1/in"],
)
def test_a_redirect_is_a_refusal_recorded_on_the_job(hook_job_app, receiver, location):
    location = location.format(receiver=receiver.url.rsplit("/", 1)[0])
    receiver.answers = [(302, {"Location": location})]
    submit(hook_job_app)
    row = webhook_row(hook_job_app)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "HTTP 302" in row.last_error and "redirects are not followed" in row.last_error
    assert [r["path"] for r in receiver.requests] == ["/intake"]  # nothing followed


def test_a_url_loaded_under_development_settings_is_refused_at_delivery(hook_job_app, receiver):
    """The form was loaded where http to this machine was allowed; the settings of the
    moment of delivery decide."""
    hook_job_app.config.update(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOW_PRIVATE=False)
    submit(hook_job_app)
    row = webhook_row(hook_job_app)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "only https URLs can be used" in row.last_error
    hook_job_app.config.update(WEBHOOK_ALLOW_HTTP=True)
    submit(hook_job_app, key="again")
    rows = [r for k, r in outbox_rows(hook_job_app).items() if k.startswith("webhook")]
    assert rows[-1].state == "failed" and "it is not a public address (loopback)" in (
        rows[-1].last_error
    )
    assert receiver.requests == []


def test_a_receiver_that_does_not_answer_is_given_up_on_quickly(make_app):
    """A connection that opens and then stays silent: WEBHOOK_TIMEOUT_SECONDS, then retry."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    app = make_app(WEBHOOK_SECRET=SECRET, WEBHOOK_TIMEOUT_SECONDS=0.5, **LOCAL_RECEIVER)
    try:
        with app.app_context():
            started = time.monotonic()
            with pytest.raises(webhook.WebhookFailed, match="timed out"):
                webhook.deliver(
                    f"http://127.0.0.1:{silent.getsockname()[1]}/in", {}, delivery_id="w:1:0"
                )
            assert time.monotonic() - started < 3
    finally:
        silent.close()


# --- TLS: the name, not the address --------------------------------------------------------


@pytest.fixture
def tls_receiver(tmp_path):
    """An https receiver on 127.0.0.1 whose certificate names intake.backoffice.test only;
    it records the server name (SNI) each client asked for."""
    openssl = shutil.which("openssl")
    if openssl is None:
        _unavailable("openssl", "the binary is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=intake.backoffice.test",
            "-addext",
            "subjectAltName=DNS:intake.backoffice.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    receiver = Receiver()
    receiver.close()  # the plain one is replaced by one behind TLS
    server_names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    handler = receiver.server.RequestHandlerClass
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver, server.server_address[1], server_names, cert
    server.shutdown()
    server.server_close()


def test_tls_is_asked_for_the_name_and_checks_the_certificate_against_it(
    make_app, resolver, tls_receiver, monkeypatch
):
    receiver, port, server_names, cert = tls_receiver
    monkeypatch.setattr(webhook, "_tls_context", lambda: ssl.create_default_context(cafile=cert))
    resolver.names["intake.backoffice.test"] = ["127.0.0.1"]
    resolver.names["other.backoffice.test"] = ["127.0.0.1"]
    app = make_app(WEBHOOK_SECRET=SECRET, WEBHOOK_ALLOW_PRIVATE=True)
    with app.app_context():
        status = webhook.deliver(
            f"https://intake.backoffice.test:{port}/in", {"n": 1}, delivery_id="webhook:1:0"
        )
        assert status == 200
        assert server_names == ["intake.backoffice.test"]
        assert receiver.requests[0]["headers"]["Host"] == f"intake.backoffice.test:{port}"
        # the same address under a name the certificate does not carry: not verified
        with pytest.raises(webhook.WebhookFailed, match="CERTIFICATE_VERIFY_FAILED"):
            webhook.deliver(
                f"https://other.backoffice.test:{port}/in", {"n": 2}, delivery_id="webhook:2:0"
            )
    assert len(receiver.requests) == 1
