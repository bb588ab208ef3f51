from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

# The people and states named in the seeds, each of which must be one canonical actor.
EXPECTED = {
    "Vladimir Putin": "RUS",
    "Volodymyr Zelensky": "UKR",
    "Oleksii Reznikov": "UKR",
    "Fumio Kishida": "JPN",
    "Joe Biden": "USA",
    "Takeshi Iwaya": "JPN",
    "Andrii Sybiha": "UKR",
    "Alexander Lukashenko": "BLR",
    "Japan": "JPN",
    "Ukraine": "UKR",
    "Russia": "RUS",
    "United States": "USA",
    "Belarus": "BLR",
    "North Korea": "PRK",
}


async def _all_actors(client: httpx.AsyncClient) -> list[dict[str, object]]:
    actors: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/actors", params=params)).json()  # type: ignore[arg-type]
        actors += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return actors


async def test_seed_actors_are_each_one_canonical_actor(client: httpx.AsyncClient) -> None:
    actors = await _all_actors(client)
    by_name: dict[str, list[dict[str, object]]] = {}
    for a in actors:
        by_name.setdefault(str(a["name"]), []).append(a)
    for name, country in EXPECTED.items():
        assert name in by_name, name
        assert len(by_name[name]) == 1, name
        assert by_name[name][0]["country"] == country
    nato = by_name["NATO"][0]
    assert nato["kind"] == "organization"


@pytest.mark.parametrize("prefix", ["Japan", "Японії", "Японія", "Япония", "Япон", "japan"])
async def test_name_prefix_in_any_script_finds_japan(
    client: httpx.AsyncClient, prefix: str
) -> None:
    r = await client.get("/api/v1/actors", params={"name": prefix, "kind": "country"})
    assert r.status_code == 200
    names = [a["name"] for a in r.json()["items"]]
    assert names == ["Japan"]


async def test_japan_is_linked_from_en_bg_and_uk_articles(client: httpx.AsyncClient) -> None:
    japan = (await client.get("/api/v1/actors", params={"name": "Japan", "kind": "country"})).json()
    detail = (await client.get(f"/api/v1/actors/{japan['items'][0]['id']}")).json()
    assert detail["article_count"] == 4
    assert detail["mention_count"] >= detail["article_count"]
    alias_langs = {a["language"] for a in detail["aliases"]}
    assert {"en", "uk", "bg", "ru"} <= alias_langs
    surface = {a["alias"] for a in detail["aliases"]}
    assert "Японії" in surface  # an inflected form seen in the Ukrainian seed


async def test_zelensky_in_three_scripts(client: httpx.AsyncClient) -> None:
    for prefix in ("Zelensk", "Зеленськ", "Зеленск", "Зеленски"):
        r = await client.get("/api/v1/actors", params={"name": prefix, "kind": "person"})
        assert [a["name"] for a in r.json()["items"]] == ["Volodymyr Zelensky"], prefix


async def test_filters_by_kind_and_country(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/api/v1/actors", params={"kind": "person", "country": "JPN", "limit": 100}
    )
    names = {a["name"] for a in r.json()["items"]}
    assert {"Fumio Kishida", "Takeshi Iwaya"} <= names
    assert all(a["kind"] == "person" and a["country"] == "JPN" for a in r.json()["items"])


async def test_like_wildcards_in_name_are_literal(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/actors", params={"name": "%"})
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get("/api/v1/actors", params={"name": "_"})
    assert r.status_code == 200 and r.json()["items"] == []


async def test_actor_events_and_missing_actor(client: httpx.AsyncClient) -> None:
    putin = (await client.get("/api/v1/actors", params={"name": "Putin"})).json()["items"][0]
    r = await client.get(f"/api/v1/actors/{putin['id']}/events")
    assert r.status_code == 200
    for event in r.json()["items"]:
        assert putin["id"] in {p["actor_id"] for p in event["participants"]}
    assert (await client.get("/api/v1/actors/999999")).status_code == 404
    assert (await client.get("/api/v1/actors/999999/events")).status_code == 404
    bad = await client.get("/api/v1/actors", params={"kind": "alien"})
    assert bad.status_code == 422
