"""The extraction of a text, returned without storing it (POST /api/v1/extract)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000)
    title: str | None = Field(default=None, max_length=1000)
    published_at: dt.date | None = Field(
        default=None, description="Resolves relative dates such as 'on Wednesday night'"
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
