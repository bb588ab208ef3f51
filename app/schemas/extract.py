"""The extraction of a text, returned without storing it (POST /api/v1/extract)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.schemas.common import MAX_TEXT_LENGTH, SOME_TEXT

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date_text(value: object) -> object:
    # pydantic would read a number as a Unix timestamp; the contract is ISO 8601 text.
    if value is not None and not (isinstance(value, str) and _ISO_DATE.match(value)):
        raise ValueError("published_at is an ISO 8601 date, e.g. 2024-11-16")
    return value


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH, pattern=SOME_TEXT)
    title: str | None = Field(default=None, max_length=1000)
    published_at: Annotated[dt.date | None, BeforeValidator(_iso_date_text)] = Field(
        default=None,
        description="Resolves relative dates such as 'on Wednesday night'",
        examples=["2024-11-16"],
    )
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")


class Span(BaseModel):
    start: int
    end: int
    text: str


class ExtractedActor(BaseModel):
    key: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    wikidata_id: str | None
    resolved: bool
    mentions: list[Span]


class ExtractedPlace(BaseModel):
    key: str
    name: str
    kind: str
    country: str | None
    latitude: float | None
    longitude: float | None
    mentions: list[Span]


class ExtractedEventPublic(BaseModel):
    type: str
    mode: str | None
    date: str | None = Field(description="ISO date; YYYY-MM or YYYY for coarser precision")
    date_precision: str | None
    actors: list[str]
    targets: list[str]
    place: str | None
    quantities: dict[str, int]
    modality: str
    reported_by: str | None
    summary: str
    confidence: float
    evidence: Span


class ExtractionPublic(BaseModel):
    language: str | None
    body: str = Field(description="The cleaned text; every offset points into it")
    removed_lines: list[str]
    actors: list[ExtractedActor]
    places: list[ExtractedPlace]
    events: list[ExtractedEventPublic]
