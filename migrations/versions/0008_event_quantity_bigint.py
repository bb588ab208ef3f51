"""event_quantity.value as a 64-bit integer on PostgreSQL

Quantities reach billions (money, a mistaken "4.92 billion troops" from a real article); INTEGER
on PostgreSQL stops at 2,147,483,647, so storing such an event failed there while SQLite (whose
INTEGER is 64-bit) kept it, and `conflictkb migrate-data` from SQLite to PostgreSQL stopped at it.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE event_quantity ALTER COLUMN value TYPE BIGINT")
    elif dialect != "sqlite":  # SQLite's INTEGER already holds 64 bits
        raise NotImplementedError(f"no migration 0008 for {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE event_quantity ALTER COLUMN value TYPE INTEGER")
