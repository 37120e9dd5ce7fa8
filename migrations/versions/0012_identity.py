"""Resident and business sign-in by OpenID Connect: accounts found by (issuer, subject)
with the profile their provider vouches for, the append-only history of sign-ins, and
the resident a draft belongs to, what it was prefilled with, and which answers of a
submission the provider vouched for; documents kept in マイページ to attach again

Revision ID: 0012_identity
Revises: 0014_form_templates
Create Date: 2026-12-03 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_identity'
down_revision = '0014_form_templates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'residents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('profile', sa.JSON(), nullable=False),
        sa.Column('profile_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session_nonce', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
        sa.UniqueConstraint('issuer', 'subject', name='uq_residents_issuer_subject'),
    )
    op.create_table(
        'resident_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=True),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('reason', sa.String(length=60), nullable=True),
        sa.Column('network', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_resident_events_resident_id_residents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_events')),
    )
    with op.batch_alter_table('resident_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_events_resident_id'), ['resident_id'], unique=False)

    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prefilled', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_drafts_resident_id'), ['resident_id'], unique=False)
        batch_op.create_foreign_key('fk_drafts_resident_id_residents', 'residents', ['resident_id'], ['id'])

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vouched', sa.JSON(), nullable=True))

    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reused_first_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        'kept_documents',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('resident_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('first_uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kept_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_kept_documents_resident_id_residents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_documents')),
    )
    with op.batch_alter_table('kept_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_documents_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_documents_resident_id'), ['resident_id'], unique=False)


def downgrade():
    # ALTER TABLE … DROP COLUMN in place (as 0008): a batch copy of submissions would drop
    # the table, which the other tables' foreign keys refuse once rows exist
    op.drop_table('kept_documents')
    op.drop_column('stored_files', 'reused_first_at')
    op.drop_column('submissions', 'vouched')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_drafts_resident_id_residents', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_drafts_resident_id'))
        batch_op.drop_column('prefilled')
        batch_op.drop_column('resident_id')
    op.drop_table('resident_events')
    op.drop_table('residents')
