from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.params import MAX_ID, Country, Cursor, Limit
from app.api.problems import problem_responses
from app.db import SessionDep
from app.schemas.common import Page
from app.schemas.places import PlaceDetail, PlacePublic
from app.services import places

router = APIRouter(prefix="/places", tags=["places"])


@router.get(
    "",
    summary="List places",
    response_model=Page[PlacePublic],
    responses=problem_responses(422),
)
def list_places(
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    kind: Annotated[str | None, Query(max_length=20, examples=["city"])] = None,
    country: Country = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200, examples=["Харк"])] = None,
) -> Page[PlacePublic]:
    return places.list_places(
        session, limit=limit, cursor=cursor, kind=kind, country=country, name=name
    )


@router.get(
    "/{place_id}",
    summary="One place with aliases and counts",
    response_model=PlaceDetail,
    responses=problem_responses(404, 422),
)
def get_place(session: SessionDep, place_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> PlaceDetail:
    return places.get_place(session, place_id=place_id)
