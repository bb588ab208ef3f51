"""The write API: keys, validation, deduplication, batches, delete, re-extract and the feed."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from app.config import Settings
from app.main import create_app
from app.models import Article, Change
from tests.conftest import make_client

pytestmark = pytest.mark.anyio

KEY = "write-key-for-tests"
AUTH = {"Authorization": f"Bearer {KEY}"}
TEXT = "Russia launched 40 drones at Kharkiv overnight, the Ukrainian Air Force said on Monday."


def settings_for(engine: Engine, **overrides: object) -> Settings:
    return Settings(
        database_url=str(engine.url),
        api_key_hashes=[hashlib.sha256(KEY.encode()).hexdigest()],
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
def write_app(engine: Engine) -> FastAPI:
    return create_app(settings=settings_for(engine), engine=engine)


@pytest.fixture
async def wc(write_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(write_app) as client:
        yield client


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        articles = conn.execute(select(func.count()).select_from(Article)).scalar_one()
        changes = conn.execute(select(func.count()).select_from(Change)).scalar_one()
    return int(articles), int(changes)


WRITES = [
    ("POST", "/api/v1/articles", {"json": {"text": TEXT}}),
    (
        "POST",
        "/api/v1/articles:batch",
        {
            "content": json.dumps({"text": TEXT}),
            "headers": {"content-type": "application/x-ndjson"},
        },
    ),
    ("DELETE", "/api/v1/articles/1", {}),
    ("POST", "/api/v1/articles/1:reextract", {}),
]
BAD_AUTH = [
    {},
    {"Authorization": "Bearer wrong-key"},
    {"Authorization": f"Basic {KEY}"},
    {"Authorization": f"Bearer {KEY}x"},
    {"Authorization": "Bearer "},
]


@pytest.mark.parametrize(("method", "path", "kwargs"), WRITES)
@pytest.mark.parametrize("auth", BAD_AUTH)
async def test_writes_without_a_valid_key_are_401_and_change_nothing(
    wc: httpx.AsyncClient,
    engine: Engine,
    method: str,
    path: str,
    kwargs: dict[str, object],
    auth: dict[str, str],
) -> None:
    before = counts(engine)
    headers = {**dict(kwargs.get("headers", {})), **auth}  # type: ignore[arg-type]
    body = {k: v for k, v in kwargs.items() if k != "headers"}
    r = await wc.request(method, path, headers=headers, **body)  # type: ignore[arg-type]
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert KEY not in r.text
    assert counts(engine) == before


async def test_a_key_in_the_query_string_is_not_accepted(wc: httpx.AsyncClient) -> None:
    r = await wc.post("/api/v1/articles", params={"api_key": KEY}, json={"text": TEXT})
    assert r.status_code == 401


async def test_without_configured_keys_nobody_writes(engine: Engine) -> None:
    app = create_app(settings=Settings(database_url=str(engine.url)), engine=engine)
    async with make_client(app) as c:
        r = await c.post("/api/v1/articles", json={"text": TEXT}, headers=AUTH)
    assert r.status_code == 401


async def test_reads_can_be_closed_by_a_setting(engine: Engine) -> None:
    app = create_app(settings=settings_for(engine, read_requires_key=True), engine=engine)
    async with make_client(app) as c:
        assert (await c.get("/api/v1/articles")).status_code == 401
        assert (await c.get("/api/v1/changes")).status_code == 401
        assert (await c.get("/api/v1/articles", headers=AUTH)).status_code == 200
        assert (await c.get("/healthz")).status_code == 200


async def test_post_stores_and_answers_201_then_200_for_the_same_text(
    wc: httpx.AsyncClient, engine: Engine
) -> None:
    before = counts(engine)[0]
    first = await wc.post(
        "/api/v1/articles",
        json={"text": TEXT, "title": "Drones", "source": "Example Wire", "language": "en"},
        headers=AUTH,
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert first.headers["location"] == f"/api/v1/articles/{body['id']}"
    assert body["title"] == "Drones" and body["source"]["name"] == "Example Wire"
    assert body["mentions"], "the stored article comes back with its extraction"
    again = await wc.post("/api/v1/articles", json={"text": f"  {TEXT}\r\n"}, headers=AUTH)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert counts(engine)[0] == before + 1
    assert (await wc.get(f"/api/v1/articles/{body['id']}")).status_code == 200


async def test_nfc_and_nfd_are_one_article(wc: httpx.AsyncClient, engine: Engine) -> None:
    text = "Зеленський заявив, що Україна отримає допомогу від Японії й Канади."
    before = counts(engine)[0]
    nfc = await wc.post(
        "/api/v1/articles", json={"text": unicodedata.normalize("NFC", text)}, headers=AUTH
    )
    nfd = await wc.post(
        "/api/v1/articles", json={"text": unicodedata.normalize("NFD", text)}, headers=AUTH
    )
    assert (nfc.status_code, nfd.status_code) == (201, 200)
    assert nfc.json()["id"] == nfd.json()["id"]
    assert counts(engine)[0] == before + 1


async def test_the_same_canonical_url_is_the_same_article(wc: httpx.AsyncClient) -> None:
    url = "https://News.Example.org:443/story/42/?utm_source=feed&b=2&a=1#top"
    first = await wc.post("/api/v1/articles", json={"text": TEXT, "url": url}, headers=AUTH)
    assert first.status_code == 201
    assert first.json()["url"] == "https://news.example.org/story/42?a=1&b=2"
    second = await wc.post(
        "/api/v1/articles",
        json={
            "text": "An updated version of the story.",
            "url": "https://news.example.org/story/42?b=2&a=1",
        },
        headers=AUTH,
    )
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("field", ["id", "content_hash", "ingested_at", "body", "mentions"])
async def test_mass_assignment_is_422_and_writes_nothing(
    wc: httpx.AsyncClient, engine: Engine, field: str
) -> None:
    before = counts(engine)
    r = await wc.post("/api/v1/articles", json={"text": TEXT, field: "1"}, headers=AUTH)
    assert r.status_code == 422
    assert field in r.json()["detail"]
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"text": "unterminated', "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b'"just a string"', "application/json", 422),
        (b"\xff\xfe\x00garbage", "application/json", 422),
        (b"", "application/json", 422),
        (b'{"text": "a\\ud800b"}', "application/json", 422),
        (b'{"text": "\\u0000 \\u0007"}', "application/json", 422),
        (b'{"text": 5}', "application/json", 422),
        (b'{"text": "x", "published_at": 1700000000}', "application/json", 422),
        (b'{"text": "x", "published_at": "2024-13-45"}', "application/json", 422),
        (b'{"text": "x", "url": "javascript:alert(1)"}', "application/json", 422),
        (b'{"text": "x", "language": "English"}', "application/json", 422),
        (b"text=hello", "application/x-www-form-urlencoded", 415),
        (b'{"text": "hello"}', "text/plain", 415),
        (b'{"text": "hello"}', "", 415),
    ],
)
async def test_bad_bodies_get_a_clear_4xx_and_write_nothing(
    wc: httpx.AsyncClient, engine: Engine, content: bytes, content_type: str, status: int
) -> None:
    before = counts(engine)
    r = await wc.post(
        "/api/v1/articles", content=content, headers={**AUTH, "content-type": content_type}
    )
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert counts(engine) == before


async def test_nul_and_controls_in_short_fields_are_cleaned_not_stored(
    wc: httpx.AsyncClient,
) -> None:
    r = await wc.post(
        "/api/v1/articles",
        content=json.dumps(
            {
                "text": "Kyiv\u0000 was\u0007 shelled again.",
                "title": "Ti\u0000tle",
                "source": "\u0000",
            }
        ).encode(),
        headers={**AUTH, "content-type": "application/json"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Title" and r.json()["source"] is None
    assert "\x00" not in r.json()["body"] and "\x07" not in r.json()["body"]


async def test_page_size_and_query_length_over_the_maximum_are_422(wc: httpx.AsyncClient) -> None:
    assert (await wc.get("/api/v1/articles", params={"limit": 101})).status_code == 422
    assert (await wc.get("/api/v1/changes", params={"limit": 101})).status_code == 422
    assert (await wc.get("/api/v1/articles", params={"q": "x" * 501})).status_code == 422
    assert (await wc.get("/api/v1/articles", params={"limit": 100})).status_code == 200


async def test_body_over_the_limit_is_413_declared_or_chunked(engine: Engine) -> None:
    app = create_app(settings=settings_for(engine, max_body_bytes=1000), engine=engine)
    before = counts(engine)
    big = json.dumps({"text": "word " * 1000}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 300):
            yield big[start : start + 300]

    async with make_client(app) as c:
        declared = await c.post(
            "/api/v1/articles", content=big, headers={**AUTH, "content-type": "application/json"}
        )
        chunked = await c.post(
            "/api/v1/articles",
            content=chunks(),
            headers={**AUTH, "content-type": "application/json"},
        )
    for r in (declared, chunked):
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("application/problem+json")
    assert "content-length" not in chunked.request.headers
    assert counts(engine) == before


async def test_batch_answers_per_line(wc: httpx.AsyncClient, engine: Engine) -> None:
    before = counts(engine)[0]
    lines = [
        json.dumps({"text": "Belarus hosted Russian troops near the border, Minsk said."}),
        "{not json",
        "",
        json.dumps({"text": "x", "id": 3}),
        json.dumps({"text": "Belarus hosted Russian troops near the border, Minsk said."}),
        json.dumps({"text": "NATO ministers met in Brussels on Tuesday."}),
        "[1]",
    ]
    r = await wc.post(
        "/api/v1/articles:batch",
        content="\n".join(lines).encode(),
        headers={**AUTH, "content-type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    result = r.json()
    statuses = {item["line"]: item["status"] for item in result["results"]}
    assert statuses == {1: 201, 2: 422, 4: 422, 5: 200, 6: 201, 7: 422}
    assert (result["created"], result["existing"], result["failed"]) == (2, 1, 3)
    first = result["results"][0]["article_id"]
    assert result["results"][3]["article_id"] == first
    assert "id" in result["results"][2]["problem"]["detail"]
    assert counts(engine)[0] == before + 2


async def test_batch_limits_and_media_type(engine: Engine) -> None:
    app = create_app(settings=settings_for(engine, max_batch_items=3), engine=engine)
    before = counts(engine)
    lines = "\n".join(json.dumps({"text": f"Report {i} from Odesa port."}) for i in range(4))
    async with make_client(app) as c:
        too_many = await c.post(
            "/api/v1/articles:batch",
            content=lines.encode(),
            headers={**AUTH, "content-type": "application/x-ndjson"},
        )
        wrong_type = await c.post(
            "/api/v1/articles:batch",
            content=lines.encode(),
            headers={**AUTH, "content-type": "application/json"},
        )
        blank = await c.post(
            "/api/v1/articles:batch",
            content=b"\n \n",
            headers={**AUTH, "content-type": "application/x-ndjson"},
        )
    assert (too_many.status_code, wrong_type.status_code, blank.status_code) == (413, 415, 422)
    assert counts(engine) == before


async def test_delete_then_search_and_read(wc: httpx.AsyncClient, engine: Engine) -> None:
    created = await wc.post(
        "/api/v1/articles",
        json={"text": "Zhytomyr residents reported a blackout after the strike on Tuesday."},
        headers=AUTH,
    )
    article_id = created.json()["id"]
    found = await wc.get("/api/v1/search", params={"q": "Zhytomyr blackout"})
    assert article_id in [h["article"]["id"] for h in found.json()["items"]]
    before = counts(engine)[0]
    r = await wc.delete(f"/api/v1/articles/{article_id}", headers=AUTH)
    assert r.status_code == 204 and r.content == b""
    assert counts(engine)[0] == before - 1
    assert (await wc.get(f"/api/v1/articles/{article_id}")).status_code == 404
    gone = await wc.get("/api/v1/search", params={"q": "Zhytomyr blackout"})
    assert article_id not in [h["article"]["id"] for h in gone.json()["items"]]
    listed = await wc.get("/api/v1/articles", params={"q": "Zhytomyr", "limit": 100})
    assert article_id not in [a["id"] for a in listed.json()["items"]]
    assert (await wc.delete(f"/api/v1/articles/{article_id}", headers=AUTH)).status_code == 404


async def test_reextract_keeps_the_article_and_is_404_for_unknown_ids(
    wc: httpx.AsyncClient,
) -> None:
    before = (await wc.get("/api/v1/articles/1")).json()
    r = await wc.post("/api/v1/articles/1:reextract", headers=AUTH)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["id"] == 1 and after["content_hash"] == before["content_hash"]
    assert [m["text"] for m in after["mentions"]] == [m["text"] for m in before["mentions"]]
    assert len(after["events"]) == len(before["events"])
    assert (await wc.post("/api/v1/articles/999999:reextract", headers=AUTH)).status_code == 404


async def test_colon_routes_and_405_with_allow(wc: httpx.AsyncClient) -> None:
    r = await wc.get("/api/v1/articles/1:reextract")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = await wc.put("/api/v1/articles/1", headers=AUTH)
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "DELETE"}
    assert (await wc.get("/api/v1/articles:batch")).status_code == 405


async def test_page_cursors_stay_stable_while_articles_are_added(wc: httpx.AsyncClient) -> None:
    first = (await wc.get("/api/v1/articles", params={"limit": 2})).json()
    everything = (await wc.get("/api/v1/articles", params={"limit": 100})).json()
    for i in range(3):
        r = await wc.post(
            "/api/v1/articles", json={"text": f"Kherson ferry report number {i}."}, headers=AUTH
        )
        assert r.status_code == 201
    rest = []
    cursor = first["next_cursor"]
    while cursor:
        page = (await wc.get("/api/v1/articles", params={"limit": 2, "cursor": cursor})).json()
        rest.extend(a["id"] for a in page["items"])
        cursor = page["next_cursor"]
    assert [a["id"] for a in first["items"]] + rest == [a["id"] for a in everything["items"]]


async def test_change_feed_lists_writes_in_commit_order(wc: httpx.AsyncClient) -> None:
    start = (await wc.get("/api/v1/changes", params={"limit": 100})).json()
    while start["has_more"]:
        start = (
            await wc.get("/api/v1/changes", params={"limit": 100, "since": start["next_cursor"]})
        ).json()
    cursor = start["next_cursor"]
    a = (
        await wc.post("/api/v1/articles", json={"text": "Lviv hosted talks."}, headers=AUTH)
    ).json()
    b = (await wc.post("/api/v1/articles", json={"text": "Dnipro was hit."}, headers=AUTH)).json()
    assert (await wc.post(f"/api/v1/articles/{a['id']}:reextract", headers=AUTH)).status_code == 200
    assert (await wc.delete(f"/api/v1/articles/{b['id']}", headers=AUTH)).status_code == 204
    feed = (await wc.get("/api/v1/changes", params={"since": cursor, "entity": "article"})).json()
    assert [(c["entity_id"], c["action"]) for c in feed["items"]] == [
        (a["id"], "created"),
        (b["id"], "created"),
        (a["id"], "updated"),
        (b["id"], "deleted"),
    ]
    ids = [c["id"] for c in feed["items"]]
    assert ids == sorted(ids)
    tail = (
        await wc.get("/api/v1/changes", params={"since": feed["next_cursor"], "entity": "article"})
    ).json()
    assert tail["items"] == [] and tail["has_more"] is False
    assert tail["next_cursor"] == feed["next_cursor"]
    assert (await wc.get("/api/v1/changes", params={"since": "garbage"})).status_code == 422


async def test_seeded_content_is_in_the_feed_from_the_start(wc: httpx.AsyncClient) -> None:
    feed = (await wc.get("/api/v1/changes", params={"entity": "article"})).json()
    seeded = (await wc.get("/api/v1/articles", params={"limit": 100})).json()
    assert {c["entity_id"] for c in feed["items"]} == {a["id"] for a in seeded["items"]}
