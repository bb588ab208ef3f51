"""Builds the large read-benchmark database (1,000,000 articles) in about an hour, where running
the full ingest path over as many articles would take one to two hours more of both cores.

    python bench/scale_db.py --n 1000000 --seed 1      # -> bench/out/scale-1000000-1.db

What is real and what is replicated:
- Articles: `bench/corpus.py` articles (n, seed), with the lemma column computed by the same
  `lemma_text()` as ingest, inserted through the migrated schema with its FTS5 triggers.
- Actors and places: every entity the real extractor finds in ../shared/corpus (run through
  `prepare_article`, published at REFERENCE_DAY), stored through `upsert_entities_many` with all
  their aliases.
- Mentions: each one-word alias of those entities found in a generated article's text (real
  offsets into its body).
- Events: generated article i carries the events the real extractor found in corpus article
  i mod T (types, modes, modality, participants, place, quantities, reporter, summary), their
  dates moved by the article's distance from REFERENCE_DAY, and their evidence a sentence of the
  generated article itself (real offsets). No cross-article deduplication, so the event count is
  an upper bound (about 4.5 per article).
- The change feed gets an entry per article and event; the FTS indexes are optimized, ANALYZEd,
  and the search impact lists built as `conflictkb reindex` builds them.
The writer uses plain sqlite3 executemany in transactions of BATCH articles with
synchronous=OFF: this is a build tool, not the ingest path (bench/ingest.py measures that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing as mp
import sqlite3
import sys
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from app.db import make_engine  # noqa: E402
from app.extraction.gazetteer import key_string  # noqa: E402
from app.extraction.gazetteer.text import tokenize  # noqa: E402
from app.extraction.lemmas import lemma_text  # noqa: E402
from app.extraction.sentences import split_sentences  # noqa: E402
from app.extraction.types import Extraction  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.services.ingest import ArticleInput, parse_published  # noqa: E402
from app.services.store import event_signature, upsert_entities_many  # noqa: E402
from bench.corpus import generate  # noqa: E402

OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
REFERENCE_DAY = dt.date(2024, 6, 15)
BATCH = 2000
_NOW = "2026-01-01 00:00:00.000000"  # SQLAlchemy's SQLite DateTime text form

_keys: dict[str, tuple[str, int]] = {}  # one-word alias key -> (kind, entity id), set before fork


def _sql_time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def templates() -> list[Extraction]:
    """The real extractor over the real corpus, in two processes."""
    from app.services import bulk
    from app.services.loading import expand_paths, read_records

    records = [r for p in expand_paths([CORPUS]) for r in read_records(p)]
    items = [
        ArticleInput(text=r.item.text, title=r.item.title, language=r.item.language,
                     published_at=REFERENCE_DAY, source=r.item.source)
        for r in records if r.item is not None
    ]  # fmt: skip
    pool = bulk.start_pool(2)
    try:
        prepared = pool.map(bulk._prepare, items, chunksize=8)
    finally:
        pool.close()
        pool.join()
    return [p.extraction for p in prepared if not isinstance(p, str)]


def store_entities(url: str, extractions: list[Extraction]) -> tuple[dict[str, int], ...]:
    """Actors and places through the ingest path's own upsert; returns key -> id maps."""
    engine = make_engine(url)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        actor_ids = upsert_entities_many(
            conn, "actor", [(ex.actors, ex, ex.language) for ex in extractions], now
        )
        place_ids = upsert_entities_many(
            conn, "place", [(ex.places, ex, ex.language) for ex in extractions], now
        )
        for kind in ("actor", "place"):
            rows = conn.exec_driver_sql(f"SELECT {kind}_id, alias FROM {kind}_alias").all()
            for entity_id, alias in rows:
                if len(alias.split()) == 1:
                    _keys.setdefault(key_string(alias), (kind, int(entity_id)))
    engine.dispose()
    return actor_ids, place_ids


def _work(article: dict[str, Any]) -> tuple[dict[str, Any], str, list, list]:
    """Worker side: lemmas, one-word entity mentions, sentence spans of one generated article."""
    body = article["text"]
    lemmas = lemma_text(f"{article['title']}\n{body}", article["language"])
    mentions = []
    for start, end, token in tokenize(body):
        hit = _keys.get(key_string(token))
        if hit is not None:
            mentions.append((hit[0], hit[1], start, end, token))
    sentences = [(s.start, s.end) for s in split_sentences(body)]
    return article, lemmas, mentions, sentences


