"""How a bulk run leaves the SQLite FTS5 indexes.

Each of a run's transactions adds a segment to article_fts and event_fts. FTS5's automerge
already folds them together as they come (4 segments of a level make one of the next), so the
index stays a few segments deep; 'optimize' makes it exactly one, the form fastest to query, but
it rewrites the whole index to do so. After a load into an empty or small database that is cheap,
but it grows with the index, not with the run: after 1,000 articles it took 4.4 s at 100,000
articles (the run itself ~5 s) and 46 s at 1,000,000 (docs/benchmarks.md). So a run that wrote a
good share of the articles optimizes, and a smaller one only completes the merges that automerge
would do, within a page budget in proportion to what it wrote. `conflictkb reindex` still
rebuilds and optimizes the whole index.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import text
from sqlmodel import Session

from app.services.transactions import write_transaction

FtsFinish = Literal["auto", "optimize", "merge", "none"]

FTS_TABLES = ("article_fts", "event_fts")
# A run optimizes when it wrote at least this share of the articles: over a load streamed in
# runs, the rewrites then add up to a small multiple of the final index, not one per run.
OPTIMIZE_SHARE = 0.25
# A 'merge' writes at most this many pages (4 KB) an article of the run; an article adds well
# under one page to each index, so this leaves room for the levels a run's segments fill up.
MERGE_PAGES_PER_ARTICLE = 4
MIN_MERGE_PAGES = 64


def finish_search_index(session: Session, *, created: int, how: FtsFinish = "auto") -> str:
    """Merge the FTS segments a bulk run left (SQLite only) and refresh the planner's statistics.
    Returns what was done: "optimize", "merge" or "none"."""
    session.commit()
    if how == "none" or session.connection().dialect.name != "sqlite":
        return "none"
    if how == "auto":
        how = "optimize" if created >= OPTIMIZE_SHARE * _article_id_span(session) else "merge"
    with write_transaction(session) as conn:
        for fts in FTS_TABLES:
            conn.exec_driver_sql(finish_statement(fts, how, created=created))
    session.connection().exec_driver_sql("PRAGMA optimize")
    session.commit()
    return how


def finish_statement(fts: str, how: Literal["optimize", "merge"], *, created: int) -> str:
    """The FTS5 command that finishes ``fts`` after a run that created ``created`` articles."""
    if how == "optimize":
        return f"INSERT INTO {fts}({fts}) VALUES ('optimize')"
    # A positive budget merges only segments that automerge would also merge: the large old
    # segment is left as it is.
    pages = max(MIN_MERGE_PAGES, MERGE_PAGES_PER_ARTICLE * created)
    return f"INSERT INTO {fts}({fts}, rank) VALUES ('merge', {pages})"


def _article_id_span(session: Session) -> int:
    # Ids are distinct and positive, so the largest bounds the count from above, at the cost of
    # one index probe; count(*) walks every row.
    largest = session.connection().execute(text("SELECT max(id) FROM article")).scalar()
    return int(largest or 0)
