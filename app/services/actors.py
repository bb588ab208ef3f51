"""Reading actors: filtered lists (a name prefix matches any alias in any script) and details."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, distinct, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.extraction.gazetteer import normalise_alias
from app.models import Actor, ActorAlias, EventParticipant, Mention
from app.schemas.actors import ActorDetail, ActorPublic
from app.schemas.common import Page
from app.schemas.events import EventPublic
from app.search.fuzzy import fuzzy_actor_page
from app.services.errors import NotFound
from app.services.events import list_events
from app.services.pagination import cursor_id, last_id_cursor


def actor_public(actor: Any) -> ActorPublic:
    """From an Actor or a Core row of ACTOR_COLUMNS."""
    assert actor.id is not None
    return ActorPublic(
        id=actor.id,
        name=actor.name,
        kind=actor.kind,
        country=actor.country,
        sector=actor.sector,
        wikidata_id=actor.wikidata_id,
        description=actor.description,
        resolved=actor.resolved,
    )


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_actors(
    session: Session,
    *,
    limit: int,
    cursor: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    name: str | None = None,
    q: str | None = None,
) -> Page[ActorPublic]:
    stmt = select(Actor)
    if kind:
        stmt = stmt.where(col(Actor.kind) == kind)
    if country:
        stmt = stmt.where(col(Actor.country) == country.upper())
    if name:
        prefix = escape_like(normalise_alias(name)) + "%"
        stmt = stmt.where(
            exists().where(
                (col(ActorAlias.actor_id) == col(Actor.id))
                & col(ActorAlias.normalised).like(prefix, escape="\\")
            )
        )
    if q is not None:
        # Fuzzy: ranked by closeness of the best alias, so it pages by (score, id).
        return fuzzy_actor_page(
            session, stmt, q=q, limit=limit, cursor=cursor, to_public=actor_public
        )
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(col(Actor.id) > after)
    rows = list(session.exec(stmt.order_by(col(Actor.id)).limit(limit + 1)).all())
    return Page[ActorPublic](
        items=[actor_public(a) for a in rows[:limit]],
        limit=limit,
        next_cursor=last_id_cursor(rows, limit),
    )


_ACTOR = Actor.__table__.c  # type: ignore[attr-defined]
_ALIAS = ActorAlias.__table__.c  # type: ignore[attr-defined]
_MENTION = Mention.__table__.c  # type: ignore[attr-defined]
_PART = EventParticipant.__table__.c  # type: ignore[attr-defined]
ACTOR_COLUMNS = (
    _ACTOR.id,
    _ACTOR.name,
    _ACTOR.kind,
    _ACTOR.country,
    _ACTOR.sector,
    _ACTOR.wikidata_id,
    _ACTOR.description,
    _ACTOR.resolved,
)
ACTOR_BY_ID = sa_select(*ACTOR_COLUMNS).where(_ACTOR.id == bindparam("actor_id"))
ACTOR_EXISTS = sa_select(_ACTOR.id).where(_ACTOR.id == bindparam("actor_id"))
ACTOR_ALIASES = (
    sa_select(_ALIAS.alias, _ALIAS.language)
    .where(_ALIAS.actor_id == bindparam("actor_id"))
    .order_by(_ALIAS.language, _ALIAS.alias)
)
# The three counts in one statement, each answered from the actor_id indexes.
ACTOR_COUNTS = sa_select(
    sa_select(func.count())
    .where(_MENTION.actor_id == bindparam("actor_id"))
    .scalar_subquery()
    .label("mention_count"),
    sa_select(func.count(distinct(_MENTION.article_id)))
    .where(_MENTION.actor_id == bindparam("actor_id"))
    .scalar_subquery()
    .label("article_count"),
    sa_select(func.count(distinct(_PART.event_id)))
    .where(_PART.actor_id == bindparam("actor_id"))
    .scalar_subquery()
    .label("event_count"),
)


def get_actor(session: Session, *, actor_id: int) -> ActorDetail:
    fields = detail_fields(
        session, ACTOR_BY_ID, ACTOR_COUNTS, ACTOR_ALIASES, {"actor_id": actor_id}
    )
    if fields is None:
        raise NotFound(f"actor {actor_id} does not exist")
    return ActorDetail.model_validate(fields)


def detail_fields(
    session: Session, by_id: Any, counts: Any, aliases: Any, params: dict[str, int]
) -> dict[str, Any] | None:
    """An actor's or a place's detail as plain data (None if it does not exist): its row, its
    counts and its aliases, validated by the caller in one pydantic call (a model per alias
    cost more than the query)."""
    conn = session.connection()
    row = conn.execute(by_id, params).first()
    if row is None:
        return None
    fields = row._asdict()
    fields.update(conn.execute(counts, params).one()._asdict())
    fields["aliases"] = [
        {"alias": alias, "language": language}
        for alias, language in conn.execute(aliases, params).all()
    ]
    return fields


def list_actor_events(
    session: Session,
    *,
    actor_id: int,
    limit: int,
    cursor: str | None = None,
    role: str | None = None,
) -> Page[EventPublic]:
    if session.connection().execute(ACTOR_EXISTS, {"actor_id": actor_id}).first() is None:
        raise NotFound(f"actor {actor_id} does not exist")
    return list_events(session, limit=limit, cursor=cursor, actor_id=actor_id, role=role)
