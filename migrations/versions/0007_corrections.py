"""Corrections (補正): what staff asked for, every revision of a submission's answers and
files, and which case pages each member of staff has opened

Revision ID: 0007_corrections
Revises: 0006_staff_admin
Create Date: 2026-12-03 12:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_corrections"
down_revision = "0006_staff_admin"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("marked", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_correction_requests_draft_id_drafts")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["submission_events.id"],
            name=op.f("fk_correction_requests_event_id_submission_events"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_correction_requests_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_requests")),
        sa.UniqueConstraint("draft_id", name=op.f("uq_correction_requests_draft_id")),
        sa.UniqueConstraint("event_id", name=op.f("uq_correction_requests_event_id")),
    )
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_correction_requests_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "submission_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_revisions_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_revisions")),
        sa.UniqueConstraint("submission_id", "number", name="uq_submission_revisions_number"),
    )
    with op.batch_alter_table("submission_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_revisions_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "case_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_case_reads_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_reads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reads")),
        sa.UniqueConstraint("submission_id", "user_id", name="uq_case_reads_user"),
    )
    with op.batch_alter_table("case_reads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_reads_submission_id"), ["submission_id"], unique=False
        )


def downgrade():
    op.drop_table("case_reads")
    op.drop_table("submission_revisions")
    op.drop_table("correction_requests")
