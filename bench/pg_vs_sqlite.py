"""PostgreSQL beside SQLite in one run: ingest throughput through the real ingest path, then
search latency over a query mix, on the same articles.

    python bench/pg_vs_sqlite.py --pg-url postgresql://postgres@127.0.0.1:54329/postgres \
        [--corpus ../shared/corpus] [--limit 600] [--rounds 5]

The PostgreSQL role must be allowed to create databases: a fresh `ckb_bench` is made (and
dropped at the end). SQLite gets a fresh file in a temporary folder. Both are built by the
Alembic migrations. Ingest is `ingest_article` one article per transaction, as `conflictkb
ingest` does; the two backends take turns per chunk of articles, so the machine's noise hits both
alike. Search runs the service functions (`search_articles`, `search_events`; parse, expand, rank,
snippets, facets when asked) in-process, so the figures are the database's and the search code's,
not HTTP's. Medians and p95 per query kind, over all queries and rounds.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import make_engine, normalise_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.services.ingest import ArticleInput, ingest_article  # noqa: E402
from app.services.loading import expand_paths, read_records  # noqa: E402
from app.services.search import search_articles, search_events  # noqa: E402

BENCH_DB = "ckb_bench"
CHUNK = 25
# What users type: head and rare words in both corpus languages, a phrase, OR, exclusion, a
# prefix, an entity in another script, and text that is syntax in the engines.
QUERIES = [
    "Ukraine",
    "Putin",
    "Zelensky",
    "Украйна",
    "дронове",
    "Bakhmut",
    '"air defence"',
    "sanctions OR embargo",
    "Russia -Putin",
    "negotiat*",
    "Japan",
    'C++ (x OR "y',
]


def admin(url: str) -> psycopg.Connection:
    plain = make_url(normalise_url(url)).set(drivername="postgresql")
    return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)


def fresh_pg(url: str) -> str:
    with admin(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return make_url(normalise_url(url)).set(database=BENCH_DB).render_as_string(False)


def load(corpus: Path, limit: int) -> list[ArticleInput]:
    items = [r.item for p in expand_paths([corpus]) for r in read_records(p) if r.item]
    return items[:limit]


def ingest(engines: dict[str, Engine], items: list[ArticleInput]) -> dict[str, float]:
    spent = dict.fromkeys(engines, 0.0)
    sessions = {name: Session(engine) for name, engine in engines.items()}
    for start in range(0, len(items), CHUNK):
        for name, session in sessions.items():
            began = time.perf_counter()
            for item in items[start : start + CHUNK]:
                ingest_article(session, item=item)
            spent[name] += time.perf_counter() - began
    for session in sessions.values():
        session.close()
    return {name: len(items) / seconds for name, seconds in spent.items()}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def search(engines: dict[str, Engine], rounds: int) -> dict[str, dict[str, list[float]]]:
    kinds: dict[str, Any] = {
        "articles, relevance": lambda s, q: search_articles(s, q=q, limit=20),
        "articles, newest": lambda s, q: search_articles(s, q=q, limit=20, sort="newest"),
        "articles + facets": lambda s, q: search_articles(
            s, q=q, limit=20, facets=("language", "source", "actor", "month")
        ),
        "events": lambda s, q: search_events(s, q=q, limit=20),
    }
    out: dict[str, dict[str, list[float]]] = {k: {n: [] for n in engines} for k in kinds}
    for engine in engines.values():
        with Session(engine) as session:
            for q in QUERIES:  # warm caches (alias index, pages) before timing
                search_articles(session, q=q, limit=20)
    for _ in range(rounds):
        for kind, run in kinds.items():
            for name, engine in engines.items():
                with Session(engine) as session:
                    for q in QUERIES:
                        began = time.perf_counter()
                        run(session, q)
                        out[kind][name].append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=os.environ.get("CONFLICTKB_TEST_DATABASE_URL"))
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--limit", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("--pg-url (or CONFLICTKB_TEST_DATABASE_URL) names the PostgreSQL server")
    items = load(args.corpus, args.limit)
    folder = Path(tempfile.mkdtemp(prefix="ckb-bench-"))
    engines = {
        "sqlite": make_engine(f"sqlite:///{folder}/bench.db"),
        "postgresql": make_engine(fresh_pg(args.pg_url)),
    }
    try:
        for engine in engines.values():
            upgrade(engine)
        rates = ingest(engines, items)
        timings = search(engines, args.rounds)
    finally:
        for engine in engines.values():
            engine.dispose()
        with admin(args.pg_url) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    with admin(args.pg_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()
    print(
        f"# {len(items)} articles from {args.corpus}, {args.rounds} rounds x {len(QUERIES)} "
        f"queries; {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}, "
        f"PostgreSQL {server[0] if server else '?'}"
    )
    print(f"| {'measure':<38} | {'SQLite':>10} | {'PostgreSQL':>10} | {'PG/SQLite':>9} |")
    print(f"|{'-' * 40}|{'-' * 12}|{'-' * 12}|{'-' * 11}|")
    s, p = rates["sqlite"], rates["postgresql"]
    print(f"| {'ingest, articles/s':<38} | {s:>10.1f} | {p:>10.1f} | {p / s:>9.2f} |")
    for kind, per in timings.items():
        for label, q in (("median", 0.5), ("p95", 0.95)):
            a, b = pct(per["sqlite"], q), pct(per["postgresql"], q)
            name = f"search {kind}, {label} ms"
            print(f"| {name:<38} | {a:>10.2f} | {b:>10.2f} | {b / a:>9.2f} |")


if __name__ == "__main__":
    main()
