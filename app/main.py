"""create_app(): routers, problem handlers, middleware and the engine's lifetime."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Security
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine

from app.api.auth import require_key
from app.api.cache import LoopPosition, ReadCache, ReadCacheMiddleware
from app.api.etag import ETagMiddleware
from app.api.limits import BodySizeLimit, NulInQuery
from app.api.problems import (
    install_problem_handlers,
    move_problem_schemas_to_problem_media_type,
    problem_responses,
)
from app.api.routes import actors, articles, changes, events, extract, health, places, search
from app.config import Settings, get_settings
from app.db import make_engine
from app.extraction.lemmas import use_compact_dictionaries, warm_up

API_PREFIX = "/api/v1"
DESCRIPTION = """
A searchable, multilingual knowledge base of news about the war in Ukraine and the states around
it. Articles in English, Ukrainian, Bulgarian and Russian; actors, places and PLOVER events, each
tied to the sentence that states it.

Lists are pages: pass `next_cursor` back as `cursor`. Errors are RFC 9457
`application/problem+json`.
"""
TAGS = [
    {"name": "articles", "description": "Stored articles with their mentions and events"},
    {"name": "actors", "description": "People, states, forces and organisations"},
    {"name": "events", "description": "PLOVER events with participants, quantities and evidence"},
    {"name": "places", "description": "Places with coordinates"},
    {"name": "search", "description": "Full-text search"},
    {"name": "changes", "description": "Change feed for mirrors"},
    {"name": "extraction", "description": "Run the extraction pipeline on a text, storing nothing"},
    {"name": "health", "description": "Liveness and readiness"},
]


def create_app(*, settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_engine = engine is None
    app_engine = engine or make_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )

    read_cache = ReadCache(
        loop_position=LoopPosition(app_engine) if LoopPosition.applies_to(app_engine) else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # simplemma's dictionaries take seconds to load and would land on each worker's first
        # search; readiness needs only the database, so they load on a daemon thread while the
        # worker already answers. A worker lemmatises few new words: the compact form suffices.
        use_compact_dictionaries()
        threading.Thread(target=warm_up, name="lemma-warm-up", daemon=True).start()
        yield
        read_cache.close()
        if owns_engine:
            app_engine.dispose()

    app = FastAPI(
        title="ConflictKB",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.engine = app_engine
    app.state.settings = settings
    app.state.read_cache = read_cache
    install_problem_handlers(app)
    # Writes always need a key (per route); reads only when the settings close them.
    read_guard = [Security(require_key)] if settings.read_requires_key else []
    read_errors = problem_responses(401) if settings.read_requires_key else {}
    for router in (
        articles.router,
        actors.router,
        events.router,
        places.router,
        search.router,
        changes.router,
        extract.router,
    ):
        app.include_router(
            router, prefix=API_PREFIX, dependencies=read_guard, responses=read_errors
        )
    app.include_router(health.router)
    if not settings.read_requires_key:
        app.add_middleware(ReadCacheMiddleware)
    app.add_middleware(ETagMiddleware)
    app.add_middleware(NulInQuery)
    app.add_middleware(
        BodySizeLimit,
        default=settings.max_body_bytes,
        per_path_suffix={":batch": settings.max_batch_bytes},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
            expose_headers=["ETag"],
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = move_problem_schemas_to_problem_media_type(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
