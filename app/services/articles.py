"""Articles: lists with filters, one article with its mentions and events; create, delete and
re-extract."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, exists, update
from sqlmodel import Session, col, select

from app.extraction.lemmas import lemma_text
from app.models import (
    Actor,
    Article,
    Event,
    EventEvidence,
    EventParticipant,
    EventQuantity,
    Mention,
    Place,
    Source,
    utcnow,
)
from app.schemas.articles import ArticleDetail, ArticlePublic, MentionPublic, SourcePublic
from app.schemas.common import Page
from app.search import get_backend
from app.search.query import parse_query
from app.services.changes import ARTICLE, DELETED, UPDATED, event_changes, record_changes
from app.services.errors import NotFound
from app.services.events import list_events_for_article
from app.services.ingest import ArticleInput, ingest_article, run_extraction, store_extraction
from app.services.pagination import cursor_id, last_id_cursor
from app.services.store import table
from app.services.transactions import write_transaction


def source_public(source: Source | None) -> SourcePublic | None:
    if source is None or source.id is None:
        return None
    return SourcePublic(
        id=source.id,
        name=source.name,
        domain=source.domain,
        country=source.country,
        language=source.language,
    )


def article_public(article: Article, source: Source | None) -> ArticlePublic:
    assert article.id is not None
    return ArticlePublic(
        id=article.id,
        title=article.title,
        language=article.language,
        url=article.url,
        published_at=article.published_at,
        published_precision=article.published_precision,
        source=source_public(source),
        content_hash=article.content_hash,
        ingested_at=article.ingested_at,
    )


def load_article_publics(session: Session, ids: list[int]) -> dict[int, ArticlePublic]:
    """One query for a page of articles, whatever its size."""
    if not ids:
        return {}
    rows = session.exec(
        select(Article, Source)
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
        .where(col(Article.id).in_(ids))
    ).all()
    return {
        article.id: article_public(article, source)
        for article, source in rows
        if article.id is not None
    }


def list_articles(
    session: Session,
    *,
    limit: int,
    cursor: str | None = None,
    language: str | None = None,
    source: str | None = None,
    published_from: dt.datetime | None = None,
    published_to: dt.datetime | None = None,
    actor_id: int | None = None,
    q: str | None = None,
) -> Page[ArticlePublic]:
    stmt = select(Article, Source).outerjoin(Source, col(Source.id) == col(Article.source_id))
    if language:
        stmt = stmt.where(col(Article.language) == language)
    if source:
        stmt = stmt.where((col(Source.name) == source) | (col(Source.domain) == source))
    if published_from:
        stmt = stmt.where(col(Article.published_at) >= published_from)
    if published_to:
        stmt = stmt.where(col(Article.published_at) <= published_to)
    if actor_id is not None:
        stmt = stmt.where(
            exists().where(
                (col(Mention.article_id) == col(Article.id)) & (col(Mention.actor_id) == actor_id)
            )
        )
    if q is not None:
        backend = get_backend(session)
        stmt = stmt.where(backend.article_filter(parse_query(q)))
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(col(Article.id) < after)
    rows = session.exec(stmt.order_by(col(Article.id).desc()).limit(limit + 1)).all()
    items = [article_public(a, s) for a, s in rows[:limit]]
    return Page[ArticlePublic](
        items=items, limit=limit, next_cursor=last_id_cursor([a for a, _ in rows], limit)
    )


def get_article(session: Session, *, article_id: int) -> ArticleDetail:
    row = session.exec(
        select(Article, Source)
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
        .where(col(Article.id) == article_id)
    ).first()
    if row is None:
        raise NotFound(f"article {article_id} does not exist")
    article, source = row
    mentions = session.exec(
        select(Mention, Actor.name, Place.name)
        .outerjoin(Actor, col(Actor.id) == col(Mention.actor_id))
        .outerjoin(Place, col(Place.id) == col(Mention.place_id))
        .where(col(Mention.article_id) == article_id)
        .order_by(col(Mention.char_start), col(Mention.id))
    ).all()
    base = article_public(article, source)
    return ArticleDetail(
        **base.model_dump(),
        body=article.body,
        mentions=[
            MentionPublic(
                id=m.id or 0,
                kind="actor" if m.actor_id is not None else "place",
                actor_id=m.actor_id,
                place_id=m.place_id,
                name=actor_name or place_name or "",
                sentence_index=m.sentence_index,
                start=m.char_start,
                end=m.char_end,
                text=m.surface,
            )
            for m, actor_name, place_name in mentions
        ],
        events=list_events_for_article(session, article_id=article_id),
    )


# --- writes ---------------------------------------------------------------------------------


def create_article(session: Session, *, item: ArticleInput) -> tuple[ArticleDetail, bool]:
    """Store an article, or find the one already stored with the same text or url.
    Returns the article and whether it was created."""
    result = ingest_article(session, item=item)
    return get_article(session, article_id=result.article_id), result.created


def _evidence_event_ids(conn: Connection, article_id: int) -> set[int]:
    evidence = table(EventEvidence)
    return {
        int(r[0])
        for r in conn.execute(
            select(evidence.c.event_id).where(evidence.c.article_id == article_id).distinct()
        ).all()
    }


def _delete_events_without_evidence(conn: Connection, candidates: set[int]) -> set[int]:
    if not candidates:
        return set()
    event, evidence = table(Event), table(EventEvidence)
    orphans = {
        int(r[0])
        for r in conn.execute(
            select(event.c.id).where(
                event.c.id.in_(candidates),
                ~exists().where(evidence.c.event_id == event.c.id),
            )
        ).all()
    }
    if orphans:
        # Participants and quantities go by ON DELETE CASCADE; said explicitly so that a
        # connection without foreign_keys=ON cannot leave them behind.
        for child in (EventParticipant, EventQuantity):
            conn.execute(delete(table(child)).where(table(child).c.event_id.in_(orphans)))
        conn.execute(delete(event).where(event.c.id.in_(orphans)))
    return orphans


def _clear_article_extraction(conn: Connection, article_id: int) -> set[int]:
    """Remove an article's mentions and evidence; returns the events it gave evidence for."""
    event_ids = _evidence_event_ids(conn, article_id)
    for child in (Mention, EventEvidence):
        conn.execute(delete(table(child)).where(table(child).c.article_id == article_id))
    return event_ids


