"""Read endpoints answer in one thread-pool hop.

A plain `def` route with a `yield` session dependency costs FastAPI four hops into the thread pool
(dependency enter, endpoint, response_model validation, dependency exit), and every hop is a GIL
handover that 32 concurrent clients turn into a convoy. Here the service runs in its own session
(or, for a Core service, on one connection) and its result is serialised to JSON bytes in the same
worker thread; the route returns those bytes as a Response, which FastAPI sends as they are. The
route keeps `response_model=` in its decorator, so the OpenAPI document does not change, and the
bytes come from a pydantic serialiser of the service's own typed result (TypeAdapter.dump_json):
the response model itself, or its plain-data twin (app/schemas/events.py: EventPageData).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from fastapi import Request, Response
from pydantic import TypeAdapter
from sqlalchemy import Connection
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.cache import CACHE_CHECKED, Key, ReadCache, change_feed_position
from app.db import engine_from_request

P = ParamSpec("P")
T = TypeVar("T")


class JSONBytes(Response):
    """A body that is JSON already."""

    media_type = "application/json"


def adapter(shape: Any) -> TypeAdapter[Any]:
    """The serialiser for a response_model, built once at import time."""
    return TypeAdapter(shape)


async def read_json(
    request: Request,
    shape: TypeAdapter[T],
    service: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Response:
    """Run a read service and answer with its result, uncached."""
    engine = engine_from_request(request)

    def answer() -> bytes:
        with Session(engine, expire_on_commit=False) as session:
            return shape.dump_json(service(session, *args, **kwargs))

    return JSONBytes(await run_in_threadpool(answer))


async def cached_read_json(
    request: Request,
    shape: TypeAdapter[T],
    service: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Response:
    """As read_json, through the app's ReadCache (app/api/cache.py says why that is safe). The
    answer depends on the URL only (path and query string): headers select nothing here, and the
    key check ran before, as a dependency."""
    engine = engine_from_request(request)

    def answer(cache: ReadCache | None, key: Key) -> bytes:
        with Session(engine, expire_on_commit=False) as session:
            return _cached_answer(
                cache,
                key,
                session.connection(),
                lambda: shape.dump_json(service(session, *args, **kwargs)),
            )

    return await _cached(request, answer)


async def cached_core_read_json(
    request: Request,
    shape: TypeAdapter[T],
    service: Callable[Concatenate[Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Response:
    """As cached_read_json, for a service that reads through SQLAlchemy Core on one connection:
    no ORM session is opened (its bookkeeping cost more than some of the queries it ran)."""
    engine = engine_from_request(request)

    def answer(cache: ReadCache | None, key: Key) -> bytes:
        with engine.connect() as conn:
            return _cached_answer(
                cache, key, conn, lambda: shape.dump_json(service(conn, *args, **kwargs))
            )

    return await _cached(request, answer)


async def _cached(request: Request, answer: Callable[[ReadCache | None, Key], bytes]) -> Response:
    """A hit found on the loop, else ``answer`` (which reads and stores) in the thread pool."""
    cache, key, hit = _loop_hit(request)
    if hit is None:
        hit = await run_in_threadpool(answer, cache, key)
    return JSONBytes(hit)


def _loop_hit(request: Request) -> tuple[ReadCache | None, Key, bytes | None]:
    """The app's cache, the request's key, and a hit found on the loop unless ReadCacheMiddleware
    looked already (a miss there goes to the thread pool, which looks once more)."""
    cache: ReadCache | None = getattr(request.app.state, "read_cache", None)
    key = (request.scope["path"], request.scope["query_string"])
    if cache is None or request.scope.get(CACHE_CHECKED):
        return cache, key, None
    return cache, key, cache.get_on_loop(key)


def _cached_answer(
    cache: ReadCache | None, key: Key, conn: Connection, produce: Callable[[], bytes]
) -> bytes:
    if cache is None:
        return produce()
    # The position and the answer come from one read transaction.
    position = change_feed_position(conn)
    body = cache.get(position, key)
    if body is None:
        body = produce()
        cache.put(position, key, body)
    return body
