"""Schemathesis over every operation of the OpenAPI document, on a seeded database copy, with all
of its checks. Write operations get a valid API key; `ignored_auth` checks that they refuse
requests without one."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, reject, settings
from starlette.testclient import TestClient

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.search.query import parse_query
from app.services.errors import InvalidQuery
from tests.conftest import (
    PG_SERVER_URL,
    Template,
    create_pg_database,
    drop_pg_database,
    new_database_name,
    pg_url,
)

KEY = "schemathesis-key"
MAX_EXAMPLES = 25
calls = {"cases": 0}

# The schema is loaded when the module is collected (one pytest test per operation), so the app
# is made here on a database that the fixture below fills with a copy of the seeded template
# before any case runs (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL); the
# engine connects lazily, at the first case.
DB_PATH = Path(tempfile.mkdtemp(prefix="conflictkb-schemathesis-")) / "kb.db"
PG_NAME = new_database_name("schemathesis")
DB_URL = pg_url(PG_NAME) if PG_SERVER_URL else f"sqlite:///{DB_PATH}"
ENGINE = make_engine(DB_URL)
APP = create_app(
    settings=Settings(
        database_url=DB_URL,
        api_key_hashes=[hashlib.sha256(KEY.encode()).hexdigest()],
    ),
    engine=ENGINE,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(max_examples=MAX_EXAMPLES)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else json.dumps(value).encode()


@pytest.fixture(scope="module", autouse=True)
def _seeded_database(seeded_template: Template, request: pytest.FixtureRequest) -> Iterator[None]:
    if isinstance(seeded_template, str):
        create_pg_database(PG_NAME, template=seeded_template)
    else:
        shutil.copy(seeded_template, DB_PATH)
    yield
    ENGINE.dispose()
    if isinstance(seeded_template, str):
        drop_pg_database(PG_NAME)
    shutil.rmtree(DB_PATH.parent, ignore_errors=True)
    line = f"schemathesis: {calls['cases']} cases over every operation, all checks"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(f"\n{line}")
    else:
        print(line)


CURSOR_PARAMS = ("cursor", "since")


def _issued_cursor(case: Any) -> str | None:
    """A cursor the API itself handed out for this very query (next_cursor of a one-item page).
    Cursors are opaque tokens: a string the server never issued is refused (422) by design,
    which no schema can say, so schema-valid cursor strings are swapped for a real one."""
    params = {k: v for k, v in (case.query or {}).items() if k not in CURSOR_PARAMS}
    params["limit"] = 1
    with TestClient(APP) as client:
        answer = client.get(case.formatted_path, params=params)
    return answer.json().get("next_cursor") if answer.status_code == 200 else None


def _valid_fts5(value: str) -> bool:
    """Raw FTS5 syntax (`syntax=fts5`) is a grammar no schema can state; ask FTS5 itself. On
    PostgreSQL, NEAR, `^` and `+` have no tsquery form and are documented 400s as well."""
    if PG_SERVER_URL and ("^" in value or "+" in value or "NEAR" in value):
        return False
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE VIRTUAL TABLE probe USING fts5(title, body, lemmas)")
        try:
            conn.execute("SELECT * FROM probe WHERE probe MATCH ?", (value,)).fetchall()
        except sqlite3.Error:
            return False
    return True


def _searchable(value: str) -> bool:
    try:
        parse_query(value)
    except InvalidQuery:
        return False
    return True


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms(case: Any) -> None:
    if case.media_type == "application/x-ndjson" and not isinstance(case.body, str):
        # A "non-string" NDJSON body has no bytes of its own: on the wire it is text again.
        reject()
    calls["cases"] += 1
    for name in CURSOR_PARAMS:
        value = (case.query or {}).get(name)
        # Only schema-valid values are swapped; a mutated (negative) one is sent as generated.
        if isinstance(value, str) and len(value) <= 512:
            real = _issued_cursor(case)
            if real is None:
                del case.query[name]
            else:
                case.query[name] = real
    q = (case.query or {}).get("q")
    if (
        isinstance(q, str)
        and 0 < len(q) <= 500
        and (case.query or {}).get("syntax") == "fts5"
        and not _valid_fts5(q)
    ):
        # A schema-valid string that is not FTS5 syntax is a documented 400; swap in a valid one.
        case.query["q"] = '"Kyiv"'
    elif isinstance(q, str) and 0 < len(q) <= 500 and not _searchable(q):
        # The query language (at least one searchable word, at most 32, ...) is richer than a
        # schema; a schema-valid text the parser refuses is swapped for one it takes.
        case.query["q"] = "Kyiv " + q
        if not _searchable(case.query["q"]):
            case.query["q"] = "Kyiv"
    headers = {"Authorization": f"Bearer {KEY}"} if case.method in {"POST", "DELETE"} else None
    case.call_and_validate(headers=headers)


def test_openapi_shows_the_colon_routes_and_write_statuses() -> None:
    paths = schema.raw_schema["paths"]
    assert "/api/v1/articles:batch" in paths
    assert "/api/v1/articles/{article_id}:reextract" in paths
    post = paths["/api/v1/articles"]["post"]
    assert {"200", "201", "401", "413", "415", "422", "503"} <= set(post["responses"])
    assert "application/problem+json" in post["responses"]["401"]["content"]
    assert "204" in paths["/api/v1/articles/{article_id}"]["delete"]["responses"]
    assert post["security"] == [{"ApiKey": []}]
    assert json.dumps(paths["/api/v1/articles:batch"]["post"]["requestBody"]).count("ndjson")
