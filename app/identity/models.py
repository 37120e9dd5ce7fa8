"""Signed-in residents and businesses, and the history of their sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.catalogue.models import append_only
from app.clock import utcnow
from app.extensions import db


class Resident(db.Model):
    """A person or business as one provider knows them: found again only by the
    provider's issuer and subject (never by a name, an e-mail or a number in the claims)."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_residents_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(40))  # the configured name, e.g. mynumber
    kind: Mapped[str] = mapped_column(String(20))  # individual | business
    # the facts the provider vouched for at the last sign-in (identity/claims.py)
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    profile_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # rotated at sign-out: a copied session cookie stops working
    session_nonce: Mapped[str] = mapped_column(String(64))


class ResidentEvent(db.Model):
    """Sign-in, sign-out and refused sign-ins, append-only. No claim and no token: the
    resident's id, the provider, what happened and why, and the client's network."""

    __tablename__ = "resident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))  # signin | signout | signin.refused
    reason: Mapped[str | None] = mapped_column(String(60))  # why a sign-in was refused
    network: Mapped[str | None] = mapped_column(String(64))  # IPv4 /24, IPv6 /48


append_only(ResidentEvent)
