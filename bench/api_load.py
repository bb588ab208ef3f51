"""Bounded HTTP load against `uvicorn --workers 2` on loopback, beside the framework floor.

    python bench/api_load.py --db PATH [--duration 10] [--connections 32] [--workers 2]
                             [--repeat 1] [--tree CHECKOUT]

Starts the API (app.main:create_app) and bench/floor_app.py (a constant JSON, the framework
floor) as uvicorn subprocesses on free ports, then for each scenario runs wrk (Debian's `wrk`,
from a second process) for a fixed duration and prints requests/s with p50/p95/p99 in ms. Without
wrk on PATH it falls back to an httpx/asyncio client (slower: it shares the 2 cores too).

The API keeps an in-process cache of read answers (app/api/cache.py), so the read scenarios run
twice: "cache hit" requests the same URLs again and again (warmed in both workers first), "cache
miss" adds a parameter the API ignores, unique per request (`&_=<n>`), so that every request
misses and pays for the full read (and for storing its answer).

Beside the load, one sequential client times `GET /events?type=ASSAULT&limit=50`, and a sample of
`GET /articles/{article_id}` and `GET /actors/{actor_id}`, through HTTP (hit and miss), beside the
very SQL statements a missing request issues (captured in-process with `before_cursor_execute`),
run directly with sqlite3, in the same run. `--tree` runs another checkout's API (e.g. the
previous commit, exported with `git archive`) with this same script, for before/after tables.
The 1-minute load average is printed at the start and the end: absolute figures are only
comparable between runs on a similarly loaded machine. Each API row's "vs sync floor" is taken
against a run of the sync floor right before it (so both met about the same load), and
`--repeat N` runs all rows N times in turn and prints medians.
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
local nonce = os.getenv("WRK_NONCE") == "1"
local i = 0
local n = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args) i = math.random(#paths) end
request = function()
  i = i % #paths + 1
  local path = paths[i]
  if nonce then
    n = n + 1
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_=" .. tostring(tid) .. "x" .. n
  end
  return wrk.format("GET", path)
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
def server(
    target: str, port: int, workers: int, env: dict[str, str], factory: bool, cwd: Path = ROOT
) -> Any:
    cmd = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if factory:
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env, "PYTHONPATH": str(cwd)})
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


def with_nonce(path: str, n: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}_=seq{n}"


def run_wrk(
    base: str, paths: list[str], duration: int, connections: int, nonce: bool
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "mix.lua", Path(tmp) / "paths.txt"
        script.write_text(LUA)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "WRK_PATHS": str(listing), "WRK_NONCE": "1" if nonce else "0"},
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


def run_httpx(
    base: str, paths: list[str], duration: int, connections: int, nonce: bool
) -> dict[str, float]:
    count = iter(range(10**9))

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
                    path = with_nonce(paths[i], next(count)) if nonce else paths[i]
                    t0 = time.perf_counter()
                    r = await client.get(path)
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


def request_sql(db: Path, paths: list[str]) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
    """The statements each GET issues when it misses every cache, with their parameters, captured
    on the engine while the app (of the tree under test) answers in-process."""
    from sqlalchemy import event

    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app

    engine = make_engine(f"sqlite:///{db}")
    app = create_app(settings=Settings(database_url=f"sqlite:///{db}"), engine=engine)
    captured: list[tuple[str, tuple[Any, ...]]] = []

    def grab(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if statement not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            captured.append((statement, tuple(params)))

    event.listen(engine, "before_cursor_execute", grab)
    out: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}

    async def fetch_all() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for n, path in enumerate(paths):
                captured.clear()
                r = await client.get(with_nonce(path, n))
                assert r.status_code == 200, (path, r.status_code)
                out[path] = list(captured)

    asyncio.run(fetch_all())
    engine.dispose()
    return out


def sequential(base: str, db: Path, paths: list[str], rounds: int) -> dict[str, float]:
    """Median over `rounds` requests (cycling through `paths`) of: a cache hit through HTTP, a
    cache miss through HTTP, and the miss's SQL statements run directly in sqlite3."""
    statements = request_sql(db, paths)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    hit_ms, miss_ms, sql_ms = [], [], []
    with httpx.Client(base_url=base, timeout=120) as client:
        for i in range(rounds + 3):
            path = paths[i % len(paths)]
            for _ in range(2):  # fill this worker's cache (one connection: one worker)
                assert client.get(path).status_code == 200
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            t1 = time.perf_counter()
            assert client.get(with_nonce(path, i)).status_code == 200
            t2 = time.perf_counter()
            for statement, params in statements[path]:
                conn.execute(statement, params).fetchall()
            t3 = time.perf_counter()
            if i >= 3:
                hit_ms.append((t1 - t0) * 1000)
                miss_ms.append((t2 - t1) * 1000)
                sql_ms.append((t3 - t2) * 1000)
    conn.close()
    return {
        "hit": statistics.median(hit_ms),
        "miss": statistics.median(miss_ms),
        "sql": statistics.median(sql_ms),
        "statements": statistics.median(len(statements[p]) for p in paths),
    }


