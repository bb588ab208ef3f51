from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio
PROBLEM = "application/problem+json"


async def test_lists_the_five_seeds_in_their_languages(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/articles", params={"limit": 100})
    assert r.status_code == 200
    items = r.json()["items"]
    assert len(items) == 5
    assert sorted(a["language"] for a in items) == ["bg", "en", "en", "en", "uk"]
    assert r.json()["next_cursor"] is None


async def test_language_filter(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/articles", params={"language": "uk"})
    assert [a["language"] for a in r.json()["items"]] == ["uk"]


async def test_cursor_walks_every_article_once(client: httpx.AsyncClient) -> None:
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/articles", params=params)).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


async def test_detail_has_mentions_whose_offsets_slice_the_body(client: httpx.AsyncClient) -> None:
    ids = [a["id"] for a in (await client.get("/api/v1/articles")).json()["items"]]
    total_mentions = 0
    for article_id in ids:
        r = await client.get(f"/api/v1/articles/{article_id}")
        assert r.status_code == 200
        article = r.json()
        body = article["body"]
        for m in article["mentions"]:
            assert body[m["start"] : m["end"]] == m["text"]
            total_mentions += 1
    assert total_mentions > 50


async def test_actor_filter_keeps_only_articles_that_mention_the_actor(
    client: httpx.AsyncClient,
) -> None:
    japan = (await client.get("/api/v1/actors", params={"name": "Japan", "kind": "country"})).json()
    japan_id = japan["items"][0]["id"]
    r = await client.get("/api/v1/articles", params={"actor_id": japan_id, "limit": 100})
    langs = sorted(a["language"] for a in r.json()["items"])
    assert langs == ["bg", "en", "en", "uk"]  # the Belarus visit story does not name Japan


async def test_full_text_filter(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/articles", params={"q": "Lukashenko"})
    assert r.status_code == 200
    assert len(r.json()["items"]) == 1


async def test_missing_article_is_a_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/articles/999999")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 404 and body["title"] == "Not Found"
    assert "999999" in body["detail"] and body["instance"] == "/api/v1/articles/999999"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"cursor": "not-a-cursor!"},
        {"cursor": "WzEsMiwzXQ"},  # a valid base64 list of the wrong arity
        {"language": "english"},
        {"published_from": "yesterday"},
        {"actor_id": -1},
    ],
)
async def test_bad_parameters_are_422_problems(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    r = await client.get("/api/v1/articles", params=params)  # type: ignore[arg-type]
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["status"] == 422


async def test_path_that_is_not_a_number_is_a_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/articles/abc")
    assert r.status_code in {404, 422}
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_etag_answers_304_when_unchanged(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/articles")
    etag = first.headers["etag"]
    again = await client.get("/api/v1/articles", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = await client.get("/api/v1/articles", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.headers["etag"] == etag


async def test_a_time_without_an_offset_is_utc(client: httpx.AsyncClient) -> None:
    # It was a 500: the database layer refuses naive datetimes.
    for name in ("published_from", "published_to"):
        naive = await client.get("/api/v1/articles", params={name: "2000-01-01T00:00:00"})
        utc = await client.get("/api/v1/articles", params={name: "2000-01-01T00:00:00Z"})
        assert naive.status_code == 200, naive.text
        assert naive.json() == utc.json()
        search = await client.get("/api/v1/search", params={"q": "Ukraine", name: "2000-01-01"})
        assert search.status_code == 200, search.text
