"""Maintenance for the CLI: rebuild the search index, and export the knowledge base as NDJSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session

from app.models import Article, EventEvidence
from app.services.articles import ARTICLE_COLUMNS, ARTICLE_FROM, article_public
from app.services.events import EVENT_COLUMNS, hydrate_events
from app.services.store import table

EXPORT_BATCH = 500


def reindex(session: Session) -> dict[str, int]:
    """SQLite: rebuild and compact the FTS5 index, then refresh the head-term impact lists
    (which otherwise only grow on first use). PostgreSQL keeps its tsvector in a generated
    column, so there the planner statistics are what go stale."""
    if session.get_bind().dialect.name != "sqlite":
        session.connection().exec_driver_sql("ANALYZE")
        session.commit()
        return {"impact_lists": 0}
    from app.search.impact import refresh_impacts

    conn = session.connection()
    conn.execute(text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))
    conn.execute(text("INSERT INTO article_fts(article_fts) VALUES ('optimize')"))
    lists = refresh_impacts(session, discover=True)
    session.commit()
    session.connection().exec_driver_sql("PRAGMA optimize")
    session.commit()
    return {"impact_lists": lists}


def _batches(
    session: Session, columns: tuple[Any, ...], id_column: Any, source: Any = None
) -> Iterator[list[Any]]:
    """Rows in id order, a batch at a time, so an export of millions never sits in memory."""
    after = 0
    while True:
        stmt = select(*columns)
        if source is not None:
            stmt = stmt.select_from(source)
        rows = list(
            session.connection().execute(
                stmt.where(id_column > after).order_by(id_column).limit(EXPORT_BATCH)
            )
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id


def export_articles(session: Session) -> Iterator[str]:
    article = table(Article)
    for rows in _batches(session, (*ARTICLE_COLUMNS, article.c.body), article.c.id, ARTICLE_FROM):
        for row in rows:
            record = article_public(row).model_dump(mode="json")
            record["body"] = row.body
            yield json.dumps(record, ensure_ascii=False)


def export_events(session: Session) -> Iterator[str]:
    evidence = table(EventEvidence)
    event_id = EVENT_COLUMNS[0]
    for rows in _batches(session, EVENT_COLUMNS, event_id):
        sentences: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ev in session.connection().execute(
            select(evidence).where(evidence.c.event_id.in_([r.id for r in rows]))
        ):
            sentences[ev.event_id].append(
                {
                    "article_id": ev.article_id,
                    "text": ev.sentence_text,
                    "start": ev.char_start,
                    "end": ev.char_end,
                    "reported_by_actor_id": ev.reported_by_actor_id,
                }
            )
        for public in hydrate_events(session, rows):
            record = public.model_dump(mode="json")
            record["evidence"] = sentences.get(public.id, [])
            yield json.dumps(record, ensure_ascii=False)
