"""No N+1 queries: a list request issues the same, small number of SQL statements whatever its page
size. Statements are counted on the engine (before_cursor_execute) while the real app answers.

The extra articles carry hand-made extractions, stored through the real ingest path, so that every
list has more than 50 rows (full pages) whatever the extraction rules find."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.config import Settings
from app.extraction.types import ActorEntry, ExtractedEvent, Extraction, Mention, PlaceEntry
from app.main import create_app
from app.services.ingest import ArticleInput, ingest_article
from tests.conftest import make_client

pytestmark = pytest.mark.anyio

EXTRA = 60
WORD = "quokkafield"  # one word every extra article has, and no seed article
MAX_STATEMENTS = 16


def _extraction(i: int) -> tuple[str, Extraction]:
    actor, target, place = "Zorbland", f"Vexor{i}", f"Quilltown{i}"
    text = f"{actor} struck {target} near {place} on day {i} of the {WORD} trial."
    start_target, start_place = text.index(target), text.index(place)
    extraction = Extraction(
        language="en",
        body=text,
        actors={
            "test:zorbland": ActorEntry(key="test:zorbland", name=actor, kind="country"),
            f"test:vexor{i}": ActorEntry(key=f"test:vexor{i}", name=target, kind="group"),
        },
        places={f"test:quill{i}": PlaceEntry(key=f"test:quill{i}", name=place, kind="city")},
        actor_mentions=[
            Mention("test:zorbland", 0, 0, len(actor), actor),
            Mention(f"test:vexor{i}", 0, start_target, start_target + len(target), target),
        ],
        place_mentions=[
            Mention(f"test:quill{i}", 0, start_place, start_place + len(place), place),
        ],
        events=[
            ExtractedEvent(
                type="ASSAULT",
                mode="strike",
                sentence_index=0,
                evidence_start=0,
                evidence_end=len(text),
                evidence_text=text,
                source_keys=["test:zorbland"],
                target_keys=[f"test:vexor{i}"],
                place_key=f"test:quill{i}",
                # Days apart, so no two of them are taken for reports of one event.
                date=dt.date(2020, 1, 1) + dt.timedelta(days=3 * i),
                date_precision="day",
                quantities={"killed": i},
                summary=f"{actor} struck {target}",
            )
        ],
    )
    return text, extraction


@pytest.fixture
def full_engine(engine: Engine) -> Engine:
    with Session(engine) as session:
        for i in range(EXTRA):
            text, extraction = _extraction(i)
            item = ArticleInput(
                text=text, title=f"{WORD} {i}", language="en", source=f"source{i % 3}.test"
            )
            assert ingest_article(session, item=item, extraction=extraction).created
    return engine


@pytest.fixture
async def counted(full_engine: Engine) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    app: FastAPI = create_app(
        settings=Settings(database_url=str(full_engine.url)), engine=full_engine
    )
    # What a read costs when it is answered, not when it is served again from the read cache
    # (tests/api/test_read_cache.py covers that).
    app.state.read_cache = None
    event.listen(full_engine, "before_cursor_execute", count)
    try:
        async with make_client(app) as client:
            yield client, statements
    finally:
        event.remove(full_engine, "before_cursor_execute", count)


def _zorbland_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.exec_driver_sql("SELECT id FROM actor WHERE key = 'test:zorbland'").scalar_one()
        )


@pytest.fixture
def list_paths(full_engine: Engine) -> Iterator[list[tuple[str, dict[str, str]]]]:
    yield [
        ("/api/v1/articles", {}),
        ("/api/v1/articles", {"language": "en"}),
        ("/api/v1/actors", {}),
        ("/api/v1/events", {}),
        ("/api/v1/events", {"type": "ASSAULT"}),
        ("/api/v1/places", {}),
        ("/api/v1/search", {"q": WORD}),
        ("/api/v1/search/events", {"q": WORD}),
        (f"/api/v1/actors/{_zorbland_id(full_engine)}/events", {}),
        ("/api/v1/changes", {}),
    ]


async def _statements(
    client: httpx.AsyncClient, statements: list[str], path: str, params: dict[str, str], limit: int
) -> tuple[int, list[str]]:
    statements.clear()
    r = await client.get(path, params={**params, "limit": str(limit)})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # A short page would hide a per-row query: each page must be full.
    assert len(items) == limit, f"{path} {params}: {len(items)} items at limit={limit}"
    return len(statements), list(statements)


async def test_list_statement_count_does_not_grow_with_page_size(
    counted: tuple[httpx.AsyncClient, list[str]], list_paths: list[tuple[str, dict[str, str]]]
) -> None:
    client, statements = counted
    for path, params in list_paths:
        await _statements(client, statements, path, params, 2)  # warm: caches, lemma vocabulary
        small, _ = await _statements(client, statements, path, params, 2)
        large, issued = await _statements(client, statements, path, params, 50)
        print(f"{path} {params}: {small} statements at limit=2, {large} at limit=50")
        assert small == large, f"{path} {params}: {small} statements at limit=2, {large} at 50"
        assert large <= MAX_STATEMENTS, f"{path} {params}: {large} statements:\n" + "\n".join(
            issued
        )
