"""event (type, id) index: newest events of one type without a sort

`GET /events?type=X` pages newest first (`WHERE type = ? [AND id < cursor] ORDER BY id DESC
LIMIT n`). The only index on type was (type, date), which does not give id order: SQLite either
walked every event newest first, testing the type (slow for a rare type), or read every event of
the type and sorted them (slow for a common one); PostgreSQL sorted. With (type, id) both read
exactly one page from the index, whatever the table size.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_event_type_id"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # id is the rowid; naming it keeps the index definition the same on both backends.
        op.execute(f"CREATE INDEX {INDEX} ON event (type, id)")
    elif dialect == "postgresql":
        # A B-tree is read backwards as cheaply as forwards, so ORDER BY id DESC needs no DESC.
        op.execute(f"CREATE INDEX {INDEX} ON event (type, id)")
    else:
        raise NotImplementedError(f"no migration 0007 for {dialect}")


def downgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
