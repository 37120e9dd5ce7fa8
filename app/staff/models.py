"""Staff accounts and the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogue.models import Department, append_only
from app.clock import utcnow
from app.extensions import db

ROLES = {
    "department": (
        "部局職員",
        "Department staff",
    ),  # its own department's procedures and submissions
    "bureau": ("デジタル推進局", "DX bureau"),  # reads everything, KPI, reports
    "admin": ("管理者", "Administrator"),  # users, departments, audit log, jobs
}


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # rotated at logout and password change: every session made before stops working
    session_nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # two-factor sign-in (TOTP): the shared secret (base32) once enrolment is confirmed
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the last time step whose code was accepted: a code works once
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    department: Mapped[Department | None] = relationship()

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def sees_all(self) -> bool:
        return self.role in ("bureau", "admin")

    def can_edit(self, department_id: int) -> bool:
        """Department staff change their own department's records; admins any."""
        return self.role == "admin" or (
            self.role == "department" and self.department_id == department_id
        )


class AuditEvent(db.Model):
    """Who did what, when: every staff view of a submission and every change."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))  # the e-mail at the time
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(120))  # e.g. submission:2026-ABCD2345
    detail: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)


append_only(AuditEvent)


class SignIn(db.Model):
    """One sign-in attempt on a known account: the account's own history (admins read it).

    The address is cut to its network (IPv4 /24, IPv6 /48): enough to tell an office
    from elsewhere, not a person's line."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    factor: Mapped[str] = mapped_column(String(20))  # password, totp, recovery, reset


class PasswordReset(db.Model):
    """A one-time link to set a new password: only the token's SHA-256 is kept."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecoveryCode(db.Model):
    """A two-factor recovery code, hashed with argon2; each works once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseRead(db.Model):
    """A member of staff opened a submission's case page: the inbox counts and marks the
    ones they have not opened since it arrived (or came back corrected) as new."""

    __tablename__ = "case_reads"
    __table_args__ = (UniqueConstraint("submission_id", "user_id", name="uq_case_reads_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
