"""Articles: lists with filters, one article with its mentions and events; create, delete and
re-extract."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, func, update
from sqlalchemy import select as sa_select
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
from app.schemas.articles import ArticleDetail, ArticlePublic
from app.schemas.common import Page
from app.search import get_backend
from app.search.query import parse_query
from app.services.changes import ARTICLE, DELETED, UPDATED, event_changes, record_changes
from app.services.errors import NotFound
from app.services.events import event_dicts_for_article
from app.services.ingest import ArticleInput, ingest_article, run_extraction, store_extraction
from app.services.pagination import cursor_id, last_id_cursor
from app.services.store import table
from app.services.transactions import write_transaction

_A = Article.__table__.c  # type: ignore[attr-defined]
_S = Source.__table__.c  # type: ignore[attr-defined]
# What an ArticlePublic needs, without body and raw text: a list page never reads those.
ARTICLE_COLUMNS = (
    _A.id,
    _A.title,
    _A.language,
    _A.url,
    _A.published_at,
    _A.published_precision,
    _A.content_hash,
    _A.ingested_at,
    _S.id.label("source_id"),
    _S.name.label("source_name"),
    _S.domain.label("source_domain"),
    _S.country.label("source_country"),
    _S.language.label("source_language"),
)
ARTICLE_PAGE = Page[ArticlePublic]
ARTICLE_FROM = Article.__table__.outerjoin(  # type: ignore[attr-defined]
    Source.__table__,  # type: ignore[attr-defined]
    _S.id == _A.source_id,
)


def _article_fields(row: Any) -> dict[str, Any]:
    """An ArticlePublic's fields from a row of ARTICLE_COLUMNS, as a plain dict that pydantic
    validates in one call (cheaper than a model for the source and one for the article)."""
    fields = row._asdict()
    source_id = fields.pop("source_id")
    source = {
        "id": source_id,
        "name": fields.pop("source_name"),
        "domain": fields.pop("source_domain"),
        "country": fields.pop("source_country"),
        "language": fields.pop("source_language"),
    }
    fields["source"] = source if source_id is not None else None
    return fields


def article_public(row: Any) -> ArticlePublic:
    return ArticlePublic.model_validate(_article_fields(row))


def load_article_publics(session: Session, ids: list[int]) -> dict[int, ArticlePublic]:
    """One query for a page of articles, whatever its size."""
    if not ids:
        return {}
    rows = session.connection().execute(
        sa_select(*ARTICLE_COLUMNS).select_from(ARTICLE_FROM).where(_A.id.in_(ids))
    )
    return {row.id: article_public(row) for row in rows}


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
    stmt = sa_select(*ARTICLE_COLUMNS).select_from(ARTICLE_FROM)
    if language:
        stmt = stmt.where(_A.language == language)
    if source:
        stmt = stmt.where((_S.name == source) | (_S.domain == source))
    if published_from:
        stmt = stmt.where(_A.published_at >= published_from)
    if published_to:
        stmt = stmt.where(_A.published_at <= published_to)
    if actor_id is not None:
        stmt = stmt.where(
            exists().where((col(Mention.article_id) == _A.id) & (col(Mention.actor_id) == actor_id))
        )
    if q is not None:
        backend = get_backend(session)
        stmt = stmt.where(backend.article_filter(parse_query(q)))
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(_A.id < after)
    rows = session.connection().execute(stmt.order_by(_A.id.desc()).limit(limit + 1)).all()
    return ARTICLE_PAGE.model_validate(
        {
            "items": [_article_fields(r) for r in rows[:limit]],
            "limit": limit,
            "next_cursor": last_id_cursor(rows, limit),
        }
    )


_M = Mention.__table__.c  # type: ignore[attr-defined]
_MENTION_ACTOR, _MENTION_PLACE = Actor.__table__, Place.__table__  # type: ignore[attr-defined]
ARTICLE_DETAIL = (
    sa_select(*ARTICLE_COLUMNS, _A.body)
    .select_from(ARTICLE_FROM)
    .where(_A.id == bindparam("article_id"))
)
ARTICLE_MENTIONS = (
    sa_select(
        _M.id,
        _M.actor_id,
        _M.place_id,
        _M.sentence_index,
        _M.char_start,
        _M.char_end,
        _M.surface,
        func.coalesce(_MENTION_ACTOR.c.name, _MENTION_PLACE.c.name, "").label("name"),
    )
    .select_from(
        Mention.__table__.outerjoin(_MENTION_ACTOR, _MENTION_ACTOR.c.id == _M.actor_id).outerjoin(  # type: ignore[attr-defined]
            _MENTION_PLACE, _MENTION_PLACE.c.id == _M.place_id
        )
    )
    .where(_M.article_id == bindparam("article_id"))
    .order_by(_M.char_start, _M.id)
)


def get_article(session: Session, *, article_id: int) -> ArticleDetail:
    conn = session.connection()
    row = conn.execute(ARTICLE_DETAIL, {"article_id": article_id}).first()
    if row is None:
        raise NotFound(f"article {article_id} does not exist")
    fields = _article_fields(row)
    # Rows unpacked, not read by attribute (a Row's attribute costs ~0.7 µs), and the whole
    # article validated in one pydantic call.
    fields["mentions"] = [
        {
            "id": id_,
            "kind": "actor" if actor_id is not None else "place",
            "actor_id": actor_id,
            "place_id": place_id,
            "name": name,
            "sentence_index": sentence_index,
            "start": start,
            "end": end,
            "text": surface,
        }
        for id_, actor_id, place_id, sentence_index, start, end, surface, name in conn.execute(
            ARTICLE_MENTIONS, {"article_id": article_id}
        ).all()
    ]
    fields["events"] = event_dicts_for_article(session, article_id=article_id)
    return ArticleDetail.model_validate(fields)


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
