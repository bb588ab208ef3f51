"""Reading places."""

from __future__ import annotations

from sqlalchemy import distinct, exists, func
from sqlmodel import Session, col, select

from app.extraction.gazetteer import normalise_alias
from app.models import Event, Mention, Place, PlaceAlias
from app.schemas.actors import AliasPublic
from app.schemas.common import Page
from app.schemas.places import PlaceDetail, PlacePublic
from app.services.actors import escape_like
from app.services.errors import NotFound
from app.services.pagination import cursor_id, last_id_cursor


def place_public(place: Place) -> PlacePublic:
    assert place.id is not None
    return PlacePublic(
        id=place.id,
        name=place.name,
        kind=place.kind,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        geonames_id=place.geonames_id,
    )


def list_places(
    session: Session,
    *,
    limit: int,
    cursor: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    name: str | None = None,
) -> Page[PlacePublic]:
    stmt = select(Place)
    if kind:
        stmt = stmt.where(col(Place.kind) == kind)
    if country:
        stmt = stmt.where(col(Place.country) == country.upper())
    if name:
        prefix = escape_like(normalise_alias(name)) + "%"
        stmt = stmt.where(
            exists().where(
                (col(PlaceAlias.place_id) == col(Place.id))
                & col(PlaceAlias.normalised).like(prefix, escape="\\")
            )
        )
    after = cursor_id(cursor)
    if after is not None:
        stmt = stmt.where(col(Place.id) > after)
    rows = list(session.exec(stmt.order_by(col(Place.id)).limit(limit + 1)).all())
    return Page[PlacePublic](
        items=[place_public(p) for p in rows[:limit]],
        limit=limit,
        next_cursor=last_id_cursor(rows, limit),
    )


def get_place(session: Session, *, place_id: int) -> PlaceDetail:
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(f"place {place_id} does not exist")
    aliases = session.exec(
        select(PlaceAlias)
        .where(col(PlaceAlias.place_id) == place_id)
        .order_by(col(PlaceAlias.language), col(PlaceAlias.alias))
    ).all()
    article_count = session.exec(
        select(func.count(distinct(col(Mention.article_id)))).where(
            col(Mention.place_id) == place_id
        )
    ).one()
    event_count = session.exec(
        select(func.count()).select_from(Event).where(col(Event.place_id) == place_id)
    ).one()
    return PlaceDetail(
        **place_public(place).model_dump(),
        aliases=[AliasPublic(alias=a.alias, language=a.language) for a in aliases],
        article_count=article_count,
        event_count=event_count,
    )
