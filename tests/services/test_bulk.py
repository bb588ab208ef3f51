"""Bulk ingest (worker processes feeding one writer) stores what ingest_article stores, and
deduplicates against the database and within its own batches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Article, Event, Mention
from app.services.bulk import BulkItem, BulkOutcome, bulk_ingest, start_pool
from app.services.ingest import ArticleInput, ingest_article

TEXTS = [
    "Russia launched 83 Shahed drones at Kharkiv overnight, the Ukrainian Air Force said.",
    "Japan will send air defence systems to Ukraine, Prime Minister Fumio Kishida said in Tokyo.",
    "Ukrainian forces shelled positions near Belgorod on Monday, the Russian ministry claimed.",
]


def _counts(session: Session) -> tuple[int, int, int]:
    conn = session.connection()
    return tuple(  # type: ignore[return-value]
        int(conn.execute(select(func.count()).select_from(m)).scalar_one())
        for m in (Article, Mention, Event)
    )


def _article_rows(session: Session, hashes: list[str] | None = None) -> list[tuple[object, ...]]:
    columns = (Article.content_hash, Article.title, Article.raw_text, Article.body, Article.lemmas)
    query = select(*columns).order_by(Article.content_hash)
    if hashes is not None:
        query = query.where(Article.content_hash.in_(hashes))  # type: ignore[attr-defined]
    return [tuple(row) for row in session.connection().execute(query)]


def test_bulk_matches_one_by_one_and_deduplicates(empty_session: Session, session: Session) -> None:
    stored_before = _counts(session)
    one_by_one = [ingest_article(session, item=ArticleInput(text=t)) for t in TEXTS]
    assert all(r.created for r in one_by_one)
    expected = tuple(a - b for a, b in zip(_counts(session), stored_before, strict=True))

    items = [BulkItem(f"line {i}", ArticleInput(text=t)) for i, t in enumerate(TEXTS)]
    items.append(BulkItem("dup", ArticleInput(text=TEXTS[0] + "\n\n")))  # same after normalising
    items.append(BulkItem("empty", ArticleInput(text=" \x00 ")))
    outcomes = []
    pool = start_pool(2)
    try:
        stats = bulk_ingest(
            empty_session, items, pool=pool, batch_size=2, on_outcome=outcomes.append
        )
    finally:
        pool.close()
        pool.join()
    assert (stats.created, stats.existing, stats.failed) == (3, 1, 1)
    assert _counts(empty_session) == expected
    # Workers return no normalised text (the writer has it): the rows must not show it.
    stored = _article_rows(empty_session)
    assert len(stored) == 3 and all(row[2] for row in stored)
    assert _article_rows(session, [row[0] for row in stored]) == stored
    by_origin = {o.origin: o for o in outcomes}
    assert by_origin["dup"].result is not None
    assert by_origin["dup"].result.article_id == by_origin["line 0"].result.article_id  # type: ignore[union-attr]
    assert by_origin["empty"].error

    again = bulk_ingest(empty_session, items[:3])
    assert (again.created, again.existing) == (0, 3)
    assert _counts(empty_session) == expected


def test_workers_send_what_the_writer_stores() -> None:
    """What the writer gets from a worker (gazetteer entries sent once, then by key; no sentences)
    is what storing reads from an article extracted here."""
    from app.services.bulk import _RECEIVED, prepare_for_writer
    from app.services.ingest import prepare_article

    texts = [*TEXTS, *TEXTS, TEXTS[0] + " Russia and Ukraine again."]
    pool = start_pool(2)
    try:
        sent = list(pool.imap(prepare_for_writer, [ArticleInput(text=t) for t in texts], 1))
    finally:
        pool.close()
        pool.join()
    assert any(kind == "ActorEntry" for kind, _ in _RECEIVED)
    for text, got in zip(texts, sent, strict=True):
        assert not isinstance(got, str)
        want = prepare_article(ArticleInput(text=text))
        assert got.extraction.sentences == [] and got.extraction.removed_lines == []
        for name in ("text", "url", "published_at", "precision", "language", "title", "lemmas"):
            assert getattr(got, name) == getattr(want, name)
        for name in ("body", "actors", "places", "actor_mentions", "place_mentions", "events"):
            assert getattr(got.extraction, name) == getattr(want.extraction, name)


def test_an_entry_key_whose_entry_was_never_read_comes_from_the_gazetteer() -> None:
    from app.extraction.gazetteer import load_gazetteer
    from app.services.bulk import _RECEIVED, _gazetteer_entry

    key = next(iter(load_gazetteer().places))
    _RECEIVED.pop(("PlaceEntry", key), None)
    assert _gazetteer_entry("PlaceEntry", key) == load_gazetteer().places[key]


def test_an_extracting_process_hides_its_gazetteer_from_the_collector() -> None:
    import gc

    from app.extraction.gazetteer import load_gazetteer
    from app.services.bulk import warm_extraction

    try:
        warm_extraction()
        entry = next(iter(load_gazetteer().actors.values()))
        assert gc.is_tracked(entry)
        # frozen objects are in the permanent generation, which collections do not walk
        assert gc.get_freeze_count() > 10_000
        assert all(o is not entry for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_chunks_checked_ahead_and_a_tapered_end(
    empty_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Duplicates are found whichever chunk holds them, and the run's last transactions shrink."""
    from app.services import bulk

    monkeypatch.setattr(bulk, "FIRST_LOOKUP_SIZE", 4)
    monkeypatch.setattr(bulk, "LOOKUP_SIZE", 20)
    flushed: list[int] = []
    real_flush = bulk._flush

    def counting_flush(session: Session, batch: list[tuple[str, object]]) -> list[BulkOutcome]:
        flushed.append(len(batch))
        return real_flush(session, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_flush", counting_flush)
    towns = ["Kharkiv", "Odesa", "Kherson", "Sumy", "Lviv", "Dnipro"]
    texts = [f"Russia shelled {towns[i % 6]} on day {i}, officials said." for i in range(23)]
    stored = bulk_ingest(empty_session, [BulkItem("first", ArticleInput(text=texts[0]))])
    assert stored.created == 1
    flushed.clear()
    items = [BulkItem(f"line {i}", ArticleInput(text=t)) for i, t in enumerate(texts)]
    items.insert(10, BulkItem("again", ArticleInput(text=texts[5])))  # chunk 2, first seen in 1
    outcomes: list[BulkOutcome] = []
    stats = bulk_ingest(empty_session, items, batch_size=64, on_outcome=outcomes.append)
    assert (stats.created, stats.existing, stats.failed) == (22, 2, 0)
    ids = {o.origin: o.result.article_id for o in outcomes if o.result is not None}
    assert ids["again"] == ids["line 5"] and len(set(ids.values())) == 23
    # Checked: 4 (3 new), then the last 20. Stored: 3 + 9 received (11 to come), 8 (3 to come), 3.
    assert flushed == [12, 8, 3]
    assert _counts(empty_session)[0] == 23


def test_a_run_collects_young_objects_less_often_and_restores_the_collector(
    empty_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from app.services import bulk

    seen: list[tuple[int, int, int]] = []
    real_flush = bulk._flush

    def flush(session: Session, batch: list[tuple[str, object]]) -> list[BulkOutcome]:
        seen.append(gc.get_threshold())
        return real_flush(session, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_flush", flush)
    before = gc.get_threshold()
    bulk_ingest(empty_session, [BulkItem("one", ArticleInput(text=TEXTS[0]))])
    assert seen and seen[0][0] >= 20_000
    assert gc.get_threshold() == before


def test_a_chunk_goes_to_the_workers_when_it_is_checked_not_when_it_is_stored() -> None:
    """The pool gets the next chunk while this one is stored: a lazy hand-over would leave the
    workers idle at every chunk's end (~0.3 s a 1,000-article run, measured)."""
    from app.services import bulk

    class Pool:
        submitted = 0

        def imap(self, func: object, tasks: object, chunksize: int) -> object:
            self.submitted += 1
            return iter(())

    pool = Pool()
    bulk._prepared(pool, [])  # type: ignore[arg-type]
    assert pool.submitted == 1
