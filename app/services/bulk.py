"""Bulk ingest: the CPU-bound part of ingest (normalising, extraction, lemmas) spread over worker
processes, and this process the one writer, storing their results in batched transactions through
the same store step as ``ingest_article``.

SQLite has one writer at a time anyway, and extraction costs about twice what storing does (~7 ms
against ~3.3 ms of CPU an article, most of the latter FTS5 indexing), so the writer takes a third
of two cores and N extracting processes the rest; what the writer spends on receiving results
comes out of that budget, hence their trimmed form below. Batching matters because each
commit is an fsync (synchronous=FULL) and because the FTS triggers make every single-row transaction
pay for a new index segment. The FTS segments are merged once at the end (search_index.py).
"""

from __future__ import annotations

import contextlib
import copyreg
import fcntl
import gc
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from multiprocessing.pool import Pool
from multiprocessing.reduction import ForkingPickler
from operator import attrgetter
from typing import Any

from sqlmodel import Session

from app.extraction.gazetteer import load_gazetteer
from app.extraction.types import ActorEntry, Alias, Mention, PlaceEntry, Sentence
from app.services.errors import DomainError
from app.services.ingest import (
    ArticleInput,
    DuplicateKeys,
    IngestResult,
    PreparedArticle,
    existing_ids,
    normalised_input,
    prepare_article,
    store_one,
    store_prepared_batch,
)
from app.services.search_index import FtsFinish, finish_search_index
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


# Each class has several fields, so its getter returns a tuple (made in C, not by a generator).
_VALUES = {c: attrgetter(*names) for c, names in _FIELDS.items()}


def _reduce(obj: Any) -> tuple[Any, tuple[type, tuple[Any, ...]]]:
    return _rebuild, (type(obj), _VALUES[type(obj)](obj))


for _cls in _FIELDS:
    copyreg.pickle(_cls, _reduce)

# A worker's results are pickled in the worker and unpickled by the writer, both on the two cores
# that the extraction needs. Most of those bytes were gazetteer entries (an actor with all its
# aliases in four languages) that every article naming Russia or Ukraine sent again: a worker
# sends each gazetteer entry once, then its key. A worker's results reach the writer in the order
# the worker sent them, so the writer has read an entry before its key comes back.
_SENT: set[tuple[str, str]] = set()  # in a worker: gazetteer entries it has sent whole
_RECEIVED: dict[tuple[str, str], Any] = {}  # in the writer: those entries, by (class, key)


def _entry_token(entry: ActorEntry | PlaceEntry) -> tuple[str, str] | None:
    gaz = load_gazetteer()
    own = gaz.actors if isinstance(entry, ActorEntry) else gaz.places
    return (type(entry).__name__, entry.key) if own.get(entry.key) is entry else None


def _reduce_entry(entry: ActorEntry | PlaceEntry) -> tuple[Any, tuple[Any, ...]]:
    token = _entry_token(entry)
    if token is None:  # made for this article (an unresolved name, a country as a place)
        return _reduce(entry)
    if token in _SENT:
        return _gazetteer_entry, token
    _SENT.add(token)
    return _first_entry, (type(entry), _VALUES[type(entry)](entry))


def _first_entry(cls: type, values: tuple[Any, ...]) -> Any:
    entry = cls(*values)
    _RECEIVED[(cls.__name__, entry.key)] = entry
    return entry


def _gazetteer_entry(kind: str, key: str) -> Any:
    entry = _RECEIVED.get((kind, key))
    if entry is None:  # its first copy was left unread (the pool outlived an aborted run)
        gaz = load_gazetteer()
        entry = (gaz.actors if kind == ActorEntry.__name__ else gaz.places)[key]
    return entry


BATCH_SIZE = 64
LOOKUP_SIZE = 500  # duplicate checks per query
FIRST_LOOKUP_SIZE = 32
TAPER_MIN = 8  # the smallest transaction of the run's tapered end
_YOUNG_THRESHOLD = 20_000  # the writer's, during a run: see bulk_ingest
# Small chunks keep the workers' results flowing to the writer in input order without stalls.
CHUNK_SIZE = 4
_RESULT_PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process


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
    fts_finish: str = "none"  # what finish_search_index did


def warm_extraction() -> None:
    """Load what extraction needs (gazetteer, language models, lemma dictionaries) now, not inside
    the first timed article, then hide it from the cyclic collector: it is ~150,000 objects that
    live as long as the process, and each full collection walked them all (~60 ms; 0.4 ms once
    frozen). Over 1,000 articles that was 0.05-0.17 ms of collection an article."""
    from app.extraction.language import detector
    from app.extraction.lemmas import warm_up

    load_gazetteer()
    detector()
    warm_up()
    gc.freeze()


