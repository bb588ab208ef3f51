"""Fixtures: a database built by the real Alembic migrations and loaded with the five seeds
through the real ingest path, once per run; each test gets its own copy, so whatever a test
writes is gone after it (the SQLite form of a per-test rollback)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.services.ingest import ingest_article
from app.services.loading import expand_paths, read_records

SEEDS_DIR = PROJECT_ROOT / "seeds"


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    _checkpoint(path)
    return path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, empty_template: Path) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    shutil.copy(empty_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        for file in expand_paths([SEEDS_DIR]):
            for record in read_records(file):
                assert record.item is not None
                ingest_article(session, item=record.item)
    engine.dispose()
    _checkpoint(path)
    return path


def _copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "kb.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def empty_db_url(empty_template: Path, tmp_path: Path) -> str:
    return _copy(empty_template, tmp_path)


@pytest.fixture
def seeded_db_url(seeded_template: Path, tmp_path: Path) -> str:
    return _copy(seeded_template, tmp_path)


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
    return create_app(settings=Settings(database_url=str(engine.url)), engine=engine)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as client:
        yield client


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
