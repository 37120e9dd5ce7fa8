"""Accounts, sign-in, the audit log, and what each role may see and change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, request
from sqlalchemy import Select, select

from app.catalogue.models import Department, Procedure, StatusChange
from app.extensions import db
from app.formengine.normalise import UNUSABLE
from app.submissions.models import FormVersion, Submission

from .models import ROLES, AuditEvent, User

MIN_PASSWORD = 12
MAX_PASSWORD = 200
_hashers: dict[bool, tuple[PasswordHasher, str]] = {}


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2id with the library's defaults; tests may ask for cheap settings (config)."""
    fast = bool(current_app.config.get("PASSWORD_HASH_FAST"))
    if fast not in _hashers:
        hasher = (
            PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
            if fast
            else PasswordHasher()
        )
        _hashers[fast] = (hasher, hasher.hash("not a password"))  # same work for an unknown e-mail
    return _hashers[fast]


class AccountError(ValueError):
    """Why an account cannot be created or changed (日本語 / English)."""


def normalise_email(email: str | None) -> str:
    """An account's e-mail as stored and as looked up: no surrounding spaces, lower case."""
    return (email or "").strip().lower()


def sign_in_key(email: str | None) -> str:
    """What the per-account sign-in limit counts under: a keyed hash of the normalised
    e-mail, so that neither Redis keys nor the limiter's log lines carry the address."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    mac = hmac.new(secret, b"sign-in:" + normalise_email(email).encode("utf-8"), hashlib.sha256)
    return "account:" + mac.hexdigest()[:32]


def check_password(password: str) -> None:
    """The one rule for a new password (pages, CLI, reset links)."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(
            f"パスワードは{MIN_PASSWORD}文字以上にしてください / the password needs {MIN_PASSWORD} characters or more"
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(
            f"パスワードは{MAX_PASSWORD}文字以内にしてください / the password may have at most {MAX_PASSWORD} characters"
        )


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str | None = None,
    department_code: str | None = None,
    head: bool = False,
) -> User:
    """A new account; `head`: a head of the department (課長), who takes the workflow
    steps of role department_head."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(
            f"役割は {', '.join(ROLES)} のいずれかです / role must be one of {', '.join(ROLES)}"
        )
    if "@" not in email:
        raise AccountError("メールアドレスが正しくありません / not an e-mail address")
    check_password(password)
    department = None
    if role == "department":
        department = db.session.scalar(
            select(Department).where(Department.code == (department_code or ""))
        )
        if department is None:
            raise AccountError(
                "部局職員には部局コードが必要です / a department user needs an existing department code"
            )
    if head and role != "department":
        raise AccountError("課長にできるのは部局職員だけです / only department staff can be a head")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError("このメールアドレスは登録済みです / this e-mail is already registered")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
        department_id=department.id if department else None,
        is_head=head,
        session_nonce=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same work either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    hasher, dummy = _hasher()
    try:
        hasher.verify(user.password_hash if user else dummy, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session nonce, so old sessions die at logout."""
    pk, _, nonce = (user_id or "").partition(":")
    if not pk.isdigit():
        return None
    user = db.session.get(User, int(pk))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user


def end_sessions(user: User) -> None:
    user.session_nonce = secrets.token_hex(16)


def audit(
    user: User | None,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    status_code: int | None = None,
) -> None:
    """Append to the audit log (committed with the change it records).

    Never fails for what it is given: each text is cut to its column (a failed sign-in
    records the e-mail as typed, however long) and holds no character the database
    cannot store."""
    ip = request.remote_addr if request else None
    db.session.add(
        AuditEvent(
            user_id=user.id if user else None,
            actor=_fit(AuditEvent.actor, user.email if user else "-"),
            action=_fit(AuditEvent.action, action),
            target=_fit(AuditEvent.target, target),
            detail=_storable(dict(detail)) if detail else None,
            ip=_fit(AuditEvent.ip, ip),
            status_code=status_code,
        )
    )


def audit_status(
    user: User, procedure: Procedure, row: StatusChange, bulk: int | None = None
) -> None:
    """The audit entry of a status recorded from the workspace (one procedure or many)."""
    detail: dict[str, Any] = {
        "status": row.status,
        "effective_date": row.effective_date.isoformat(),
        "note": row.note,
        "row": row.id,
    }
    if bulk is not None:
        detail["bulk"] = bulk
    audit(user, "procedure.status", f"procedure:{procedure.code}", detail)


