"""GET /search/events over summaries and evidence, and fuzzy GET /actors?q=."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_event_search_finds_evidence_in_any_language(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search/events", params={"q": "Japan", "limit": "100"})
    assert r.status_code == 200
    hits = r.json()["items"]
    languages = set()
    for hit in hits:
        detail = (await client.get(f"/api/v1/events/{hit['event']['id']}")).json()
        languages |= {e["article_language"] for e in detail["evidence"]}
    assert {"en", "uk", "bg"} <= languages
    assert all(h["rank"] <= 0 for h in hits)
    assert any("entity:Japan" in h["matched"] for h in hits)


async def test_event_search_takes_the_event_filters(client: httpx.AsyncClient) -> None:
    everything = (
        await client.get("/api/v1/search/events", params={"q": "Japan", "limit": "100"})
    ).json()["items"]
    aid = (
        await client.get(
            "/api/v1/search/events", params={"q": "Japan", "type": "AID", "limit": "100"}
        )
    ).json()["items"]
    assert aid and len(aid) < len(everything)
    assert all(h["event"]["type"] == "AID" for h in aid)
    uk = (
        await client.get("/api/v1/search/events", params={"q": "Japan", "language": "uk"})
    ).json()["items"]
    assert uk and len(uk) < len(everything)


async def test_event_search_words_and_marks(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search/events", params={"q": "Kremlin", "expand": "false"})
    hits = r.json()["items"]
    assert hits and all("<mark>Kremlin</mark>" in h["snippet"] for h in hits)
    assert all(h["matched"] == ["text"] for h in hits)


async def test_event_search_pages(client: httpx.AsyncClient) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params = {"q": "Ukraine", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        body = (await client.get("/api/v1/search/events", params=params)).json()
        seen += [h["event"]["id"] for h in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    everything = (
        await client.get("/api/v1/search/events", params={"q": "Ukraine", "limit": "100"})
    ).json()["items"]
    assert len(seen) == len(set(seen)) == len(everything) > 2


@pytest.mark.parametrize("q", ["Zelenskiy", "Selenskyj", "Zelemsky", "зеленский", "Зеленського"])
async def test_fuzzy_actor_names(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/api/v1/actors", params={"q": q})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items and items[0]["name"] == "Volodymyr Zelensky"


async def test_fuzzy_actor_names_reject_strangers_and_combine_filters(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/api/v1/actors", params={"q": "Xqzwv"})
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get("/api/v1/actors", params={"q": "Japan", "kind": "person"})
    assert all(a["kind"] == "person" for a in r.json()["items"])
    r = await client.get("/api/v1/actors", params={"q": "..."})
    assert r.status_code == 422


async def test_fuzzy_actor_pages(client: httpx.AsyncClient) -> None:
    full = (await client.get("/api/v1/actors", params={"q": "Russia", "limit": "100"})).json()
    assert len(full["items"]) >= 2
    seen, cursor = [], None
    while True:
        params = {"q": "Russia", "limit": "1"} | ({"cursor": cursor} if cursor else {})
        body = (await client.get("/api/v1/actors", params=params)).json()
        seen += [a["id"] for a in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [a["id"] for a in full["items"]]
