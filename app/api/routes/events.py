from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.params import MAX_ID, NO_NUL, Cursor, EventType, IsoDate, Language, Limit, Role
from app.api.problems import problem_responses
from app.api.query import get_with_one_query_model
from app.api.reads import adapter, cached_core_read_json, cached_read_json
from app.schemas.common import Page
from app.schemas.events import EventDetail, EventPageData, EventPublic
from app.services import events

router = APIRouter(prefix="/events", tags=["events"])
# The page is serialised from plain data (EventPageData); response_model documents the same shape.
EVENT_PAGE = adapter(EventPageData)
EVENT_DETAIL = adapter(EventDetail)


@get_with_one_query_model(
    router,
    "",
    summary="List PLOVER events, newest first",
    response_model=Page[EventPublic],
    responses=problem_responses(422),
)
async def list_events(
    request: Request,
    limit: Limit = 20,
    cursor: Cursor = None,
    type: Annotated[EventType | None, Query(description="PLOVER event type")] = None,
    mode: Annotated[str | None, Query(pattern=NO_NUL, max_length=40, examples=["drone"])] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    role: Role = None,
    place_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    language: Language = None,
) -> Response:
    return await cached_core_read_json(
        request,
        EVENT_PAGE,
        events.event_page,
        limit=limit,
        cursor=cursor,
        type=type,
        mode=mode,
        actor_id=actor_id,
        role=role,
        place_id=place_id,
        date_from=date_from,
        date_to=date_to,
        language=language,
    )


@router.get(
    "/{event_id}",
    summary="One event with participants, quantities and every evidence sentence",
    response_model=EventDetail,
    responses=problem_responses(404, 422),
)
async def get_event(request: Request, event_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    return await cached_read_json(request, EVENT_DETAIL, events.get_event, event_id=event_id)
