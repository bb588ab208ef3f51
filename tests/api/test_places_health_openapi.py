from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine

from app.config import Settings
from app.main import create_app
from tests.conftest import make_client

pytestmark = pytest.mark.anyio


async def test_places_have_coordinates(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/v1/places", params={"limit": 100})).json()
    names = {p["name"] for p in page["items"]}
    assert {"Kyiv", "Kremlin"} <= names
    kyiv = next(p for p in page["items"] if p["name"] == "Kyiv")
    assert kyiv["country"] == "UKR"
    assert 50 < kyiv["latitude"] < 51 and 30 < kyiv["longitude"] < 31
    detail = (await client.get(f"/api/v1/places/{kyiv['id']}")).json()
    assert detail["article_count"] >= 2
    assert (await client.get("/api/v1/places/999999")).status_code == 404


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_readyz_is_503_on_an_unmigrated_database(tmp_path: object) -> None:
    from app.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/blank.db")
    app = create_app(settings=Settings(database_url=str(engine.url)), engine=engine)
    async with make_client(app) as c:
        r = await c.get("/readyz")
    engine.dispose()
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_openapi_declares_problem_json_tags_and_summaries(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    ops = [op for path in spec["paths"].values() for op in path.values()]
    assert all(op.get("summary") and op.get("tags") for op in ops)
    article = spec["paths"]["/api/v1/articles/{article_id}"]["get"]
    assert "application/problem+json" in article["responses"]["404"]["content"]
    assert "application/problem+json" in article["responses"]["422"]["content"]
    assert (await client.get("/docs")).status_code == 200


async def test_cors_only_for_configured_origins(engine: Engine) -> None:
    headers = {"Origin": "https://front.example", "Access-Control-Request-Method": "GET"}
    closed = create_app(settings=Settings(database_url=str(engine.url)), engine=engine)
    async with make_client(closed) as c:
        r = await c.get("/api/v1/articles", headers={"Origin": "https://front.example"})
        assert "access-control-allow-origin" not in r.headers
    opened = create_app(
        settings=Settings(database_url=str(engine.url), cors_origins=["https://front.example"]),
        engine=engine,
    )
    async with make_client(opened) as c:
        r = await c.options("/api/v1/articles", headers=headers)
        assert r.headers["access-control-allow-origin"] == "https://front.example"
        r = await c.get("/api/v1/articles", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
