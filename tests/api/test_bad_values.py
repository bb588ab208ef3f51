"""Values that parse but no database can hold: a cursor with an integer beyond 64 bits, NaN or
Infinity (JSON reads them all), and a NUL character in any query parameter (PostgreSQL text cannot
hold one). Each is a 422 problem document on both backends, never a 500."""

from __future__ import annotations

import base64

import httpx
import pytest

pytestmark = pytest.mark.anyio


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _is_problem(r: httpx.Response, status: int = 422) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == status


@pytest.mark.parametrize("raw", ["[99999999999999999999]", "[-99999999999999999999]", "[NaN]",
                                 "[Infinity]", "[true]", '["a\\u0000b"]'])  # fmt: skip
@pytest.mark.parametrize(
    "path", ["/api/v1/events", "/api/v1/articles", "/api/v1/actors", "/api/v1/places",
             "/api/v1/changes"],
)  # fmt: skip
async def test_cursor_values_out_of_range_are_422(
    client: httpx.AsyncClient, path: str, raw: str
) -> None:
    name = "since" if path.endswith("/changes") else "cursor"
    _is_problem(await client.get(path, params={name: _cursor(raw)}))


@pytest.mark.parametrize(
    "raw",
    ['["relevance",0,0.5,99999999999999999999,5,0]', '["relevance",0,NaN,1,5,0]',
     '["newest","2024-01-01",99999999999999999999]', '["events",Infinity,1,5]'],
)  # fmt: skip
async def test_search_cursor_values_out_of_range_are_422(
    client: httpx.AsyncClient, raw: str
) -> None:
    path = "/api/v1/search/events" if "events" in raw else "/api/v1/search"
    sort = {"relevance": "relevance", "newest": "newest"}.get(raw.split('"')[1], "relevance")
    params = {"q": "Kyiv", "cursor": _cursor(raw)}
    if path == "/api/v1/search":
        params["sort"] = sort
    _is_problem(await client.get(path, params=params))


@pytest.mark.parametrize(
    "query",
    ["mode=a%00b", "type=ASSAULT&mode=%00"],
)
async def test_nul_in_event_filters_is_422(client: httpx.AsyncClient, query: str) -> None:
    _is_problem(await client.get(f"/api/v1/events?{query}"))


@pytest.mark.parametrize(
    "url",
    ["/api/v1/actors?name=Zel%00", "/api/v1/places?name=Kh%00", "/api/v1/places?kind=ci%00ty",
     "/api/v1/articles?source=a%00b", "/api/v1/articles?q=Kyiv%00",
     "/api/v1/search?q=Kyiv&source=a%00b", "/api/v1/search/events?q=Kyiv&mode=%00",
     "/api/v1/search?q=%00"],
)  # fmt: skip
async def test_nul_in_any_query_parameter_is_422(client: httpx.AsyncClient, url: str) -> None:
    _is_problem(await client.get(url))


async def test_the_same_requests_without_nul_are_answered(client: httpx.AsyncClient) -> None:
    for url in ["/api/v1/actors?name=Zel", "/api/v1/events?mode=drone",
                "/api/v1/search?q=Kyiv&source=x", "/api/v1/places?kind=city"]:  # fmt: skip
        assert (await client.get(url)).status_code == 200, url
