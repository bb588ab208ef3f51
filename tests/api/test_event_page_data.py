"""GET /events answers from plain data and a query validated in one call; both shortcuts must say
byte for byte what the models and FastAPI's own parameter handling say."""

from __future__ import annotations

import inspect
import json
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Session

from app.api.problems import install_problem_handlers
from app.api.query import get_with_one_query_model
from app.api.routes import events as events_route
from app.schemas.common import Page, Ref, RefData
from app.schemas.events import (
    EventData,
    EventPageData,
    EventPublic,
    ParticipantData,
    ParticipantPublic,
)
from app.services.events import event_page
from tests.conftest import make_client

pytestmark = pytest.mark.anyio

MODEL_PAGE = TypeAdapter(Page[EventPublic])
DATA_PAGE = TypeAdapter(EventPageData)


DATA_OF = {Ref: RefData, ParticipantPublic: ParticipantData, EventPublic: EventData}


def as_data(annotation: Any) -> Any:
    """The plain-data twin of a model annotation: list[Ref] | None -> list[RefData] | None."""
    if annotation in DATA_OF:
        return DATA_OF[annotation]
    args = get_args(annotation)
    if not args:
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return Union[tuple(as_data(a) for a in args)]  # noqa: UP007
    return origin[tuple(as_data(a) for a in args)]


@pytest.mark.parametrize(
    ("data", "model"),
    [
        (EventPageData, Page[EventPublic]),
        (EventData, EventPublic),
        (ParticipantData, ParticipantPublic),
        (RefData, Ref),
    ],
)
def test_plain_data_has_the_models_fields_and_types(data: Any, model: type[BaseModel]) -> None:
    hints = get_type_hints(data)
    assert list(hints) == list(model.model_fields)
    for name, field in model.model_fields.items():
        assert hints[name] == as_data(field.annotation), name


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"type": "ASSAULT"},
        {"type": "aid"},
        {"mode": "drone"},
        {"role": "target"},
        {"language": "en"},
        {"actor_id": 1},
        {"place_id": 1},
    ],
)
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_a_page_from_plain_data_is_the_models_page(
    session: Session, filters: dict[str, Any], limit: int
) -> None:
    conn = session.connection()
    cursor = None
    for _ in range(50):
        page = event_page(conn, limit=limit, cursor=cursor, **filters)
        as_models = MODEL_PAGE.dump_json(MODEL_PAGE.validate_python(page))
        assert DATA_PAGE.dump_json(page) == as_models
        cursor = page["next_cursor"]
        if cursor is None:
            break


QUERIES = [
    "",
    "limit=7&type=ASSAULT&mode=drone&actor_id=3&role=source&place_id=2&language=uk",
    "date_from=2024-01-01&date_to=2024-12-31&cursor=WzRd",
    "type=ASSAULT&type=AID&limit=3&limit=4",
    "unknown=1&limit=5",
    "mode=",
    "limit=0",
    "limit=101",
    "limit=x",
    "limit=",
    "type=assault",
    "type=",
    "mode=" + "x" * 41,
    "actor_id=0",
    "actor_id=2147483648",
    "actor_id=1.5",
    "place_id=",
    "role=both",
    "date_from=0.5",
    "date_from=2024-02-30",
    "date_to=2024-11-16T10:00:00Z",
    "language=EN",
    "cursor=" + "A" * 513,
    "limit=0&type=nope&actor_id=x&role=x&date_from=x&language=x&cursor=" + "A" * 513,
]


async def test_the_query_is_validated_as_fastapi_validates_each_parameter() -> None:
    async def echo(request: Request, **query: Any) -> Response:
        return Response(json.dumps(query, default=str), media_type="application/json")

    # The very signature of GET /events, declared both ways.
    signature = inspect.signature(events_route.list_events, eval_str=True)
    echo.__signature__ = signature  # type: ignore[attr-defined]
    echo.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
    answers = []
    for declare in ("fastapi", "one model"):
        app = FastAPI()
        install_problem_handlers(app)
        router = APIRouter()
        if declare == "fastapi":
            router.get("/events")(echo)
        else:
            get_with_one_query_model(router, "/events")(echo)
        app.include_router(router)
        async with make_client(app) as client:
            answers.append(
                [
                    (r.status_code, r.headers["content-type"], r.content)
                    for r in [await client.get(f"/events?{q}") for q in QUERIES]
                ]
            )
    fastapi, one_model = answers
    assert [a[0] for a in fastapi].count(422) >= len(QUERIES) - 6
    assert one_model == fastapi


async def test_events_are_answered_by_the_one_model_route(client: httpx.AsyncClient) -> None:
    names = [getattr(r, "name", None) for r in events_route.router.routes]
    assert names.index("list_events_one_query_model") < names.index("list_events")
    r = await client.get("/api/v1/events", params={"type": "ASSAULT", "limit": "2"})
    assert r.status_code == 200
    assert r.json()["limit"] == 2
