"""A form being built in the staff workspace, and what its reviewers said.

A draft is a form definition held as YAML text (`yaml_text`): the same text the parser
checks and `flask forms load` stores, never a structure of the builder's own. `revision`
counts the saves: a save names the revision it was made on, and a save made on an older
one is refused (two authors on one draft: the second is told, nothing is lost).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogue.models import Department, Procedure
from app.clock import utcnow
from app.extensions import db
from app.staff.models import User

# editing → in_review → published (approved), or back to editing (sent back, withdrawn)
DRAFT_STATES = ("editing", "in_review", "published", "discarded")
REVIEW_DECISIONS = ("sent", "withdrawn", "comment", "sent_back", "approved")


class FormDraft(db.Model):
    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(100), index=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default="editing")
    # where it started: blank, template:<name>, copy:<form>@<version>, upload
    origin: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    procedure: Mapped[Procedure] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    # the database refuses a save made on an older revision too (StaleDataError)
    __mapper_args__ = {"version_id_col": revision}


class FormReview(db.Model):
    """One step of a draft's review: sent, withdrawn, a comment, sent back, approved."""

    __tablename__ = "form_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("form_drafts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class FormTemplate(db.Model):
    """A template taken in from another deployment's bundle, as its YAML text: offered on
    the start page of its department's procedures, or of every department's when an admin
    (who belongs to none) took it in. Taken in again under the same name, it is replaced."""

    __tablename__ = "form_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # the bundle's file name, without .yaml
    title: Mapped[str] = mapped_column(String(200))  # its Japanese title, as listed
    yaml_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(200))  # bundle:templates/<name>.yaml
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    department: Mapped[Department | None] = relationship()
    created_by: Mapped[User | None] = relationship()