def warm(base: str, paths: list[str], times: int) -> None:
    """Each path `times` times, each on a new connection, so that every worker has likely seen
    it (a connection stays with the worker that accepted it)."""
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, timeout=120, limits=limits) as client:
        for _ in range(times):
            for p in paths:
                client.get(p)


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
    ap.add_argument("--rounds", type=int, default=50, help="sequential requests per endpoint")
    ap.add_argument("--client", choices=["auto", "wrk", "httpx"], default="auto")
    ap.add_argument(
        "--tree", type=Path, default=ROOT, help="checkout whose API is measured (default: this)"
    )
    ap.add_argument(
        "--repeat", type=int, default=1, help="rounds over all scenarios; medians are printed"
    )
    args = ap.parse_args()
    tree = args.tree.resolve()
    sys.path.insert(0, str(tree))
    load_before = os.getloadavg()[0]
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    load = run_wrk if use_wrk else run_httpx
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("article", "event", "actor")
        }
    articles = [f"/api/v1/articles/{i}" for i in sample_ids(args.db, "article", 500)]
    actors = [f"/api/v1/actors/{i}" for i in sample_ids(args.db, "actor", 500)]
    # (label, server, paths, unique URL per request, warm-up passes)
    scenarios: list[tuple[str, str, list[str], bool, int]] = [
        ("floor: constant JSON (async)", "floor", ["/constant-async"], False, 2),
        ("floor: constant JSON (sync)", "floor", ["/constant"], False, 2),
        (f"GET {EVENTS[7:]} (cache hit)", "api", [EVENTS], False, 8),
        (f"GET {EVENTS[7:]} (cache miss)", "api", [EVENTS], True, 2),
        (
            "GET /search?q=... (6-query mix)",
            "api",
            [f"/api/v1/search?q={quote(q)}" for q in QUERIES],
            False,
            2,
        ),
        ("GET /articles/{article_id} (cache hit)", "api", articles, False, 6),
        ("GET /articles/{article_id} (cache miss)", "api", articles, True, 0),
        ("GET /actors/{actor_id} (cache hit)", "api", actors, False, 6),
        ("GET /actors/{actor_id} (cache miss)", "api", actors, True, 0),
    ]
    env = {"CONFLICTKB_DATABASE_URL": f"sqlite:///{args.db.resolve()}"}
    api_port, floor_port = free_port(), free_port()
    # Each API row's ratio is taken against a sync-floor run right before it: on a machine shared
    # with other work, the floor measured a minute earlier may have run under another load.
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in scenarios}
    ratios: dict[str, list[float]] = {label: [] for label, *_ in scenarios}
    seq: dict[str, dict[str, float]] = {}
    with (
        server("app.main:create_app", api_port, args.workers, env, factory=True, cwd=tree),
        server("bench.floor_app:app", floor_port, args.workers, {}, factory=False),
    ):
        ports = {"api": api_port, "floor": floor_port}
        floor_base, floor_paths = f"http://127.0.0.1:{floor_port}", ["/constant"]
        warm(floor_base, floor_paths, 2)
        for round_ in range(args.repeat):
            for label, which, paths, nonce, passes in scenarios:
                base = f"http://127.0.0.1:{ports[which]}"
                if round_ == 0:
                    warm(base, paths if passes > 2 else paths[:20], max(passes, 2))
                seconds, conns = args.duration, args.connections
                if which == "api":
                    floor_now = load(floor_base, floor_paths, seconds, conns, False)
                    runs[scenarios[1][0]].append(floor_now)
                result = load(base, paths, seconds, conns, nonce)
                runs[label].append(result)
                if which == "api":
                    ratios[label].append(result["rps"] / floor_now["rps"])
        api = f"http://127.0.0.1:{api_port}"
        seq[EVENTS] = sequential(api, args.db, [EVENTS], args.rounds)
        seq["/api/v1/articles/{article_id}"] = sequential(api, args.db, articles[:50], args.rounds)
        seq["/api/v1/actors/{actor_id}"] = sequential(api, args.db, actors[:50], args.rounds)
    floor_label = scenarios[1][0]
    for label in (scenarios[0][0], floor_label):
        floor_rps = statistics.median(r["rps"] for r in runs[floor_label])
        ratios[label] = [statistics.median(r["rps"] for r in runs[label]) / floor_rps]
    print(
        f"DB: {counts['article']} articles, {counts['event']} events, {counts['actor']} actors; "
        f"uvicorn --workers {args.workers}; {'wrk' if use_wrk else 'httpx'} -c{args.connections} "
        f"{args.duration}s per row, {args.repeat} round(s), medians; API from {tree}"
    )
    print(
        f"1-minute load average: {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at "
        f"the end ({os.cpu_count()} CPUs); an API row's ratio is to the sync floor run just "
        "before it"
    )
    print(
        f"| {'scenario':<46} | {'req/s':>7} | {'vs sync floor':>13} | {'p50 ms':>7} "
        f"| {'p95 ms':>7} | {'p99 ms':>7} | {'errors':>6} |"
    )
    print(f"|{'-' * 48}|{'-' * 8}:|{'-' * 14}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|")
    for label, *_ in scenarios:
        rs = runs[label]

        def med(key: str, rs: list[dict[str, float]] = rs) -> float:
            return statistics.median(r[key] for r in rs)

        print(
            f"| {label:<46} | {med('rps'):>7.0f} | {statistics.median(ratios[label]):>13.2f} "
            f"| {med('p50'):>7.1f} | {med('p95'):>7.1f} | {med('p99'):>7.1f} "
            f"| {sum(r['errors'] for r in rs):>6.0f} |"
        )
    print()
    print(
        f"Sequential, median of {args.rounds} (articles and actors: {min(50, len(articles))} ids "
        "in turn); SQL = the statements a missing request issues, run directly in sqlite3"
    )
    print(
        f"| {'request':<34} | {'SQL stmts':>9} | {'SQL ms':>7} | {'HTTP hit ms':>11} "
        f"| {'hit / SQL':>9} | {'HTTP miss ms':>12} | {'miss / SQL':>10} |"
    )
    print(f"|{'-' * 36}|{'-' * 10}:|{'-' * 8}:|{'-' * 12}:|{'-' * 10}:|{'-' * 13}:|{'-' * 11}:|")
    for path, r in seq.items():
        print(
            f"| {path[7:]:<34} | {r['statements']:>9.0f} | {r['sql']:>7.2f} | {r['hit']:>11.2f} "
            f"| {r['hit'] / r['sql']:>9.2f} | {r['miss']:>12.2f} | {r['miss'] / r['sql']:>10.2f} |"
        )


if __name__ == "__main__":
    main()
