"""Submissions remember the fingerprint of the request that made them (Idempotency-Key)
and when the declaration (宣誓) was confirmed

Revision ID: 0005_idempotency_declaration
Revises: 0004_validity_volume_notes
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_idempotency_declaration'
down_revision = '0004_validity_volume_notes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('declared_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('declared_at')
        batch_op.drop_column('request_fingerprint')
