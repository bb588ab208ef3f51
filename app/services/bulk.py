"""Bulk ingest: the CPU-bound part of ingest (normalising, extraction, lemmas) spread over worker
processes, and this process the one writer, storing their results in batched transactions through
the same store step as ``ingest_article``.

SQLite has one writer at a time anyway, and extraction costs some twenty times what storing costs,
so N extracting processes feeding one writer scale with the cores. Batching matters because each
commit is an fsync (synchronous=FULL) and because the FTS triggers make every single-row transaction
pay for a new index segment. The FTS indexes are merged once at the end ('optimize').
"""

from __future__ import annotations

import copyreg
import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from multiprocessing.pool import Pool
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.extraction.types import ActorEntry, Alias, Mention, PlaceEntry, Sentence
from app.services.errors import DomainError
from app.services.ingest import (
    ArticleInput,
    IngestResult,
    PreparedArticle,
    existing_ids,
    normalised_input,
    prepare_article,
    store_one,
    store_prepared_batch,
)
from app.services.transactions import write_transaction

# Frozen slotted dataclasses unpickle through dataclasses' generic __setstate__, which walks
# fields() per object: a prepared article holds ~170 of them, and the one writer unpickles every
# article, so that cost is serial. Rebuilt through their constructors instead (1.7 -> 1.1 ms an
# article).
_FIELDS = {
    c: tuple(f.name for f in fields(c)) for c in (Sentence, Alias, ActorEntry, PlaceEntry, Mention)
}


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    return cls(*values)


def _reduce(obj: Any) -> tuple[Any, tuple[type, tuple[Any, ...]]]:
    return _rebuild, (type(obj), tuple(getattr(obj, name) for name in _FIELDS[type(obj)]))


for _cls in _FIELDS:
    copyreg.pickle(_cls, _reduce)

BATCH_SIZE = 64
LOOKUP_SIZE = 500  # duplicate checks per query
# Small chunks keep the workers' results flowing to the writer in input order without stalls.
CHUNK_SIZE = 4


@dataclass(frozen=True, slots=True)
class BulkItem:
    origin: str  # file:line, for error reports
    item: ArticleInput


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    origin: str
    result: IngestResult | None
    error: str | None = None


@dataclass(slots=True)
class BulkStats:
    created: int = 0
    existing: int = 0
    failed: int = 0


def _warm_worker() -> None:
    # Loaded once per worker before its first article, not inside the first timed extraction.
    from app.extraction.gazetteer import load_gazetteer
    from app.extraction.language import detector
    from app.extraction.lemmas import warm_up

    load_gazetteer()
    detector()
    warm_up()


def _ready(_: int) -> bool:
    return True


def _prepare(item: ArticleInput) -> PreparedArticle | str:
    try:
        return prepare_article(item)
    except DomainError as exc:
        return exc.detail


def start_pool(workers: int) -> Pool:
    """A pool whose workers have all loaded the gazetteer. Forked, so the parent's imports are
    shared; it must be made before the parent opens database connections or starts threads."""
    pool = mp.get_context("fork").Pool(workers, initializer=_warm_worker)
    # Every worker runs its initializer before its first task; waiting on 2N tiny tasks (one at a
    # time each) gets past the slowest initializer in practice.
    pool.map(_ready, range(2 * workers), chunksize=1)
    return pool


def _prepared(
    pool: Pool | None, items: list[BulkItem]
) -> Iterator[tuple[BulkItem, PreparedArticle | str]]:
    inputs = (b.item for b in items)
    results: Iterable[PreparedArticle | str] = (
        pool.imap(_prepare, inputs, chunksize=CHUNK_SIZE) if pool else map(_prepare, inputs)
    )
    yield from zip(items, results, strict=True)


def _new_items(
    session: Session, items: Iterable[BulkItem], report: Callable[[BulkOutcome], None]
) -> list[BulkItem]:
    """Drops the articles already stored before any worker extracts them, so a second run of the
    same files costs a lookup per article, not an extraction."""
    todo: list[BulkItem] = []
    chunk: list[tuple[BulkItem, tuple[str, str | None]]] = []

    def check() -> None:
        found = existing_ids(session.connection(), [keys for _, keys in chunk])
        for (bulk_item, _), existing in zip(chunk, found, strict=True):
            if existing is None:
                todo.append(bulk_item)
            else:
                report(BulkOutcome(bulk_item.origin, IngestResult(existing, created=False)))
        chunk.clear()

    for bulk_item in items:
        try:
            chunk.append((bulk_item, normalised_input(bulk_item.item)))
        except DomainError as exc:
            report(BulkOutcome(bulk_item.origin, None, exc.detail))
            continue
        if len(chunk) >= LOOKUP_SIZE:
            check()
    if chunk:
        check()
    if session.in_transaction():
        session.commit()
    return todo


def _flush(session: Session, batch: list[tuple[str, PreparedArticle]]) -> list[BulkOutcome]:
    try:
        with write_transaction(session) as conn:
            results = store_prepared_batch(conn, [p for _, p in batch])
            return [BulkOutcome(o, r) for (o, _), r in zip(batch, results, strict=True)]
    except DomainError:
        raise  # busy database: the caller decides
    except Exception:  # one bad article must not cost its batch: retried singly
        pass
    outcomes = []
    for origin, p in batch:
        try:
            outcomes.append(BulkOutcome(origin, store_one(session, p)))
        except DomainError as exc:
            outcomes.append(BulkOutcome(origin, None, exc.detail))
    return outcomes


def bulk_ingest(
    session: Session,
    items: Iterable[BulkItem],
    *,
    pool: Pool | None = None,
    batch_size: int = BATCH_SIZE,
    on_outcome: Callable[[BulkOutcome], None] | None = None,
    optimize: bool = True,
) -> BulkStats:
    """Ingest many articles: extraction in ``pool`` (in this process when None), storage here in
    transactions of ``batch_size`` articles. Outcomes are reported in input order."""
    stats = BulkStats()

    def report(outcome: BulkOutcome) -> None:
        if outcome.result is None:
            stats.failed += 1
        elif outcome.result.created:
            stats.created += 1
        else:
            stats.existing += 1
        if on_outcome is not None:
            on_outcome(outcome)

    todo = _new_items(session, items, report)
    batch: list[tuple[str, PreparedArticle]] = []
    for bulk_item, prepared in _prepared(pool, todo):
        if isinstance(prepared, str):
            report(BulkOutcome(bulk_item.origin, None, prepared))
            continue
        batch.append((bulk_item.origin, prepared))
        if len(batch) >= batch_size:
            for outcome in _flush(session, batch):
                report(outcome)
            batch = []
    if batch:
        for outcome in _flush(session, batch):
            report(outcome)
    if optimize and stats.created:
        optimize_search(session)
    return stats


def optimize_search(session: Session) -> None:
    """Merges the FTS segments that many small transactions left behind (SQLite only)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.commit()
        return
    session.commit()
    with write_transaction(session) as wconn:
        for fts in ("article_fts", "event_fts"):
            wconn.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('optimize')"))
    session.connection().exec_driver_sql("PRAGMA optimize")
    session.commit()


def run_bulk(
    session_factory: Callable[[], Session],
    items: Iterable[BulkItem],
    *,
    workers: int,
    **kwargs: Any,
) -> BulkStats:
    """bulk_ingest with a pool of ``workers`` processes made (and closed) here."""
    pool = start_pool(workers) if workers > 1 else None
    try:
        with session_factory() as session:
            return bulk_ingest(session, items, pool=pool, **kwargs)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
