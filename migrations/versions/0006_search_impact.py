"""impact lists: the best-scoring articles per frequent search phrase

FTS5 computes bm25 for every matching row before it can sort, and a head word (one found in most
articles) costs hundreds of milliseconds. `search_impact` keeps, per rendered FTS5 phrase (column
filter + words), the top articles by that phrase's own bm25 contribution; bm25 of an OR of phrases
is the sum of the phrases' contributions, so a query's best articles are found by summing a few
short lists (app/search/impact.py). `search_impact_list` records when each list was built (the
newest article id it saw), so articles added since are scored live.

SQLite only. On PostgreSQL this revision is a documented no-op: the lists hold FTS5 bm25 values,
and ranking there is ts_rank over a GIN index, bounded by its own means.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE TABLE search_impact_list (
        phrase TEXT PRIMARY KEY,
        max_id INTEGER NOT NULL,
        built_at TEXT NOT NULL
    )""",
    # No foreign key: a deleted or edited article is caught when hits are checked against the
    # live index, and a cascade would make every article delete touch this table.
    """CREATE TABLE search_impact (
        phrase TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (phrase, article_id)
    ) WITHOUT ROWID""",
]
SQLITE_DOWN = [
    "DROP TABLE IF EXISTS search_impact",
    "DROP TABLE IF EXISTS search_impact_list",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
