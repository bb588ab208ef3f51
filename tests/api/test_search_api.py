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
    "x" * 500,
    "Kyiv OR",
    "OR Kyiv",
    "-",
    "-x",
    "--x",
    'x -"',
    "'; DROP TABLE article; --",
    "Japan*",
    "\u200bJapan\u202e",
    "title:Japan body:(x",
    "x" * 1000,
    " ".join(["word"] * 40),
]


async def _get(client: httpx.AsyncClient, path: str, **params: str) -> httpx.Response:
    return await client.get(path, params=params)


@pytest.mark.parametrize("q", HOSTILE)
@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/search/events", "/api/v1/articles"])
async def test_hostile_queries_never_give_a_500(
    client: httpx.AsyncClient, path: str, q: str
) -> None:
    r = await _get(client, path, q=q)
    assert r.status_code in {200, 422}, r.text
    if r.status_code == 422:
        assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%00", "%FF%FE", "%ED%A0%80Japan"])
async def test_undecodable_bytes_and_lone_surrogates_never_give_a_500(
    client: httpx.AsyncClient, raw: str
) -> None:
    # A lone surrogate cannot be sent as str; this is how it arrives on the wire.
    r = await client.get(f"/api/v1/search?q={raw}")
    assert r.status_code in {200, 422}, r.text


@pytest.mark.parametrize("q", ["", "   ", "()", "*", "\x00", "-x", '""', "-Japan -Kyiv"])
async def test_nothing_searchable_is_422(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "q", ["x" * 501, " ".join(["word"] * 33), "ab*"], ids=["length", "terms", "short-prefix"]
)
async def test_limits_are_422(client: httpx.AsyncClient, q: str) -> None:
    r = await client.get("/api/v1/search", params={"q": q})
    assert r.status_code == 422


async def test_operator_words_are_literal_and_find_text(client: httpx.AsyncClient) -> None:
    # "NOT" and "AND" are words here, not operators; Kishida alone still finds the article.
    r = await client.get("/api/v1/search", params={"q": "Kishida AND"})
    assert r.status_code == 200
    assert r.json()["items"] == []
    r = await client.get("/api/v1/search", params={"q": "(Kishida"})
    assert r.json()["items"]


async def test_raw_fts5_syntax_error_is_400_and_valid_syntax_works(
    client: httpx.AsyncClient,
) -> None:
    bad = await client.get("/api/v1/search", params={"q": '"unclosed', "syntax": "fts5"})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    bad = await client.get("/api/v1/search", params={"q": "nosuchcol: x", "syntax": "fts5"})
    assert bad.status_code == 400
    ok = await client.get(
        "/api/v1/search", params={"q": "title: Japanese OR body: Reznikov", "syntax": "fts5"}
    )
    assert ok.status_code == 200 and ok.json()["items"]
    events = await client.get("/api/v1/search/events", params={"q": "(x", "syntax": "fts5"})
    assert events.status_code == 400


async def test_hits_are_ranked_with_marked_snippets(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Reznikov"})
    assert r.status_code == 200
    hits = r.json()["items"]
    assert hits
    assert all("<mark>Reznikov</mark>" in h["snippet"] for h in hits)
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks)
    assert hits[0]["matched"][0] == "text"
    # "Kishida" is not in any seed as written; the Ukrainian seed names him "Кісіди".
    r = await client.get("/api/v1/search", params={"q": "Kishida"})
    kishida = r.json()["items"]
    assert kishida and all("entity:Fumio Kishida" in h["matched"] for h in kishida)
    assert all("<mark>" in h["snippet"] for h in kishida)


async def test_search_pages_do_not_repeat(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v1/search", params={"q": "Ukraine", "limit": 1})).json()
    assert first["next_cursor"]
    second = (
        await client.get(
            "/api/v1/search", params={"q": "Ukraine", "limit": 1, "cursor": first["next_cursor"]}
        )
    ).json()
    assert first["items"][0]["article"]["id"] != second["items"][0]["article"]["id"]


async def test_foreign_or_broken_cursor_is_422(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/v1/search", params={"q": "Ukraine", "limit": 1})).json()
    for params in (
        {"q": "Ukraine", "sort": "newest", "cursor": first["next_cursor"]},
        {"q": "Ukraine", "cursor": "not-a-cursor"},
        {"q": "Ukraine", "cursor": "WyJyZWxldmFuY2UiLDEsMiwzXQ"},  # ["relevance",1,2,3]
    ):
        r = await client.get("/api/v1/search", params=params)
        assert r.status_code == 422, params


async def test_cyrillic_search(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Японія"})
    langs = {h["article"]["language"] for h in r.json()["items"]}
    assert "uk" in langs


async def test_unknown_facet_is_422(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/search", params={"q": "Japan", "facets": "language,colour"})
    assert r.status_code == 422
