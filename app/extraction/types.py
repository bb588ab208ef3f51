"""The data that the extraction pipeline hands to the ingest service and the API.

Every offset is a character offset into ``Extraction.body`` (the cleaned text that is stored as
``article.body``), so that ``body[start:end] == text`` holds for every mention and evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Any

ActorKind = str  # person | country | organization | military | group
DatePrecision = str  # day | month | year
Modality = str  # asserted | claimed | denied | future | hypothetical | negated


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    segment: int = 0  # story segment of a multi-story page


@dataclass(frozen=True, slots=True)
class Alias:
    alias: str
    language: str | None  # en | uk | bg | ru, or None for script-neutral forms (NATO, G7)


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """An actor as the gazetteer (or the unknown-name fallback) knows it."""

    key: str  # stable id: gazetteer slug, or "unresolved:<normalised name>"
    name: str  # canonical English name
    kind: ActorKind
    country: str | None = None  # ISO-3166 alpha-3
    sector: str | None = None  # PLOVER-style sector: GOV, MIL, IGO, ...
    wikidata_id: str | None = None
    description: str | None = None
    resolved: bool = True
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    key: str  # stable id: "geonames:<id>" or gazetteer slug
    name: str  # English name
    kind: str  # city | region | country | site | water | ...
    country: str | None = None  # ISO-3166 alpha-3
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    key: str  # ActorEntry.key or PlaceEntry.key
    sentence_index: int
    start: int
    end: int
    text: str


def slot_constructor(cls: type) -> Callable[..., Any]:
    """``cls(*values)`` for a frozen slotted dataclass, at about half the cost: its __init__ sets
    each field through object.__setattr__, this sets the slots themselves. Generated, as the
    dataclass's own __init__ is, so that no loop runs per object (extraction makes ~100 a page)."""
    names = [f.name for f in fields(cls)]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    params = []
    for f in fields(cls):
        scope[f"set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"default_{f.name}"] = f.default
            params.append(f"{f.name}=default_{f.name}")
    sets = "".join(f"    set_{n}(obj, {n})\n" for n in names)
    exec(f"def make({', '.join(params)}):\n    obj = new(cls)\n{sets}    return obj\n", scope)
    make: Callable[..., Any] = scope["make"]
    make.__name__ = make.__qualname__ = f"new_{cls.__name__.lower()}"
    return make


new_sentence: Callable[..., Sentence] = slot_constructor(Sentence)
new_mention: Callable[..., Mention] = slot_constructor(Mention)


@dataclass(slots=True)
class ExtractedEvent:
    type: str  # PLOVER: AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, REQUEST, ACCUSE,
    # REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT
    mode: str | None
    sentence_index: int
    evidence_start: int
    evidence_end: int
    evidence_text: str
    source_keys: list[str] = field(default_factory=list)  # actor keys
    target_keys: list[str] = field(default_factory=list)
    place_key: str | None = None
    date: date | None = None
    date_precision: DatePrecision | None = None
    quantities: dict[str, int] = field(default_factory=dict)
    modality: Modality = "asserted"
    reported_by_key: str | None = None  # actor key
    summary: str = ""
    confidence: float = 0.5


@dataclass(slots=True)
class Extraction:
    language: str | None
    body: str  # cleaned text; all offsets point into it
    removed_lines: list[str] = field(default_factory=list)  # boilerplate dropped by cleaning
    sentences: list[Sentence] = field(default_factory=list)
    actors: dict[str, ActorEntry] = field(default_factory=dict)  # every actor mentioned, by key
    places: dict[str, PlaceEntry] = field(default_factory=dict)
    actor_mentions: list[Mention] = field(default_factory=list)
    place_mentions: list[Mention] = field(default_factory=list)
    events: list[ExtractedEvent] = field(default_factory=list)