def _batches(it: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(it, size)):
        yield batch


class Writer:
    def __init__(self, path: Path, extractions: list[Extraction], ids: tuple[dict[str, int], ...]):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-262144")
        self.templates = [ex.events for ex in extractions]
        self.actor_ids, self.place_ids = ids
        self.sources: dict[str, int] = {}
        self.article_id = 0
        self.event_id = 0
        self.events = 0

    def _source(self, name: str, language: str) -> int:
        if name not in self.sources:
            cur = self.conn.execute(
                "INSERT INTO source (name, domain, language, created_at) VALUES (?, ?, ?, ?)",
                (name, name, language, _NOW),
            )
            self.sources[name] = int(cur.lastrowid or 0)
        return self.sources[name]

    def write(self, results: list[tuple[dict[str, Any], str, list, list]]) -> None:
        rows: dict[str, list[tuple[Any, ...]]] = {
            k: [] for k in ("article", "mention", "event", "part", "qty", "evid", "change")
        }
        self.conn.execute("BEGIN")
        for article, lemmas, mentions, sentences in results:
            self.article_id += 1
            aid = self.article_id
            published, precision = parse_published(article["published_at"])
            text = article["text"]
            rows["article"].append((
                aid, self._source(article["source"], article["language"]), article["title"],
                text, text, lemmas, article["language"], article["url"], _sql_time(published),
                precision, hashlib.sha256(text.encode()).hexdigest(), _NOW, _NOW,
            ))  # fmt: skip
            rows["change"].append(("article", aid, "created", _NOW))
            spans = sentences or [(0, len(text))]
            for kind, entity_id, start, end, token in mentions:
                index = next((k for k, (s, e) in enumerate(spans) if s <= start < e), 0)
                rows["mention"].append((
                    aid, entity_id if kind == "actor" else None,
                    entity_id if kind == "place" else None, index, start, end, token,
                ))  # fmt: skip
            shift = (published.date() - REFERENCE_DAY) if published else None
            for ev in self.templates[(aid - 1) % len(self.templates)]:
                self._event(aid, ev, shift, spans, text, rows)
        c = self.conn
        c.executemany(
            "INSERT INTO article (id, source_id, title, body, raw_text, lemmas, language, url, "
            "published_at, published_precision, content_hash, ingested_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows["article"],
        )
        c.executemany(
            "INSERT INTO mention (article_id, actor_id, place_id, sentence_index, char_start, "
            "char_end, surface) VALUES (?,?,?,?,?,?,?)",
            rows["mention"],
        )
        # Evidence before its event: the event's FTS row is then written once, by the event
        # trigger, instead of rewritten by every evidence trigger.
        c.executemany(
            "INSERT INTO event_evidence (event_id, article_id, sentence_index, sentence_text, "
            "char_start, char_end, reported_by_actor_id) VALUES (?,?,?,?,?,?,?)",
            rows["evid"],
        )
        c.executemany(
            "INSERT INTO event (id, type, mode, date, date_precision, place_id, modality, "
            "summary, confidence, signature, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows["event"],
        )
        c.executemany(
            "INSERT INTO event_participant (event_id, actor_id, role) VALUES (?,?,?)", rows["part"]
        )
        c.executemany(
            "INSERT INTO event_quantity (event_id, name, value) VALUES (?,?,?)", rows["qty"]
        )
        c.executemany(
            "INSERT INTO change (entity, entity_id, action, changed_at) VALUES (?,?,?,?)",
            rows["change"],
        )
        self.conn.execute("COMMIT")

    def _event(self, aid: int, ev: Any, shift: dt.timedelta | None, spans: list, text: str,
               rows: dict[str, list[tuple[Any, ...]]]) -> None:  # fmt: skip
        self.event_id += 1
        eid = self.event_id
        date = ev.date + shift if ev.date is not None and shift is not None else None
        rows["event"].append((
            eid, ev.type, ev.mode, date.isoformat() if date else None,
            ev.date_precision if date else None, self.place_ids.get(ev.place_key or ""),
            ev.modality, ev.summary, ev.confidence, event_signature(ev), _NOW,
        ))  # fmt: skip
        roles = [(self.actor_ids[k], "source") for k in ev.source_keys if k in self.actor_ids]
        roles += [(self.actor_ids[k], "target") for k in ev.target_keys if k in self.actor_ids]
        rows["part"] += [(eid, a, r) for a, r in dict.fromkeys(roles)]
        rows["qty"] += [(eid, name, value) for name, value in ev.quantities.items()]
        index = ev.sentence_index % len(spans)
        start, end = spans[index]
        rows["evid"].append((
            eid, aid, index, text[start:end], start, end,
            self.actor_ids.get(ev.reported_by_key or ""),
        ))  # fmt: skip
        rows["change"].append(("event", eid, "created", _NOW))
        self.events += 1


