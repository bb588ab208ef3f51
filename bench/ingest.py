"""Ingest throughput: articles per second through the real ingest path, beside its floors.

    python bench/ingest.py [--corpus ../shared/corpus | --n 5000 --seed 1] [--workers 2]
                           [--rounds 3] [--limit N] [--compact] [--base-db DB]

Modes, each in its own process on a fresh copy of a migrated empty database (or of --base-db, to
add the articles to a big one), interleaved over the rounds (medians reported, so that the noise
of a shared machine hits every mode alike):
  extract-1    prepare (normalise, extract, lemmas) every article in one process: the CPU floor
  extract-N    the same over N worker processes, results sent to this process as bulk-N sends
               them, nothing stored: the parallel CPU floor
  ingest-1     `ingest_article` one by one, one transaction each (`conflictkb ingest`)
  bulk-N       app.services.bulk: N extracting processes, one batching writer, then the FTS
               segments merged as bulk_ingest does (search_index.py: 'optimize' after a run
               that wrote a quarter of the articles or more, else a bounded 'merge')
  bulk-N-optimize  the same, always ending with a full FTS 'optimize' (what bulk-N did before)
  executemany  the rows bulk-N stored, inserted again with plain sqlite3 executemany in one
               transaction into the same schema (FTS triggers on): the storage floor
--compact: simplemma's low-memory dictionaries for extract-1 and ingest-1, as a serving worker has
them (`POST /articles` is ingest-1 there); the pool modes keep the fast ones, as the CLI's do.
Warm-up (gazetteer, language models, pool start) is timed apart. Peak RSS is the parent's, and
the largest child's. CPU seconds are the parent's plus its children's, less the workers' warm-up
(read from /proc, Linux); "self ms" is the parent's own CPU an article (the writer, in bulk-N);
"finish s" is the part of a bulk mode's time spent merging FTS segments at the end.
On a shared machine the CPU figures are the ones to compare: wall rates depend on who else runs.
In a VM, though, a process's CPU time also counts the time the host took its vCPU away (steal,
from /proc/stat): "steal %" says how much of that there was while each mode was timed, and
"host ms" how fast the host ran a fixed Python workload just before (the same code's figures
move with it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.services.ingest import ArticleInput  # noqa: E402
from app.services.loading import expand_paths, read_records, record_from_object  # noqa: E402

TABLES = [
    "source",
    "article",
    "actor",
    "actor_alias",
    "place",
    "place_alias",
    "mention",
    "event",
    "event_participant",
    "event_quantity",
    "event_evidence",
    "change",
]


def load_items(args: argparse.Namespace) -> list[ArticleInput]:
    if args.n:
        from bench.corpus import generate

        records = [
            record_from_object(o, f"gen:{i}") for i, o in enumerate(generate(args.n, args.seed))
        ]
    else:
        records = [r for p in expand_paths([Path(args.corpus)]) for r in read_records(p)]
    items = [r.item for r in records if r.item is not None]
    return items[: args.limit] if args.limit else items


def _cpu() -> float:
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _workers_cpu(pool: Any) -> float:
    """CPU seconds the pool's workers have used so far (0 where /proc is not there)."""
    total = 0.0
    for proc in pool._pool:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _machine_ticks() -> tuple[int, int]:
    """(steal, all) clock ticks of the whole machine so far, from /proc/stat (0, 0 elsewhere).
    Steal is time the hypervisor ran something else while this guest's vCPU wanted to run; the
    guest still counts it as the process's CPU time, so a run with much of it reads slow twice."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0, 0
    ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
    return ticks[7], sum(ticks)


def _host_ms() -> float:
    """CPU ms of a fixed pure-Python workload (dict counting, sorting, joining), in each mode's
    process before its warm-up. The same code ran up to twice as fast in one hour as in another
    on this VM, steal or not: this says how fast the host was, so that a faster hour is not
    taken for a faster tree."""
    words = [f"w{i % 4093}" for i in range(300_000)]
    best = float("inf")
    for _ in range(5):  # the fastest of five: the first pays for the process's fresh memory
        t = time.process_time()
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        " ".join(sorted(counts, key=counts.__getitem__))
        best = min(best, time.process_time() - t)
    return 1000 * best


def _self_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _warm_here() -> None:
    from app.services.bulk import warm_extraction

    warm_extraction()  # as a bulk worker does


def run_mode(
    mode: str, db: Path, source_db: Path | None, args: argparse.Namespace
) -> dict[str, Any]:
    from app.services import bulk
    from app.services.ingest import ingest_article, prepare_article
    from app.services.search_index import finish_search_index

    items = load_items(args)
    n = len(items)
    url = f"sqlite:///{db}"
    host_ms = _host_ms()
    if args.compact and mode in {"extract-1", "ingest-1"}:
        from app.extraction.lemmas import use_compact_dictionaries

        use_compact_dictionaries()
    t0 = time.perf_counter()
    pool = None
    if mode in {"extract-N", "bulk-N", "bulk-N-optimize"}:
        pool = bulk.start_pool(args.workers)
    elif mode != "executemany":
        _warm_here()
    warm = time.perf_counter() - t0
    warm_cpu = _workers_cpu(pool) if pool is not None else 0.0
    extra: dict[str, Any] = {}
    if mode == "executemany":
        assert source_db is not None
        rows = {}
        with sqlite3.connect(source_db) as src:
            for name in TABLES:
                cur = src.execute(f'SELECT * FROM "{name}"')
                rows[name] = ([d[0] for d in cur.description], cur.fetchall())
        n = len(rows["article"][1])
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        c0, s0, t1, m0 = _cpu(), _self_cpu(), time.perf_counter(), _machine_ticks()
        conn.execute("BEGIN IMMEDIATE")
        for name, (cols, data) in rows.items():
            marks = ", ".join("?" * len(cols))
            names = ", ".join(f'"{c}"' for c in cols)
            conn.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', data)
        conn.execute("COMMIT")
        conn.close()
    else:
        c0, s0, t1, m0 = _cpu(), _self_cpu(), time.perf_counter(), _machine_ticks()
        if mode == "extract-1":
            for item in items:
                prepare_article(item)
        elif mode == "extract-N":
            assert pool is not None
            for _ in pool.imap(bulk.prepare_for_writer, items, chunksize=bulk.CHUNK_SIZE):
                pass
        elif mode == "ingest-1":
            engine = make_engine(url)
            with Session(engine) as session:
                for item in items:
                    ingest_article(session, item=item)
            engine.dispose()
        elif mode in {"bulk-N", "bulk-N-optimize"}:
            engine = make_engine(url)
            with Session(engine) as session:
                stats = bulk.bulk_ingest(
                    session,
                    (bulk.BulkItem(str(i), it) for i, it in enumerate(items)),
                    pool=pool,
                    fts_finish="none",
                )
                t_finish = time.perf_counter()
                # what bulk_ingest would do next, timed apart
                done = finish_search_index(
                    session,
                    created=stats.created,
                    how="optimize" if mode == "bulk-N-optimize" else "auto",
                )
                extra["finish"] = time.perf_counter() - t_finish
                extra["finished_with"] = done
            engine.dispose()
            extra |= {"created": stats.created, "existing": stats.existing}
    wall = time.perf_counter() - t1
    m1 = _machine_ticks()
    cpu_self = _self_cpu() - s0
    if pool is not None:
        pool.close()
        pool.join()  # the workers' CPU time is counted once they are reaped
    cpu = _cpu() - c0 - warm_cpu
    return {
        "mode": mode,
        "n": n,
        "wall": wall,
        "cpu": cpu,
        "cpu_self": cpu_self,
        "steal": (m1[0] - m0[0]) / (m1[1] - m0[1]) if m1[1] > m0[1] else 0.0,
        "warm": warm,
        "host_ms": host_ms,
        "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        **extra,
    }


def _child(mode: str, db: Path, source_db: Path | None, argv: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, *argv, "--mode", mode, "--db", str(db)]
    if source_db is not None:
        cmd += ["--source-db", str(source_db)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--n", type=int, default=0, help="generated articles (bench/corpus.py)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compact", action="store_true", help="low-memory lemma dictionaries")
    ap.add_argument("--modes", default="extract-1,extract-N,ingest-1,bulk-N,executemany")
    ap.add_argument(
        "--base-db",
        help="add the articles to a copy of this database, not to an empty one (each mode, each"
        " round; e.g. bench/out/search-100000-1.db). Not with executemany.",
    )
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--source-db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        source = Path(args.source_db) if args.source_db else None
        print(json.dumps(run_mode(args.mode, Path(args.db), source, args)))
        return
    argv = [a for a in sys.argv[1:]]
    modes = args.modes.split(",")
    if args.base_db and "executemany" in modes:
        ap.error("executemany copies every row of the bulk database: not with --base-db")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        template = Path(tmp) / "empty.db"
        if args.base_db:
            with sqlite3.connect(args.base_db) as src, sqlite3.connect(template) as dst:
                src.backup(dst)  # a consistent copy, whatever its WAL holds
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        with sqlite3.connect(template) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        results: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
        for r in range(args.rounds):
            source_db: Path | None = None
            for mode in modes:
                db = Path(tmp) / f"{mode}-{r}.db"
                shutil.copy(template, db)
                res = _child(mode, db, source_db if mode == "executemany" else None, argv)
                if mode == "bulk-N":
                    source_db = db
                results[mode].append(res)
                print(
                    f"round {r + 1} {mode}: {res['n'] / res['wall']:.1f} art/s, "
                    f"steal {100 * res['steal']:.0f}%",
                    file=sys.stderr,
                )
            for mode in modes:  # keep the bulk DB of this round only for the executemany run
                for f in Path(tmp).glob(f"{mode}-{r}.db*"):
                    f.unlink()
    report(results, args)


def report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    workers = args.workers
    base = results.get("extract-1")
    base_rate = statistics.median(r["n"] / r["wall"] for r in base) if base else None
    print(
        f"{'mode':<15} {'articles':>8} {'art/s med':>9} {'min':>7} {'max':>7} {'art/cpu-s':>9} "
        f"{'self ms':>7} {'vs extract-1':>12} {'warm s':>6} {'RSS MB':>6} {'child RSS':>9} "
        f"{'steal %':>7} {'host ms':>7} {'finish s':>14}"
    )
    for mode, runs in results.items():
        rates = [r["n"] / r["wall"] for r in runs]
        med = statistics.median(rates)
        cpu_rate = statistics.median(r["n"] / r["cpu"] for r in runs)
        self_ms = statistics.median(1000 * r["cpu_self"] / r["n"] for r in runs)
        ratio = f"{med / base_rate:.2f}" if base_rate else "-"
        warm = statistics.median(r["warm"] for r in runs)
        label = mode.replace("-N", f"-{workers}")
        finish = "-"
        if "finish" in runs[0]:
            done = "/".join(sorted({r["finished_with"] for r in runs}))
            finish = f"{statistics.median(r['finish'] for r in runs):.2f} {done}"
        print(
            f"{label:<15} {runs[0]['n']:>8} {med:>9.1f} {min(rates):>7.1f} {max(rates):>7.1f} "
            f"{cpu_rate:>9.1f} {self_ms:>7.2f} {ratio:>12} {warm:>6.1f} "
            f"{max(r['rss_self_mb'] for r in runs):>6.0f} "
            f"{max(r['rss_child_mb'] for r in runs):>9.0f} "
            f"{100 * statistics.median(r.get('steal', 0.0) for r in runs):>7.1f} "
            f"{statistics.median(r['host_ms'] for r in runs):>7.1f} {finish:>14}"
        )
    print(
        f"({len(next(iter(results.values())))} rounds, {os.cpu_count()} CPUs; steal %: the share"
        " of the machine's time the hypervisor took during the timed part, median; host ms: CPU"
        " ms of a fixed Python workload before each mode, median: lower is a faster host)"
    )


if __name__ == "__main__":
    main()
