"""All tables. Alembic (migrations/) owns the DDL; these classes are the ORM view of it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fk(target: str, *, nullable: bool, ondelete: str, index: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class Source(SQLModel, table=True):
    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    domain: str | None = Field(default=None, max_length=200, index=True)
    country: str | None = Field(default=None, max_length=3)
    language: str | None = Field(default=None, max_length=8)
    created_at: dt.datetime = Field(default_factory=utcnow)


class Article(SQLModel, table=True):
    __tablename__ = "article"
    __table_args__ = (Index("ix_article_published_at_id", "published_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(
        default=None, sa_column=_fk("source.id", nullable=True, ondelete="SET NULL")
    )
    title: str | None = None
    body: str
    raw_text: str
    # Lemmas of title and body, space separated: the morphological search column.
    lemmas: str = ""
    language: str | None = Field(default=None, max_length=8, index=True)
    url: str | None = Field(default=None, index=True)
    published_at: dt.datetime | None = None
    published_precision: str | None = Field(default=None, max_length=8)
    content_hash: str = Field(unique=True, max_length=64)
    ingested_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class Actor(SQLModel, table=True):
    __tablename__ = "actor"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    name: str = Field(index=True)
    kind: str = Field(max_length=20, index=True)
    country: str | None = Field(default=None, max_length=3, index=True)
    sector: str | None = Field(default=None, max_length=20)
    wikidata_id: str | None = Field(default=None, max_length=20)
    description: str | None = None
    resolved: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)


class ActorAlias(SQLModel, table=True):
    __tablename__ = "actor_alias"
    __table_args__ = (UniqueConstraint("actor_id", "normalised", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(sa_column=_fk("actor.id", nullable=False, ondelete="CASCADE"))
    alias: str
    language: str | None = Field(default=None, max_length=8)
    normalised: str = Field(index=True)


class Place(SQLModel, table=True):
    __tablename__ = "place"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    name: str = Field(index=True)
    kind: str = Field(max_length=20)
    country: str | None = Field(default=None, max_length=3, index=True)
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class PlaceAlias(SQLModel, table=True):
    __tablename__ = "place_alias"
    __table_args__ = (UniqueConstraint("place_id", "normalised", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(sa_column=_fk("place.id", nullable=False, ondelete="CASCADE"))
    alias: str
    language: str | None = Field(default=None, max_length=8)
    normalised: str = Field(index=True)


class Mention(SQLModel, table=True):
    __tablename__ = "mention"
    __table_args__ = (
        CheckConstraint(
            "(actor_id IS NULL) <> (place_id IS NULL)", name="ck_mention_actor_xor_place"
        ),
        # migration 0010: an actor's distinct articles are counted from the index alone
        Index("ix_mention_actor_id_article_id", "actor_id", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=_fk("article.id", nullable=False, ondelete="CASCADE"))
    actor_id: int | None = Field(
        default=None, sa_column=_fk("actor.id", nullable=True, ondelete="CASCADE", index=False)
    )
    place_id: int | None = Field(
        default=None, sa_column=_fk("place.id", nullable=True, ondelete="CASCADE")
    )
    sentence_index: int
    char_start: int
    char_end: int
    surface: str


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_type_date", "type", "date"),
        Index("ix_event_type_id", "type", "id"),  # migration 0007: newest events of a type
    )

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=20)
    mode: str | None = Field(default=None, max_length=40, index=True)
    date: dt.date | None = Field(default=None, index=True)
    date_precision: str | None = Field(default=None, max_length=8)
    place_id: int | None = Field(
        default=None, sa_column=_fk("place.id", nullable=True, ondelete="SET NULL")
    )
    modality: str = Field(default="asserted", max_length=20)
    summary: str = ""
    confidence: float = 0.5
    # type|participants|place|date: lets a second article's report of the same event find it.
    signature: str = Field(default="", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class EventParticipant(SQLModel, table=True):
    __tablename__ = "event_participant"
    __table_args__ = (
        UniqueConstraint("event_id", "actor_id", "role"),
        # migration 0010: an actor's distinct events are counted from the index alone
        Index("ix_event_participant_actor_id_event_id", "actor_id", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=_fk("event.id", nullable=False, ondelete="CASCADE"))
    actor_id: int = Field(
        sa_column=_fk("actor.id", nullable=False, ondelete="CASCADE", index=False)
    )
    role: str = Field(max_length=10)  # source | target


class EventEvidence(SQLModel, table=True):
    __tablename__ = "event_evidence"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=_fk("event.id", nullable=False, ondelete="CASCADE"))
    article_id: int = Field(sa_column=_fk("article.id", nullable=False, ondelete="CASCADE"))
    sentence_index: int
    sentence_text: str
    char_start: int
    char_end: int
    reported_by_actor_id: int | None = Field(
        default=None, sa_column=_fk("actor.id", nullable=True, ondelete="SET NULL")
    )


class EventQuantity(SQLModel, table=True):
    __tablename__ = "event_quantity"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=_fk("event.id", nullable=False, ondelete="CASCADE"))
    name: str = Field(max_length=60)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))  # billions happen


class Change(SQLModel, table=True):
    """One created, updated or deleted article or event; the id is the change feed's cursor."""

    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_entity_entity_id", "entity", "entity_id"),
        CheckConstraint("entity IN ('article', 'event')", name="ck_change_entity"),
        CheckConstraint("action IN ('created', 'updated', 'deleted')", name="ck_change_action"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=10)
    entity_id: int
    action: str = Field(max_length=10)
    changed_at: dt.datetime = Field(default_factory=utcnow)
