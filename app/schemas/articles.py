from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from app.schemas.common import BLANK, MAX_TEXT_LENGTH, SOME_TEXT, Problem
from app.schemas.events import EventPublic


class SourcePublic(BaseModel):
    id: int
    name: str
    domain: str | None = None
    country: str | None = None
    language: str | None = None


class ArticlePublic(BaseModel):
    id: int
    title: str | None
    language: str | None = Field(examples=["uk"])
    url: str | None
    published_at: dt.datetime | None
    published_precision: str | None = Field(description="day, month or year", examples=["day"])
    source: SourcePublic | None
    content_hash: str
    ingested_at: dt.datetime


class MentionPublic(BaseModel):
    id: int
    kind: str = Field(description="actor or place", examples=["actor"])
    actor_id: int | None
    place_id: int | None
    name: str = Field(description="Canonical name of the actor or place", examples=["Japan"])
    sentence_index: int
    start: int = Field(description="Character offset into the article body")
    end: int
    text: str = Field(description="The surface form as written", examples=["Японії"])


class ArticleDetail(ArticlePublic):
    body: str
    mentions: list[MentionPublic]
    events: list[EventPublic]


_YEAR_OR_MONTH = r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$"
YearOrMonth = Annotated[str, StringConstraints(pattern=_YEAR_OR_MONTH)]
_URL = f"^[hH][tT][tT][pP][sS]?://[^{BLANK}]+$"


def _text_only(value: object) -> object:
    # pydantic would read a number as a Unix timestamp; the contract says ISO 8601 text.
    if value is not None and not isinstance(value, str):
        raise ValueError("published_at is ISO 8601 text, e.g. 2024-11-16")
    return value


class ArticleCreate(BaseModel):
    """One article to store. Fields the server sets (id, content_hash, ingested_at) and any
    other unknown field are rejected with 422."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        pattern=SOME_TEXT,
        max_length=MAX_TEXT_LENGTH,
        description="The article text. Normalised (NFC, no control characters) before storage; "
        "the same normalised text is one article.",
    )
    title: str | None = Field(default=None, max_length=1000)
    url: str | None = Field(
        default=None,
        max_length=2048,
        pattern=_URL,
        description="Canonicalised before storage; an article already stored under the same "
        "canonical url is the same article.",
        examples=["https://example.org/news/42"],
    )
    published_at: Annotated[
        Annotated[
            YearOrMonth | dt.date | dt.datetime | None,
            Field(union_mode="left_to_right"),
        ],
        BeforeValidator(_text_only),
        Field(
            description="ISO 8601: a year, a month (2024-11), a day or a date-time.",
            examples=["2024-11-16"],
        ),
    ] = None
    language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2,3}$",
        description="ISO 639-1 code; detected when absent",
        examples=["uk"],
    )
    source: str | None = Field(default=None, max_length=200, examples=["Ukrinform"])


class BatchLineResult(BaseModel):
    line: int = Field(description="1-based line number in the request body")
    status: int = Field(
        description="201 stored, 200 already stored, 422 invalid line, 503 not attempted "
        "because the database was busy (send the line again)",
        examples=[201],
    )
    article_id: int | None = None
    problem: Problem | None = Field(default=None, description="Why the line was not stored")


class BatchResult(BaseModel):
    created: int
    existing: int
    failed: int
    results: list[BatchLineResult]
