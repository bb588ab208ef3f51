"""Reading events. A page is hydrated with a fixed number of queries (participants, quantities,
places, evidence counts), never one query per event."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import exists, func
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


def hydrate_events(session: Session, events: Sequence[Event]) -> list[EventPublic]:
    ids = [e.id for e in events if e.id is not None]
    if not ids:
        return []
    participants: dict[int, list[ParticipantPublic]] = defaultdict(list)
    for p, name in session.exec(
        select(EventParticipant, Actor.name)
        .join(Actor, col(Actor.id) == col(EventParticipant.actor_id))
        .where(col(EventParticipant.event_id).in_(ids))
        .order_by(col(EventParticipant.role).desc(), col(EventParticipant.id))
    ).all():
        participants[p.event_id].append(
            ParticipantPublic(actor_id=p.actor_id, name=name, role=p.role)
        )
    quantities: dict[int, dict[str, int]] = defaultdict(dict)
    for q in session.exec(select(EventQuantity).where(col(EventQuantity.event_id).in_(ids))).all():
        quantities[q.event_id][q.name] = q.value
    place_ids = {e.place_id for e in events if e.place_id is not None}
    places = (
        dict(session.exec(select(Place.id, Place.name).where(col(Place.id).in_(place_ids))).all())
        if place_ids
        else {}
    )
    counts = dict(
        session.exec(
            select(EventEvidence.event_id, func.count())
            .where(col(EventEvidence.event_id).in_(ids))
            .group_by(col(EventEvidence.event_id))
        ).all()
    )
    out = []
    for e in events:
        assert e.id is not None
        place = Ref(id=e.place_id, name=places[e.place_id]) if e.place_id in places else None
        out.append(
            EventPublic(
                id=e.id,
                type=e.type,
                mode=e.mode,
                date=e.date,
                date_precision=e.date_precision,
                place=place,
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
    stmt = select(Event)
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
    rows = list(session.exec(stmt.order_by(col(Event.id).desc()).limit(limit + 1)).all())
    return Page[EventPublic](
        items=hydrate_events(session, rows[:limit]),
        limit=limit,
        next_cursor=last_id_cursor(rows, limit),
    )


def list_events_for_article(session: Session, *, article_id: int) -> list[EventPublic]:
    rows = session.exec(
        select(Event)
        .where(
            exists().where(
                (col(EventEvidence.event_id) == col(Event.id))
                & (col(EventEvidence.article_id) == article_id)
            )
        )
        .order_by(col(Event.id))
    ).all()
    return hydrate_events(session, list(rows))


def get_event(session: Session, *, event_id: int) -> EventDetail:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"event {event_id} does not exist")
    (base,) = hydrate_events(session, [event])
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
