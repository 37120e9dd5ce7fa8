"""Signed-in residents: the account found by the provider's (issuer, subject) only, the
session that carries it, and the append-only history of sign-ins and sign-outs.

A sign-in starts a new session: nothing the browser held before (drafts, receipts, a
planted value) survives it but the chosen language. The session keeps the account's id
and a nonce the server checks; signing out rotates the nonce, so that a copied cookie
stops working."""

from __future__ import annotations

import ipaddress
import secrets
import time
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db

from .claims import profile_from
from .models import Resident, ResidentEvent
from .providers import Provider

SESSION_KEY = "resident"
SEEN_KEY = "resident_seen"
KEPT_AT_SIGN_IN = ("lang",)


def network_of(ip: str | None) -> str | None:
    """The client's network (IPv4 /24, IPv6 /48): enough to tell places apart, not a line."""
    try:
        addr = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def record(action: str, provider: str, resident: Resident | None = None, reason=None) -> None:
    db.session.add(
        ResidentEvent(
            resident_id=resident.id if resident is not None else None,
            provider=provider[:40],
            action=action,
            reason=(reason or None) and reason[:60],
            network=network_of(request.remote_addr if request else None),
        )
    )


def link(p: Provider, issuer: str, claims: dict[str, Any]) -> Resident:
    """The account of this subject at this issuer, made the first time; its profile is
    what the provider vouches for now."""
    subject = str(claims["sub"])
    if not subject or len(subject) > 255 or len(issuer) > 255:
        raise ValueError("subject or issuer too long")
    resident = db.session.scalar(
        select(Resident).where(Resident.issuer == issuer, Resident.subject == subject)
    )
    if resident is None:
        resident = Resident(
            issuer=issuer,
            subject=subject,
            provider=p.name,
            kind=p.kind,
            session_nonce=secrets.token_hex(16),
        )
        db.session.add(resident)
    resident.provider, resident.kind = p.name, p.kind
    resident.profile = profile_from(claims, p)
    resident.profile_at = resident.last_sign_in_at = utcnow()
    db.session.flush()
    return resident


def sign_in(resident: Resident) -> None:
    """A new session holding this account (and the language chosen before)."""
    kept = {k: session[k] for k in KEPT_AT_SIGN_IN if k in session}
    session.clear()
    session.update(kept)
    session[SESSION_KEY] = f"{resident.id}:{resident.session_nonce}"
    session[SEEN_KEY] = int(time.time())
    g.resident = resident


def current() -> Resident | None:
    """The signed-in resident of this request, if the session's nonce is still theirs and
    they were active within RESIDENT_IDLE_MINUTES."""
    if "resident" in g:
        return g.resident
    found = None
    held = session.get(SESSION_KEY)
    if isinstance(held, str) and held.count(":") == 1:
        rid, nonce = held.split(":")
        seen = session.get(SEEN_KEY)
        idle = current_app.config.get("RESIDENT_IDLE_MINUTES", 30) * 60
        fresh = isinstance(seen, int) and time.time() - seen <= idle
        resident = (
            db.session.get(Resident, int(rid))
            if rid.isdigit() and len(rid) < 10 and fresh
            else None
        )
        if resident is not None and secrets.compare_digest(resident.session_nonce, nonce):
            found = resident
            if time.time() - seen > 60:  # the cookie is written again at most once a minute
                session[SEEN_KEY] = int(time.time())
        else:
            session.pop(SESSION_KEY, None)
            session.pop(SEEN_KEY, None)
    g.resident = found
    return found


def sign_out(resident: Resident) -> None:
    """The account's sessions end (a copied cookie too) and this one is emptied."""
    resident.session_nonce = secrets.token_hex(16)
    session.clear()
    g.resident = None


def forget(resident: Resident) -> None:
    """The account's personal data gone, at the resident's request: the profile emptied and
    the subject replaced, so that the next sign-in makes a new account; the row stays for
    the sign-in history, which names no person. Ends every session. The caller commits."""
    record("deleted", resident.provider, resident)
    resident.profile = {}
    resident.subject = f"deleted:{secrets.token_hex(16)}"
    sign_out(resident)
