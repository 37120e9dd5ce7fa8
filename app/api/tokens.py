"""API tokens: create, revoke, list, authenticate — the only place that changes them.

For the staff workspace and the CLI. Like the catalogue services, these flush and
leave the commit to the caller (one request or command, one transaction).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from app.catalogue.models import Department
from app.clock import utcnow
from app.extensions import db

from .models import ApiToken

TOKEN_PREFIX = "tzk_"
MAX_TOKEN_LENGTH = 200


class TokenError(ValueError):
    """A token change that cannot be made; the message says why, in Japanese and English."""


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _department(department: Department | str) -> Department:
    if isinstance(department, Department):
        return department
    found = db.session.scalar(select(Department).where(Department.code == department))
    if found is None:
        raise TokenError(f"部局が見つかりません: {department} / no such department: {department}")
    return found


def create_token(
    department: Department | str, name: str, by: str | None = None
) -> tuple[ApiToken, str]:
    """Make a token for a department (object or code) → (row, plaintext shown once)."""
    dept = _department(department)
    name = (name or "").strip()
    if not name:
        raise TokenError("名前を入力してください / a name is required")
    if len(name) > 200:
        raise TokenError("名前は200文字までです / the name is too long (200 characters at most)")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        department_id=dept.id,
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:12],
        created_by=by,
    )
    token.department = dept
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def revoke_token(token_id: int, by: str | None = None) -> ApiToken:
    """Revoke a token from now on; revoking it again changes nothing."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"トークンが見つかりません: {token_id} / no such token: {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by = by
        db.session.flush()
    return token


def list_tokens(
    department: Department | str | None = None, *, include_revoked: bool = True
) -> list[ApiToken]:
    """Tokens, newest first; of one department when given."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if department is not None:
        stmt = stmt.where(ApiToken.department_id == _department(department).id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(db.session.scalars(stmt))


def authenticate(plaintext: str | None) -> ApiToken | None:
    """The active token with this plaintext, marked as used now; None for anything else."""
    if not plaintext or len(plaintext) > MAX_TOKEN_LENGTH or not plaintext.isascii():
        return None
    digest = hash_token(plaintext)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest) or not token.active:
        return None
    token.last_used_at = utcnow()  # saved with the write it authorises
    return token
