"""Procedures valid from / until a date; a note on a volume row

Revision ID: 0004_validity_volume_notes
Revises: 0003_staff_jobs_tokens
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_validity_volume_notes'
down_revision = '0003_staff_jobs_tokens'
branch_labels = None
depends_on = None


def upgrade():
    # empty dates: no bound, so every procedure already recorded keeps counting as before
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))

    with op.batch_alter_table('volume_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('volume_records', schema=None) as batch_op:
        batch_op.drop_column('note')

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('valid_until')
        batch_op.drop_column('valid_from')
