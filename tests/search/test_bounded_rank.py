"""Bounded ranking on a generated corpus (bench/corpus.py, bulk-loaded like the benchmark):
below the cap the order is exactly bm25's; above it, tiers are ranked by bm25 within themselves,
the first tier holds title matches, and paging through every tier yields every match once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.search.base import ArticleFilters
from app.search.sqlite_fts5 import WEIGHTS, SqliteFts5Backend
from app.search.sqlite_sql import title_any
from app.services.search import make_plan
from bench.corpus import generate
from bench.search_latency import load_articles

HEAD_QUERIES = ["Ukraine", "Украйна", "войната", "дронове", "Росія", "Київ", "дронів", "Путин"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("corpus") / "generated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_articles(engine, generate(1500, seed=3), workers=2)
    yield engine
    engine.dispose()


def _full(session: Session, match: str, k: int) -> list[int]:
    sql = (
        f"SELECT rowid FROM article_fts WHERE article_fts MATCH :m "
        f"ORDER BY bm25(article_fts, {WEIGHTS}), rowid LIMIT {k}"
    )
    return [r[0] for r in session.connection().execute(text(sql), {"m": match})]


def _count(session: Session, match: str) -> int:
    sql = "SELECT count(*) FROM article_fts WHERE article_fts MATCH :m"
    return int(session.connection().execute(text(sql), {"m": match}).scalar_one())


@pytest.mark.parametrize("q", HEAD_QUERIES)
def test_below_the_cap_the_order_is_bm25(corpus: Engine, q: str) -> None:
    backend = SqliteFts5Backend()
    with Session(corpus) as session:
        plan = make_plan(session, q=q, syntax="web", expand=False)
        match = backend.match_text(plan)
        backend.rank_cap = _count(session, match)
        assert backend.rank_cap > 10
        hits = backend.search_articles(
            session, plan=plan, filters=ArticleFilters(), sort="relevance", limit=10, after=None
        )
        assert [h.id for h in hits] == _full(session, match, 10)


@pytest.mark.parametrize("q", HEAD_QUERIES)
def test_above_the_cap_tiers_are_bm25_ordered_and_complete(corpus: Engine, q: str) -> None:
    backend = SqliteFts5Backend()
    with Session(corpus) as session:
        plan = make_plan(session, q=q, syntax="web", expand=True)
        match = backend.match_text(plan)
        total = _count(session, match)
        backend.rank_cap = total // 4
        hits, after = [], None
        while True:
            page = backend.search_articles(
                session, plan=plan, filters=ArticleFilters(), sort="relevance", limit=97,
                after=after,
            )  # fmt: skip
            hits += page
            if len(page) < 97:
                break
            after = page[-1].key
        assert len(hits) == len({h.id for h in hits}) == total
        tiers = [h.key[0] for h in hits]
        assert tiers == sorted(tiers) and tiers[-1] >= 1
        for tier in set(tiers):
            ranks = [h.rank for h in hits if h.key[0] == tier]
            assert ranks == sorted(ranks)
        first = {h.id for h in hits if h.key[0] == 0}
        titled = f"({match}) AND ({title_any(plan)})"
        sql = "SELECT rowid FROM article_fts WHERE article_fts MATCH :m"
        in_title = {r[0] for r in session.connection().execute(text(sql), {"m": titled})}
        assert first <= in_title
