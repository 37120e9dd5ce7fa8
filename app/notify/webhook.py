"""Webhooks, as a transport: a JSON payload POSTed with an HMAC-SHA256 signature (what the
payload holds is the sending feature's business: submissions/notices.py).

Headers (docs/jobs.md tells a receiver how to check them):

- `X-Tetsuzuki-Delivery`: the same for every retry of one delivery (deduplicate on it);
- `X-Tetsuzuki-Timestamp`: Unix seconds when this attempt was signed;
- `X-Tetsuzuki-Signature`: `sha256=` + hex HMAC-SHA256(WEBHOOK_SECRET, timestamp + "." + body).

Where it may go is checked here again, whatever the form said when it was loaded: the
URL against formengine/destinations.py, then every address its name resolves to. The
connection goes to an address that was checked (the name is not looked up a second
time, so a DNS answer that changes in between cannot redirect it), with the name in
`Host` and as the TLS server name. Redirects are not followed: a 3xx is a refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from ipaddress import ip_address

from flask import current_app

from app.formengine import destinations
from app.formengine.destinations import Destination, IPAddress

SIGNATURE_HEADER = "X-Tetsuzuki-Signature"
TIMESTAMP_HEADER = "X-Tetsuzuki-Timestamp"
DELIVERY_HEADER = "X-Tetsuzuki-Delivery"
# answers a retry may change; any other 4xx means the receiver refuses this delivery
RETRYABLE_4XX = {408, 409, 425, 429}


class WebhookRefused(RuntimeError):
    """Not worth retrying: a setting is missing or the receiver refuses the content."""

    permanent = True


class WebhookFailed(RuntimeError):
    """Worth retrying later: network trouble or a 5xx."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and the tests): constant-time comparison."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def rules() -> destinations.Rules:
    """What this deployment allows besides https to public hosts (both off in production)."""
    cfg = current_app.config
    return destinations.Rules(
        allow_http=bool(cfg.get("WEBHOOK_ALLOW_HTTP")),
        allow_private=bool(cfg.get("WEBHOOK_ALLOW_PRIVATE")),
    )


def deliver(url: str, payload: dict, *, delivery_id: str) -> int:
    """POST once; → the HTTP status on 2xx, else raise WebhookFailed (retry) or WebhookRefused."""
    cfg = current_app.config
    secret = cfg.get("WEBHOOK_SECRET")
    if not secret:
        raise WebhookRefused(
            "WEBHOOK_SECRET が未設定のため送信していません / WEBHOOK_SECRET is not set: nothing was sent"
        )
    target = checked_destination(url)
    addresses = checked_addresses(target)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Tetsuzuki-Webhook/1",
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    conn = _connection(
        target,
        addresses,
        connect_timeout=cfg["WEBHOOK_CONNECT_TIMEOUT_SECONDS"],
        read_timeout=cfg["WEBHOOK_TIMEOUT_SECONDS"],
    )
    where = f"{target.host}:{target.port}"
    try:
        conn.request("POST", target.target, body=body, headers=headers)
        answer = conn.getresponse()
        status = answer.status
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookFailed(f"{where}: {type(exc).__name__}: {exc}") from None
    finally:
        conn.close()  # the answer's body is not read: only its status counts
    if 200 <= status < 300:
        return status
    if 300 <= status < 400:
        raise WebhookRefused(
            f"HTTP {status} from {where}: 転送（リダイレクト）には従いません / "
            "redirects are not followed"
        )
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        raise WebhookRefused(f"HTTP {status} from {where}")
    raise WebhookFailed(f"HTTP {status} from {where}")


def checked_destination(url: str) -> Destination:
    """The URL by the rule of destinations.py under today's settings, or WebhookRefused."""
    try:
        return destinations.destination(url, rules())
    except destinations.Malformed:
        raise WebhookRefused("URL として読めません / not a URL that can be sent to") from None
    except destinations.Refused as refused:
        ja, en = (refused.reason.render(lang, refused.params) for lang in ("ja", "en"))
        raise WebhookRefused(f"送信しません（{ja}） / not sent: {en}") from None


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses a name resolves to, in the resolver's order (a literal: itself)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def checked_addresses(target: Destination) -> list[IPAddress]:
    """Where `target` may be reached: every address of its name, each of them public
    (unless WEBHOOK_ALLOW_PRIVATE); one that is not refuses the delivery."""
    if target.literal is not None:
        addresses = [target.literal]
    else:
        try:
            addresses = resolve(target.host, target.port)
        except (OSError, UnicodeError) as exc:  # no answer now: perhaps later
            raise WebhookFailed(f"{target.host}: 名前解決に失敗 / cannot resolve: {exc}") from None
        if not addresses:
            raise WebhookFailed(f"{target.host}: 名前解決に失敗 / cannot resolve: no address")
    if not rules().allow_private:
        for address in addresses:
            kind = destinations.address_problem(address)
            if kind is not None:
                raise WebhookRefused(
                    f"{target.host} の名前解決の結果に公開されていないアドレス（{kind.ja}）が"
                    f"あるため送信しません / {target.host} resolves to an address that is not "
                    f"public ({kind.en}): not sent"
                )
    return addresses


def _tls_context() -> ssl.SSLContext:
    """The system's certificate authorities; the receiver's certificate must name its host."""
    return ssl.create_default_context()


def _connection(
    target: Destination,
    addresses: list[IPAddress],
    *,
    connect_timeout: float,
    read_timeout: float,
) -> http.client.HTTPConnection:
    """A connection for `target` that connects only to `addresses` (tried in turn), within
    `connect_timeout` each, and waits at most `read_timeout` for each answer."""
    if target.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=read_timeout, context=_tls_context()
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=read_timeout)

    def connect_checked(_address, _timeout=None, source_address=None) -> socket.socket:
        failure: OSError = OSError(f"{target.host}: no address to connect to")
        for address in addresses:
            try:
                sock = socket.create_connection(
                    (str(address), target.port), connect_timeout, source_address
                )
            except OSError as exc:
                failure = exc
                continue
            sock.settimeout(read_timeout)
            return sock
        raise failure

    # http.client opens its socket through this attribute (then wraps it in TLS with
    # `target.host` as the server name): the name is not resolved a second time
    conn._create_connection = connect_checked  # type: ignore[attr-defined]
    return conn
