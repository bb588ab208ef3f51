"""The read cache (app/api/cache.py): an answer is served again only while the change feed has not
moved, whoever wrote and through whatever path; the key check runs on every request; memory stays
bounded. "Fresh" means byte for byte what the same app answers with no cache at all."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from app.api.cache import LoopPosition, ReadCache
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.services.ingest import ArticleInput, ingest_article
from tests.conftest import BACKEND, make_client

pytestmark = pytest.mark.anyio

KEY = "cache-key-for-tests"
AUTH = {"Authorization": f"Bearer {KEY}"}
TEXTS = [
    "Russia launched 40 drones at Kharkiv overnight, the Ukrainian Air Force said on Monday.",
    "Japan pledged new aid to Ukraine on Tuesday, Prime Minister Shigeru Ishiba said in Tokyo.",
    "Ukrainian forces struck a Russian ammunition depot near Belgorod, the General Staff said.",
]


def settings_for(engine: Engine, **overrides: object) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        api_key_hashes=[hashlib.sha256(KEY.encode()).hexdigest()],
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["loop", "thread"])
def cached_app(request: pytest.FixtureRequest, engine: Engine) -> FastAPI:
    """The app as served; "thread" is the path PostgreSQL always takes (the position is read in
    the thread pool, in the answer's own transaction)."""
    app = create_app(settings=settings_for(engine), engine=engine)
    cache: ReadCache = app.state.read_cache
    if request.param == "loop" and cache.loop_position is None:
        pytest.skip("the position is read on the event loop for SQLite files only")
    if request.param == "thread":
        cache.loop_position = None
    return app


@pytest.fixture
async def clients(
    cached_app: FastAPI, engine: Engine
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    plain = create_app(settings=settings_for(engine), engine=engine)
    plain.state.read_cache = None
    async with make_client(cached_app) as cached, make_client(plain) as uncached:
        yield cached, uncached


async def _urls(client: httpx.AsyncClient) -> list[str]:
    articles = (await client.get("/api/v1/articles", params={"limit": 100})).json()["items"]
    events = (await client.get("/api/v1/events", params={"limit": 100})).json()["items"]
    actor_ids = sorted({p["actor_id"] for e in events for p in e["participants"]})[:3]
    place_ids = sorted({e["place"]["id"] for e in events if e["place"]})[:2]
    return [
        "/api/v1/articles?limit=100",
        "/api/v1/events?limit=100",
        "/api/v1/events?type=ASSAULT&limit=100",
        "/api/v1/actors?limit=100",
        "/api/v1/places?limit=100",
        *(f"/api/v1/articles/{a['id']}" for a in articles[:3]),
        *(f"/api/v1/events/{e['id']}" for e in events[:3]),
        *(f"/api/v1/actors/{i}" for i in actor_ids),
        *(f"/api/v1/actors/{i}/events" for i in actor_ids),
        *(f"/api/v1/places/{i}" for i in place_ids),
    ]


async def _answers(client: httpx.AsyncClient, urls: list[str]) -> list[tuple[int, bytes]]:
    return [((r := await client.get(url)).status_code, r.content) for url in urls]


async def _assert_fresh(
    cached: httpx.AsyncClient, uncached: httpx.AsyncClient, urls: list[str]
) -> list[tuple[int, bytes]]:
    got = await _answers(cached, urls)
    want = await _answers(uncached, urls)
    for url, g, w in zip(urls, got, want, strict=True):
        assert g == w, f"{url}: the cache served a stale answer"
    return got


async def test_a_read_is_served_again_while_nothing_is_written(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], cached_app: FastAPI
) -> None:
    cached, uncached = clients
    cache: ReadCache = cached_app.state.read_cache
    urls = await _urls(uncached)
    first = await _assert_fresh(cached, uncached, urls)
    hits = cache.hits
    again = await _answers(cached, urls)
    assert again == first
    assert cache.hits == hits + len(urls), "every repeated read is a hit"
    assert len(cache) == len(urls)


async def test_every_kind_of_write_is_seen_at_once(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], cached_app: FastAPI, engine: Engine
) -> None:
    cached, uncached = clients
    cache: ReadCache = cached_app.state.read_cache
    urls = await _urls(uncached)
    before = await _assert_fresh(cached, uncached, urls)
    await _answers(cached, urls)  # now every answer comes from the cache

    r = await cached.post("/api/v1/articles", json={"text": TEXTS[0]}, headers=AUTH)
    assert r.status_code == 201, r.text
    created = r.json()["id"]
    after_post = await _assert_fresh(cached, uncached, urls)
    assert after_post[0] != before[0], "the new article heads the article list"

    r = await cached.post(
        "/api/v1/articles:batch",
        content=json.dumps({"text": TEXTS[1]}) + "\n",
        headers={**AUTH, "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    after_batch = await _assert_fresh(cached, uncached, urls)
    assert after_batch[0] != after_post[0]

    # A write by another process (the CLI's ingest, the bulk loader): no request of this app
    # saw it happen.
    url = engine.url.render_as_string(hide_password=False)
    other = make_engine(url)
    try:
        with Session(other) as session:
            assert ingest_article(session, item=ArticleInput(text=TEXTS[2])).created
    finally:
        other.dispose()
    after_cli = await _assert_fresh(cached, uncached, urls)
    assert after_cli[0] != after_batch[0]

    detail = f"/api/v1/articles/{created}"
    assert (await cached.get(detail)).status_code == 200
    position = cache.position
    r = await cached.post(f"/api/v1/articles/{created}:reextract", headers=AUTH)
    assert r.status_code == 200, r.text
    await _assert_fresh(cached, uncached, [*urls, detail])
    assert cache.position > position, "a re-extraction moves the feed even if nothing differs"

    assert (await cached.delete(detail, headers=AUTH)).status_code == 204
    assert (await cached.get(detail)).status_code == 404
    await _assert_fresh(cached, uncached, urls)


async def test_the_key_is_checked_on_every_cached_read(engine: Engine) -> None:
    app = create_app(settings=settings_for(engine, read_requires_key=True), engine=engine)
    cache: ReadCache = app.state.read_cache
    url = "/api/v1/events?limit=5"
    async with make_client(app) as c:
        first = await c.get(url, headers=AUTH)
        assert first.status_code == 200
        hits = cache.hits
        assert (await c.get(url, headers=AUTH)).content == first.content
        assert cache.hits == hits + 1
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}):
            r = await c.get(url, headers=headers)
            assert r.status_code == 401, headers
            assert r.headers["content-type"].startswith("application/problem+json")
        assert cache.hits == hits + 1, "a refused request never reaches the cache"


