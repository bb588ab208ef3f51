from __future__ import annotations

from pydantic import BaseModel, Field


class AliasPublic(BaseModel):
    alias: str
    language: str | None


class ActorPublic(BaseModel):
    id: int
    name: str = Field(examples=["Volodymyr Zelensky"])
    kind: str = Field(examples=["person"])
    country: str | None = Field(examples=["UKR"])
    sector: str | None = Field(examples=["GOV"])
    wikidata_id: str | None = Field(examples=["Q3874799"])
    description: str | None
    resolved: bool = Field(description="False for names found in text but not in the gazetteer")


class ActorDetail(ActorPublic):
    aliases: list[AliasPublic]
    article_count: int
    mention_count: int
    event_count: int
