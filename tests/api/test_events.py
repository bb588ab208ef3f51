from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_events_exist_and_carry_evidence(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/v1/events", params={"limit": 100})).json()
    assert len(page["items"]) >= 5
    for event in page["items"][:20]:
        assert event["evidence_count"] >= 1
        detail = (await client.get(f"/api/v1/events/{event['id']}")).json()
        for ev in detail["evidence"]:
            article = (await client.get(f"/api/v1/articles/{ev['article_id']}")).json()
            assert article["body"][ev["start"] : ev["end"]] == ev["text"]


async def test_type_filter(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/events", params={"type": "ASSAULT", "limit": 100})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(e["type"] == "ASSAULT" for e in items)
    assert (await client.get("/api/v1/events", params={"type": "PARTY"})).status_code == 422


async def test_language_and_role_filters(client: httpx.AsyncClient) -> None:
    uk = (await client.get("/api/v1/events", params={"language": "uk", "limit": 100})).json()
    for event in uk["items"]:
        detail = (await client.get(f"/api/v1/events/{event['id']}")).json()
        assert "uk" in {e["article_language"] for e in detail["evidence"]}
    russia = (
        await client.get("/api/v1/actors", params={"name": "Russia", "kind": "country"})
    ).json()
    rid = russia["items"][0]["id"]
    as_source = (
        await client.get("/api/v1/events", params={"actor_id": rid, "role": "source", "limit": 100})
    ).json()
    for event in as_source["items"]:
        assert {"actor_id": rid, "role": "source"}.items() <= {
            k: v
            for p in event["participants"]
            if p["actor_id"] == rid and p["role"] == "source"
            for k, v in p.items()
        }.items()


async def test_date_range_is_validated_and_applied(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/events", params={"date_from": "2100-01-01"})
    assert r.status_code == 200 and r.json()["items"] == []
    assert (await client.get("/api/v1/events", params={"date_from": "soon"})).status_code == 422


async def test_missing_event(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/events/424242")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
