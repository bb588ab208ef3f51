"""full-text search over article title, body and lemmas, per dialect

SQLite: an external-content FTS5 table kept in sync by triggers.
PostgreSQL: a stored, weighted tsvector (the 'simple' configuration, so that no English stemmer
mangles Cyrillic) with a GIN index.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    # unicode61 with diacritics removed folds й/и and ї/і the way users type them.
    """CREATE VIRTUAL TABLE article_fts USING fts5(
        title, body, lemmas,
        content='article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
        INSERT INTO article_fts(rowid, title, body, lemmas)
        VALUES (new.id, coalesce(new.title, ''), new.body, new.lemmas);
    END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, body, lemmas)
        VALUES ('delete', old.id, coalesce(old.title, ''), old.body, old.lemmas);
    END""",
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, body, lemmas ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, body, lemmas)
        VALUES ('delete', old.id, coalesce(old.title, ''), old.body, old.lemmas);
        INSERT INTO article_fts(rowid, title, body, lemmas)
        VALUES (new.id, coalesce(new.title, ''), new.body, new.lemmas);
    END""",
    "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS article_fts_update",
    "DROP TRIGGER IF EXISTS article_fts_delete",
    "DROP TRIGGER IF EXISTS article_fts_insert",
    "DROP TABLE IF EXISTS article_fts",
]

POSTGRES_UP = [
    """ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title, '')), 'A')
        || setweight(to_tsvector('simple', body), 'B')
        || setweight(to_tsvector('simple', lemmas), 'C')
    ) STORED""",
    "CREATE INDEX ix_article_search_vector ON article USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_article_search_vector",
    "ALTER TABLE article DROP COLUMN IF EXISTS search_vector",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    raise NotImplementedError(f"no full-text search migration for {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
