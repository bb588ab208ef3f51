"""The WHERE clauses of the search filters, the same SQL on every dialect: only how a date or a
time is bound differs (SQLite stores text, PostgreSQL timestamptz), so each backend passes that."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.search.base import ArticleFilters, EventFilters

BindDatetime = Callable[[dt.datetime], Any]
BindDate = Callable[[dt.date], Any]


def article_filter_sql(
    filters: ArticleFilters, bind_datetime: BindDatetime
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.language:
        where.append("a.language = :language")
        params["language"] = filters.language
    if filters.source:
        where.append(
            "a.source_id IN (SELECT id FROM source WHERE name = :source OR domain = :source)"
        )
        params["source"] = filters.source
    if filters.published_from:
        where.append("a.published_at >= :published_from")
        params["published_from"] = bind_datetime(filters.published_from)
    if filters.published_to:
        where.append("a.published_at <= :published_to")
        params["published_to"] = bind_datetime(filters.published_to)
    return where, params


def event_filter_sql(
    filters: EventFilters, bind_date: BindDate
) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.type:
        where.append("e.type = :type")
        params["type"] = filters.type.upper()
    if filters.mode:
        where.append("e.mode = :mode")
        params["mode"] = filters.mode
    if filters.actor_id is not None or filters.role:
        cond = ["p.event_id = e.id"]
        if filters.actor_id is not None:
            cond.append("p.actor_id = :actor_id")
            params["actor_id"] = filters.actor_id
        if filters.role:
            cond.append("p.role = :role")
            params["role"] = filters.role
        where.append(f"EXISTS (SELECT 1 FROM event_participant p WHERE {' AND '.join(cond)})")
    if filters.place_id is not None:
        where.append("e.place_id = :place_id")
        params["place_id"] = filters.place_id
    if filters.date_from:
        where.append("e.date >= :date_from")
        params["date_from"] = bind_date(filters.date_from)
    if filters.date_to:
        where.append("e.date <= :date_to")
        params["date_to"] = bind_date(filters.date_to)
    if filters.language:
        where.append(
            "EXISTS (SELECT 1 FROM event_evidence ev JOIN article a ON a.id = ev.article_id "
            "WHERE ev.event_id = e.id AND a.language = :language)"
        )
        params["language"] = filters.language
    return where, params
