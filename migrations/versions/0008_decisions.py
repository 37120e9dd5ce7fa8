"""Decisions in steps (決裁), due dates and signed result documents: the case's step,
assignee, decision time and due date; staff heads (課長); case actions (append-only) and result documents

Revision ID: 0008_decisions
Revises: 0011_service_quality
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_decisions'
down_revision = '0011_service_quality'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workflow_step', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_submissions_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_due_on'), ['due_on'], unique=False)
        batch_op.create_foreign_key('fk_submissions_assignee_id_users', 'users', ['assignee_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_head', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        'case_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('to_step', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('memo', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['assignee_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('case_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_actions_submission_id'), ['submission_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_actions_user_id'), ['user_id'], unique=False)

    op.create_table(
        'result_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('result_id', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('decision', sa.String(length=20), nullable=False),
        sa.Column('document_no', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('lang', sa.String(length=10), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoke_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_no'),
        sa.UniqueConstraint('sha256'),
    )
    with op.batch_alter_table('result_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_documents_submission_id'), ['submission_id'], unique=False)


def downgrade():
    op.drop_table('result_documents')
    op.drop_table('case_actions')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_submissions_assignee_id_users', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_submissions_due_on'))
        batch_op.drop_index(batch_op.f('ix_submissions_assignee_id'))
        batch_op.drop_column('due_on')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('workflow_step')
    # ALTER TABLE … DROP COLUMN in place (as 0004): a batch copy would drop the table,
    # which the other tables' foreign keys refuse once rows exist
    op.drop_column('users', 'is_head')
