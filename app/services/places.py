"""Reading places."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, distinct, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.extraction.gazetteer import normalise_alias
from app.models import Event, Mention, Place, PlaceAlias
from app.schemas.common import Page
from app.schemas.places import PlaceDetail, PlacePublic
from app.services.actors import detail_fields, escape_like
from app.services.errors import NotFound
from app.services.pagination import cursor_id, last_id_cursor


def place_public(place: Any) -> PlacePublic:
    """From a Place or a Core row of PLACE_COLUMNS."""
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


_PLACE = Place.__table__.c  # type: ignore[attr-defined]
_ALIAS = PlaceAlias.__table__.c  # type: ignore[attr-defined]
_MENTION = Mention.__table__.c  # type: ignore[attr-defined]
_EVENT = Event.__table__.c  # type: ignore[attr-defined]
PLACE_BY_ID = sa_select(
    _PLACE.id,
    _PLACE.name,
    _PLACE.kind,
    _PLACE.country,
    _PLACE.latitude,
    _PLACE.longitude,
    _PLACE.geonames_id,
).where(_PLACE.id == bindparam("place_id"))
PLACE_ALIASES = (
    sa_select(_ALIAS.alias, _ALIAS.language)
    .where(_ALIAS.place_id == bindparam("place_id"))
    .order_by(_ALIAS.language, _ALIAS.alias)
)
PLACE_COUNTS = sa_select(
    sa_select(func.count(distinct(_MENTION.article_id)))
    .where(_MENTION.place_id == bindparam("place_id"))
    .scalar_subquery()
    .label("article_count"),
    sa_select(func.count())
    .select_from(Event.__table__)  # type: ignore[attr-defined]
    .where(_EVENT.place_id == bindparam("place_id"))
    .scalar_subquery()
    .label("event_count"),
)


def get_place(session: Session, *, place_id: int) -> PlaceDetail:
    fields = detail_fields(
        session, PLACE_BY_ID, PLACE_COUNTS, PLACE_ALIASES, {"place_id": place_id}
    )
    if fields is None:
        raise NotFound(f"place {place_id} does not exist")
    return PlaceDetail.model_validate(fields)