def delete_article(session: Session, *, article_id: int) -> None:
    """The article, its mentions and evidence, and the events no other article supports. The
    search index follows by trigger (SQLite) or generated column (PostgreSQL)."""
    with write_transaction(session) as conn:
        article = table(Article)
        if conn.execute(select(article.c.id).where(article.c.id == article_id)).first() is None:
            raise NotFound(f"article {article_id} does not exist")
        event_ids = _clear_article_extraction(conn, article_id)
        conn.execute(delete(article).where(article.c.id == article_id))
        orphans = _delete_events_without_evidence(conn, event_ids)
        record_changes(
            conn,
            [
                (ARTICLE, article_id, DELETED),
                *event_changes(created=(), updated=event_ids - orphans, deleted=orphans),
            ],
            utcnow(),
        )


def reextract_article(session: Session, *, article_id: int) -> ArticleDetail:
    """Run the pipeline again over the stored text (after the gazetteer or rules changed) and
    replace the article's mentions and events with what it finds now."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    raw_text, language, title = article.raw_text, article.language, article.title
    published_at, stored_hash = article.published_at, article.content_hash
    session.commit()  # no read transaction stays open through the extraction
    extraction = run_extraction(raw_text, published_at=published_at, language=language, title=title)
    with write_transaction(session) as conn:
        table_ = table(Article)
        row = conn.execute(select(table_.c.content_hash).where(table_.c.id == article_id)).first()
        if row is None or row[0] != stored_hash:
            raise NotFound(f"article {article_id} does not exist")
        now = utcnow()
        language = language or extraction.language
        old_events = _clear_article_extraction(conn, article_id)
        conn.execute(
            update(table_)
            .where(table_.c.id == article_id)
            .values(
                body=extraction.body,
                lemmas=lemma_text(f"{title or ''}\n{extraction.body}", language),
                language=language,
                updated_at=now,
            )
        )
        events = store_extraction(conn, article_id, extraction, language, now)
        orphans = _delete_events_without_evidence(conn, old_events - set(events.ids))
        record_changes(
            conn,
            [
                (ARTICLE, article_id, UPDATED),
                *event_changes(
                    created=events.created,
                    updated=(old_events | set(events.ids)) - events.created - orphans,
                    deleted=orphans,
                ),
            ],
            now,
        )
    return get_article(session, article_id=article_id)
