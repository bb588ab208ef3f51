"""change feed: one row per created, updated or deleted article or event, in commit order

The id is the feed cursor. SQLite gets AUTOINCREMENT so that an id is never reused after the newest
rows are deleted (a reused id would make a mirror skip changes); PostgreSQL gets an identity column.
Rows are written by the services in the same transaction as the change they record, so a
rolled-back write leaves no trace in the feed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        id_column = sa.Column("id", sa.Integer(), primary_key=True)
        table_kwargs: dict[str, object] = {"sqlite_autoincrement": True}
    elif dialect == "postgresql":
        id_column = sa.Column("id", sa.Integer(), sa.Identity(always=True), primary_key=True)
        table_kwargs = {}
    else:
        raise NotImplementedError(f"no change feed migration for {dialect}")
    op.create_table(
        "change",
        id_column,
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("entity IN ('article', 'event')", name="ck_change_entity"),
        sa.CheckConstraint("action IN ('created', 'updated', 'deleted')", name="ck_change_action"),
        **table_kwargs,
    )
    op.create_index("ix_change_entity_entity_id", "change", ["entity", "entity_id"])
    # What is already stored enters the feed as created, so a mirror that starts from the
    # beginning gets everything.
    op.execute(
        "INSERT INTO change (entity, entity_id, action, changed_at) "
        "SELECT 'article', id, 'created', ingested_at FROM article ORDER BY id"
    )
    op.execute(
        "INSERT INTO change (entity, entity_id, action, changed_at) "
        "SELECT 'event', id, 'created', created_at FROM event ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index("ix_change_entity_entity_id", table_name="change")
    op.drop_table("change")
