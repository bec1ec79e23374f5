"""roster: entries without Telegram ids (phone, card number), claims, meetings, how a confirmation came

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:30:45.573199
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('how', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['members.id'], name=op.f('fk_claims_decided_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_claims_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_claims_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_telegram_id'), ['telegram_id'], unique=False)
        batch_op.create_index('ix_claims_unit_state', ['unit_id', 'state'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_meetings_directive_id_directives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['members.id'], name=op.f('fk_meetings_recorded_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meetings_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('how', sa.String(length=16), server_default='press', nullable=False))
        batch_op.add_column(sa.Column('recorded_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_confirmations_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_confirmations_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_confirmations_recorded_by_members'), 'members', ['recorded_by'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('card_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('telegram_id',
               existing_type=sa.BIGINT(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_members_phone'), ['phone'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_members_card_number'), ['card_number'])

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_approval', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('join_approval')

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_members_card_number'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_members_phone'))
        batch_op.alter_column('telegram_id',
               existing_type=sa.BIGINT(),
               nullable=False)
        batch_op.drop_column('erased_at')
        batch_op.drop_column('birth_date')
        batch_op.drop_column('card_number')
        batch_op.drop_column('phone')

    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_confirmations_recorded_by_members'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_confirmations_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_confirmations_meeting_id'))
        batch_op.drop_column('meeting_id')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('how')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_unit_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index('ix_claims_unit_state')
        batch_op.drop_index(batch_op.f('ix_claims_telegram_id'))
        batch_op.drop_index(batch_op.f('ix_claims_member_id'))

    op.drop_table('claims')
