"""Bounded HTTP load against `uvicorn --workers 2` on loopback, beside the framework floor.

    python bench/api_load.py --db PATH [--duration 10] [--connections 32] [--workers 2]

Starts the API (app.main:create_app) and bench/floor_app.py (a constant JSON, the framework
floor) as uvicorn subprocesses on free ports, then for each scenario runs wrk (Debian's `wrk`,
from a second process) for a fixed duration and prints requests/s with p50/p95/p99 in ms. Without
wrk on PATH it falls back to an httpx/asyncio client (slower: it shares the 2 cores too).
Beside the load, one sequential client times `GET /events?type=ASSAULT&limit=50` through HTTP and
the very SQL statements that request issues run directly with sqlite3, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ["Kharkiv", "drones", "Zelensky", "Japan air defence", '"air defence"', "Украйна"]
EVENTS = "/api/v1/events?type=ASSAULT&limit=50"
LUA = r"""
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50":%d,"p95":%d,"p99":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(target: str, port: int, workers: int, env: dict[str, str], factory: bool) -> Any:
    cmd = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if factory:
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{target} did not start within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_wrk(base: str, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "mix.lua", Path(tmp) / "paths.txt"
        script.write_text(LUA)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "WRK_PATHS": str(listing)},
        )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr or out.stdout}")
    data = json.loads(
        next(line[5:] for line in out.stdout.splitlines() if line.startswith("JSON "))
    )
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50": data["p50"] / 1000,
        "p95": data["p95"] / 1000,
        "p99": data["p99"] / 1000,
        "errors": data["errors"] + data["non2xx"],
    }


def run_httpx(base: str, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    async def main() -> tuple[list[float], int]:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            stop = time.perf_counter() + duration

            async def worker(k: int) -> None:
                nonlocal errors
                i = k
                while time.perf_counter() < stop:
                    i = (i + 1) % len(paths)
                    t0 = time.perf_counter()
                    r = await client.get(paths[i])
                    latencies.append((time.perf_counter() - t0) * 1000)
                    errors += r.status_code != 200

            await asyncio.gather(*(worker(k) for k in range(connections)))
        return latencies, errors

    latencies, errors = asyncio.run(main())
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / duration,
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "errors": errors,
    }


def events_sql(db: Path) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements GET /events?type=ASSAULT&limit=50 issues, with their parameters."""
    from sqlalchemy import event
    from sqlmodel import Session

    from app.db import make_engine
    from app.services.events import list_events

    engine = make_engine(f"sqlite:///{db}")
    captured: list[tuple[str, tuple[Any, ...]]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if statement not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            captured.append((statement, tuple(params)))

    event.listen(engine, "before_cursor_execute", grab)
    with Session(engine) as session:
        list_events(session, limit=50, type="ASSAULT")
    engine.dispose()
    return captured


def sequential(base: str, db: Path, rounds: int) -> dict[str, float]:
    statements = events_sql(db)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    http_ms, sql_ms = [], []
    with httpx.Client(base_url=base, timeout=120) as client:
        for i in range(rounds + 3):
            t0 = time.perf_counter()
            assert client.get(EVENTS).status_code == 200
            t1 = time.perf_counter()
            for statement, params in statements:
                conn.execute(statement, params).fetchall()
            t2 = time.perf_counter()
            if i >= 3:
                http_ms.append((t1 - t0) * 1000)
                sql_ms.append((t2 - t1) * 1000)
    conn.close()
    return {
        "http": statistics.median(http_ms),
        "sql": statistics.median(sql_ms),
        "statements": len(statements),
    }


def sample_ids(db: Path, table: str, k: int) -> list[int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        ids = [r[0] for r in conn.execute(f"SELECT id FROM {table}")]
    return random.Random(1).sample(ids, min(k, len(ids)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=50, help="sequential /events requests")
    ap.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    args = ap.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = run_wrk if use_wrk else run_httpx
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("article", "event", "actor")
        }
    scenarios = [
        ("floor: constant JSON (async)", "floor", ["/constant-async"]),
        ("floor: constant JSON (sync)", "floor", ["/constant"]),
        ("GET /events?type=ASSAULT&limit=50", "api", [EVENTS]),
        (
            "GET /search?q=... (6-query mix)",
            "api",
            [f"/api/v1/search?q={quote(q)}" for q in QUERIES],
        ),
        (
            "GET /articles/{article_id}",
            "api",
            [f"/api/v1/articles/{i}" for i in sample_ids(args.db, "article", 500)],
        ),
        (
            "GET /actors/{actor_id}",
            "api",
            [f"/api/v1/actors/{i}" for i in sample_ids(args.db, "actor", 500)],
        ),
    ]
    env = {"CONFLICTKB_DATABASE_URL": f"sqlite:///{args.db.resolve()}"}
    api_port, floor_port = free_port(), free_port()
    results = []
    with (
        server("app.main:create_app", api_port, args.workers, env, factory=True),
        server("bench.floor_app:app", floor_port, args.workers, {}, factory=False),
    ):
        ports = {"api": api_port, "floor": floor_port}
        for label, which, paths in scenarios:
            base = f"http://127.0.0.1:{ports[which]}"
            with httpx.Client(
                base_url=base, timeout=120
            ) as client:  # warm every worker's caches a little
                for p in paths[:20] * 2:
                    client.get(p)
            results.append((label, load(base, paths, args.duration, args.connections)))
        seq = sequential(f"http://127.0.0.1:{api_port}", args.db, args.rounds)
    floor = results[1][1]["rps"]
    print(
        f"DB: {counts['article']} articles, {counts['event']} events, {counts['actor']} actors; "
        f"uvicorn --workers {args.workers}; {'wrk' if use_wrk else 'httpx'} -c{args.connections} "
        f"{args.duration}s per row"
    )
    print(
        f"| {'scenario':<34} | {'req/s':>7} | {'vs sync floor':>13} | {'p50 ms':>7} "
        f"| {'p95 ms':>7} | {'p99 ms':>7} | {'errors':>6} |"
    )
    print(f"|{'-' * 36}|{'-' * 9}:|{'-' * 14}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|")
    for label, r in results:
        print(
            f"| {label:<34} | {r['rps']:>7.0f} | {r['rps'] / floor:>13.2f} | {r['p50']:>7.1f} "
            f"| {r['p95']:>7.1f} | {r['p99']:>7.1f} | {r['errors']:>6.0f} |"
        )
    print(
        f"sequential {EVENTS}: HTTP median {seq['http']:.2f} ms; the same "
        f"{seq['statements']:.0f} SQL statements in sqlite3 median {seq['sql']:.2f} ms; "
        f"ratio {seq['http'] / seq['sql']:.2f}"
    )


if __name__ == "__main__":
    main()
