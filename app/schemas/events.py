from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.schemas.common import Ref


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
