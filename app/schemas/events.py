from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from app.schemas.common import Ref, RefData


class ParticipantPublic(BaseModel):
    actor_id: int
    name: str
    role: str = Field(description="source or target", examples=["source"])


class EventPublic(BaseModel):
    id: int
    type: str = Field(description="PLOVER event type", examples=["ASSAULT"])
    mode: str | None = Field(examples=["drone"])
    date: dt.date | None
    date_precision: str | None = Field(examples=["day"])
    place: Ref | None
    modality: str = Field(examples=["asserted"])
    summary: str
    confidence: float
    participants: list[ParticipantPublic]
    quantities: dict[str, int] = Field(examples=[{"drones_launched": 83, "drones_downed": 55}])
    evidence_count: int


class EvidencePublic(BaseModel):
    article_id: int
    article_title: str | None
    article_language: str | None
    sentence_index: int
    text: str = Field(description="The sentence that states the event")
    start: int = Field(description="Character offset of the sentence in the article body")
    end: int
    reported_by: Ref | None


class EventDetail(EventPublic):
    evidence: list[EvidencePublic]


# EventPublic and its page as plain data, in the models' field order: a page read from the database
# is serialised from these directly (TypeAdapter.dump_json), without first building and
# validating ~150 models from values the database typed already. Field for field the types of the
# models above, so the bytes are the models' bytes (tests/api/test_event_page_data.py).
class ParticipantData(TypedDict):
    actor_id: int
    name: str
    role: str


class EventData(TypedDict):
    id: int
    type: str
    mode: str | None
    date: dt.date | None
    date_precision: str | None
    place: RefData | None
    modality: str
    summary: str
    confidence: float
    participants: list[ParticipantData]
    quantities: dict[str, int]
    evidence_count: int


class EventPageData(TypedDict):
    items: list[EventData]
    limit: int
    next_cursor: str | None
