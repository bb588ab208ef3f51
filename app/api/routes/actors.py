from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.params import MAX_ID, NO_NUL, ActorKind, Country, Cursor, Limit, Role
from app.api.problems import problem_responses
from app.api.reads import adapter, cached_read_json
from app.schemas.actors import ActorDetail, ActorPublic
from app.schemas.common import Page
from app.schemas.events import EventPublic
from app.services import actors

router = APIRouter(prefix="/actors", tags=["actors"])
ACTOR_PAGE = adapter(Page[ActorPublic])
ACTOR_DETAIL = adapter(ActorDetail)
EVENT_PAGE = adapter(Page[EventPublic])


@router.get(
    "",
    summary="List actors",
    description="`name` is a prefix matched against every alias in every script and inflection "
    "seen (`Зелен`, `Zelen` and `Зеленс` all find Volodymyr Zelensky).",
    response_model=Page[ActorPublic],
    responses=problem_responses(422),
)
async def list_actors(
    request: Request,
    limit: Limit = 20,
    cursor: Cursor = None,
    kind: Annotated[ActorKind | None, Query()] = None,
    country: Country = None,
    name: Annotated[
        str | None, Query(pattern=NO_NUL, min_length=1, max_length=200, examples=["Зелен"])
    ] = None,
    q: Annotated[
        str | None,
        Query(
            pattern=NO_NUL,
            min_length=1,
            max_length=200,
            description="Fuzzy name: tolerant of spelling variants and typos in any script, "
            "best match first (`Selenskyj` finds Volodymyr Zelensky)",
            examples=["Selenskyj"],
        ),
    ] = None,
) -> Response:
    return await cached_read_json(
        request,
        ACTOR_PAGE,
        actors.list_actors,
        limit=limit,
        cursor=cursor,
        kind=kind,
        country=country,
        name=name,
        q=q,
    )


@router.get(
    "/{actor_id}",
    summary="One actor with aliases and counts",
    response_model=ActorDetail,
    responses=problem_responses(404, 422),
)
async def get_actor(request: Request, actor_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    return await cached_read_json(request, ACTOR_DETAIL, actors.get_actor, actor_id=actor_id)


@router.get(
    "/{actor_id}/events",
    summary="Events an actor takes part in",
    response_model=Page[EventPublic],
    responses=problem_responses(404, 422),
)
async def list_actor_events(
    request: Request,
    actor_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    limit: Limit = 20,
    cursor: Cursor = None,
    role: Role = None,
) -> Response:
    return await cached_read_json(
        request,
        EVENT_PAGE,
        actors.list_actor_events,
        actor_id=actor_id,
        limit=limit,
        cursor=cursor,
        role=role,
    )
