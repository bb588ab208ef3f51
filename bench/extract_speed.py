"""Throughput of ``extract`` on one core over the real corpus (or a generated one).

    python bench/extract_speed.py [--corpus ../shared/corpus] [--limit N] [--runs 3]

Prints articles/s (median of the runs) and characters/s per corpus file. The gazetteer and the
language models are loaded before timing: that one-off cost is reported separately.
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

from app.extraction.gazetteer import load_gazetteer  # noqa: E402
from app.extraction.language import detector  # noqa: E402
from app.extraction.pipeline import extract  # noqa: E402

_FALLBACK = (
    "Russia launched 83 Shahed drones at Ukraine overnight, the Ukrainian Air Force said. "
    "Air defences shot down 55 of them over Kyiv and Kharkiv.\n"
    "Президент України Володимир Зеленський зустрівся з прем'єр-міністром Японії у Києві.\n"
)


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass


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
        out["generated"] = [{"text": _FALLBACK * (1 + i % 5), "language": None}
                            for i in range(limit or 200)]
    return out


def run(rows: list[dict[str, Any]]) -> float:
    t0 = time.perf_counter()
    for r in rows:
        extract(r.get("text") or "", published_at=_published(r.get("published")),
                language=r.get("language"), title=r.get("title"))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    _pin_one_core()
    t0 = time.perf_counter()
    load_gazetteer()
    detector()
    warm = time.perf_counter() - t0
    data = load(Path(args.corpus), args.limit)
    print(f"one-off load (gazetteer + language models): {warm:.2f}s")
    print(f"{'corpus':<24} {'articles':>8} {'chars':>10} {'median s':>9} {'art/s':>8} "
          f"{'kchars/s':>9}")
    total_n = total_c = 0
    total_t = 0.0
    for name, rows in data.items():
        chars = sum(len(r.get("text") or "") for r in rows)
        times = [run(rows) for _ in range(args.runs)]
        med = statistics.median(times)
        total_n += len(rows)
        total_c += chars
        total_t += med
        print(f"{name:<24} {len(rows):>8} {chars:>10} {med:>9.2f} {len(rows) / med:>8.1f} "
              f"{chars / med / 1000:>9.1f}")
    print(f"{'all':<24} {total_n:>8} {total_c:>10} {total_t:>9.2f} {total_n / total_t:>8.1f} "
          f"{total_c / total_t / 1000:>9.1f}")


if __name__ == "__main__":
    main()
