"""Throughput of ``extract`` on one core over the real corpus (or a generated one).

    python bench/extract_speed.py [--corpus ../shared/corpus] [--limit N] [--runs 3]
    python bench/extract_speed.py --generated 2000     # bench/corpus.py articles instead
    python bench/extract_speed.py --compact --runs 1   # as a serving worker extracts (POST)

Prints articles/s (median of the runs) and characters/s per corpus file, by wall clock and by
process CPU time (the honest figure when other processes share the machine). The gazetteer, the
language models and the lemma dictionaries are loaded before timing: that one-off cost is reported
separately. The per-word caches (lemmas, token keys) fill during the first run, so later runs
are warmer than a worker meeting new articles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from app.extraction.gazetteer import load_gazetteer
from app.extraction.language import detector
from app.extraction.lemmas import use_compact_dictionaries, warm_up
from app.extraction.pipeline import extract

_FALLBACK = (
    "Russia launched 83 Shahed drones at Ukraine overnight, the Ukrainian Air Force said. "
    "Air defences shot down 55 of them over Kyiv and Kharkiv.\n"
    "Президент України Володимир Зеленський зустрівся з прем'єр-міністром Японії у Києві.\n"
)


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _published(v: Any) -> dt.date | None:
    if not v:
        return None
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def load(corpus: Path, limit: int | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    files = sorted(corpus.glob("*.ndjson")) if corpus.exists() else []
    for f in files:
        rows = []
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
        out[f.name] = rows
    if not out:
        out["generated"] = [
            {"text": _FALLBACK * (1 + i % 5), "language": None} for i in range(limit or 200)
        ]
    return out


def generated(n: int, corpus: Path) -> dict[str, list[dict[str, Any]]]:
    from bench.corpus import generate  # its English and Bulgarian recombine the corpus sentences

    rows = [{**a, "published": a["published_at"]} for a in generate(n, 1, corpus)]
    return {f"generated({n}, seed 1)": rows}


def run(rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Wall and CPU seconds; CPU time stays honest when other processes share the core."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    for r in rows:
        extract(
            r.get("text") or "",
            published_at=_published(r.get("published")),
            language=r.get("language"),
            title=r.get("title"),
        )
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--generated", type=int, default=0, help="N articles of bench/corpus.py")
    ap.add_argument(
        "--compact",
        action="store_true",
        help="simplemma's low-memory dictionaries, as a serving worker has them",
    )
    args = ap.parse_args()
    if args.compact:
        use_compact_dictionaries()
    _pin_one_core()
    t0 = time.perf_counter()
    load_gazetteer()
    detector()
    warm_up()
    warm = time.perf_counter() - t0
    corpus = Path(args.corpus)
    data = generated(args.generated, corpus) if args.generated else load(corpus, args.limit)
    print(f"one-off load (gazetteer + language models + lemma dictionaries): {warm:.2f}s")
    head = (
        f"{'corpus':<22} {'articles':>8} {'chars':>9} {'wall s':>7} {'art/s':>7} "
        f"{'cpu s':>7} {'art/cpu-s':>9} {'kchars/cpu-s':>12}"
    )
    print(head)
    tot_n = tot_c = 0
    tot_w = tot_cpu = 0.0
    for name, rows in data.items():
        chars = sum(len(r.get("text") or "") for r in rows)
        runs = [run(rows) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        tot_n, tot_c, tot_w, tot_cpu = tot_n + len(rows), tot_c + chars, tot_w + wall, tot_cpu + cpu
        print(_row(name, len(rows), chars, wall, cpu))
    print(_row("all", tot_n, tot_c, tot_w, tot_cpu))


def _row(name: str, n: int, chars: int, wall: float, cpu: float) -> str:
    return (
        f"{name:<22} {n:>8} {chars:>9} {wall:>7.2f} {n / wall:>7.1f} {cpu:>7.2f} "
        f"{n / cpu:>9.1f} {chars / cpu / 1000:>12.1f}"
    )


if __name__ == "__main__":
    main()