def _impact_list(args: tuple[str, Any, int]) -> tuple[str, Any]:
    from app.search.impact import _build

    url, phrase, hwm = args
    engine = _reader(url)
    with engine.connect() as conn:
        return phrase.key, _build(conn, phrase, hwm)


_readers: dict[str, Any] = {}


def _reader(url: str) -> Any:
    if url not in _readers:
        _readers[url] = make_engine(url)
    return _readers[url]


def finish(path: Path, workers: int = 2, min_docs: int = 2000) -> int:
    """FTS optimize, ANALYZE, then the impact lists `conflictkb reindex` builds (the same phrases,
    the same `_build`), computed in `workers` processes and stored by this one."""
    from sqlalchemy import text

    from app.search.impact import EXACT_COLUMNS, LEMMA_COLUMNS, Phrase, _store

    conn = sqlite3.connect(path, isolation_level=None)
    for fts in ("article_fts", "event_fts"):
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    conn.execute("ANALYZE")
    vocab = conn.execute(
        "SELECT term, col FROM article_fts_vocab WHERE doc > ? AND col IN ('body', 'lemmas')",
        (min_docs,),
    ).fetchall()
    hwm = conn.execute("SELECT coalesce(max(id), 0) FROM article").fetchone()[0]
    conn.close()
    phrases = list(
        dict.fromkeys(
            Phrase(EXACT_COLUMNS if col == "body" else LEMMA_COLUMNS, (str(term),))
            for term, col in vocab
        )
    )
    log(f"optimized; {len(phrases)} impact lists to build")
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    written = 0
    with mp.get_context("fork").Pool(workers) as pool, engine.begin() as wconn:
        tasks = [(url, p, hwm) for p in phrases]
        for key, found in pool.imap_unordered(_impact_list, tasks, chunksize=8):
            _store(wconn, key, found)
            written += 1
            if written % 2000 == 0:
                log(f"{written} impact lists")
        wconn.execute(text("SELECT 1"))
    engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("PRAGMA journal_mode=DELETE")
    raw.close()
    return written


def build(n: int, seed: int, workers: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scale-{n}-{seed}.db"
    if path.exists():
        upgrade(make_engine(f"sqlite:///{path}"))  # a database built by an older tree
        return path
    partial = path.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    url = f"sqlite:///{partial}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    t0 = time.perf_counter()
    extractions = templates()
    ids = store_entities(url, extractions)
    log(f"{len(extractions)} template extractions, {len(ids[0])} actors, {len(ids[1])} places")
    pool = mp.get_context("fork").Pool(workers)  # forked after _keys is set
    writer = Writer(partial, extractions, ids)
    done = 0
    try:
        batches = _batches(generate(n, seed), BATCH)
        # One batch in the workers while the writer stores the previous one; bounded memory.
        pending = pool.map_async(_work, next(batches), chunksize=50)
        while pending is not None:
            results = pending.get()
            batch = next(batches, None)
            pending = pool.map_async(_work, batch, chunksize=50) if batch else None
            writer.write(results)
            done += len(results)
            if done % 50_000 == 0 or done == n:
                rate = done / (time.perf_counter() - t0)
                log(f"{done:>9} articles, {writer.events} events, {rate:.0f} art/s")
    finally:
        pool.close()
        pool.join()
    writer.conn.close()
    t1 = time.perf_counter()
    log(f"loaded in {t1 - t0:.0f} s; optimizing and building impact lists")
    lists = finish(partial, workers)
    log(f"{lists} impact lists in {time.perf_counter() - t1:.0f} s")
    partial.rename(path)
    return path


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--finish", type=Path, help="only optimize and index a loaded .partial")
    args = ap.parse_args()
    if args.finish:
        log(f"{finish(args.finish, args.workers)} impact lists")
        args.finish.rename(args.finish.with_suffix(".db"))
        return
    print(build(args.n, args.seed, args.workers))


if __name__ == "__main__":
    main()
