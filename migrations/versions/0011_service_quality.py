"""Residents' answers on how easy a procedure was (one per submission), and the bureau's
confirmations of a fiscal year's figures

Revision ID: 0011_service_quality
Revises: 0010_procedure_guide
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_service_quality'
down_revision = '0010_procedure_guide'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'satisfaction_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('form_version_id', sa.Integer(), nullable=False),
        sa.Column('procedure_code', sa.String(length=32), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('score BETWEEN 1 AND 5', name='score_1_to_5'),
        sa.ForeignKeyConstraint(['form_version_id'], ['form_versions.id']),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('submission_id'),
    )
    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.create_index('ix_satisfaction_answers_form_version_id', ['form_version_id'], unique=False)
        batch_op.create_index('ix_satisfaction_answers_procedure_code', ['procedure_code'], unique=False)
    op.create_table(
        'year_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by', sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('year_confirmations', schema=None) as batch_op:
        batch_op.create_index('ix_year_confirmations_fiscal_year', ['fiscal_year'], unique=False)


def downgrade():
    with op.batch_alter_table('year_confirmations', schema=None) as batch_op:
        batch_op.drop_index('ix_year_confirmations_fiscal_year')
    op.drop_table('year_confirmations')
    with op.batch_alter_table('satisfaction_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_answers_procedure_code')
        batch_op.drop_index('ix_satisfaction_answers_form_version_id')
    op.drop_table('satisfaction_answers')
