"""Reading events. A page is hydrated with a fixed number of queries (participants, quantities,
place names with evidence counts), never one query per event."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Connection, Dialect, Integer, bindparam, exists, func
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
from app.schemas.common import Page
from app.schemas.events import (
    EventData,
    EventDetail,
    EventPageData,
    EventPublic,
    ParticipantData,
)
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
# Pages are validated from plain dicts in one call each (see _event_dicts).
EVENT_LIST = TypeAdapter(list[EventPublic])
EVENT_PAGE = Page[EventPublic]


# Hydration statements are built once: building `IN (...)` clauses anew for every page cost more
# than running them. The id lists are expanding parameters, rendered once per length
# (rows_for_ids).
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
# An event's place name and evidence count in one statement; the count is a correlated
# subquery over the event_id index, which is what a GROUP BY over the same ids read too.
EVENT_EXTRAS = (
    sa_select(
        _E.id,
        _PLACE.name,
        sa_select(func.count()).where(_EV.event_id == _E.id).scalar_subquery(),
    )
    .select_from(Event.__table__.outerjoin(Place.__table__, _PLACE.id == _E.place_id))  # type: ignore[attr-defined]
    .where(_E.id.in_(bindparam("ids", expanding=True)))
)


def event_rows(session: Session, ids: Sequence[int]) -> list[Any]:
    """Event rows by id, in the order of ``ids``."""
    if not ids:
        return []
    rows = {r.id: r for r in session.connection().execute(EVENTS_BY_ID, {"ids": list(ids)})}
    return [rows[i] for i in ids if i in rows]


@lru_cache(maxsize=1024)
def _sql_for_ids(stmt: Any, dialect: Dialect, n: int) -> tuple[str, tuple[str, ...]]:
    compiled = stmt.params(ids=[0] * n).compile(
        dialect=dialect, compile_kwargs={"render_postcompile": True}
    )
    # Positional drivers (SQLite) take the ids in order; named ones (psycopg) ids_1, ids_2, ...
    names = () if compiled.positional else tuple(f"ids_{k}" for k in range(1, n + 1))
    return compiled.string, names


def rows_for_ids(conn: Connection, stmt: Any, ids: Sequence[int]) -> Sequence[Any]:
    """Rows of a statement whose one parameter is the expanding list `ids`, as the very SQL
    SQLAlchemy renders for it, rendered once per dialect and list length: rendering the list on
    every call cost SQLAlchemy about twice what SQLite takes to run these queries. Values come
    as the driver returns them, untyped, so only for columns that need no conversion (integers
    and text)."""
    sql, names = _sql_for_ids(stmt, conn.dialect, len(ids))
    params = dict(zip(names, ids, strict=True)) if names else tuple(ids)
    return conn.exec_driver_sql(sql, params).all()


def _event_dicts(conn: Connection, events: Sequence[Any]) -> list[EventData]:
    """The fields of an EventPublic for each row of EVENT_COLUMNS, as plain dicts: the caller
    validates them in one pydantic call, or serialises them as they are (EventPageData), either
    of which costs less than building 5 small models an event in Python. Rows are unpacked, not
    read by attribute: a Row's attribute costs ~0.7 µs."""
    if not events:
        return []
    ids = [e[0] for e in events]
    participants: dict[int, list[ParticipantData]] = defaultdict(list)
    for event_id, actor_id, role, name in rows_for_ids(conn, PARTICIPANTS, ids):
        participants[event_id].append({"actor_id": actor_id, "name": name, "role": role})
    quantities: dict[int, dict[str, int]] = defaultdict(dict)
    for event_id, name, value in rows_for_ids(conn, QUANTITIES, ids):
        quantities[event_id][name] = value
    places: dict[int, str] = {}
    counts: dict[int, int] = {}
    for event_id, place_name, count in rows_for_ids(conn, EVENT_EXTRAS, ids):
        if place_name is not None:
            places[event_id] = place_name
        counts[event_id] = count
    return [
        {
            "id": id_,
            "type": type_,
            "mode": mode,
            "date": date,
            "date_precision": date_precision,
            "place": {"id": place_id, "name": places[id_]} if id_ in places else None,
            "modality": modality,
            "summary": summary,
            "confidence": confidence,
            "participants": participants.get(id_, []),
            "quantities": quantities.get(id_, {}),
            "evidence_count": counts.get(id_, 0),
        }
        for (
            id_,
            type_,
            mode,
            date,
            date_precision,
            place_id,
            modality,
            summary,
            confidence,
        ) in events
    ]


def hydrate_events(session: Session, events: Sequence[Any]) -> list[EventPublic]:
    """EventPublic for rows of EVENT_COLUMNS, with a fixed number of statements whatever the page
    size."""
    return EVENT_LIST.validate_python(_event_dicts(session.connection(), events))