def _warm_worker() -> None:
    warm_extraction()
    # Only what the workers send: ForkingPickler's own table, in this process only.
    for cls in (ActorEntry, PlaceEntry):
        ForkingPickler.register(cls, _reduce_entry)


def _ready(_: int) -> bool:
    return True


def _prepare(item: ArticleInput, keys: DuplicateKeys | None = None) -> PreparedArticle | str:
    try:
        return prepare_article(item, keys=keys)
    except DomainError as exc:
        return exc.detail


def prepare_for_writer(
    item: ArticleInput, keys: DuplicateKeys | None = None
) -> PreparedArticle | str:
    """`_prepare` less what storing never reads: the sentences (a copy of the body, in ~20
    objects), the dropped boilerplate and the text as it came (stored normalised), which the
    writer would only unpickle and discard; and less the normalised text when the writer sent it
    (``keys``), since the writer has it: `_prepared` puts it back."""
    prepared = _prepare(item, keys)
    if isinstance(prepared, str):
        return prepared
    prepared.extraction = replace(prepared.extraction, sentences=[], removed_lines=[])
    prepared.item = replace(prepared.item, text="")
    if keys is not None:
        prepared.text = ""
    return prepared


class _Pool(Pool):
    """multiprocessing's Pool, less a busy loop: its worker-maintenance thread also wakes whenever
    a result is waiting in the pipe, and spins until the result thread has read it: 0.6-0.75 ms
    of the parent's CPU an article (extract-2 and bulk-2, 1,000 articles), taken from the writer
    and from the result thread it competes with for the GIL. It now wakes, as in ThreadPool, only
    on a change of the pool's state or a worker's exit (worker sentinels are added separately)."""

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]

    def _setup_queues(self) -> None:
        super()._setup_queues()  # type: ignore[misc]
        # A chunk of results (~70 KB) outgrows a pipe's default 64 KB, so each send waited for the
        # writer's result thread, itself waiting for the GIL (~250 waits per 1,000 articles).
        # Linux only; where the size is refused the default stays.
        setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
        reader = self._outqueue._reader  # type: ignore[attr-defined]
        if setsize is not None:
            with contextlib.suppress(OSError):
                fcntl.fcntl(reader.fileno(), setsize, _RESULT_PIPE_BYTES)


def start_pool(workers: int) -> Pool:
    """A pool whose workers have all loaded the gazetteer. Forked, so the parent's imports are
    shared; it must be made before the parent opens database connections or starts threads."""
    pool = _Pool(workers, initializer=_warm_worker, context=mp.get_context("fork"))
    # Every worker runs its initializer before its first task; waiting on 2N tiny tasks (one at a
    # time each) gets past the slowest initializer in practice.
    pool.map(_ready, range(2 * workers), chunksize=1)
    return pool


def _prepare_task(task: tuple[ArticleInput, DuplicateKeys]) -> PreparedArticle | str:
    return prepare_for_writer(*task)


def _prepared(
    pool: Pool | None, items: list[tuple[BulkItem, DuplicateKeys]]
) -> Iterator[tuple[BulkItem, PreparedArticle | str]]:
    """The items' extraction, under way in ``pool`` from this call on (not from the first
    result asked for: the pool must have the next chunk's work while this one is stored)."""
    # The duplicate check normalised every text already: a worker gets that text, not the raw one.
    tasks = ((replace(b.item, text=""), keys) for b, keys in items)
    results: Iterable[PreparedArticle | str] = (
        pool.imap(_prepare_task, tasks, chunksize=CHUNK_SIZE)
        if pool
        else (_prepare(b.item, keys) for b, keys in items)
    )
    return _with_items(pool, items, results)


def _with_items(
    pool: Pool | None,
    items: list[tuple[BulkItem, DuplicateKeys]],
    results: Iterable[PreparedArticle | str],
) -> Iterator[tuple[BulkItem, PreparedArticle | str]]:
    for (bulk_item, (text_, _)), prepared in zip(items, results, strict=True):
        if pool is not None and not isinstance(prepared, str):
            prepared.text = text_
        yield bulk_item, prepared


