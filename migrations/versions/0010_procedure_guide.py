"""The procedure guide: reading, summary, audience, fee, processing days, documents, where
to apply (another service, a paper form), the responsible section and the e-Gov link

Revision ID: 0010_procedure_guide
Revises: 0009_form_builder
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_procedure_guide'
down_revision = '0009_form_builder'
branch_labels = None
depends_on = None

COLUMNS = (
    ('name_kana', sa.String(length=300)),
    ('summary', sa.Text()),
    ('audience', sa.String(length=50)),
    ('fee', sa.String(length=200)),
    ('fee_payment', sa.String(length=200)),
    ('standard_processing_days', sa.Integer()),
    ('documents', sa.Text()),
    ('online_url', sa.String(length=500)),
    ('paper_form_url', sa.String(length=500)),
    ('section', sa.String(length=200)),
    ('section_phone', sa.String(length=20)),
    ('section_email', sa.String(length=254)),
    ('egov_url', sa.String(length=500)),
)


def upgrade():
    # all empty: a procedure recorded before has no guide yet, and its page says what it knows
    for name, type_ in COLUMNS:
        op.add_column('procedures', sa.Column(name, type_, nullable=True))


def downgrade():
    # ALTER TABLE … DROP COLUMN in place (SQLite 3.35 and later): a batch copy of the table
    # would drop `procedures`, which the other tables' foreign keys refuse once rows exist
    for name, _ in reversed(COLUMNS):
        op.drop_column('procedures', name)
