"""memberships indexed on (unit id, id) instead of unit id alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:52:00

The reminder tick reads a scope's memberships in keyset pages ordered by (unit id, membership
id). SQLite's index on unit id carries the rowid, so it served that order; PostgreSQL's did not,
and every page sorted the rest of the scope again (quadratic in the members: 288 s at 1M).
The two-column index serves both that order and every lookup by unit id.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_unit_id_id", ["unit_id", "id"], unique=False)
        batch_op.drop_index("ix_memberships_unit_id")


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_unit_id", ["unit_id"], unique=False)
        batch_op.drop_index("ix_memberships_unit_id_id")