async def test_etag_and_304_work_on_cached_answers(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    cached, uncached = clients
    url = "/api/v1/events?limit=10"
    fresh = await uncached.get(url)
    for _ in range(2):  # a miss, then a hit
        r = await cached.get(url)
        assert r.headers["etag"] == fresh.headers["etag"]
        assert r.headers["content-type"] == "application/json"
        again = await cached.get(url, headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


async def test_errors_are_not_cached(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], cached_app: FastAPI
) -> None:
    cached, _ = clients
    cache: ReadCache = cached_app.state.read_cache
    for _ in range(2):
        assert (await cached.get("/api/v1/articles/99999999")).status_code == 404
        assert (await cached.get("/api/v1/events?cursor=bad!")).status_code == 422
    assert len(cache) == 0


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = ReadCache(max_bytes=800, max_entries=3)
    body = b"x" * 100
    for i in range(3):
        cache.put(1, (f"/{i}", b""), body)
    assert cache.get(1, ("/0", b"")) == body  # /0 is now the most recently used
    cache.put(1, ("/3", b""), body)
    assert len(cache) == 3 and cache.get(1, ("/1", b"")) is None
    assert cache.get(1, ("/0", b"")) == body
    cache.put(1, ("/big", b""), b"x" * 101)  # over max_bytes // 8: never stored
    assert cache.get(1, ("/big", b"")) is None
    for i in range(100):
        cache.put(1, (f"/many{i}", b""), b"y" * 90)
        assert cache.bytes <= cache.max_bytes and len(cache) <= cache.max_entries
    assert cache.bytes == sum(len(cache.get(1, k) or b"") for k in list(cache._entries))


def test_only_the_newest_position_is_kept() -> None:
    cache = ReadCache()
    cache.put(5, ("/a", b""), b"five")
    assert cache.get(5, ("/a", b"")) == b"five"
    assert cache.get(6, ("/a", b"")) is None, "a newer position empties the cache"
    assert len(cache) == 0 and cache.bytes == 0
    cache.put(5, ("/a", b""), b"five")  # computed before the write: stale, not stored
    assert cache.get(6, ("/a", b"")) is None
    cache.put(6, ("/a", b""), b"six")
    assert cache.get(5, ("/a", b"")) is None, "an older position is never served"
    assert cache.get(6, ("/a", b"")) == b"six"


@pytest.mark.sqlite_only("reading the position on the event loop is for SQLite files")
def test_an_unreadable_position_falls_back_to_the_thread_pool(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)  # no tables: the SELECT fails
    try:
        position = LoopPosition(engine)
        assert position() is None
        position.close()
    finally:
        engine.dispose()


def test_positions_are_read_on_the_loop_for_sqlite_files_only(engine: Engine) -> None:
    app = create_app(settings=settings_for(engine), engine=engine)
    on_loop = app.state.read_cache.loop_position is not None
    assert on_loop == (BACKEND == "sqlite")
