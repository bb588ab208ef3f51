"""Reading events. A page is hydrated with a fixed number of queries (participants, quantities,
places, evidence counts), never one query per event."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session

from app.models import (
    Actor,
    Article,
    Event,
    EventEvidence,
    EventParticipant,
    EventQuantity,
    Place,
)
from app.schemas.common import Page, Ref
from app.schemas.events import EventDetail, EventPublic, EvidencePublic, ParticipantPublic
from app.services.errors import NotFound
from app.services.pagination import cursor_id, last_id_cursor

# Columns that an EventPublic needs; Core rows are several times cheaper than ORM objects here.
_E = Event.__table__.c  # type: ignore[attr-defined]
EVENT_COLUMNS = (
    _E.id,
    _E.type,
    _E.mode,
    _E.date,
    _E.date_precision,
    _E.place_id,
    _E.modality,
    _E.summary,
    _E.confidence,
)


# Hydration statements are built once: building `IN (...)` clauses anew for every page cost more
# than running them. The id lists are expanding parameters, rendered per call.
_PART, _ACTOR = EventParticipant.__table__.c, Actor.__table__.c  # type: ignore[attr-defined]
_QTY, _PLACE = EventQuantity.__table__.c, Place.__table__.c  # type: ignore[attr-defined]
_EV = EventEvidence.__table__.c  # type: ignore[attr-defined]
_A = Article.__table__.c  # type: ignore[attr-defined]
EVENTS_BY_ID = sa_select(*EVENT_COLUMNS).where(_E.id.in_(bindparam("ids", expanding=True)))
PARTICIPANTS = (
    sa_select(_PART.event_id, _PART.actor_id, _PART.role, _ACTOR.name)
    .join_from(EventParticipant.__table__, Actor.__table__, _ACTOR.id == _PART.actor_id)  # type: ignore[attr-defined]
    .where(_PART.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(_PART.role.desc(), _PART.id)
)
# In id order within an event, as SQLite's event_id index returned them before; said explicitly
# so that PostgreSQL lists an event's quantities in the same order.
QUANTITIES = (
    sa_select(_QTY.event_id, _QTY.name, _QTY.value)
    .where(_QTY.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(_QTY.id)
)
PLACE_NAMES = sa_select(_PLACE.id, _PLACE.name).where(
    _PLACE.id.in_(bindparam("ids", expanding=True))
)
EVIDENCE_COUNTS = (
    sa_select(_EV.event_id, func.count())
    .where(_EV.event_id.in_(bindparam("ids", expanding=True)))
    .group_by(_EV.event_id)
)


def event_rows(session: Session, ids: Sequence[int]) -> list[Any]:
    """Event rows by id, in the order of ``ids``."""
    if not ids:
        return []
    rows = {r.id: r for r in session.connection().execute(EVENTS_BY_ID, {"ids": list(ids)})}
    return [rows[i] for i in ids if i in rows]


def hydrate_events(session: Session, events: Sequence[Any]) -> list[EventPublic]:
    """EventPublic for event rows (Core rows or ORM objects with the same attributes), with a
    fixed number of statements whatever the page size."""
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return []
    conn = session.connection()
    participants: dict[int, list[ParticipantPublic]] = defaultdict(list)
    for event_id, actor_id, role, name in conn.execute(PARTICIPANTS, {"ids": ids}):
        participants[event_id].append(ParticipantPublic(actor_id=actor_id, name=name, role=role))
    quantities: dict[int, dict[str, int]] = defaultdict(dict)
    for event_id, name, value in conn.execute(QUANTITIES, {"ids": ids}):
        quantities[event_id][name] = value
    place_ids = list({e.place_id for e in events if e.place_id is not None})
    places: dict[int, str] = (
        {pid: name for pid, name in conn.execute(PLACE_NAMES, {"ids": place_ids})}
        if place_ids
        else {}
    )
    counts: dict[int, int] = {
        event_id: n for event_id, n in conn.execute(EVIDENCE_COUNTS, {"ids": ids})
    }
    out = []
    for e in events:
        out.append(
            EventPublic(
                id=e.id,
                type=e.type,
                mode=e.mode,
                date=e.date,
                date_precision=e.date_precision,
                place=Ref(id=e.place_id, name=places[e.place_id]) if e.place_id in places else None,
                modality=e.modality,
                summary=e.summary,
                confidence=e.confidence,
                participants=participants.get(e.id, []),
                quantities=quantities.get(e.id, {}),
                evidence_count=counts.get(e.id, 0),
            )
        )
    return out


def list_events(
    session: Session,
    *,
    limit: int,
    cursor: str | None = None,
    type: str | None = None,
    mode: str | None = None,
    actor_id: int | None = None,
    role: str | None = None,
    place_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    language: str | None = None,
) -> Page[EventPublic]:
    # Table columns, not ORM attributes: the statement is built anew for every request.
    stmt = sa_select(*EVENT_COLUMNS)
    if type:
        stmt = stmt.where(_E.type == type.upper())
    if mode:
        stmt = stmt.where(_E.mode == mode)
    if actor_id is not None or role:
        cond = _PART.event_id == _E.id
        if actor_id is not None:
            cond = cond & (_PART.actor_id == actor_id)
        if role:
            cond = cond & (_PART.role == role)
        stmt = stmt.where(exists().where(cond))
    if place_id is not None:
        stmt = stmt.where(_E.place_id == place_id)
    if date_from:
        stmt = stmt.where(_E.date >= date_from)
    if date_to:
        stmt = stmt.where(_E.date <= date_to)
    if language:
        stmt = stmt.where(
            exists().where(
                (_EV.event_id == _E.id) & (_A.id == _EV.article_id) & (_A.language == language)
            )
        )
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(_E.id < after)
    rows = list(session.connection().execute(stmt.order_by(_E.id.desc()).limit(limit + 1)))
    return Page[EventPublic](
        items=hydrate_events(session, rows[:limit]),
        limit=limit,
        next_cursor=last_id_cursor(rows, limit),
    )


# Driven by the article's evidence (indexed by article_id); an EXISTS per event would read every
# event in the database for one article.
EVENTS_OF_ARTICLE = (
    sa_select(*EVENT_COLUMNS)
    .where(_E.id.in_(sa_select(_EV.event_id).where(_EV.article_id == bindparam("article_id"))))
    .order_by(_E.id)
)


def list_events_for_article(session: Session, *, article_id: int) -> list[EventPublic]:
    rows = list(session.connection().execute(EVENTS_OF_ARTICLE, {"article_id": article_id}))
    return hydrate_events(session, rows)


def get_event(session: Session, *, event_id: int) -> EventDetail:
    found = event_rows(session, [event_id])
    if not found:
        raise NotFound(f"event {event_id} does not exist")
    (base,) = hydrate_events(session, found)
    article, actor = Article.__table__, Actor.__table__  # type: ignore[attr-defined]
    evidence = session.connection().execute(
        sa_select(
            _EV.article_id,
            article.c.title,
            article.c.language,
            _EV.sentence_index,
            _EV.sentence_text,
            _EV.char_start,
            _EV.char_end,
            _EV.reported_by_actor_id,
            actor.c.name,
        )
        .select_from(
            EventEvidence.__table__.join(article, article.c.id == _EV.article_id).outerjoin(  # type: ignore[attr-defined]
                actor, actor.c.id == _EV.reported_by_actor_id
            )
        )
        .where(_EV.event_id == event_id)
        .order_by(_EV.id)
    )
    # dict(base) keeps the nested models as they are, so they are not validated a second time.
    return EventDetail(
        **dict(base),
        evidence=[
            EvidencePublic(
                article_id=article_id,
                article_title=title,
                article_language=language,
                sentence_index=sentence_index,
                text=text,
                start=start,
                end=end,
                reported_by=(
                    Ref(id=reporter_id, name=reporter)
                    if reporter_id is not None and reporter is not None
                    else None
                ),
            )
            for (
                article_id,
                title,
                language,
                sentence_index,
                text,
                start,
                end,
                reporter_id,
                reporter,
            ) in evidence
        ],
    )
