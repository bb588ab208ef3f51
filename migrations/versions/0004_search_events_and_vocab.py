"""search over events, and the lemma vocabulary

SQLite: `event_fts`, one row per event (its summary and all its evidence sentences), kept in sync
by triggers on event and event_evidence; and `article_fts_vocab`, an fts5vocab view of article_fts
that lets query expansion check that a guessed stem really is a lemma somewhere in the corpus.
PostgreSQL: stored tsvectors with GIN indexes on event.summary and event_evidence.sentence_text
(the 'simple' configuration, as for articles in 0002); a vocabulary check there would use ts_stat
and is left to the PostgreSQL backend.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_EVIDENCE = (
    "coalesce((SELECT group_concat(sentence_text, char(10)) FROM event_evidence "
    "WHERE event_id = {id}), '')"
)

SQLITE_UP = [
    # Stores its own text (not external content): the evidence column is an aggregate over many
    # rows, which an external-content table could not read back for deletes.
    """CREATE VIRTUAL TABLE event_fts USING fts5(
        summary, evidence,
        tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER event_fts_insert AFTER INSERT ON event BEGIN
        INSERT INTO event_fts(rowid, summary, evidence)
        VALUES (new.id, new.summary, {_EVIDENCE.format(id="new.id")});
    END""",
    """CREATE TRIGGER event_fts_update AFTER UPDATE OF summary ON event BEGIN
        UPDATE event_fts SET summary = new.summary WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER event_fts_delete AFTER DELETE ON event BEGIN
        DELETE FROM event_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER event_evidence_fts_insert AFTER INSERT ON event_evidence BEGIN
        UPDATE event_fts SET evidence = {_EVIDENCE.format(id="new.event_id")}
        WHERE rowid = new.event_id;
    END""",
    f"""CREATE TRIGGER event_evidence_fts_delete AFTER DELETE ON event_evidence BEGIN
        UPDATE event_fts SET evidence = {_EVIDENCE.format(id="old.event_id")}
        WHERE rowid = old.event_id;
    END""",
    f"""CREATE TRIGGER event_evidence_fts_update AFTER UPDATE OF sentence_text, event_id
        ON event_evidence BEGIN
        UPDATE event_fts SET evidence = {_EVIDENCE.format(id="old.event_id")}
        WHERE rowid = old.event_id;
        UPDATE event_fts SET evidence = {_EVIDENCE.format(id="new.event_id")}
        WHERE rowid = new.event_id;
    END""",
    f"""INSERT INTO event_fts(rowid, summary, evidence)
        SELECT e.id, e.summary, {_EVIDENCE.format(id="e.id")} FROM event e""",
    "CREATE VIRTUAL TABLE article_fts_vocab USING fts5vocab(article_fts, 'col')",
]
SQLITE_DOWN = [
    "DROP TABLE IF EXISTS article_fts_vocab",
    "DROP TRIGGER IF EXISTS event_evidence_fts_update",
    "DROP TRIGGER IF EXISTS event_evidence_fts_delete",
    "DROP TRIGGER IF EXISTS event_evidence_fts_insert",
    "DROP TRIGGER IF EXISTS event_fts_delete",
    "DROP TRIGGER IF EXISTS event_fts_update",
    "DROP TRIGGER IF EXISTS event_fts_insert",
    "DROP TABLE IF EXISTS event_fts",
]

POSTGRES_UP = [
    """ALTER TABLE event ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', summary)) STORED""",
    "CREATE INDEX ix_event_search_vector ON event USING gin (search_vector)",
    """ALTER TABLE event_evidence ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', sentence_text)) STORED""",
    "CREATE INDEX ix_event_evidence_search_vector ON event_evidence USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_event_evidence_search_vector",
    "ALTER TABLE event_evidence DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_event_search_vector",
    "ALTER TABLE event DROP COLUMN IF EXISTS search_vector",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    raise NotImplementedError(f"no search migration for {dialect}")


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
