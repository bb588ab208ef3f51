"""SQL fragments for the PostgreSQL backend: filters, keyset conditions, facets. Every value is a
bound parameter of its own type (datetimes, dates), so no comparison depends on text formats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.search import filter_sql
from app.search.base import ArticleFilters, EventFilters, FacetName, Sort

FACET_LIMIT = 50
# The user's text is folded as the stored vectors were (migration 0005).
TSQUERY = "to_tsquery('simple', ckb_fold(CAST(:m AS text)))"

_FACETS: dict[str, str] = {
    "language": "(SELECT 'language', a.language, NULL::integer, count(*) FROM hits h "
    "JOIN article a ON a.id = h.id GROUP BY a.language)",
    "source": "(SELECT 'source', s.name, s.id, count(*) FROM hits h "
    "JOIN article a ON a.id = h.id JOIN source s ON s.id = a.source_id "
    f"GROUP BY s.id ORDER BY 4 DESC, s.name LIMIT {FACET_LIMIT})",
    "month": "(SELECT 'month', to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM'), "
    "NULL::integer, count(*) FROM hits h JOIN article a ON a.id = h.id "
    "WHERE a.published_at IS NOT NULL GROUP BY 2)",
    "actor": "(SELECT 'actor', x.name, x.id, count(DISTINCT m.article_id) "
    "FROM hits h JOIN mention m ON m.article_id = h.id JOIN actor x ON x.id = m.actor_id "
    f"GROUP BY x.id ORDER BY 4 DESC, x.name LIMIT {FACET_LIMIT})",
    "event_type": "(SELECT 'event_type', e.type, NULL::integer, count(DISTINCT ev.article_id) "
    "FROM hits h JOIN event_evidence ev ON ev.article_id = h.id "
    "JOIN event e ON e.id = ev.event_id GROUP BY e.type)",
}


def utc(value: dt.datetime) -> dt.datetime:
    """Naive datetimes are UTC here, as SQLite stores them."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def key_text(value: dt.datetime | None) -> str:
    """A date-order cursor holds the same text as on SQLite: naive UTC with microseconds."""
    if value is None:
        return ""
    return utc(value).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def article_filter_sql(filters: ArticleFilters) -> tuple[list[str], dict[str, Any]]:
    return filter_sql.article_filter_sql(filters, utc)


def _same_date(day: dt.date) -> dt.date:
    return day


def event_filter_sql(filters: EventFilters) -> tuple[list[str], dict[str, Any]]:
    return filter_sql.event_filter_sql(filters, _same_date)


def keyset_by_date(sort: Sort, published: str, last_id: int) -> tuple[str, dict[str, Any]]:
    """Rows after (published, id) in date order, undated articles last in both directions.
    ValueError when `published` is not a key this backend issued."""
    op = "<" if sort == "newest" else ">"
    params: dict[str, Any] = {"ki": last_id}
    if not published:
        return f"(a.published_at IS NULL AND a.id {op} :ki)", params
    params["kp"] = utc(dt.datetime.strptime(published, "%Y-%m-%d %H:%M:%S.%f"))
    return (
        f"(a.published_at {op} :kp OR (a.published_at = :kp AND a.id {op} :ki) "
        "OR a.published_at IS NULL)",
        params,
    )


def facet_sql(names: list[FacetName], where: list[str]) -> str:
    hits = f"SELECT a.id FROM article a WHERE a.search_vector @@ {TSQUERY}" + "".join(
        " AND " + w for w in where
    )
    parts = " UNION ALL ".join(_FACETS[n] for n in names)
    return f"WITH hits AS MATERIALIZED ({hits}) {parts}"
