"""Keyset pages never skip or repeat a hit while articles are added, at any depth, in every sort
order and across the bounded-ranking tiers; facets count the whole result set."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from app.search.sqlite_fts5 import SqliteFts5Backend
from tests.search.conftest import AddArticle

pytestmark = pytest.mark.anyio

CITIES = ["Харкові", "Харкова", "Харків", "Харкову"]


def _article(i: int, extra: str = "") -> str:
    city = CITIES[i % len(CITIES)]
    filler = " ".join(["Обстріл тривав кілька годин."] * (i % 5))
    return f"Зведення {i}\n\nПовідомлення номер {i} про події біля міста {city}. {filler} {extra}"


async def _page_all(
    client: httpx.AsyncClient, params: dict[str, str], between: list[str] | None = None,
    add: AddArticle | None = None,
) -> list[int]:  # fmt: skip
    seen: list[int] = []
    cursor = None
    pending = list(between or [])
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        r = await client.get("/api/v1/search", params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [h["article"]["id"] for h in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return seen
        if pending and add is not None:
            add(pending.pop(), language="uk", published_at="2024-01-15")


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("cap", [1000, 3], ids=["one-tier", "three-tiers"])
async def test_pages_neither_skip_nor_repeat_while_articles_are_added(
    client: httpx.AsyncClient,
    add_article: AddArticle,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    cap: int,
) -> None:
    monkeypatch.setattr(SqliteFts5Backend, "rank_cap", cap)
    for i in range(14):
        add_article(_article(i), language="uk", published_at=f"2024-02-{i + 1:02d}")
    params = {"q": "Харків", "sort": sort, "limit": "2", "expand": "false"}
    before = await _page_all(client, params | {"limit": "100"})
    assert len(before) >= 14
    # Matching articles, some better ranked than anything before, arrive between pages.
    newcomers = [f"Харків Харків Харків {i}. Харкові знову тривога." for i in range(6)]
    paged = await _page_all(client, params, between=newcomers, add=add_article)
    assert len(paged) == len(set(paged)), "a hit was repeated"
    assert set(before) <= set(paged), "a hit was skipped"


async def test_relevance_pages_reach_every_hit_one_at_a_time(
    client: httpx.AsyncClient, add_article: AddArticle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SqliteFts5Backend, "rank_cap", 4)
    for i in range(12):
        add_article(_article(i), language="uk")
    everything = await _page_all(client, {"q": "Харків", "limit": "100", "expand": "false"})
    one_by_one = await _page_all(client, {"q": "Харків", "limit": "1", "expand": "false"})
    assert sorted(one_by_one) == sorted(everything)
    assert len(one_by_one) == len(set(one_by_one))


async def test_date_sorts_are_ordered(client: httpx.AsyncClient, add_article: AddArticle) -> None:
    for i, day in enumerate(["2024-03-05", "2023-01-01", "2025-07-30"]):
        add_article(_article(i), language="uk", published_at=day)
    add_article(_article(3), language="uk")  # undated: last in both orders
    for sort, reverse in (("newest", True), ("oldest", False)):
        r = await client.get(
            "/api/v1/search", params={"q": "Харків", "sort": sort, "expand": "false"}
        )
        dates = [h["article"]["published_at"] for h in r.json()["items"]]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=reverse)
        assert dates[-1] is None
        assert all(h["rank"] == 0 for h in r.json()["items"])


async def test_facets_count_the_whole_result_set(client: httpx.AsyncClient) -> None:
    params = {"q": "Japan", "facets": "language,source,actor,event_type,month"}
    r = await client.get("/api/v1/search", params=params | {"limit": "1"})
    assert r.status_code == 200
    facets = r.json()["facets"]
    assert set(facets) == {"language", "source", "actor", "event_type", "month"}
    everything = (await client.get("/api/v1/search", params={"q": "Japan", "limit": "100"})).json()
    expected = Counter(h["article"]["language"] for h in everything["items"])
    assert {f["value"]: f["count"] for f in facets["language"]} == dict(expected)
    assert sum(f["count"] for f in facets["language"]) > 1  # more than the one-hit page
    japan = [f for f in facets["actor"] if f["value"] == "Japan"]
    assert japan and japan[0]["count"] == len(everything["items"]) and japan[0]["id"]
    counts = [f["count"] for f in facets["actor"]]
    assert counts == sorted(counts, reverse=True)
    types = {f["value"] for f in facets["event_type"]}
    assert "AID" in types


async def test_no_facets_unless_asked(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Japan"})
    assert r.json()["facets"] is None


async def test_filters_narrow_hits_and_facets(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/api/v1/search", params={"q": "Japan", "language": "uk", "facets": "language"}
    )
    body = r.json()
    assert body["items"] and all(h["article"]["language"] == "uk" for h in body["items"])
    assert [f["value"] for f in body["facets"]["language"]] == ["uk"]
