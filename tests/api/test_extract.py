from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app

pytestmark = pytest.mark.anyio

WIRE = (
    "Росія вночі атакувала Харків 40 дронами, повідомили в Повітряних силах ЗСУ. "
    "Прем'єр-міністр Японії Фуміо Кісіда зустрівся з Володимиром Зеленським у Києві."
)


async def test_extract_returns_the_documented_shape_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    before = (await client.get("/api/v1/articles", params={"limit": 100})).json()["items"]
    r = await client.post("/api/v1/extract", json={"text": WIRE, "published_at": "2024-05-02"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["language"] == "uk"
    names = {a["name"] for a in out["actors"]}
    assert {"Russia", "Japan", "Fumio Kishida", "Volodymyr Zelensky"} <= names
    for entity in out["actors"] + out["places"]:
        for m in entity["mentions"]:
            assert out["body"][m["start"] : m["end"]] == m["text"]
    assert "Kharkiv" in {p["name"] for p in out["places"]}
    for event in out["events"]:
        assert set(event) >= {
            "type", "mode", "date", "date_precision", "actors", "targets", "place",
            "quantities", "modality", "reported_by", "evidence",
        }  # fmt: skip
        ev = event["evidence"]
        assert out["body"][ev["start"] : ev["end"]] == ev["text"]
    after = (await client.get("/api/v1/articles", params={"limit": 100})).json()["items"]
    assert len(after) == len(before)


@pytest.mark.parametrize(
    "body",
    [{"text": ""}, {"text": "x", "id": 3}, {"text": 5}, {}, {"text": "x", "language": "Ukrainian"}],
)
async def test_bad_extract_requests_are_422(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    r = await client.post("/api/v1/extract", json=body)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_extract_of_only_control_characters_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/extract", json={"text": "\u0000\u0007"})
    assert r.status_code == 422


def test_cli_extract_prints_json(tmp_path: Path) -> None:
    path = tmp_path / "wire.txt"
    path.write_text(WIRE, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["extract", str(path), "--published-at", "2024-05-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["language"] == "uk"
    assert "Japan" in {a["name"] for a in out["actors"]}
    bad = CliRunner().invoke(app, ["extract", str(path), "--published-at", "May"])
    assert bad.exit_code != 0


@pytest.mark.parametrize("published_at", [0, 1700000000, "16/11/2024", "2024-11-16T10:00:00", True])
async def test_extract_published_at_is_iso_date_text(
    client: httpx.AsyncClient, published_at: object
) -> None:
    r = await client.post("/api/v1/extract", json={"text": "Kyiv", "published_at": published_at})
    assert r.status_code == 422
