"""The one interface that every search backend implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy import ColumnElement
from sqlmodel import Session

from app.search.expand import Plan
from app.search.query import Query
from app.services.errors import InvalidQuery

Sort = Literal["relevance", "newest", "oldest"]
FacetName = Literal["language", "source", "actor", "event_type", "month"]
FACET_NAMES: tuple[FacetName, ...] = ("language", "source", "actor", "event_type", "month")


@dataclass(frozen=True, slots=True)
class ArticleFilters:
    language: str | None = None
    source: str | None = None
    published_from: dt.datetime | None = None
    published_to: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class EventFilters:
    type: str | None = None
    mode: str | None = None
    actor_id: int | None = None
    role: str | None = None
    place_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """An article or event id, its bm25 rank (lower is better; 0 when not ranked by relevance)
    and `key`, the keyset position a cursor resumes after."""

    id: int
    rank: float
    key: list[Any]


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str | None
    count: int
    id: int | None = None


class FacetCounts(dict[str, list[FacetCount]]):
    """Counts per facet; `sample` is set when they cover only that many hits (the newest)."""

    sample: int | None = None


class SearchBackend(Protocol):
    def article_filter(self, query: Query) -> ColumnElement[bool]:
        """A WHERE condition on article.id that keeps the articles matching the query."""
        ...

    def known_lemmas(self, session: Session, words: Iterable[str]) -> set[str]:
        """The words that occur in the lemma column of some article."""
        ...

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
        """Up to `limit` hits in `sort` order, resuming after the key of a previous page's last
        hit. Keys stay valid while articles are added: no hit is skipped or repeated."""
        ...

    def article_facets(
        self, session: Session, *, plan: Plan, filters: ArticleFilters, names: Iterable[FacetName]
    ) -> dict[str, list[FacetCount]]:
        """Counts over the whole result set, not one page."""
        ...

    def match_reasons(
        self, session: Session, *, plan: Plan, article_ids: list[int]
    ) -> dict[int, list[str]]:
        """Why each article matched: "text", "lemma", "entity:<name>"."""
        ...

    def search_events(
        self,
        session: Session,
        *,
        plan: Plan,
        filters: EventFilters,
        limit: int,
        after: list[Any] | None,
    ) -> list[Hit]:
        """Events whose summary or evidence sentences match, best first."""
        ...


# Cursor keys, checked alike by every backend: a cursor is opaque, and one the API did not issue
# is a 422 whatever the dialect.
def bad_key() -> InvalidQuery:
    return InvalidQuery("cursor is not one this API issued")


def date_key(after: list[Any] | None) -> tuple[str, int] | None:
    """The (published, id) key of a date-sorted page."""
    if after is None:
        return None
    if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
        raise bad_key()
    return after[0], after[1]


def rank_value(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise bad_key()
    return float(value)
