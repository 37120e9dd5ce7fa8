"""API tokens for departmental systems: each token writes to one department's procedures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogue.models import Department
from app.clock import utcnow
from app.extensions import db


class ApiToken(db.Model):
    """A bearer token (APIトークン) of one department; only its SHA-256 is stored.

    The plaintext is shown once, when the token is made. Tokens are never deleted:
    a revoked one keeps its row, so the history of who could write stays readable.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # what it is for, e.g. the system's name
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the plaintext
    prefix: Mapped[str] = mapped_column(String(16))  # its first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    department: Mapped[Department] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def label(self) -> str:
        """How a row written with this token records who wrote it."""
        return f"api-token:{self.id} {self.name}"[:200]
