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
    op.add_column('procedures', sa.Column('valid_from', sa.Date(), nullable=True))
    op.add_column('procedures', sa.Column('valid_until', sa.Date(), nullable=True))
    op.add_column('volume_records', sa.Column('note', sa.Text(), nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35 and later): a batch copy of the table
    # would drop `procedures`, which the other tables' foreign keys refuse once rows exist
    op.drop_column('volume_records', 'note')
    op.drop_column('procedures', 'valid_until')
    op.drop_column('procedures', 'valid_from')
