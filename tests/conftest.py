"""Fixtures: a database built by the real Alembic migrations and loaded with the five seeds
through the real ingest path, once per run; each test gets its own copy, so whatever a test
writes is gone after it.

The backend is SQLite unless CONFLICTKB_TEST_DATABASE_URL names a PostgreSQL server (any
database on it; the role must be allowed to create databases). On SQLite a copy is a file copy of
a template file; on PostgreSQL it is `CREATE DATABASE ... TEMPLATE`, a file-level copy as well,
dropped after the test. Tests that exercise a SQLite-only mechanism carry
`@pytest.mark.sqlite_only("why")` and are skipped, with that reason, on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine, normalise_url
from app.main import create_app
from app.migrate import upgrade
from app.services.ingest import ingest_article
from app.services.loading import expand_paths, read_records

SEEDS_DIR = PROJECT_ROOT / "seeds"
PG_SERVER_URL = os.environ.get("CONFLICTKB_TEST_DATABASE_URL") or None
BACKEND = "postgresql" if PG_SERVER_URL else "sqlite"
_RUN = f"{os.getpid()}"
_names = itertools.count(1)

# A template is a SQLite file (Path) or a PostgreSQL database name (str).
Template = Path | str


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): exercises a SQLite-only mechanism; skipped on PostgreSQL"
    )
    config.addinivalue_line("markers", "postgres_only(reason): needs a PostgreSQL server")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        only = "sqlite_only" if BACKEND == "postgresql" else "postgres_only"
        marker = item.get_closest_marker(only)
        if marker is not None:
            why = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            label = "SQLite-only" if only == "sqlite_only" else "needs PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"{label}: {why}"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stats = terminalreporter.stats
    counts = Counter({k: len(v) for k, v in stats.items() if k in {"passed", "failed", "error"}})
    skipped = len(stats.get("skipped", []))
    ran = counts["passed"] + counts["failed"]
    terminalreporter.write_line(
        f"backend={BACKEND} ran={ran} passed={counts['passed']} failed={counts['failed']} "
        f"errors={counts['error']} skipped={skipped}"
    )


# --- PostgreSQL server helpers -------------------------------------------------------------


def _admin() -> psycopg.Connection:
    assert PG_SERVER_URL is not None
    url = make_url(normalise_url(PG_SERVER_URL)).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def pg_url(database: str) -> str:
    assert PG_SERVER_URL is not None
    url = make_url(normalise_url(PG_SERVER_URL)).set(database=database)
    return url.render_as_string(hide_password=False)


def create_pg_database(name: str, template: str | None = None) -> str:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return pg_url(name)


def drop_pg_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_database_name(label: str) -> str:
    return f"ckb_{label}_{_RUN}_{next(_names)}"


# --- templates ------------------------------------------------------------------------------


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        for file in expand_paths([SEEDS_DIR]):
            for record in read_records(file):
                assert record.item is not None
                ingest_article(session, item=record.item)
    engine.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if PG_SERVER_URL:
        name = new_database_name("empty_template")
        _migrate(create_pg_database(name))
        yield name
        drop_pg_database(name)
        return
    path = tmp_path_factory.mktemp("template") / "empty.db"
    _migrate(f"sqlite:///{path}")
    _checkpoint(path)
    yield path


@pytest.fixture(scope="session")
def seeded_template(
    tmp_path_factory: pytest.TempPathFactory, empty_template: Template
) -> Iterator[Template]:
    if isinstance(empty_template, str):
        name = new_database_name("seeded_template")
        _seed(create_pg_database(name, template=empty_template))
        yield name
        drop_pg_database(name)
        return
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    shutil.copy(empty_template, path)
    _seed(f"sqlite:///{path}")
    _checkpoint(path)
    yield path


def copy_template(template: Template, tmp_path: Path, label: str = "test") -> Iterator[str]:
    """A database of the template's content for one user; gone when the generator closes."""
    if isinstance(template, str):
        name = new_database_name(label)
        yield create_pg_database(name, template=template)
        drop_pg_database(name)
        return
    target = tmp_path / f"{label}.db"
    shutil.copy(template, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def empty_db_url(empty_template: Template, tmp_path: Path) -> Iterator[str]:
    yield from copy_template(empty_template, tmp_path, "empty")


@pytest.fixture
def seeded_db_url(seeded_template: Template, tmp_path: Path) -> Iterator[str]:
    yield from copy_template(seeded_template, tmp_path, "kb")


@pytest.fixture
def blank_db_url(tmp_path: Path) -> Iterator[str]:
    """A database without any schema: for tests of the migrations and of `init-db`."""
    if PG_SERVER_URL:
        name = new_database_name("blank")
        yield create_pg_database(name)
        drop_pg_database(name)
        return
    yield f"sqlite:///{tmp_path}/blank.db"


@pytest.fixture
def engine(seeded_db_url: str) -> Iterator[Engine]:
    engine = make_engine(seeded_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(empty_db_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def empty_session(empty_engine: Engine) -> Iterator[Session]:
    with Session(empty_engine) as session:
        yield session


def make_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    url = engine.url.render_as_string(hide_password=False)
    return create_app(settings=Settings(database_url=url), engine=engine)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as client:
        yield client


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
