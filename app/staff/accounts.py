"""Administering accounts: change role or department, deactivate, one-time password reset
links and the sign-in history. One rule for the workspace pages and `flask staff …`."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import select, update

from app.catalogue.models import Department
from app.clock import as_utc, utcnow
from app.extensions import db
from app.links import absolute_url

from .models import ROLES, PasswordReset, SignIn, User
from .services import AccountError, check_password, end_sessions, hash_password, normalise_email

MAX_NAME = 200
FACTORS = {
    "password": ("パスワード", "password"),
    "totp": ("確認コード", "authenticator code"),
    "recovery": ("リカバリーコード", "recovery code"),
    "reset": ("再設定リンク", "reset link"),
}


def find(email_or_id: str) -> User | None:
    """An account by its e-mail (as typed, any case) or its number."""
    text = (email_or_id or "").strip()
    if text.isdigit():
        return db.session.get(User, int(text))
    return db.session.scalar(select(User).where(User.email == normalise_email(text)))


def all_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


# --- role, department, name, active -----------------------------------------------------


def change(
    user: User,
    *,
    role: str | None = None,
    department_code: str | None = None,
    name: str | None = None,
    acting: User | None = None,
) -> dict[str, Any]:
    """Change an account's role, department or name → {field: [before, after]} of what
    changed. A department account needs a department; the others have none. An admin
    cannot take the admin role from themselves (someone must be left to administer)."""
    role = user.role if role is None else role
    if role not in ROLES:
        raise AccountError(
            f"役割は {', '.join(ROLES)} のいずれかです / role must be one of {', '.join(ROLES)}"
        )
    if acting is not None and acting.id == user.id and role != user.role:
        raise AccountError("自分自身の役割は変更できません / you cannot change your own role")
    department = None
    if role == "department":
        code = (
            user.department.code if department_code is None and user.department else department_code
        )
        department = db.session.scalar(select(Department).where(Department.code == (code or "")))
        if department is None:
            raise AccountError(
                "部局職員には部局コードが必要です / a department user needs an existing department code"
            )
    if name is not None:
        name = name.strip()
        if not name:
            raise AccountError("氏名を入力してください / enter a name")
        if len(name) > MAX_NAME:
            raise AccountError(
                f"氏名は{MAX_NAME}文字以内にしてください / the name may have at most {MAX_NAME} characters"
            )
    changes: dict[str, Any] = {}
    if role != user.role:
        changes["role"] = [user.role, role]
        user.role = role
    new_dept = department.id if department else None
    if new_dept != user.department_id:
        changes["department"] = [
            user.department.code if user.department else None,
            department.code if department else None,
        ]
        user.department_id = new_dept
        user.department = department
    if name is not None and name != user.name:
        changes["name"] = [user.name, name]
        user.name = name
    if "role" in changes or "department" in changes:
        end_sessions(user)  # what the account may see changed: sign in again
    return changes


def set_active(user: User, active: bool, *, acting: User | None = None) -> bool:
    """Deactivate (its sessions end at once) or reactivate → whether anything changed."""
    if acting is not None and acting.id == user.id and not active:
        raise AccountError(
            "自分自身のアカウントは停止できません / you cannot deactivate your own account"
        )
    if user.active == active:
        return False
    user.active = active
    end_sessions(user)
    return True


# --- one-time password reset links ------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_reset(user: User, *, acting: User | None = None) -> tuple[str, PasswordReset]:
    """A new one-time link's token (shown once, to pass on; only its hash is kept). Earlier
    unused links of the account stop working."""
    if not user.active:
        raise AccountError(
            "停止中のアカウントです。先に再開してください / the account is deactivated: reactivate it first"
        )
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    reset = PasswordReset(
        user_id=user.id,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        created_by_id=acting.id if acting else None,
    )
    db.session.add(reset)
    db.session.flush()
    return token, reset


def reset_url(token: str) -> str:
    return absolute_url("staff.accounts.reset_from_link", token=token)


def valid_reset(token: str | None) -> PasswordReset | None:
    """The unused, unexpired link of an active account with this token, or None."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    )
    if reset is None or reset.used_at is not None or as_utc(reset.expires_at) <= utcnow():
        return None
    user = db.session.get(User, reset.user_id)
    if user is None or not user.active:
        return None
    return reset


def use_reset(token: str, password: str) -> User:
    """Set the new password through the link; the link is spent and every session ends."""
    reset = valid_reset(token)
    if reset is None:
        raise AccountError(
            "このリンクは使えません（使用済み・期限切れ・無効）。管理者に新しいリンクを依頼してください"
            " / this link cannot be used (already used, expired or invalid): ask an administrator for a new one"
        )
    check_password(password)
    user = db.session.get(User, reset.user_id)
    user.password_hash = hash_password(password)
    reset.used_at = utcnow()
    end_sessions(user)
    return user


# --- sign-in history --------------------------------------------------------------------


def network_of(address: str | None) -> str | None:
    """An address cut to its network: 192.0.2.57 → 192.0.2.0/24, IPv6 → its /48."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record_sign_in(user: User, success: bool, factor: str) -> None:
    db.session.add(
        SignIn(
            user_id=user.id,
            at=utcnow(),
            ip=network_of(request.remote_addr if request else None),
            success=success,
            factor=factor,
        )
    )


def history(user: User, limit: int = 100) -> list[SignIn]:
    return list(
        db.session.scalars(
            select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id.desc()).limit(limit)
        )
    )
