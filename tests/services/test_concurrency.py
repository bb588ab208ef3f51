"""Concurrent writers against a real uvicorn server, a writer that holds the lock too long, and
an ingest process killed mid-batch: every acknowledged write is there, nothing half-stored."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, text

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.services.transactions import _PG_WRITE_LOCK
from tests.conftest import SEEDS_DIR, Template, copy_template, make_client

KEY = "concurrency-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
KEY_HASH = hashlib.sha256(KEY.encode()).hexdigest()
THREADS, WRITES_PER_THREAD = 8, 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scalar(url: str, sql: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def _count(url: str, table: str) -> int:
    return _scalar(url, f"SELECT count(*) FROM {table}")


def _check_if_sqlite(url: str) -> None:
    """SQLite's own integrity checks; PostgreSQL keeps its indexes consistent by itself."""
    if url.startswith("sqlite"):
        assert _check(url)["ok"] is True


def _check(url: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "check", "--database-url", url],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    assert out.returncode == (0 if result["ok"] else 1)
    return result


@pytest.fixture
def server(seeded_db_url: str) -> Iterator[tuple[str, str]]:
    port = _free_port()
    env = {
        **os.environ,
        "CONFLICTKB_DATABASE_URL": seeded_db_url,
        "CONFLICTKB_API_KEY_HASHES": KEY_HASH,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base, seeded_db_url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_eight_writers_and_readers_lose_nothing(server: tuple[str, str]) -> None:
    base, url = server
    # The first extraction loads the gazetteer and models; that is start-up, not contention.
    warm = httpx.post(
        f"{base}/api/v1/articles", json={"text": "Warm-up note on Kyiv."}, headers=AUTH, timeout=120
    )
    assert warm.status_code == 201
    before = _count(url, "article")
    statuses: Counter[int] = Counter()
    read_statuses: Counter[int] = Counter()
    lock = threading.Lock()
    done = threading.Event()

    def writer(n: int) -> None:
        with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
            for i in range(WRITES_PER_THREAD):
                text = f"Writer {n} reports strike number {i} on Kharkiv, officials said."
                r = client.post("/api/v1/articles", json={"text": text})
                with lock:
                    statuses[r.status_code] += 1

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not done.is_set():
                for url in ("/api/v1/articles?limit=50", "/api/v1/search?q=Kharkiv"):
                    r = client.get(url)
                    with lock:
                        read_statuses[r.status_code] += 1

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    for t in readers:
        t.join()

    assert sum(statuses.values()) == THREADS * WRITES_PER_THREAD
    assert set(statuses) <= {201, 503}, statuses
    assert set(read_statuses) == {200}, read_statuses
    assert _count(url, "article") == before + statuses[201]
    created = _scalar(
        url, "SELECT count(*) FROM change WHERE entity = 'article' AND action = 'created'"
    )
    assert created == _count(url, "article")
    _check_if_sqlite(url)


@pytest.mark.anyio
async def test_a_writer_holding_the_lock_too_long_gets_503_and_reads_go_on(
    seeded_db_url: str,
) -> None:
    engine: Engine = make_engine(seeded_db_url, busy_timeout_ms=200)
    settings = Settings(
        database_url=seeded_db_url, api_key_hashes=[KEY_HASH], sqlite_busy_timeout_ms=200
    )
    app = create_app(settings=settings, engine=engine)
    before = _count(seeded_db_url, "article")
    holder = _hold_write_lock(seeded_db_url)
    try:
        async with make_client(app) as client:
            started = time.monotonic()
            r = await client.post(
                "/api/v1/articles", json={"text": "Odesa port was hit again."}, headers=AUTH
            )
            waited = time.monotonic() - started
            assert r.status_code == 503
            assert r.headers["retry-after"].isdigit()
            assert r.headers["content-type"].startswith("application/problem+json")
            assert waited >= 0.2
            batch = await client.post(
                "/api/v1/articles:batch",
                content=b'{"text": "one"}\n{"text": "two"}\n',
                headers={**AUTH, "content-type": "application/x-ndjson"},
            )
            assert [x["status"] for x in batch.json()["results"]] == [503, 503]
            assert (await client.delete("/api/v1/articles/1", headers=AUTH)).status_code == 503
            assert (await client.get("/api/v1/articles")).status_code == 200
            assert (await client.get("/api/v1/articles/1")).status_code == 200
            assert (await client.get("/api/v1/search", params={"q": "Kyiv"})).status_code == 200
    finally:
        holder.rollback()
        holder.close()
    assert _count(seeded_db_url, "article") == before
    engine.dispose()


def _hold_write_lock(url: str) -> Any:
    """A connection in a transaction that holds what every writer needs first: SQLite's write
    lock, or PostgreSQL's write advisory lock (app.services.transactions)."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        return holder
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_WRITE_LOCK,))
    return conn


def _feed(path: Path, count: int) -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            text = f"{seeds[i % len(seeds)]}\n\nUpdate {i}: officials in Kyiv confirmed the report."
            out.write(json.dumps({"text": text, "source": f"wire-{i % 3}"}) + "\n")


def _ingest(url: str, feed: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", str(feed), "--database-url", url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stats(url: str) -> dict[str, int]:
    tables = ("article", "mention", "event", "event_evidence", "actor", "place", "change")
    return {t: _count(url, t) for t in tables}


def test_an_ingest_killed_mid_batch_then_rerun_ends_exact(
    empty_template: Template, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.ndjson"
    total = 30
    _feed(feed, total)
    copies = [copy_template(empty_template, tmp_path, label) for label in ("crashed", "clean")]
    crashed, clean = (next(c) for c in copies)
    try:
        _killed_then_rerun(crashed, clean, feed, total)
    finally:
        for c in copies:
            c.close()


def _killed_then_rerun(crashed: str, clean: str, feed: Path, total: int) -> None:
    proc = _ingest(crashed, feed)
    deadline = time.monotonic() + 120
    while _count(crashed, "article") < 3:
        assert proc.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    stored = _count(crashed, "article")
    assert 3 <= stored < total, "the kill must land mid-batch"

    _check_if_sqlite(crashed)
    # Each stored article came with its change row in the same transaction.
    orphans = _scalar(
        crashed,
        "SELECT count(*) FROM article a WHERE NOT EXISTS (SELECT 1 FROM change c "
        "WHERE c.entity = 'article' AND c.entity_id = a.id)",
    )
    assert orphans == 0
    without_mentions = _scalar(
        crashed,
        "SELECT count(*) FROM article a WHERE NOT EXISTS "
        "(SELECT 1 FROM mention m WHERE m.article_id = a.id)",
    )
    assert without_mentions == 0

    assert _ingest(crashed, feed).wait(timeout=600) == 0
    assert _ingest(clean, feed).wait(timeout=600) == 0
    _check_if_sqlite(crashed)
    assert _count(crashed, "article") == total
    # The crashed-and-resumed database holds exactly what one clean run stores.
    assert _stats(crashed) == _stats(clean)
