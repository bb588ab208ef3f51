"""PostgreSQL backend: the same query AST as FTS5, rendered to a tsquery over the weighted,
stored tsvectors of migrations 0002/0005 (title A, body B, lemmas C; event summary A, evidence B),
ranked by ts_rank_cd with the title weighted above the body and exact words above lemmas.

`Hit.rank` is the negated ts_rank_cd, so that lower is better on both backends. ts_rank_cd reads
only the document and the query (no corpus statistics, unlike bm25), so a hit's rank never moves
when articles are added: the keyset is the plain (rank, id) of the last hit, plus the newest id
at the first page (`hwm`), which keeps later pages to the articles the first page could see.
The relevance key has the same five slots as the FTS5 backend's (tier, rank, id, hwm, mode);
tier and mode are always 0 here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from app.models import Article
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
from app.search.expand import Plan, fold
from app.search.pg_raw import raw_to_tsquery
from app.search.postgres_sql import (
    TSQUERY,
    article_filter_sql,
    event_filter_sql,
    facet_sql,
    key_text,
    keyset_by_date,
)
from app.search.query import Expansion, Or, Query, Term, to_tsquery
from app.services.errors import QuerySyntaxError

# ts_rank_cd weights for {D, C, B, A}: lemmas 0.05, body 0.1, title 1.0 (FTS5: 0.5, 1, 10).
WEIGHTS = "{0, 0.05, 0.1, 1.0}"
EVENT_WEIGHTS = "{0, 0, 0.5, 1.0}"  # evidence B, summary A (FTS5: 1, 2)
# 1: divide by 1 + log(document length), so a long article does not win by length alone.
NORMALISATION = 1
ARTICLE_COLUMNS = {"title": "A", "body": "B", "lemmas": "C"}
EVENT_COLUMNS = {"summary": "A", "evidence": "B"}


def _where(where: list[str]) -> str:
    return "".join(" AND " + w for w in where)


class PostgresBackend:
    def article_filter(self, query: Query) -> ColumnElement[bool]:
        subquery = text(
            "SELECT id FROM article WHERE search_vector @@ "
            "to_tsquery('simple', ckb_fold(CAST(:pg_query AS text)))"
        )
        return col(Article.id).in_(subquery.bindparams(pg_query=to_tsquery(query)))

    def known_lemmas(self, session: Session, words: Iterable[str]) -> set[str]:
        # Folded as the FTS5 backend folds them, so that both backends expand a query alike.
        folded = {fold(w): w for w in words}
        if not folded:
            return set()
        lexemes = {to_tsquery(Term(words=(f,)), exact_weights="C"): f for f in folded}
        rows = session.connection().execute(
            text(
                "SELECT q FROM unnest(CAST(:qs AS text[])) AS q WHERE EXISTS (SELECT 1 FROM "
                "article WHERE search_vector @@ to_tsquery('simple', ckb_fold(q)))"
            ),
            {"qs": list(lexemes)},
        )
        return {folded[lexemes[r[0]]] for r in rows}

    def match_text(self, plan: Plan) -> str:
        if isinstance(plan.query, Query):
            return to_tsquery(plan.query, plan.expansions)
        return raw_to_tsquery(plan.query.text, ARTICLE_COLUMNS)

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
        key = date_key(after)
        if key is not None:
            try:
                clause, extra = keyset_by_date(sort, *key)
            except ValueError:
                raise bad_key() from None
            where.append(clause)
            params |= extra
        direction = "DESC" if sort == "newest" else "ASC"
        sql = f"""
            SELECT a.id, a.published_at FROM article a
            WHERE a.search_vector @@ {TSQUERY}{_where(where)}
            ORDER BY a.published_at IS NULL, a.published_at {direction}, a.id {direction}
            LIMIT :limit
        """
        rows = session.connection().execute(text(sql), params).all()
        return [Hit(id=int(r[0]), rank=0.0, key=[key_text(r[1]), int(r[0])]) for r in rows]

    def _by_relevance(
        self,
        session: Session,
        plan: Plan,
        filters: ArticleFilters,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        conn = session.connection()
        where, params = article_filter_sql(filters)
        params |= {"m": self.match_text(plan), "limit": limit}
        outer = ""
        if after is None:
            hwm = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM article")).scalar_one())
        else:
            if len(after) != 5 or after[0] != 0 or not all(isinstance(v, int) for v in after[2:]):
                raise bad_key()
            _, rank, last_id, hwm, _ = after
            outer = "WHERE rank > :after_rank OR (rank = :after_rank AND id > :after_id)"
            params |= {"after_rank": rank_value(rank), "after_id": last_id}
        params["hwm"] = hwm
        sql = f"""
            SELECT id, rank FROM (
                SELECT a.id AS id, CAST(-ts_rank_cd('{WEIGHTS}', a.search_vector, q.q,
                    {NORMALISATION}) AS float8) AS rank
                FROM article a, (SELECT {TSQUERY} AS q) q
                WHERE a.search_vector @@ q.q AND a.id <= :hwm{_where(where)}
            ) ranked {outer}
            ORDER BY rank, id
            LIMIT :limit
        """
        rows = conn.execute(text(sql), params).all()
        return [
            Hit(id=int(r[0]), rank=float(r[1]), key=[0, float(r[1]), int(r[0]), hwm, 0])
            for r in rows
        ]

    def article_facets(
        self, session: Session, *, plan: Plan, filters: ArticleFilters, names: Iterable[FacetName]
    ) -> dict[str, list[FacetCount]]:
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        out: dict[str, list[FacetCount]] = {name: [] for name in wanted}
        with _syntax_errors(plan):
            where, params = article_filter_sql(filters)
            params["m"] = self.match_text(plan)
            sql = facet_sql(wanted, where)
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

        def matching(query: str) -> set[int]:
            sql = f"SELECT id FROM article WHERE id = ANY(:ids) AND search_vector @@ {TSQUERY}"
            return {int(r[0]) for r in conn.execute(text(sql), {"m": query, "ids": article_ids})}

        exact = matching(to_tsquery(plan.query))
        lemma_only = {t: Expansion(lemmas=e.lemmas) for t, e in plan.expansions.items() if e.lemmas}
        lemma = matching(to_tsquery(plan.query, lemma_only)) - exact if lemma_only else set()
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
                            "AND article_id = ANY(:ids)"
                        ),
                        {"e": entity.id, "ids": article_ids},
                    )
                }
                if exp is not None and exp.aliases:
                    aliases = Or(tuple(Term(words=p) for p in exp.aliases))
                    found |= matching(to_tsquery(aliases, exact_weights=""))
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
        where, params = event_filter_sql(filters)
        outer = ""
        with _syntax_errors(plan):
            # One vector over summary and evidence, unweighted matching: lemma and alias phrases
            # match the text directly, as on event_fts.
            params |= {
                "m": (
                    to_tsquery(plan.query, plan.expansions, exact_weights="", lemma_weights="")
                    if isinstance(plan.query, Query)
                    else raw_to_tsquery(plan.query.text, EVENT_COLUMNS)
                ),
                "limit": limit,
            }
            if after is None:
                hwm = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM event")).scalar_one())
            else:
                if len(after) != 3 or not all(isinstance(v, int) for v in after[1:]):
                    raise bad_key()
                rank, last_id, hwm = after
                outer = "WHERE rank > :after_rank OR (rank = :after_rank AND id > :after_id)"
                params |= {"after_rank": rank_value(rank), "after_id": last_id}
            params["hwm"] = hwm
            sql = f"""
                SELECT id, rank FROM (
                    SELECT e.id AS id, CAST(-ts_rank_cd('{EVENT_WEIGHTS}', e.search_vector, q.q,
                        {NORMALISATION}) AS float8) AS rank
                    FROM event e, (SELECT {TSQUERY} AS q) q
                    WHERE e.search_vector @@ q.q AND e.id <= :hwm{_where(where)}
                ) ranked {outer}
                ORDER BY rank, id LIMIT :limit
            """
            rows = conn.execute(text(sql), params).all()
        return [
            Hit(id=int(r[0]), rank=float(r[1]), key=[float(r[1]), int(r[0]), hwm]) for r in rows
        ]


@contextmanager
def _syntax_errors(plan: Plan) -> Iterator[None]:
    """A raw query the server still rejects is the client's 400, not a 500."""
    try:
        yield
    except DBAPIError as exc:
        if plan.raw and getattr(exc.orig, "sqlstate", "") in {"42601", "22023"}:
            raise QuerySyntaxError(f"PostgreSQL rejected the query: {exc.orig}") from exc
        raise