def _fit(column, text: str | None) -> str | None:
    """`text` without unusable characters, cut to the column's length (… marks a cut)."""
    if text is None:
        return None
    text = _storable(text)
    limit = column.type.length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _storable(value: Any) -> Any:
    """A value for a JSON column: its texts (keys too) without unusable characters."""
    if isinstance(value, str):
        return UNUSABLE.sub("\ufffd", value)
    if isinstance(value, Mapping):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


# --- what a role may see ------------------------------------------------------------------


def procedures_query(user: User, *, q: str = "", department: str = "") -> Select:
    stmt = select(Procedure).join(Department)
    if not user.sees_all():
        stmt = stmt.where(Procedure.department_id == user.department_id)
    elif department:
        stmt = stmt.where(Department.code == department)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            Procedure.name_ja.like(like) | Procedure.code.like(like) | Procedure.name_en.ilike(like)
        )
    return stmt.order_by(Procedure.code)


def may_see_procedure(user: User, procedure: Procedure) -> bool:
    return user.sees_all() or procedure.department_id == user.department_id


def submissions_query(
    user: User,
    *,
    form: str = "",
    status: str = "",
    since: date | None = None,
    until: date | None = None,
) -> Select:
    stmt = (
        select(Submission)
        .join(Procedure, Procedure.code == Submission.procedure_code)
        .join(FormVersion, FormVersion.id == Submission.form_version_id)
    )
    if not user.sees_all():
        stmt = stmt.where(Procedure.department_id == user.department_id)
    if form:
        stmt = stmt.where(FormVersion.form_id == form)
    if status:
        stmt = stmt.where(Submission.status == status)
    if since:
        stmt = stmt.where(Submission.created_at >= since)
    if until:
        stmt = stmt.where(Submission.created_at < until + timedelta(days=1))
    return stmt.order_by(Submission.id.desc())


def may_see_submission(user: User, sub: Submission) -> bool:
    if user.sees_all():
        return True
    dept = db.session.scalar(
        select(Procedure.department_id).where(Procedure.code == sub.procedure_code)
    )
    return dept == user.department_id


def may_manage_token(user: User, department_id: int | None) -> bool:
    """API tokens: admins manage every department's, department staff their own's."""
    if user.role == "admin":
        return True
    return user.role == "department" and department_id == user.department_id


def may_process(user: User, sub: Submission) -> bool:
    """Department staff process their own department's submissions (admins may step in)."""
    if user.role == "admin":
        return True
    dept = db.session.scalar(
        select(Procedure.department_id).where(Procedure.code == sub.procedure_code)
    )
    return user.role == "department" and dept == user.department_id


DEMO_PASSWORD = "tetsuzuki-demo-2026"
DEMO_USERS = (
    ("admin@example.pref.mie.lg.jp", "admin", None, "管理者（デモ）"),
    ("bureau@example.pref.mie.lg.jp", "bureau", None, "デジタル推進局（デモ）"),
    ("norin@example.pref.mie.lg.jp", "department", "NORIN", "農林水産部（デモ）"),
    ("kendo@example.pref.mie.lg.jp", "department", "KENDO", "県土整備部（デモ）"),
    ("somu@example.pref.mie.lg.jp", "department", "SOMU", "総務部（デモ）"),
    ("koyo@example.pref.mie.lg.jp", "department", "KOYO", "雇用経済部 担当（デモ）"),
)
# heads of a department (課長), who take a workflow's department_head steps
DEMO_HEADS = (("koyo-head@example.pref.mie.lg.jp", "KOYO", "雇用経済部 課長（デモ）"),)


def ensure_demo_users() -> list[tuple[str, str]]:
    """Create the demo accounts that are missing (idempotent) → [(email, role)]."""
    out = []
    for email, role, dept, name in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            if (
                dept
                and db.session.scalar(select(Department).where(Department.code == dept)) is None
            ):
                continue
            create_user(email, DEMO_PASSWORD, role, name=name, department_code=dept)
        out.append((email, role))
    for email, dept, name in DEMO_HEADS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            if db.session.scalar(select(Department).where(Department.code == dept)) is None:
                continue
            create_user(
                email, DEMO_PASSWORD, "department", name=name, department_code=dept, head=True
            )
        out.append((email, "department, head"))
    db.session.commit()
    return out
