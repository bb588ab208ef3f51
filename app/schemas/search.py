from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.articles import ArticlePublic
from app.schemas.common import Page
from app.schemas.events import EventPublic

MATCHED_DESCRIPTION = (
    'Why the hit matched: "text" (the words as typed), "lemma" (another inflection of them), '
    '"entity:<name>" (an actor or place the query names, written in any language)'
)


class SearchHit(BaseModel):
    article: ArticlePublic
    rank: float = Field(
        description="bm25 score; lower is better, as SQLite reports it (0 when sorted by date, "
        "and for matches of a very frequent word beyond its best-scoring ones, which follow "
        "newest first)"
    )
    snippet: str = Field(
        description="Excerpt of the article's own text, cut at word boundaries, HTML-escaped, "
        "with matches wrapped in <mark>"
    )
    matched: list[str] = Field(description=MATCHED_DESCRIPTION, examples=[["text"]])


class FacetValue(BaseModel):
    value: str | None = Field(examples=["uk"])
    count: int = Field(description="Matching articles with this value, over the whole result set")
    id: int | None = Field(default=None, description="The actor or source id, where there is one")


class SearchPage(Page[SearchHit]):
    facets: dict[str, list[FacetValue]] | None = Field(
        default=None,
        description="Counts per value for each facet asked for with `facets=`; null otherwise",
    )
    facets_approximate: bool = Field(
        default=False,
        description="True when the query matches too many articles to count them all: the "
        "facets then count the newest `facets_sample` matches",
    )
    facets_sample: int | None = Field(
        default=None, description="How many (newest) matches the facets counted, when approximate"
    )


class EventSearchHit(BaseModel):
    event: EventPublic
    rank: float = Field(description="bm25 score; lower is better")
    snippet: str = Field(description="Evidence or summary excerpt with matches in <mark>")
    matched: list[str] = Field(description=MATCHED_DESCRIPTION)
