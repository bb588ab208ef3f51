"""FTS5 backend: bm25 with the title weighted above the body and exact words above lemmas.

Work per request is bounded by RANK_CAP, not by how many articles match. FTS5 computes bm25 for
every matching row before it can sort (~2 µs a row), so below the cap a query is ranked exactly;
above it (a head word such as `Ukraine`), hits come from the phrases' impact lists
(app/search/impact.py) and the rest follow newest first (app/search/sqlite_paths.py). Date sorts
above the cap walk the (published_at, id) index and probe the match per batch; facets above the
cap count the newest FACET_SAMPLE hits and say so.

Keyset positions carry the newest article id at the first page (`hwm`) and which path ranked it,
and an exact path's boundary rank is recomputed under the current index statistics, so new
articles (which move every bm25 score) cannot make a page skip or repeat a hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Connection, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from app.models import Article
from app.search import rescore
from app.search.base import (
    ArticleFilters,
    EventFilters,
    FacetCount,
    FacetName,
    Hit,
    Sort,
    bad_key,
    date_key,
    rank_value,
)
from app.search.expand import Plan
from app.search.impact import WEIGHTS, plan_phrases
from app.search.query import (
    Expansion,
    Fts5Columns,
    Query,
    quote_fts5,
    to_fts5,
)
from app.search.sqlite_paths import (
    FACET_SAMPLE,
    any_of,
    count_facets,
    ranked_by_impact,
    sort_matches_by_date,
    walk_by_date,
)
from app.search.sqlite_sql import article_filter_sql, event_filter_sql
from app.services.errors import QuerySyntaxError

EVENT_WEIGHTS = "2.0, 1.0"
COLUMNS = Fts5Columns(exact="{title body}", lemmas="{lemmas}")
RANK_CAP = 2000
# Single phrases _over_cap() counts before the whole query.
_CHEAP_COUNTS = 3

__all__ = ["RANK_CAP", "WEIGHTS", "SqliteFts5Backend"]


class SqliteFts5Backend:
    rank_cap = RANK_CAP
    facet_sample = FACET_SAMPLE

    def article_filter(self, query: Query) -> ColumnElement[bool]:
        subquery = text("SELECT rowid FROM article_fts WHERE article_fts MATCH :fts_query")
        return col(Article.id).in_(subquery.bindparams(fts_query=to_fts5(query)))

    def known_lemmas(self, session: Session, words: Iterable[str]) -> set[str]:
        # One indexed probe per word: the fts5vocab table counts a word's whole doclist (25 ms
        # for a frequent one at 100,000 articles) when only "is it there" is asked.
        conn = session.connection()
        sql = text("SELECT 1 FROM article_fts WHERE article_fts MATCH :m LIMIT 1")
        return {
            w
            for w in dict.fromkeys(words)
            if conn.execute(sql, {"m": "{lemmas} : " + quote_fts5(w.lower())}).first()
        }

    def match_text(self, plan: Plan) -> str:
        if isinstance(plan.query, Query):
            return to_fts5(plan.query, plan.expansions, COLUMNS)
        return plan.query.text

    # --- articles ---------------------------------------------------------------------------

    def search_articles(
        self,
        session: Session,
        *,
        plan: Plan,
        filters: ArticleFilters,
        sort: Sort,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        with _syntax_errors(plan):
            if sort == "relevance":
                return self._by_relevance(session, plan, filters, limit, after)
            return self._by_date(session, plan, filters, sort, limit, after)

    def _by_date(
        self,
        session: Session,
        plan: Plan,
        filters: ArticleFilters,
        sort: Sort,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        key = date_key(after)
        match = self.match_text(plan)
        if self._over_cap(session, plan, match):
            phrases = None
            if isinstance(plan.query, Query) and any_of(plan.query.root):
                phrases = [p.match for p in plan_phrases(plan)]
            rows = walk_by_date(session, match, filters, sort, limit, key, phrases)
        else:
            rows = sort_matches_by_date(session, match, filters, sort, limit, key)
        return [Hit(id=i, rank=0.0, key=[p, i]) for i, p in rows]

    def _over_cap(self, session: Session, plan: Plan, match: str) -> bool:
        """More than rank_cap matches? For a term or an OR of terms, any one phrase over the cap
        settles it. Single-word phrases without a column filter are asked first, a few at most:
        walking one doclist to cap + 1 rows takes well under a millisecond, while the whole OR
        also walks a rare two-word alias's doclists to their end (~8 ms each for "владимир
        зеленский" at 1,000,000 articles) and a column filter skips through other columns' rows."""
        cap = self.rank_cap
        if isinstance(plan.query, Query) and any_of(plan.query.root):
            cheap = [p for p in plan_phrases(plan) if not p.columns and len(p.words) == 1]
            for p in cheap[:_CHEAP_COUNTS]:
                if self._count(session, p.match, cap) > cap:
                    return True
        return self._count(session, match, cap) > cap

    def _count(self, session: Session, match: str, cap: int) -> int:
        """Matches, counted up to cap + 1: walking a head word's whole doclist costs more than
        the page. Filters are left out so the count stays a doclist walk."""
        sql = """SELECT count(*) FROM (SELECT rowid FROM article_fts
            WHERE article_fts MATCH :m LIMIT :cap)"""
        params = {"m": match, "cap": cap + 1}
        return int(session.connection().execute(text(sql), params).scalar_one())

    def _by_relevance(
        self,
        session: Session,
        plan: Plan,
        filters: ArticleFilters,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        conn = session.connection()
        match = self.match_text(plan)
        if after is None:
            hwm = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM article")).scalar_one())
            # An AND or NOT without filters goes to the bounded path whatever its size: there its
            # matches are ranked by bm25() once per `hwm` (up to impact.MATCH_SET) and kept, and
            # counting them first would cost a pass over the same doclists.
            bounded = isinstance(plan.query, Query) and (
                (filters == ArticleFilters() and not any_of(plan.query.root))
                or self._over_cap(session, plan, match)
            )
            tier, rank, last_id = 0, None, None
        else:
            if len(after) != 5 or not all(isinstance(v, int) for v in (after[0], *after[2:])):
                raise bad_key()
            tier, rank, last_id, hwm, mode = after
            if mode not in (0, 1):
                raise bad_key()
            rank = rank_value(rank)
            bounded = mode == 1
        if bounded:
            found = ranked_by_impact(
                session, plan, match, filters, hwm, limit, (tier, rank, last_id)
            )
            return [Hit(id=i, rank=r, key=[t, r, i, hwm, 1]) for t, r, i in found]
        resume = (rank, last_id) if last_id is not None else None
        rows = self._rank_all(session, match, filters, hwm, limit, resume)
        return [Hit(id=i, rank=r, key=[0, r, i, hwm, 0]) for i, r in rows]

    def _rank_all(
        self,
        session: Session,
        match: str,
        filters: ArticleFilters,
        hwm: int,
        limit: int,
        resume: tuple[Any, int] | None,
    ) -> list[tuple[int, float]]:
        where, params = article_filter_sql(filters)
        params |= {"m": match, "hwm": hwm, "limit": limit}
        outer = ""
        if resume is not None:
            rank, last_id = resume
            # Recomputed under today's statistics, like every other row in this page.
            current = (
                session.connection()
                .execute(
                    text(
                        f"SELECT bm25(article_fts, {WEIGHTS}) FROM article_fts "
                        "WHERE article_fts MATCH :m AND rowid = :id"
                    ),
                    {"m": match, "id": last_id},
                )
                .first()
            )
            if current is not None:
                rank = float(current[0])
            outer = "WHERE rank > :after_rank OR (rank = :after_rank AND id > :after_id)"
            params |= {"after_rank": rank, "after_id": last_id}
        # The join reads every match's article row (its header, ~3 µs each): only for filters.
        join = " CROSS JOIN article a ON a.id = f.rowid" if where else ""
        sql = f"""
            SELECT id, rank FROM (
                SELECT f.rowid AS id, bm25(article_fts, {WEIGHTS}) AS rank
                FROM article_fts f{join}
                WHERE article_fts MATCH :m AND f.rowid <= :hwm
                {"".join(" AND " + w for w in where)}
            ) {outer}
            ORDER BY rank, id
            LIMIT :limit
        """
        rows = session.connection().execute(text(sql), params).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def article_facets(
        self, session: Session, *, plan: Plan, filters: ArticleFilters, names: Iterable[FacetName]
    ) -> dict[str, list[FacetCount]]:
        with _syntax_errors(plan):
            return count_facets(
                session, self.match_text(plan), filters, names, sample=self.facet_sample
            )

    def match_reasons(
        self, session: Session, *, plan: Plan, article_ids: list[int]
    ) -> dict[int, list[str]]:
        reasons: dict[int, list[str]] = {i: [] for i in article_ids}
        if not article_ids:
            return reasons
        if not isinstance(plan.query, Query):
            return {i: ["text"] for i in article_ids}
        conn = session.connection()
        ids = ", ".join(str(int(i)) for i in article_ids)
        # One lookup by article for every entity: by entity, a country's mentions (most of the
        # corpus for Ukraine) would be read to keep the page's twenty.
        mentioned: set[tuple[str, int, int]] = set()
        if plan.entities:
            sql = f"SELECT article_id, actor_id, place_id FROM mention WHERE article_id IN ({ids})"
            for article_id, actor_id, place_id in conn.execute(text(sql)):
                if actor_id is not None:
                    mentioned.add(("actor", int(actor_id), int(article_id)))
                if place_id is not None:
                    mentioned.add(("place", int(place_id), int(article_id)))
        # An article with a mention of every entity of a term needs no probe of its aliases.
        unsure = {
            term: [
                i for i in article_ids if any((e.kind, e.id, i) not in mentioned for e in entities)
            ]
            for term, entities in plan.entities.items()
        }
        probe = _PageProbe(conn, article_ids)
        text_match = to_fts5(plan.query, {}, COLUMNS)
        lemma_only = {t: Expansion(lemmas=e.lemmas) for t, e in plan.expansions.items() if e.lemmas}
        lemma_match = to_fts5(plan.query, lemma_only, COLUMNS) if lemma_only else None
        exact = probe.matching(text_match, article_ids)
        lemma = (
            probe.matching(lemma_match, article_ids) - exact if lemma_match is not None else set()
        )
        for i in article_ids:
            if i in exact:
                reasons[i].append("text")
            elif i in lemma:
                reasons[i].append("lemma")
        for term, entities in plan.entities.items():
            exp = plan.expansions.get(term)
            by_alias = (
                probe.matching(
                    " OR ".join(quote_fts5(" ".join(p)) for p in exp.aliases),
                    unsure[term],
                )
                if exp is not None and exp.aliases and unsure[term]
                else set()
            )
            for entity in entities:
                for i in article_ids:
                    found = (entity.kind, entity.id, i) in mentioned or i in by_alias
                    if found and entity.label not in reasons[i]:
                        reasons[i].append(entity.label)
        return reasons

    # --- events -----------------------------------------------------------------------------

    def search_events(
        self,
        session: Session,
        *,
        plan: Plan,
        filters: EventFilters,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        conn = session.connection()
        # event_fts has no lemma column: lemma and alias phrases match its text directly.
        match = (
            to_fts5(plan.query, plan.expansions, Fts5Columns())
            if isinstance(plan.query, Query)
            else plan.query.text
        )
        where, params = event_filter_sql(filters)
        params |= {"m": match, "limit": limit}
        outer = ""
        with _syntax_errors(plan):
            if after is None:
                hwm = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM event")).scalar_one())
            else:
                if len(after) != 3 or not all(isinstance(v, int) for v in after[1:]):
                    raise bad_key()
                rank, last_id, hwm = after
                current = conn.execute(
                    text(
                        f"SELECT bm25(event_fts, {EVENT_WEIGHTS}) FROM event_fts "
                        "WHERE event_fts MATCH :m AND rowid = :id"
                    ),
                    {"m": match, "id": last_id},
                ).first()
                rank = float(current[0]) if current is not None else rank_value(rank)
                outer = "WHERE rank > :after_rank OR (rank = :after_rank AND id > :after_id)"
                params |= {"after_rank": rank, "after_id": last_id}
            params["hwm"] = hwm
            sql = f"""
                SELECT id, rank FROM (
                    SELECT e.id AS id, bm25(event_fts, {EVENT_WEIGHTS}) AS rank
                    FROM event_fts f CROSS JOIN event e ON e.id = f.rowid
                    WHERE event_fts MATCH :m AND e.id <= :hwm
                    {"".join(" AND " + w for w in where)}
                ) {outer}
                ORDER BY rank, id LIMIT :limit
            """
            rows = conn.execute(text(sql), params).all()
        return [
            Hit(id=int(r[0]), rank=float(r[1]), key=[float(r[1]), int(r[0]), hwm]) for r in rows
        ]


class _PageProbe:
    """Which of a page's articles match an FTS5 query, asked of a temporary index of the page
    (rescore.index_rows). FTS5 (3.40) does not seek `rowid IN (...)`: a probe of article_fts
    walks each phrase's whole doclist (50 ms for a head word at 1,000,000 articles), while
    indexing twenty articles costs 3-15 ms and then answers every probe of the page."""

    def __init__(self, conn: Connection, ids: list[int]) -> None:
        self.conn = conn
        rescore.index_rows(conn, ids)

    def matching(self, match: str, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        return rescore.indexed_matches(self.conn, match) & set(ids)


@contextmanager
def _syntax_errors(plan: Plan) -> Iterator[None]:
    """A raw FTS5 query (syntax=fts5) that the engine rejects is the client's 400, not a 500."""
    try:
        yield
    except OperationalError as exc:
        if plan.raw:
            raise QuerySyntaxError(f"FTS5 rejected the query: {exc.orig}") from exc
        raise
