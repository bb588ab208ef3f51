"""Search latency: GET /api/v1/search through HTTP (uvicorn on loopback, one worker) side by side
with the same FTS5 MATCH run directly with sqlite3, in one run, on a generated corpus.

    python bench/search_latency.py --n 100000 --seed 1 --rounds 20
    python bench/search_latency.py --db bench/out/scale-1000000-1.db --rounds 20

The database is built once through the Alembic migrations and cached as
bench/out/search-<n>-<seed>.db. Articles from bench/corpus.py are bulk-loaded with Core
executemany in batched transactions (FTS triggers on; the lemma column computed with the same
lemma_text() that ingest uses), then mentions of a few gazetteer actors and places are added so
that cross-lingual expansion and the actor facet are measured too, the FTS index is optimized
and the impact lists are built (`refresh_impacts(discover=True)`, as `conflictkb reindex` should).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import make_engine  # noqa: E402
from app.extraction.gazetteer import key_string  # noqa: E402
from app.extraction.lemmas import lemma_text  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Actor, ActorAlias, Article, Mention, Place, PlaceAlias, Source  # noqa: E402
from app.search.impact import refresh_impacts  # noqa: E402
from app.services.ingest import parse_published  # noqa: E402
from bench.corpus import generate  # noqa: E402

OUT = ROOT / "bench" / "out"
_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BATCH = 2000
# Web-search queries a user types: rare and head words, inflections, entity names, phrases,
# operators, date sorting and facets. (params, label)
QUERY_MIX: list[tuple[dict[str, str], str]] = [
    ({"q": "Kishida"}, "rare name"),
    ({"q": "Сибіга"}, "rare name uk"),
    ({"q": "Ukraine"}, "head word en"),
    ({"q": "Украйна"}, "head word bg"),
    ({"q": "войната"}, "head word bg"),
    ({"q": "Харків"}, "inflection uk"),
    ({"q": "дронове"}, "inflection bg"),
    ({"q": "drones"}, "inflection en"),
    ({"q": "Japan"}, "entity"),
    ({"q": "Zelensky"}, "entity"),
    ({"q": "Japan air defence"}, "three words"),
    ({"q": '"air defence"'}, "phrase"),
    ({"q": "Kharkiv OR Odesa"}, "OR"),
    ({"q": "drones -Russia"}, "exclusion"),
    ({"q": "Zelensk*"}, "prefix"),
    ({"q": "Ukraine", "sort": "newest"}, "head word, newest"),
    ({"q": "Японія", "facets": "language,month,actor"}, "facets"),
    ({"q": "C++ e-mail (x"}, "hostile"),
]
# (entity kind, gazetteer key or English place name) given mentions in the generated corpus.
ENTITIES = [
    ("actor", "country:JPN"), ("actor", "country:UKR"), ("actor", "country:RUS"),
    ("actor", "country:POL"), ("actor", "zelensky"), ("actor", "putin"),
    ("place", "Kharkiv"), ("place", "Kyiv"), ("place", "Odesa"),
]  # fmt: skip


def _lemmas(batch: list[dict[str, Any]]) -> list[str]:
    return [lemma_text(f"{a['title']}\n{a['text']}", a["language"]) for a in batch]


def load_articles(engine: Engine, articles: Iterable[dict[str, Any]], workers: int = 2) -> int:
    """Bulk-load generated articles (no extraction), one transaction per batch; returns the
    number stored. Lemmas are computed in `workers` processes while the writer inserts."""
    sources: dict[str, int] = {}
    stored = 0
    article_table = Article.__table__  # type: ignore[attr-defined]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for group in _batches_of_batches(articles, BATCH, workers * 2):
            for batch, lemmas in zip(group, pool.map(_lemmas, group), strict=True):
                with engine.begin() as conn:
                    rows = []
                    for article, lemma in zip(batch, lemmas, strict=True):
                        name = article["source"]
                        if name not in sources:
                            sources[name] = conn.execute(
                                insert(Source.__table__)  # type: ignore[attr-defined]
                                .values(
                                    name=name,
                                    domain=name,
                                    language=article["language"],
                                    created_at=_NOW,
                                )
                                .returning(Source.__table__.c.id)  # type: ignore[attr-defined]
                            ).scalar_one()
                        published, precision = parse_published(article["published_at"])
                        text = article["text"]
                        rows.append({
                            "source_id": sources[name], "title": article["title"], "body": text,
                            "raw_text": text, "lemmas": lemma, "language": article["language"],
                            "url": article["url"], "published_at": published,
                            "published_precision": precision,
                            "content_hash": hashlib.sha256(
                                f"{article['title']}\n{text}".encode()).hexdigest(),
                            "ingested_at": _NOW, "updated_at": _NOW,
                        })  # fmt: skip
                    conn.execute(insert(article_table).prefix_with("OR IGNORE"), rows)
                    stored += len(rows)
    return stored


def _batches_of_batches(
    items: Iterable[dict[str, Any]], size: int, count: int
) -> Iterator[list[list[dict[str, Any]]]]:
    it = iter(items)
    while True:
        group = []
        for _ in range(count):
            batch = list(islice(it, size))
            if batch:
                group.append(batch)
        if not group:
            return
        yield group


def add_mentions(engine: Engine) -> int:
    """Store a few gazetteer actors and places with all their aliases, and a mention for each
    article that contains one of their one-word aliases (matched by gazetteer token key)."""
    from app.extraction.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    by_name = {p.name: p for p in gaz.places.values() if p.kind == "city"}
    keys: dict[str, tuple[str, int]] = {}
    with engine.begin() as conn:
        for kind, ref in ENTITIES:
            entry: Any = gaz.actors.get(ref) if kind == "actor" else by_name.get(ref)
            if entry is None:
                continue
            table: Any = (Actor if kind == "actor" else Place).__table__  # type: ignore[attr-defined]
            values = {"key": entry.key, "name": entry.name, "kind": entry.kind,
                      "country": entry.country, "created_at": _NOW}  # fmt: skip
            if kind == "actor":
                values["resolved"] = True
            entity_id = conn.execute(insert(table).values(**values).returning(table.c.id)).scalar()
            alias_table: Any = (ActorAlias if kind == "actor" else PlaceAlias).__table__  # type: ignore[attr-defined]
            from app.extraction.gazetteer.text import normalise_alias

            seen = set()
            for alias in entry.aliases:
                norm = normalise_alias(alias.alias)
                if (norm, alias.language) in seen:
                    continue
                seen.add((norm, alias.language))
                conn.execute(insert(alias_table).values(
                    **{f"{kind}_id": entity_id}, alias=alias.alias, language=alias.language,
                    normalised=norm))  # fmt: skip
                if len(alias.alias.split()) == 1:
                    keys[key_string(alias.alias)] = (kind, int(entity_id))
    mention_table: Any = Mention.__table__  # type: ignore[attr-defined]
    count = 0
    with engine.connect() as read:
        rows = read.execute(select(Article.__table__.c.id, Article.__table__.c.body))  # type: ignore[attr-defined]
        batch: list[dict[str, Any]] = []
        for article_id, body in rows:
            found: dict[tuple[str, int], tuple[int, int, str]] = {}
            for start, end, token in _tokens(body):
                hit = keys.get(key_string(token))
                if hit and hit not in found:
                    found[hit] = (start, end, token)
            for (kind, entity_id), (start, end, token) in found.items():
                batch.append({"article_id": article_id, "actor_id": entity_id if kind == "actor"
                              else None, "place_id": entity_id if kind == "place" else None,
                              "sentence_index": 0, "char_start": start, "char_end": end,
                              "surface": token})  # fmt: skip
            if len(batch) >= 20_000:
                count += _flush(engine, mention_table, batch)
        count += _flush(engine, mention_table, batch)
    return count


def _tokens(text: str) -> Iterator[tuple[int, int, str]]:
    from app.extraction.gazetteer.text import tokenize

    yield from tokenize(text)


def _flush(engine: Engine, table: Any, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    with engine.begin() as conn:
        conn.execute(insert(table), batch)
    n = len(batch)
    batch.clear()
    return n


def build_database(n: int, seed: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"search-{n}-{seed}.db"
    if path.exists():
        upgrade(make_engine(f"sqlite:///{path}"))  # a database cached by an older tree
        return path
    partial = path.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{partial}")
    upgrade(engine)
    started = time.perf_counter()
    stored = load_articles(engine, generate(n, seed))
    print(f"loaded {stored} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    mentions = add_mentions(engine)
    print(f"added {mentions} mentions", file=sys.stderr)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO article_fts(article_fts) VALUES ('optimize')")
    with Session(engine) as session:
        lists = refresh_impacts(session, discover=True)
    print(f"built {lists} impact lists", file=sys.stderr)
    engine.dispose()
    with sqlite3.connect(partial) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("PRAGMA journal_mode=DELETE")
    partial.rename(path)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _match_texts(db: Path) -> list[str]:
    """The MATCH the service renders for each query of the mix (expansions included)."""
    from app.search import get_backend
    from app.services.search import make_plan

    engine = make_engine(f"sqlite:///{db}")
    out = []
    with Session(engine) as session:
        backend: Any = get_backend(session)
        for params, _ in QUERY_MIX:
            plan = make_plan(session, q=params["q"], syntax="web", expand=True)
            out.append(backend.match_text(plan))
    engine.dispose()
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def measure(
    db: Path, rounds: int, workers: int = 1
) -> list[tuple[str, list[float], list[float], int, Any, float]]:
    port = _free_port()
    env = os.environ | {"CONFLICTKB_DATABASE_URL": f"sqlite:///{db}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--workers", str(workers)],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(200):
                try:
                    if client.get("/api/v1/search", params={"q": "x"}).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            matches = _match_texts(db)
            direct = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            sql = (
                "SELECT rowid, bm25(article_fts, 10.0, 1.0, 0.5) AS r FROM article_fts "
                "WHERE article_fts MATCH ? ORDER BY r LIMIT 20"
            )
            results = []
            for (params, label), match in zip(QUERY_MIX, matches, strict=True):
                http_times: list[float] = []
                sql_times: list[float] = []
                count = direct.execute(
                    "SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (match,)
                ).fetchone()[0]
                overlap = None
                first = 0.0
                for i in range(rounds + 2):
                    t0 = time.perf_counter()
                    r = client.get("/api/v1/search", params=params)
                    t1 = time.perf_counter()
                    assert r.status_code == 200, (params, r.text)
                    full = direct.execute(sql, (match,)).fetchall()
                    t2 = time.perf_counter()
                    if overlap is None and params.get("sort", "relevance") == "relevance":
                        got = {h["article"]["id"] for h in r.json()["items"][:10]}
                        want = {row[0] for row in full[:10]}
                        overlap = len(got & want) / len(want) if want else None
                    if i == 0:  # this query's first request: no candidates cached
                        first = (t1 - t0) * 1000
                    if i >= 2:  # two warm-up runs
                        http_times.append((t1 - t0) * 1000)
                        sql_times.append((t2 - t1) * 1000)
                results.append(
                    (f"{label}: {params['q']}", http_times, sql_times, count, overlap, first)
                )
            direct.close()
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--db", type=Path, help="an existing database instead (e.g. bench/scale_db.py's 1M one)"
    )
    args = parser.parse_args()
    db = args.db or build_database(args.n, args.seed)
    if args.db:
        upgrade(make_engine(f"sqlite:///{db}"))  # the server expects the current schema
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            args.n = conn.execute("SELECT count(*) FROM article").fetchone()[0]
    load_before = os.getloadavg()[0]
    results = measure(db, args.rounds, args.workers)
    # Other jobs on the machine inflate both columns: the 1-minute load is part of the result.
    load = f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    print(f"{args.n} articles, {args.rounds} rounds, {args.workers} uvicorn worker(s), "
          f"{platform.processor() or platform.machine()}"
          f", {os.cpu_count()} cores, SQLite {sqlite3.sqlite_version}, {load}")  # fmt: skip
    header = f"| {'query':<40} | {'matches':>7} | {'HTTP med':>8} | {'HTTP p95':>8} |"
    header += f" {'sqlite med':>10} | {'sqlite p95':>10} | {'ratio med':>9} | {'top10 ov':>8} |"
    header += f" {'1st ms':>7} |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    all_http: list[float] = []
    all_sql: list[float] = []
    for label, http_t, sql_t, count, overlap, first in results:
        all_http += http_t
        all_sql += sql_t
        hm, sm = statistics.median(http_t), statistics.median(sql_t)
        print(f"| {label[:40]:<40} | {count:>7} | {hm:>8.1f} | {_pct(http_t, 0.95):>8.1f} |"
              f" {sm:>10.1f} | {_pct(sql_t, 0.95):>10.1f} | {hm / sm:>9.1f} |"
              f" {'-' if overlap is None else f'{overlap:.1f}':>8} | {first:>7.1f} |")  # fmt: skip
    overlaps = [r[4] for r in results if r[4] is not None]
    hm, sm = statistics.median(all_http), statistics.median(all_sql)
    print(
        f"mean top-10 overlap with full bm25 over {len(overlaps)} relevance queries: "
        f"{statistics.mean(overlaps):.2f}"
    )
    print(f"| {'ALL':<40} | {'':>7} | {hm:>8.1f} | {_pct(all_http, 0.95):>8.1f} |"
          f" {sm:>10.1f} | {_pct(all_sql, 0.95):>10.1f} | {hm / sm:>9.1f} | {'':>8} |"
          f" {statistics.median(r[5] for r in results):>7.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
