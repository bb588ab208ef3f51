"""Concurrent writers against a real uvicorn server, a writer that holds the lock too long, and
an ingest process killed mid-batch: every acknowledged write is there, nothing half-stored."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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

import httpx
import pytest
from sqlalchemy import Engine

from app.config import PROJECT_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from tests.conftest import SEEDS_DIR, make_client

KEY = "concurrency-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
KEY_HASH = hashlib.sha256(KEY.encode()).hexdigest()
THREADS, WRITES_PER_THREAD = 8, 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


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
def server(seeded_template: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    path = tmp_path / "kb.db"
    shutil.copy(seeded_template, path)
    port = _free_port()
    env = {
        **os.environ,
        "CONFLICTKB_DATABASE_URL": f"sqlite:///{path}",
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
        yield base, path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_eight_writers_and_readers_lose_nothing(server: tuple[str, Path]) -> None:
    base, path = server
    # The first extraction loads the gazetteer and models; that is start-up, not contention.
    warm = httpx.post(
        f"{base}/api/v1/articles", json={"text": "Warm-up note on Kyiv."}, headers=AUTH, timeout=120
    )
    assert warm.status_code == 201
    before = _count(path, "article")
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
    assert _count(path, "article") == before + statuses[201]
    with sqlite3.connect(path) as conn:
        created = conn.execute(
            "SELECT count(*) FROM change WHERE entity = 'article' AND action = 'created'"
        ).fetchone()[0]
    assert created == _count(path, "article")
    assert _check(f"sqlite:///{path}")["ok"] is True


@pytest.mark.anyio
async def test_a_writer_holding_the_lock_too_long_gets_503_and_reads_go_on(
    seeded_db_url: str,
) -> None:
    engine: Engine = make_engine(seeded_db_url, busy_timeout_ms=200)
    settings = Settings(
        database_url=seeded_db_url, api_key_hashes=[KEY_HASH], sqlite_busy_timeout_ms=200
    )
    app = create_app(settings=settings, engine=engine)
    path = seeded_db_url.removeprefix("sqlite:///")
    before = _count(Path(path), "article")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
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
        holder.execute("ROLLBACK")
        holder.close()
    assert _count(Path(path), "article") == before
    engine.dispose()


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


def _stats(path: Path) -> dict[str, int]:
    tables = ("article", "mention", "event", "event_evidence", "actor", "place", "change")
    return {t: _count(path, t) for t in tables}


def test_an_ingest_killed_mid_batch_then_rerun_ends_exact(
    empty_template: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.ndjson"
    total = 30
    _feed(feed, total)
    crashed, clean = tmp_path / "crashed.db", tmp_path / "clean.db"
    shutil.copy(empty_template, crashed)
    shutil.copy(empty_template, clean)

    proc = _ingest(f"sqlite:///{crashed}", feed)
    deadline = time.monotonic() + 120
    while _count(crashed, "article") < 3:
        assert proc.poll() is None, "ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    stored = _count(crashed, "article")
    assert 3 <= stored < total, "the kill must land mid-batch"

    after_kill = _check(f"sqlite:///{crashed}")
    assert after_kill["ok"] is True, after_kill
    with sqlite3.connect(crashed) as conn:
        # Each stored article came with its change row in the same transaction.
        orphans = conn.execute(
            "SELECT count(*) FROM article a WHERE NOT EXISTS (SELECT 1 FROM change c "
            "WHERE c.entity = 'article' AND c.entity_id = a.id)"
        ).fetchone()[0]
        assert orphans == 0
        without_mentions = conn.execute(
            "SELECT count(*) FROM article a WHERE NOT EXISTS "
            "(SELECT 1 FROM mention m WHERE m.article_id = a.id)"
        ).fetchone()[0]
        assert without_mentions == 0

    assert _ingest(f"sqlite:///{crashed}", feed).wait(timeout=600) == 0
    assert _ingest(f"sqlite:///{clean}", feed).wait(timeout=600) == 0
    assert _check(f"sqlite:///{crashed}")["ok"] is True
    assert _count(crashed, "article") == total
    # The crashed-and-resumed database holds exactly what one clean run stores.
    assert _stats(crashed) == _stats(clean)
