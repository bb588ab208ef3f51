"""Reading actors: filtered lists (a name prefix matches any alias in any script) and details."""

from __future__ import annotations

from sqlalchemy import distinct, exists, func
from sqlmodel import Session, col, select

from app.extraction.gazetteer import normalise_alias
from app.models import Actor, ActorAlias, EventParticipant, Mention
from app.schemas.actors import ActorDetail, ActorPublic, AliasPublic
from app.schemas.common import Page
from app.schemas.events import EventPublic
from app.search.fuzzy import fuzzy_actor_page
from app.services.errors import NotFound
from app.services.events import list_events
from app.services.pagination import cursor_id, last_id_cursor


def actor_public(actor: Actor) -> ActorPublic:
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


def get_actor(session: Session, *, actor_id: int) -> ActorDetail:
    actor = session.get(Actor, actor_id)
    if actor is None:
        raise NotFound(f"actor {actor_id} does not exist")
    aliases = session.exec(
        select(ActorAlias)
        .where(col(ActorAlias.actor_id) == actor_id)
        .order_by(col(ActorAlias.language), col(ActorAlias.alias))
    ).all()
    mention_count, article_count = session.exec(
        select(func.count(), func.count(distinct(col(Mention.article_id)))).where(
            col(Mention.actor_id) == actor_id
        )
    ).one()
    event_count = session.exec(
        select(func.count(distinct(col(EventParticipant.event_id)))).where(
            col(EventParticipant.actor_id) == actor_id
        )
    ).one()
    return ActorDetail(
        **actor_public(actor).model_dump(),
        aliases=[AliasPublic(alias=a.alias, language=a.language) for a in aliases],
        article_count=article_count,
        mention_count=mention_count,
        event_count=event_count,
    )


def list_actor_events(
    session: Session,
    *,
    actor_id: int,
    limit: int,
    cursor: str | None = None,
    role: str | None = None,
) -> Page[EventPublic]:
    if session.get(Actor, actor_id) is None:
        raise NotFound(f"actor {actor_id} does not exist")
    return list_events(session, limit=limit, cursor=cursor, actor_id=actor_id, role=role)
