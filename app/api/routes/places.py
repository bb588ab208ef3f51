from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.params import MAX_ID, NO_NUL, Country, Cursor, Limit
from app.api.problems import problem_responses
from app.api.reads import adapter, cached_read_json
from app.schemas.common import Page
from app.schemas.places import PlaceDetail, PlacePublic
from app.services import places

router = APIRouter(prefix="/places", tags=["places"])
PLACE_PAGE = adapter(Page[PlacePublic])
PLACE_DETAIL = adapter(PlaceDetail)


@router.get(
    "",
    summary="List places",
    response_model=Page[PlacePublic],
    responses=problem_responses(422),
)
async def list_places(
    request: Request,
    limit: Limit = 20,
    cursor: Cursor = None,
    kind: Annotated[str | None, Query(pattern=NO_NUL, max_length=20, examples=["city"])] = None,
    country: Country = None,
    name: Annotated[
        str | None, Query(pattern=NO_NUL, min_length=1, max_length=200, examples=["Харк"])
    ] = None,
) -> Response:
    return await cached_read_json(
        request,
        PLACE_PAGE,
        places.list_places,
        limit=limit,
        cursor=cursor,
        kind=kind,
        country=country,
        name=name,
    )


@router.get(
    "/{place_id}",
    summary="One place with aliases and counts",
    response_model=PlaceDetail,
    responses=problem_responses(404, 422),
)
async def get_place(request: Request, place_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    return await cached_read_json(request, PLACE_DETAIL, places.get_place, place_id=place_id)
