"""FTS5 backend: bm25 with the title weighted above the body and exact words above lemmas.

Ranking is bounded. FTS5 computes bm25 for every matching row before it can sort (about 1.7 µs a
row), so a word found in half of 100,000 articles would cost ~85 ms. When a query matches more
than RANK_CAP rows, the first tier holds the RANK_CAP newest rows among those with a query word in
the title (those outrank body-only rows under a title weight of 10), the second tier the
RANK_CAP newest of the rest, and a third tier everything else; each tier is ranked by bm25 on its
own. tests/search/test_bounded_rank.py checks that the top ten agree with full bm25.

Keyset positions carry the newest article id at the first page (`hwm`) and the tier pivots, so a
tier's membership never changes between pages, and the boundary hit's rank is recomputed under
the current index statistics, so new articles (which move every bm25 score) cannot make a page
skip or repeat a hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from app.models import Article
from app.search.base import ArticleFilters, EventFilters, FacetCount, FacetName, Hit, Sort
from app.search.expand import Plan, fold
from app.search.query import Expansion, Fts5Columns, Query, quote_fts5, to_fts5
from app.search.sqlite_sql import (
    article_filter_sql,
    event_filter_sql,
    facet_sql,
    keyset_by_date,
    title_any,
)
from app.services.errors import InvalidQuery, QuerySyntaxError

# Column weights for bm25(): title, body, lemmas. Exact words outrank lemma-only matches.
WEIGHTS = "10.0, 1.0, 0.5"
EVENT_WEIGHTS = "2.0, 1.0"
COLUMNS = Fts5Columns(exact="{title body}", lemmas="{lemmas}")
RANK_CAP = 4000


def _bad_key() -> InvalidQuery:
    return InvalidQuery("cursor is not one this API issued")


class SqliteFts5Backend:
    rank_cap = RANK_CAP

    def article_filter(self, query: Query) -> ColumnElement[bool]:
        subquery = text("SELECT rowid FROM article_fts WHERE article_fts MATCH :fts_query")
        return col(Article.id).in_(subquery.bindparams(fts_query=to_fts5(query)))

    def known_lemmas(self, session: Session, words: Iterable[str]) -> set[str]:
        folded = {fold(w): w for w in words}
        if not folded:
            return set()
        marks = ", ".join(f":w{i}" for i in range(len(folded)))
        params = {f"w{i}": w for i, w in enumerate(folded)}
        rows = session.connection().execute(
            text(f"SELECT term FROM article_fts_vocab WHERE col = 'lemmas' AND term IN ({marks})"),
            params,
        )
        return {folded[r[0]] for r in rows if r[0] in folded}

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
        where, params = article_filter_sql(filters)
        params |= {"m": self.match_text(plan), "limit": limit}
        if after is not None:
            if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
                raise _bad_key()
            clause, extra = keyset_by_date(sort, after[0], after[1])
            where.append(clause)
            params |= extra
        direction = "DESC" if sort == "newest" else "ASC"
        # A head word matches most articles: then walking the date index and probing the match
        # set beats sorting every match.
        many = self._count(session, plan, filters, self.rank_cap) > self.rank_cap
        source = (
            "article a WHERE a.id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH :m)"
            if many
            else "article_fts f CROSS JOIN article a ON a.id = f.rowid WHERE article_fts MATCH :m"
        )
        sql = f"""
            SELECT a.id, coalesce(a.published_at, '') FROM {source}
            {"".join(" AND " + w for w in where)}
            ORDER BY a.published_at IS NULL, a.published_at {direction}, a.id {direction}
            LIMIT :limit
        """
        rows = session.connection().execute(text(sql), params).all()
        return [Hit(id=int(r[0]), rank=0.0, key=[str(r[1]), int(r[0])]) for r in rows]

    def _count(self, session: Session, plan: Plan, filters: ArticleFilters, cap: int) -> int:
        where, params = article_filter_sql(filters)
        params |= {"m": self.match_text(plan), "cap": cap + 1}
        join = " CROSS JOIN article a ON a.id = f.rowid" if where else ""
        sql = f"""SELECT count(*) FROM (SELECT f.rowid FROM article_fts f{join}
            WHERE article_fts MATCH :m{"".join(" AND " + w for w in where)} LIMIT :cap)"""
        return int(session.connection().execute(text(sql), params).scalar_one())

    def _pivot(
        self, session: Session, match: str, filters: ArticleFilters, hwm: int, exclude: str
    ) -> int:
        """The lowest rowid among the rank_cap newest matches: tier membership by rowid range."""
        where, params = article_filter_sql(filters)
        params |= {"m": match, "hwm": hwm, "off": self.rank_cap - 1}
        sql = f"""SELECT f.rowid FROM article_fts f CROSS JOIN article a ON a.id = f.rowid
            WHERE article_fts MATCH :m AND f.rowid <= :hwm {exclude}
            {"".join(" AND " + w for w in where)}
            ORDER BY f.rowid DESC LIMIT 1 OFFSET :off"""
        row = session.connection().execute(text(sql), params).first()
        return int(row[0]) if row else 0

    def _tiers(
        self, plan: Plan, match: str, p0: int, p1: int
    ) -> list[tuple[str, str, dict[str, Any]]]:
        """(MATCH text, extra WHERE, its parameters) for each tier, in order."""
        if p0 < 0:
            return [(match, "", {})]
        title = title_any(plan)
        t0_match = f"({match}) AND ({title})" if title else match
        in_t0 = (
            "f.rowid IN (SELECT rowid FROM article_fts WHERE article_fts MATCH :t0 "
            "AND rowid >= :p0)"
        )
        t0 = {"t0": t0_match, "p0": p0, "p1": p1}
        return [
            (t0_match, "AND f.rowid >= :p0", t0),
            (match, f"AND f.rowid >= :p1 AND NOT {in_t0}", t0),
            (match, f"AND f.rowid < :p1 AND NOT {in_t0}", t0),
        ]

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
            p0 = p1 = -1
            if self._count(session, plan, filters, self.rank_cap) > self.rank_cap:
                title = title_any(plan)
                t0 = f"({match}) AND ({title})" if title else match
                p0 = self._pivot(session, t0, filters, hwm, "")
                p1 = self._pivot(session, match, filters, hwm, "")
            tier, rank, last_id = 0, None, None
        else:
            if len(after) != 6 or not all(isinstance(v, int) for v in (*after[:1], *after[2:])):
                raise _bad_key()
            tier, rank, last_id, hwm, p0, p1 = after
        tiers = self._tiers(plan, match, p0, p1)
        if not 0 <= tier < len(tiers):
            raise _bad_key()
        hits: list[Hit] = []
        for t in range(tier, len(tiers)):
            t_match, extra, extra_params = tiers[t]
            resume = (rank, last_id) if t == tier and last_id is not None else None
            rows = self._rank_tier(
                session, t_match, (extra, extra_params), filters, hwm, limit - len(hits), resume
            )
            hits.extend(Hit(id=i, rank=r, key=[t, r, i, hwm, p0, p1]) for i, r in rows)
            if len(hits) >= limit:
                break
        return hits

    def _rank_tier(
        self,
        session: Session,
        match: str,
        tier_where: tuple[str, dict[str, Any]],
        filters: ArticleFilters,
        hwm: int,
        limit: int,
        resume: tuple[Any, int] | None,
    ) -> list[tuple[int, float]]:
        extra, extra_params = tier_where
        where, params = article_filter_sql(filters)
        params |= {"m": match, "hwm": hwm, "limit": limit, **extra_params}
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
            if not isinstance(rank, int | float):
                raise _bad_key()
            outer = "WHERE rank > :after_rank OR (rank = :after_rank AND id > :after_id)"
            params |= {"after_rank": rank, "after_id": last_id}
        sql = f"""
            SELECT id, rank FROM (
                SELECT f.rowid AS id, bm25(article_fts, {WEIGHTS}) AS rank
                FROM article_fts f CROSS JOIN article a ON a.id = f.rowid
                WHERE article_fts MATCH :m AND f.rowid <= :hwm {extra}
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
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        where, params = article_filter_sql(filters)
        params["m"] = self.match_text(plan)
        sql = facet_sql(wanted, where)
        out: dict[str, list[FacetCount]] = {name: [] for name in wanted}
        with _syntax_errors(plan):
            for name, value, id_, count in session.connection().execute(text(sql), params):
                out[name].append(FacetCount(value=value, count=int(count), id=id_))
        for counts in out.values():
            counts.sort(key=lambda c: (-c.count, c.value or ""))
        return out

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

        def matching(match: str) -> set[int]:
            sql = f"SELECT rowid FROM article_fts WHERE article_fts MATCH :m AND rowid IN ({ids})"
            return {int(r[0]) for r in conn.execute(text(sql), {"m": match})}

        exact = matching(to_fts5(plan.query, {}, COLUMNS))
        lemma_only = {t: Expansion(lemmas=e.lemmas) for t, e in plan.expansions.items() if e.lemmas}
        lemma = matching(to_fts5(plan.query, lemma_only, COLUMNS)) - exact if lemma_only else set()
        for i in article_ids:
            if i in exact:
                reasons[i].append("text")
            elif i in lemma:
                reasons[i].append("lemma")
        for term, entities in plan.entities.items():
            exp = plan.expansions.get(term)
            for entity in entities:
                fk = "actor_id" if entity.kind == "actor" else "place_id"
                found = {
                    int(r[0])
                    for r in conn.execute(
                        text(
                            f"SELECT DISTINCT article_id FROM mention WHERE {fk} = :e "
                            f"AND article_id IN ({ids})"
                        ),
                        {"e": entity.id},
                    )
                }
                if exp is not None and exp.aliases:
                    found |= matching(" OR ".join(quote_fts5(" ".join(p)) for p in exp.aliases))
                for i in article_ids:
                    if i in found and entity.label not in reasons[i]:
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
                    raise _bad_key()
                rank, last_id, hwm = after
                current = conn.execute(
                    text(
                        f"SELECT bm25(event_fts, {EVENT_WEIGHTS}) FROM event_fts "
                        "WHERE event_fts MATCH :m AND rowid = :id"
                    ),
                    {"m": match, "id": last_id},
                ).first()
                rank = float(current[0]) if current is not None else rank
                if not isinstance(rank, int | float):
                    raise _bad_key()
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


@contextmanager
def _syntax_errors(plan: Plan) -> Iterator[None]:
    """A raw FTS5 query (syntax=fts5) that the engine rejects is the client's 400, not a 500."""
    try:
        yield
    except OperationalError as exc:
        if plan.raw:
            raise QuerySyntaxError(f"FTS5 rejected the query: {exc.orig}") from exc
        raise
