from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.params import MAX_ID, ActorKind, Country, Cursor, Limit, Role
from app.api.problems import problem_responses
from app.db import SessionDep
from app.schemas.actors import ActorDetail, ActorPublic
from app.schemas.common import Page
from app.schemas.events import EventPublic
from app.services import actors

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get(
    "",
    summary="List actors",
    description="`name` is a prefix matched against every alias in every script and inflection "
    "seen (`Зелен`, `Zelen` and `Зеленс` all find Volodymyr Zelensky).",
    response_model=Page[ActorPublic],
    responses=problem_responses(422),
)
def list_actors(
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    kind: Annotated[ActorKind | None, Query()] = None,
    country: Country = None,
    name: Annotated[str | None, Query(min_length=1, max_length=200, examples=["Зелен"])] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Fuzzy name: tolerant of spelling variants and typos in any script, "
            "best match first (`Selenskyj` finds Volodymyr Zelensky)",
            examples=["Selenskyj"],
        ),
    ] = None,
) -> Page[ActorPublic]:
    return actors.list_actors(
        session, limit=limit, cursor=cursor, kind=kind, country=country, name=name, q=q
    )


@router.get(
    "/{actor_id}",
    summary="One actor with aliases and counts",
    response_model=ActorDetail,
    responses=problem_responses(404, 422),
)
def get_actor(session: SessionDep, actor_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> ActorDetail:
    return actors.get_actor(session, actor_id=actor_id)


@router.get(
    "/{actor_id}/events",
    summary="Events an actor takes part in",
    response_model=Page[EventPublic],
    responses=problem_responses(404, 422),
)
def list_actor_events(
    session: SessionDep,
    actor_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    limit: Limit = 20,
    cursor: Cursor = None,
    role: Role = None,
) -> Page[EventPublic]:
    return actors.list_actor_events(
        session, actor_id=actor_id, limit=limit, cursor=cursor, role=role
    )
