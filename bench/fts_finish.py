"""What finishing a bulk run's FTS segments costs on a big database, without changing it.

    python bench/fts_finish.py --db bench/out/scale-1000000-1.db [--articles 1000] [--rounds 1]

In one transaction that is rolled back: index the text of `--articles` stored articles (and five
events an article) again under new rowids, a batch at a time as a bulk run adds them, then time
each way search_index.py can finish them on both FTS tables, side by side: a bounded 'merge' (what
a run that wrote under a quarter of the articles does) and a full 'optimize' (what every run did
before). The rollback leaves the database as it was; its WAL grows by the rewritten index meanwhile.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.bulk import BATCH_SIZE  # noqa: E402
from app.services.search_index import FTS_TABLES, finish_statement  # noqa: E402

OFFSET = 1 << 40  # rowids far above any stored one
FINISHES: tuple[Literal["merge", "optimize"], ...] = ("merge", "optimize")


def _add_segments(conn: sqlite3.Connection, articles: int) -> None:
    # One statement a batch, each under a savepoint (which makes FTS5 flush its pending terms),
    # so the run leaves one segment a batch as bulk ingest's transactions do; automerge runs.
    for start in range(0, articles, BATCH_SIZE):
        size = min(BATCH_SIZE, articles - start)
        conn.execute("SAVEPOINT batch")
        conn.execute(
            "INSERT INTO article_fts(rowid, title, body, lemmas) SELECT id + ?,"
            " coalesce(title, ''), body, lemmas FROM article ORDER BY id LIMIT ? OFFSET ?",
            (OFFSET, size, start),
        )
        conn.execute(
            "INSERT INTO event_fts(rowid, summary, evidence) SELECT rowid + ?, summary, evidence"
            " FROM event_fts ORDER BY rowid LIMIT ? OFFSET ?",
            (OFFSET, 5 * size, 5 * start),
        )
        conn.execute("RELEASE batch")


def _segments(conn: sqlite3.Connection) -> str:
    return ", ".join(
        str(conn.execute(f"SELECT count(DISTINCT segid) FROM {fts}_idx").fetchone()[0])
        for fts in FTS_TABLES
    )


QUERIES = ["ukraine", "kharkiv OR odesa", '"air defence"', "zelensk*", "drones NOT russia"]


def _query_ms(conn: sqlite3.Connection) -> float:
    """Total time of counting every match of the query mix: it reads each term's doclist in
    every segment, so it shows what more segments cost a search."""
    t = time.perf_counter()
    for q in QUERIES:
        conn.execute("SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (q,)).fetchone()
    return 1000 * (time.perf_counter() - t)


def _finish(
    conn: sqlite3.Connection, how: Literal["optimize", "merge"], articles: int
) -> dict[str, tuple[float, float]]:
    out = {}
    for fts in FTS_TABLES:
        t, c = time.perf_counter(), time.process_time()
        conn.execute(finish_statement(fts, how, created=articles))
        out[fts] = (time.perf_counter() - t, time.process_time() - c)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    (total,) = conn.execute("SELECT count(*) FROM article").fetchone()
    results: dict[str, list[dict[str, tuple[float, float]]]] = {how: [] for how in FINISHES}
    segments: dict[str, str] = {}  # article_fts, event_fts segments before -> after, last round
    queries: dict[str, list[float]] = {"stored": [], "added": [], "merge": [], "optimize": []}
    try:
        for _ in range(args.rounds):
            for how in FINISHES:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    queries["stored"].append(_query_ms(conn))
                    _add_segments(conn, args.articles)
                    before = _segments(conn)
                    queries["added"].append(_query_ms(conn))
                    results[how].append(_finish(conn, how, args.articles))
                    queries[how].append(_query_ms(conn))
                    segments[how] = f"{before} -> {_segments(conn)}"
                finally:
                    conn.execute("ROLLBACK")
    finally:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    print(f"{total} articles stored; {args.articles} articles' segments added in batches of")
    print(f"{BATCH_SIZE}, finished, rolled back; medians of {args.rounds} round(s)")
    print(f"{'finish':<9} {'table':<12} {'wall s':>8} {'CPU s':>8}  segments (both tables)")
    for label, runs in results.items():
        for fts in FTS_TABLES:
            wall = statistics.median(r[fts][0] for r in runs)
            cpu = statistics.median(r[fts][1] for r in runs)
            print(f"{label:<9} {fts:<12} {wall:>8.2f} {cpu:>8.2f}  {segments[label]}")
    print(f"query mix {QUERIES} over article_fts, median ms:")
    for state, label in (
        ("stored", "as stored"),
        ("added", "run's segments added"),
        ("merge", "after merge"),
        ("optimize", "after optimize"),
    ):
        print(f"  {label:<22} {statistics.median(queries[state]):>8.1f}")


if __name__ == "__main__":
    main()
