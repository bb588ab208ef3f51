"""SQLite: what search facets read, without reading articles or every mention

Facets count the newest 2,000 hits of a query (app/search/sqlite_sql.py). At 1,000,000 articles
the actor facet read ~70,000 mention rows for them (each mention row, for its actor id) to count
~20,000 distinct (article, actor) pairs, ~55 ms; the language and month facets read `language`
and `published_at`, which sit after the body columns, so each hit walked its overflow pages.

- article_actor holds each (article, actor) pair once, clustered by article: a facet reads only
  the pairs of its hits. Triggers on mention keep it exact for every writer (ingest, delete and
  re-extract, foreign-key cascades from article or actor, hand-written SQL).
- ix_article_facet covers what the language, month and source facets read, keyed by id.

PostgreSQL reads mention and article directly (its facets are not on the measured path).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# `+actor_id` keeps the check on the article's few mentions (ix_mention_article_id), not on every
# mention of a common actor.
_GONE = """DELETE FROM article_actor
        WHERE old.actor_id IS NOT NULL AND article_id = old.article_id AND actor_id = old.actor_id
        AND NOT EXISTS (SELECT 1 FROM mention
            WHERE article_id = old.article_id AND +actor_id = old.actor_id);"""
_ADD = """INSERT OR IGNORE INTO article_actor (article_id, actor_id)
        SELECT new.article_id, new.actor_id WHERE new.actor_id IS NOT NULL;"""

UPGRADE = [
    """CREATE TABLE article_actor (
        article_id INTEGER NOT NULL,
        actor_id INTEGER NOT NULL,
        PRIMARY KEY (article_id, actor_id)
    ) WITHOUT ROWID""",
    """INSERT OR IGNORE INTO article_actor (article_id, actor_id)
        SELECT article_id, actor_id FROM mention WHERE actor_id IS NOT NULL
        ORDER BY article_id, actor_id""",
    f"""CREATE TRIGGER mention_article_actor_insert AFTER INSERT ON mention
        WHEN new.actor_id IS NOT NULL BEGIN {_ADD} END""",
    f"""CREATE TRIGGER mention_article_actor_delete AFTER DELETE ON mention
        WHEN old.actor_id IS NOT NULL BEGIN {_GONE} END""",
    f"""CREATE TRIGGER mention_article_actor_update AFTER UPDATE OF article_id, actor_id ON mention
        BEGIN {_GONE} {_ADD} END""",
    "CREATE INDEX ix_article_facet ON article (id, language, published_at, source_id)",
]

DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_article_facet",
    "DROP TRIGGER IF EXISTS mention_article_actor_update",
    "DROP TRIGGER IF EXISTS mention_article_actor_delete",
    "DROP TRIGGER IF EXISTS mention_article_actor_insert",
    "DROP TABLE IF EXISTS article_actor",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in UPGRADE:
            op.execute(statement)
    elif dialect != "postgresql":
        raise NotImplementedError(f"no migration 0009 for {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DOWNGRADE:
            op.execute(statement)
