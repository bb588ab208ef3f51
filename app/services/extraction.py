"""The public view of an extraction: names instead of gazetteer keys, offsets as spans."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from app.extraction.pipeline import extract
from app.extraction.types import Extraction, Mention
from app.schemas.extract import (
    ExtractedActor,
    ExtractedEventPublic,
    ExtractedPlace,
    ExtractionPublic,
    Span,
)
from app.services.errors import InvalidInput
from app.services.ingest import normalise_text


def format_date(value: dt.date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _spans(mentions: list[Mention]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = defaultdict(list)
    for m in mentions:
        out[m.key].append(Span(start=m.start, end=m.end, text=m.text))
    return out


def extraction_public(extraction: Extraction) -> ExtractionPublic:
    actor_spans = _spans(extraction.actor_mentions)
    place_spans = _spans(extraction.place_mentions)
    actors, places = extraction.actors, extraction.places

    def actor_name(key: str | None) -> str | None:
        return actors[key].name if key and key in actors else None

    return ExtractionPublic(
        language=extraction.language,
        body=extraction.body,
        removed_lines=extraction.removed_lines,
        actors=[
            ExtractedActor(
                key=a.key,
                name=a.name,
                kind=a.kind,
                country=a.country,
                sector=a.sector,
                wikidata_id=a.wikidata_id,
                resolved=a.resolved,
                mentions=actor_spans.get(a.key, []),
            )
            for a in actors.values()
        ],
        places=[
            ExtractedPlace(
                key=p.key,
                name=p.name,
                kind=p.kind,
                country=p.country,
                latitude=p.latitude,
                longitude=p.longitude,
                mentions=place_spans.get(p.key, []),
            )
            for p in places.values()
        ],
        events=[
            ExtractedEventPublic(
                type=e.type,
                mode=e.mode,
                date=format_date(e.date, e.date_precision),
                date_precision=e.date_precision,
                actors=[n for k in e.source_keys if (n := actor_name(k))],
                targets=[n for k in e.target_keys if (n := actor_name(k))],
                place=places[e.place_key].name if e.place_key in places else None,
                quantities=dict(e.quantities),
                modality=e.modality,
                reported_by=actor_name(e.reported_by_key),
                summary=e.summary,
                confidence=e.confidence,
                evidence=Span(start=e.evidence_start, end=e.evidence_end, text=e.evidence_text),
            )
            for e in extraction.events
        ],
    )


def extract_text(
    *,
    text: str,
    published_at: dt.date | None = None,
    language: str | None = None,
    title: str | None = None,
) -> ExtractionPublic:
    normalised = normalise_text(text)
    if not normalised:
        raise InvalidInput("text is empty")
    return extraction_public(
        extract(normalised, published_at=published_at, language=language, title=title)
    )
