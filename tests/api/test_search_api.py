from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

HOSTILE = [
    "AND",
    "OR OR",
    "NOT x",
    "(x",
    "x)",
    '"x',
    'a"b',
    "*",
    "C++",
    "e-mail",
    "a.b",
    "what's",
    "nosuchcol:x",
    "^x",
    "{title}: x",
    "NEAR(a b)",
    "a\x00b",
    "\ud800",
    "x" * 500,
    "Kyiv OR",
    "-",
    "'; DROP TABLE article; --",
]


@pytest.mark.parametrize("q", HOSTILE)
async def test_hostile_queries_never_give_a_500(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/api/v1/search", params={"q": q})
    assert r.status_code in {200, 422}, r.text
    if r.status_code == 422:
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/v1/articles", params={"q": q})
    assert r.status_code in {200, 422}, r.text


@pytest.mark.parametrize("q", ["", "   ", "()", "*", "\x00"])
async def test_nothing_searchable_is_422(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 422


async def test_too_long_is_422(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "x" * 501})
    assert r.status_code == 422


async def test_hits_are_ranked_with_marked_snippets(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Kishida"})
    assert r.status_code == 200
    hits = r.json()["items"]
    assert hits
    assert all("<mark>" in h["snippet"] for h in hits)
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks)


async def test_search_pages_do_not_repeat(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v1/search", params={"q": "Ukraine", "limit": 1})).json()
    assert first["next_cursor"]
    second = (
        await client.get(
            "/api/v1/search", params={"q": "Ukraine", "limit": 1, "cursor": first["next_cursor"]}
        )
    ).json()
    assert first["items"][0]["article"]["id"] != second["items"][0]["article"]["id"]


async def test_cyrillic_search(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Японія"})
    langs = {h["article"]["language"] for h in r.json()["items"]}
    assert "uk" in langs
