"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238, by pyotp) and one-time
recovery codes (stored as argon2 hashes). Which roles must use it is a setting
(`STAFF_TWO_FACTOR_ROLES`: admin and bureau by default); the other roles may."""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from datetime import UTC, datetime

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select

from app.clock import utcnow
from app.extensions import db

from .models import RecoveryCode, User
from .services import _hasher

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_CODE = re.compile(r"^\d{6}$")


def required_roles() -> set[str]:
    setting = current_app.config.get("STAFF_TWO_FACTOR_ROLES") or ""
    return {role.strip() for role in setting.split(",") if role.strip()}


def required_for(user: User) -> bool:
    return user.role in required_roles()


def enrolled(user: User) -> bool:
    return bool(user.totp_secret and user.totp_enabled_at)


def must_enrol(user: User) -> bool:
    """Signed in with a password only, in a role that needs a second factor."""
    return required_for(user) and not enrolled(user)


# --- enrolment ---------------------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def grouped(secret: str) -> str:
    """The key as a person types it: in groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(code: str | None) -> str:
    """What was typed, without spaces and hyphens (authenticators show 123 456)."""
    return re.sub(r"[\s\-‐ー]", "", unicodedata.normalize("NFKC", code or ""))


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (30 s) within one step of now whose code this is, or None."""
    code = clean_code(code)
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    step = totp.timecode(_from_timestamp(now))
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _from_timestamp(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on with the key the person's app now holds, if `code` shows
    it does → the new recovery codes (shown once), or None for a wrong code."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Two-factor sign-in off: the key and the recovery codes are forgotten."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# --- codes at sign-in --------------------------------------------------------------------


def verify(user: User, code: str) -> bool:
    """An authenticator code for this account, not used before (each works once)."""
    if not enrolled(user):
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes (the earlier ones stop working) → their text, shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    hasher = _hasher()[0]
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hasher.hash(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """A recovery code of this account not used yet: it is spent."""
    raw = clean_code(code).lower()
    if len(raw) != 10 or any(c not in _RECOVERY_ALPHABET for c in raw):
        return False
    hasher = _hasher()[0]
    for stored in db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        try:
            hasher.verify(stored.code_hash, raw)
        except (VerificationError, InvalidHashError):
            continue
        stored.used_at = utcnow()
        return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(
        list(
            db.session.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
                )
            )
        )
    )


def check(user: User, code: str) -> str | None:
    """The second step of a sign-in → the factor that was right ("totp" or "recovery"),
    or None."""
    if verify(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None
