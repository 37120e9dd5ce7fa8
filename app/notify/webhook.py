"""Webhook hand-off: the submission as JSON, POSTed with an HMAC-SHA256 signature.

Headers (docs/jobs.md tells a receiver how to check them):

- `X-Tetsuzuki-Delivery`: the same for every retry of one delivery (deduplicate on it);
- `X-Tetsuzuki-Timestamp`: Unix seconds when this attempt was signed;
- `X-Tetsuzuki-Signature`: `sha256=` + hex HMAC-SHA256(WEBHOOK_SECRET, timestamp + "." + body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from flask import current_app

from app.clock import iso_time

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


def submission_payload(sub) -> dict:
    """The submission as stored: answers as JSON (file answers are references), plus files' metadata."""
    from app.submissions.services import files_of

    return {
        "event": "submission.received",
        "receipt_no": sub.receipt_no,
        "form": sub.form_version.form_id,
        "form_version": sub.form_version.version,
        "procedure": sub.procedure_code,
        "fiscal_year": sub.fiscal_year,
        "submitted_at": iso_time(sub.created_at),
        "lang": sub.lang,
        "channel": sub.channel,
        "answers": sub.answers,
        "files": [
            {
                "id": f.id,
                "field": f.field_id,
                "name": f.original_name,
                "type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files_of(sub)
        ],
    }


def deliver(url: str, payload: dict, *, delivery_id: str) -> int:
    """POST once; → the HTTP status on 2xx, else raise WebhookFailed (retry) or WebhookRefused."""
    secret = current_app.config.get("WEBHOOK_SECRET")
    if not secret:
        raise WebhookRefused(
            "WEBHOOK_SECRET が未設定のため送信していません / WEBHOOK_SECRET is not set: nothing was sent"
        )
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Tetsuzuki-Webhook/1",
            DELIVERY_HEADER: delivery_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(
            request, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
        ) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        exc.close()
        if 400 <= exc.code < 500 and exc.code not in RETRYABLE_4XX:
            raise WebhookRefused(f"HTTP {exc.code} from {url}") from None
        raise WebhookFailed(f"HTTP {exc.code} from {url}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise WebhookFailed(f"{url}: {getattr(exc, 'reason', exc)}") from None
