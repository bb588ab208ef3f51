from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.actors import AliasPublic


class PlacePublic(BaseModel):
    id: int
    name: str = Field(examples=["Kharkiv"])
    kind: str = Field(examples=["city"])
    country: str | None = Field(examples=["UKR"])
    latitude: float | None
    longitude: float | None
    geonames_id: int | None


class PlaceDetail(PlacePublic):
    aliases: list[AliasPublic]
    article_count: int
    event_count: int
