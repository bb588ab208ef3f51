"""Reading events. A page is hydrated with a fixed number of queries (participants, quantities,
places, evidence counts), never one query per event."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

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


def event_rows(session: Session, ids: Sequence[int]) -> list[Any]:
    """Event rows by id, in the order of ``ids``."""
    if not ids:
        return []
    rows = {
        r.id: r
        for r in session.connection().execute(sa_select(*EVENT_COLUMNS).where(_E.id.in_(ids)))
    }
    return [rows[i] for i in ids if i in rows]


def hydrate_events(session: Session, events: Sequence[Any]) -> list[EventPublic]:
    """EventPublic for event rows (Core rows or ORM objects with the same attributes), with a
    fixed number of statements whatever the page size."""
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return []
    conn = session.connection()
    part, actor = EventParticipant.__table__.c, Actor.__table__.c  # type: ignore[attr-defined]
    participants: dict[int, list[ParticipantPublic]] = defaultdict(list)
    for event_id, actor_id, role, name in conn.execute(
        sa_select(part.event_id, part.actor_id, part.role, actor.name)
        .join_from(EventParticipant.__table__, Actor.__table__, actor.id == part.actor_id)  # type: ignore[attr-defined]
        .where(part.event_id.in_(ids))
        .order_by(part.role.desc(), part.id)
    ):
        participants[event_id].append(ParticipantPublic(actor_id=actor_id, name=name, role=role))
    qty = EventQuantity.__table__.c  # type: ignore[attr-defined]
    quantities: dict[int, dict[str, int]] = defaultdict(dict)
    for event_id, name, value in conn.execute(
        sa_select(qty.event_id, qty.name, qty.value).where(qty.event_id.in_(ids))
    ):
        quantities[event_id][name] = value
    place_ids = {e.place_id for e in events if e.place_id is not None}
    place = Place.__table__.c  # type: ignore[attr-defined]
    places: dict[int, str] = (
        {
            pid: name
            for pid, name in conn.execute(
                sa_select(place.id, place.name).where(place.id.in_(place_ids))
            )
        }
        if place_ids
        else {}
    )
    ev = EventEvidence.__table__.c  # type: ignore[attr-defined]
    counts: dict[int, int] = {
        event_id: n
        for event_id, n in conn.execute(
            sa_select(ev.event_id, func.count()).where(ev.event_id.in_(ids)).group_by(ev.event_id)
        )
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
    stmt = sa_select(*EVENT_COLUMNS)
    if type:
        stmt = stmt.where(col(Event.type) == type.upper())
    if mode:
        stmt = stmt.where(col(Event.mode) == mode)
    if actor_id is not None or role:
        cond = col(EventParticipant.event_id) == col(Event.id)
        if actor_id is not None:
            cond = cond & (col(EventParticipant.actor_id) == actor_id)
        if role:
            cond = cond & (col(EventParticipant.role) == role)
        stmt = stmt.where(exists().where(cond))
    if place_id is not None:
        stmt = stmt.where(col(Event.place_id) == place_id)
    if date_from:
        stmt = stmt.where(col(Event.date) >= date_from)
    if date_to:
        stmt = stmt.where(col(Event.date) <= date_to)
    if language:
        stmt = stmt.where(
            exists().where(
                (col(EventEvidence.event_id) == col(Event.id))
                & (col(Article.id) == col(EventEvidence.article_id))
                & (col(Article.language) == language)
            )
        )
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(col(Event.id) < after)
    rows = list(
        session.connection().execute(stmt.order_by(col(Event.id).desc()).limit(limit + 1)).all()
    )
    return Page[EventPublic](
        items=hydrate_events(session, rows[:limit]),
        limit=limit,
        next_cursor=last_id_cursor(rows, limit),
    )


def list_events_for_article(session: Session, *, article_id: int) -> list[EventPublic]:
    rows = session.connection().execute(
        sa_select(*EVENT_COLUMNS)
        .where(
            exists().where(
                (col(EventEvidence.event_id) == col(Event.id))
                & (col(EventEvidence.article_id) == article_id)
            )
        )
        .order_by(col(Event.id))
    )
    return hydrate_events(session, list(rows))


def get_event(session: Session, *, event_id: int) -> EventDetail:
    found = event_rows(session, [event_id])
    if not found:
        raise NotFound(f"event {event_id} does not exist")
    (base,) = hydrate_events(session, found)
    evidence = session.exec(
        select(EventEvidence, Article.title, Article.language, Actor.name)
        .join(Article, col(Article.id) == col(EventEvidence.article_id))
        .outerjoin(Actor, col(Actor.id) == col(EventEvidence.reported_by_actor_id))
        .where(col(EventEvidence.event_id) == event_id)
        .order_by(col(EventEvidence.id))
    ).all()
    return EventDetail(
        **base.model_dump(),
        evidence=[
            EvidencePublic(
                article_id=ev.article_id,
                article_title=title,
                article_language=language,
                sentence_index=ev.sentence_index,
                text=ev.sentence_text,
                start=ev.char_start,
                end=ev.char_end,
                reported_by=(
                    Ref(id=ev.reported_by_actor_id, name=rname)
                    if ev.reported_by_actor_id is not None and rname is not None
                    else None
                ),
            )
            for ev, title, language, rname in evidence
        ],
    )
