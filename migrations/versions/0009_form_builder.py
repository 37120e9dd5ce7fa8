"""The form builder: drafts of forms and their review steps; forms taken off line

Revision ID: 0009_form_builder
Revises: 0007_corrections
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_form_builder'
down_revision = '0007_corrections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('procedure_id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.String(length=100), nullable=False),
        sa.Column('yaml_text', sa.Text(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('origin', sa.String(length=120), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('published_version', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id']),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_drafts_procedure_id'), ['procedure_id'], unique=False)
    op.create_table(
        'form_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['form_drafts.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('form_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_reviews_draft_id'), ['draft_id'], unique=False)
    op.create_table(
        'form_withdrawals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.String(length=100), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_by', sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('form_id'),
    )


def downgrade():
    op.drop_table('form_withdrawals')
    with op.batch_alter_table('form_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_reviews_draft_id'))
    op.drop_table('form_reviews')
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_form_drafts_form_id'))
    op.drop_table('form_drafts')
