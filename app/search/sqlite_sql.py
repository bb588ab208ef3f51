"""SQL fragments for the SQLite backend: filters, keyset conditions, facets. Every value is a bound
parameter; only fixed column names and fragments are formatted into the text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.search import filter_sql
from app.search.base import ArticleFilters, EventFilters, FacetName, Sort

FACET_LIMIT = 50

# What facets read is covered by ix_article_facet and article_actor (migration 0009): the article
# rows themselves (language and published_at sit after the body columns, on overflow pages) and
# every mention of a hit cost several times more. SQLite prefers the rowid to a covering index for
# `a.id = ?`, hence INDEXED BY.
_ARTICLE = "article a INDEXED BY ix_article_facet"
_DATED = (
    f"SELECT a.language, substr(a.published_at, 1, 7) FROM hits h JOIN {_ARTICLE} ON a.id = h.id"
)
# Facet counts over one materialised set of hits, so the MATCH runs once for every facet asked.
_FACETS: dict[str, str] = {
    "language": "SELECT 'language', language, NULL, count(*) FROM dated GROUP BY language",
    "source": "SELECT * FROM (SELECT 'source', s.name, s.id, count(*) FROM hits h "
    f"JOIN {_ARTICLE} ON a.id = h.id JOIN source s ON s.id = a.source_id "
    f"GROUP BY s.id ORDER BY 4 DESC, 3 LIMIT {FACET_LIMIT})",
    "month": "SELECT 'month', month, NULL, count(*) FROM dated WHERE month IS NOT NULL GROUP BY 2",
    # Names are looked up for the 50 counted, not for every (hit, actor) pair.
    "actor": "SELECT 'actor', x.name, x.id, c.n FROM (SELECT aa.actor_id AS id, count(*) AS n "
    "FROM hits h JOIN article_actor aa ON aa.article_id = h.id "
    f"GROUP BY aa.actor_id ORDER BY 2 DESC, 1 LIMIT {FACET_LIMIT}) c JOIN actor x ON x.id = c.id",
    "event_type": "SELECT 'event_type', e.type, NULL, count(DISTINCT ev.article_id) FROM hits h "
    "JOIN event_evidence ev ON ev.article_id = h.id JOIN event e ON e.id = ev.event_id "
    "GROUP BY e.type",
}


def stored_datetime(value: dt.datetime) -> str:
    """The text form SQLAlchemy stores a DateTime in SQLite: naive UTC, microseconds."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def article_filter_sql(filters: ArticleFilters) -> tuple[list[str], dict[str, Any]]:
    return filter_sql.article_filter_sql(filters, stored_datetime)


def event_filter_sql(filters: EventFilters) -> tuple[list[str], dict[str, Any]]:
    return filter_sql.event_filter_sql(filters, dt.date.isoformat)


def keyset_by_date(sort: Sort, published: str, last_id: int) -> tuple[str, dict[str, Any]]:
    """Rows after (published, id) in date order, undated articles last in both directions."""
    params: dict[str, Any] = {"kp": published, "ki": last_id}
    if not published:
        op = "<" if sort == "newest" else ">"
        return f"(a.published_at IS NULL AND a.id {op} :ki)", params
    op = "<" if sort == "newest" else ">"
    return (
        f"(a.published_at {op} :kp OR (a.published_at = :kp AND a.id {op} :ki) "
        "OR a.published_at IS NULL)",
        params,
    )


def facet_sql(names: list[FacetName]) -> str:
    """Facet counts over the article ids in the JSON array `:ids`."""
    hits = "SELECT CAST(value AS INTEGER) AS id FROM json_each(:ids)"
    parts = " UNION ALL ".join(_FACETS[n] for n in names)
    ctes = f"hits(id) AS MATERIALIZED ({hits})"
    if {"language", "month"} & set(names):
        ctes += f", dated(language, month) AS MATERIALIZED ({_DATED})"
    return f"WITH {ctes} {parts}"