@lru_cache(maxsize=512)
def _list_statement(filters: frozenset[str]) -> Any:
    """The page statement for one combination of filters, with the values as bind parameters:
    built and compiled once, where building it for every request cost more than running it."""
    stmt = sa_select(*EVENT_COLUMNS)
    if "type" in filters:
        stmt = stmt.where(_E.type == bindparam("type"))
    if "mode" in filters:
        stmt = stmt.where(_E.mode == bindparam("mode"))
    if "actor_id" in filters or "role" in filters:
        cond = _PART.event_id == _E.id
        if "actor_id" in filters:
            cond = cond & (_PART.actor_id == bindparam("actor_id"))
        if "role" in filters:
            cond = cond & (_PART.role == bindparam("role"))
        stmt = stmt.where(exists().where(cond))
    if "place_id" in filters:
        stmt = stmt.where(_E.place_id == bindparam("place_id"))
    if "date_from" in filters:
        stmt = stmt.where(_E.date >= bindparam("date_from"))
    if "date_to" in filters:
        stmt = stmt.where(_E.date <= bindparam("date_to"))
    if "language" in filters:
        stmt = stmt.where(
            exists().where(
                (_EV.event_id == _E.id)
                & (_A.id == _EV.article_id)
                & (_A.language == bindparam("language"))
            )
        )
    if "after" in filters:
        stmt = stmt.where(_E.id < bindparam("after"))
    return stmt.order_by(_E.id.desc()).limit(bindparam("row_limit", type_=Integer))


def event_page(
    conn: Connection,
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
) -> EventPageData:
    """A page of events as plain data, read on `conn` alone (no ORM session)."""
    # Falsy strings and dates filter nothing, as before; ids filter whenever given.
    params: dict[str, Any] = {
        name: value
        for name, value in (
            ("type", type.upper() if type else None),
            ("mode", mode),
            ("role", role),
            ("date_from", date_from),
            ("date_to", date_to),
            ("language", language),
        )
        if value
    }
    if actor_id is not None:
        params["actor_id"] = actor_id
    if place_id is not None:
        params["place_id"] = place_id
    after = cursor_id(cursor)
    if after is not None:
        params["after"] = after
    stmt = _list_statement(frozenset(params))
    rows = conn.execute(stmt, {**params, "row_limit": limit + 1}).all()
    return {
        "items": _event_dicts(conn, rows[:limit]),
        "limit": limit,
        "next_cursor": last_id_cursor(rows, limit),
    }


def list_events(session: Session, **filters: Any) -> Page[EventPublic]:
    """event_page (the same keyword arguments) as models, for callers that compose it further
    (an actor's events)."""
    return EVENT_PAGE.model_validate(event_page(session.connection(), **filters))


# Driven by the article's evidence (indexed by article_id); an EXISTS per event would read every
# event in the database for one article.
EVENTS_OF_ARTICLE = (
    sa_select(*EVENT_COLUMNS)
    .where(_E.id.in_(sa_select(_EV.event_id).where(_EV.article_id == bindparam("article_id"))))
    .order_by(_E.id)
)


def event_dicts_for_article(session: Session, *, article_id: int) -> list[EventData]:
    """An article's events as EventPublic fields, for the article's own single validation."""
    rows = session.connection().execute(EVENTS_OF_ARTICLE, {"article_id": article_id}).all()
    return _event_dicts(session.connection(), rows)


EVIDENCE_OF_EVENT = (
    sa_select(
        _EV.article_id,
        _A.title.label("article_title"),
        _A.language.label("article_language"),
        _EV.sentence_index,
        _EV.sentence_text.label("text"),
        _EV.char_start.label("start"),
        _EV.char_end.label("end"),
        _EV.reported_by_actor_id,
        _ACTOR.name.label("reporter"),
    )
    .select_from(
        EventEvidence.__table__.join(Article.__table__, _A.id == _EV.article_id).outerjoin(  # type: ignore[attr-defined]
            Actor.__table__,  # type: ignore[attr-defined]
            _ACTOR.id == _EV.reported_by_actor_id,
        )
    )
    .where(_EV.event_id == bindparam("event_id"))
    .order_by(_EV.id)
)


def get_event(session: Session, *, event_id: int) -> EventDetail:
    found = event_rows(session, [event_id])
    if not found:
        raise NotFound(f"event {event_id} does not exist")
    (base,) = _event_dicts(session.connection(), found)
    evidence = []
    for row in session.connection().execute(EVIDENCE_OF_EVENT, {"event_id": event_id}).all():
        fields = row._asdict()
        reporter_id, reporter = fields.pop("reported_by_actor_id"), fields.pop("reporter")
        fields["reported_by"] = (
            {"id": reporter_id, "name": reporter}
            if reporter_id is not None and reporter is not None
            else None
        )
        evidence.append(fields)
    return EventDetail.model_validate({**base, "evidence": evidence})
