"""How a bulk run leaves the FTS5 indexes: a load that wrote a good share of the articles
optimizes them into one segment; a small run into a bigger database does not rewrite the old
segment, and both leave an index that passes FTS5's own integrity check."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.services.bulk import BulkItem, bulk_ingest
from app.services.ingest import ArticleInput
from app.services.search_index import FTS_TABLES

PLACES = ["Kharkiv", "Odesa", "Kherson", "Sumy", "Dnipro", "Lviv", "Poltava", "Mykolaiv"]


def _items(start: int, count: int) -> list[BulkItem]:
    return [
        BulkItem(
            f"item {i}",
            ArticleInput(
                text=f"Russia launched {10 + i} drones at {PLACES[i % len(PLACES)]} overnight, "
                f"the Ukrainian Air Force said in report n{i}."
            ),
        )
        for i in range(start, start + count)
    ]


def _segments(session: Session) -> dict[str, set[int]]:
    conn = session.connection()
    return {
        fts: {row[0] for row in conn.execute(text(f"SELECT DISTINCT segid FROM {fts}_idx"))}
        for fts in FTS_TABLES
    }


def _check_integrity(session: Session) -> None:
    for fts in FTS_TABLES:  # raises on a corrupt index
        session.connection().execute(text(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')"))


@pytest.fixture
def sqlite_session(empty_session: Session) -> Session:
    if empty_session.connection().dialect.name != "sqlite":
        pytest.skip("FTS5 segments are SQLite's")
    return empty_session


def test_a_load_into_an_empty_database_optimizes_to_one_segment(sqlite_session: Session) -> None:
    stats = bulk_ingest(sqlite_session, _items(0, 6), batch_size=2)
    assert (stats.created, stats.fts_finish) == (6, "optimize")
    assert {fts: len(ids) for fts, ids in _segments(sqlite_session).items()} == {
        "article_fts": 1,
        "event_fts": 1,
    }
    _check_integrity(sqlite_session)


def test_a_small_run_merges_without_rewriting_the_old_segment(sqlite_session: Session) -> None:
    bulk_ingest(sqlite_session, _items(0, 12), batch_size=4)
    old = _segments(sqlite_session)["article_fts"]
    assert len(old) == 1

    stats = bulk_ingest(sqlite_session, _items(12, 2), batch_size=1)
    assert (stats.created, stats.fts_finish) == (2, "merge")
    assert old <= _segments(sqlite_session)["article_fts"]
    _check_integrity(sqlite_session)
    found = sqlite_session.connection().execute(
        text("SELECT count(*) FROM article_fts WHERE article_fts MATCH 'n12 OR n13'")
    )
    assert found.scalar_one() == 2


def test_the_finish_can_be_chosen(sqlite_session: Session) -> None:
    bulk_ingest(sqlite_session, _items(0, 12), batch_size=4)
    left = bulk_ingest(sqlite_session, _items(12, 3), batch_size=1, fts_finish="none")
    assert left.fts_finish == "none"
    assert len(_segments(sqlite_session)["article_fts"]) == 4  # the old one and one a batch

    forced = bulk_ingest(sqlite_session, _items(15, 1), fts_finish="optimize")
    assert forced.fts_finish == "optimize"
    assert len(_segments(sqlite_session)["article_fts"]) == 1
    _check_integrity(sqlite_session)


def test_postgresql_has_no_segments_to_merge(empty_session: Session) -> None:
    if empty_session.connection().dialect.name == "sqlite":
        pytest.skip("the PostgreSQL side")
    stats = bulk_ingest(empty_session, _items(0, 2))
    assert (stats.created, stats.fts_finish) == (2, "none")