def _new_chunks(
    session: Session, items: Iterable[BulkItem], report: Callable[[BulkOutcome], None]
) -> Iterator[list[tuple[BulkItem, DuplicateKeys]]]:
    """The articles not stored yet, in chunks: each is checked before any worker extracts it, so a
    second run of the same files costs a lookup per article, not an extraction. The first chunk
    is small because the workers wait for it; later ones are checked while they extract."""
    chunk: list[tuple[BulkItem, DuplicateKeys]] = []
    size = FIRST_LOOKUP_SIZE
    for bulk_item in items:
        try:
            chunk.append((bulk_item, normalised_input(bulk_item.item)))
        except DomainError as exc:
            report(BulkOutcome(bulk_item.origin, None, exc.detail))
            continue
        if len(chunk) >= size:
            yield _not_stored(session, chunk, report)
            chunk, size = [], LOOKUP_SIZE
    if chunk:
        yield _not_stored(session, chunk, report)


def _not_stored(
    session: Session,
    chunk: list[tuple[BulkItem, DuplicateKeys]],
    report: Callable[[BulkOutcome], None],
) -> list[tuple[BulkItem, DuplicateKeys]]:
    found = existing_ids(session.connection(), [keys for _, keys in chunk])
    if session.in_transaction():
        session.commit()  # a read transaction left open would pin the WAL between batches
    todo = []
    for (bulk_item, keys), existing in zip(chunk, found, strict=True):
        if existing is None:
            todo.append((bulk_item, keys))
        else:
            report(BulkOutcome(bulk_item.origin, IngestResult(existing, created=False)))
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
    fts_finish: FtsFinish = "auto",
) -> BulkStats:
    """Ingest many articles: extraction in ``pool`` (in this process when None), storage here in
    transactions of ``batch_size`` articles. An outcome is reported once known: an article already
    stored when its chunk is checked, the others when stored, each kind in input order. Then the
    search index's segments are merged as ``fts_finish`` says (search_index.py)."""
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

    # What this process holds before the run (modules, SQLAlchemy, caches) lives through it: out
    # of the collector's sight, its full collections walk only the run's own objects.
    gc.freeze()
    threshold = gc.get_threshold()
    # A batch waiting to be stored is ~10,000 objects (its articles, unpickled) that all live
    # until it is: at the default 700 allocations the young generation was collected ~200 times
    # a 1,000-article run, walking them again each time (0.1 ms an article, ~3% of the writer).
    gc.set_threshold(max(threshold[0], _YOUNG_THRESHOLD), *threshold[1:])
    try:
        _store_all(session, pool, _new_chunks(session, items, report), batch_size, report)
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
    if stats.created:
        stats.fts_finish = finish_search_index(session, created=stats.created, how=fts_finish)
    return stats


def _store_all(
    session: Session,
    pool: Pool | None,
    chunks: Iterator[list[tuple[BulkItem, DuplicateKeys]]],
    batch_size: int,
    report: Callable[[BulkOutcome], None],
) -> None:
    """Extraction of the next chunk is under way while this one is stored: the workers never wait
    for a duplicate check but the first."""
    writer = _BatchWriter(session, batch_size, report)
    pending: deque[tuple[int, Iterator[tuple[BulkItem, PreparedArticle | str]]]] = deque()
    warm = pool is None
    for todo in chunks:
        if not todo:
            continue
        if warm:
            warm_extraction()  # this process extracts
            warm = False
        pending.append((len(todo), _prepared(pool, todo)))
        if len(pending) > 1:
            writer.store(*pending.popleft(), last=False)
    while pending:
        writer.store(*pending.popleft(), last=not pending)
    writer.flush()


class _BatchWriter:
    """Stores prepared articles in transactions of ``batch_size``; towards the end of the run in
    smaller ones, so that what is left to store once the workers have finished (when one core
    idles) is a few articles, not most of a batch."""

    def __init__(
        self, session: Session, batch_size: int, report: Callable[[BulkOutcome], None]
    ) -> None:
        self.session = session
        self.batch_size = batch_size
        self.report = report
        self.batch: list[tuple[str, PreparedArticle]] = []

    def store(
        self, count: int, results: Iterator[tuple[BulkItem, PreparedArticle | str]], *, last: bool
    ) -> None:
        for received, (bulk_item, prepared) in enumerate(results, 1):
            if isinstance(prepared, str):
                self.report(BulkOutcome(bulk_item.origin, None, prepared))
                continue
            self.batch.append((bulk_item.origin, prepared))
            size = len(self.batch)
            # Still to come: the rest of the last chunk. Storing as many as that takes about as
            # long as two workers take to extract them.
            if size >= self.batch_size or (last and size >= max(TAPER_MIN, count - received)):
                self.flush()

    def flush(self) -> None:
        if self.batch:
            for outcome in _flush(self.session, self.batch):
                self.report(outcome)
            self.batch = []


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
