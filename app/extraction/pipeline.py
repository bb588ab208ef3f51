"""clean -> language -> sentences -> actors/places -> story segments -> events."""

from __future__ import annotations

import datetime as dt

from app.extraction.assemble import build_events
from app.extraction.clean import clean
from app.extraction.gazetteer import load_gazetteer
from app.extraction.language import detect_language
from app.extraction.matching import match_sentences
from app.extraction.names import find_unresolved
from app.extraction.roles import find_role_mentions
from app.extraction.segments import assign_segments
from app.extraction.sentences import split_sentences
from app.extraction.types import Extraction, PlaceEntry

__all__ = ["event_signature", "extract"]

_SUPPORTED = {"en", "uk", "bg", "ru"}


def extract(
    raw_text: str,
    *,
    published_at: dt.date | None = None,
    language: str | None = None,
    title: str | None = None,
) -> Extraction:
    gaz = load_gazetteer()
    cleaned = clean(raw_text)
    body = cleaned.body
    lang = language if language in _SUPPORTED else None
    if lang is None:
        lang = detect_language(body if len(body) > 40 or not title else f"{title}\n{body}")
    sentences = split_sentences(body)
    matches = match_sentences(body, sentences, gaz, lang)
    actor_mentions = list(matches.actors)
    actors = {m.key: gaz.actors[m.key] for m in actor_mentions}
    for mention, entry in find_unresolved(body, sentences, matches.covered, lang):
        actor_mentions.append(mention)
        actors.setdefault(entry.key, entry)
    actor_mentions.sort(key=lambda m: m.start)
    roles = find_role_mentions(
        body,
        sentences,
        actor_mentions,
        matches.covered + [(m.start, m.end) for m in actor_mentions],
        gaz,
    )
    for m in roles.mentions:
        actor_mentions.append(m)
        actors.setdefault(m.key, gaz.actors[m.key])
    actor_mentions.sort(key=lambda m: m.start)

    sentences = assign_segments(
        body, sentences, cleaned.paragraphs, cleaned.headings, actor_mentions, matches.places, gaz
    )
    place_mentions = sorted(matches.places, key=lambda m: m.start)
    events, used_country_places = build_events(
        body,
        sentences,
        cleaned.paragraphs,
        cleaned.headings,
        sorted([*actor_mentions, *roles.pronouns], key=lambda m: m.start),
        place_mentions,
        matches.country_places,
        gaz,
        lang,
        published_at,
    )

    for ev in events:  # actors inferred for an event ("Russian drones") need an entry too
        for k in [*ev.source_keys, *ev.target_keys, ev.reported_by_key]:
            if k and k not in actors and k in gaz.actors:
                actors[k] = gaz.actors[k]
    places: dict[str, PlaceEntry] = {m.key: gaz.places[m.key] for m in place_mentions}
    actor_keys = {m.key for m in actor_mentions}
    for m in matches.country_places:
        # a country named only as a location ("a gathering in Latvia"), or where an event
        # happens, is a place; "the war in Ukraine" of an article about Ukraine is not
        if m.key in used_country_places or m.key not in actor_keys:
            place_mentions.append(m)
            if m.key not in places:
                a = gaz.actors[m.key]
                places[m.key] = PlaceEntry(
                    key=m.key, name=a.name, kind="country", country=a.country, aliases=a.aliases
                )
    place_mentions.sort(key=lambda m: m.start)
    return Extraction(
        language=lang,
        body=body,
        removed_lines=cleaned.removed_lines,
        sentences=sentences,
        actors=actors,
        places=places,
        actor_mentions=actor_mentions,
        place_mentions=place_mentions,
        events=events,
    )


def event_signature(ev: object) -> tuple[object, ...]:
    """Key for cross-article deduplication: type, participants, place and date."""
    from app.extraction.types import ExtractedEvent

    assert isinstance(ev, ExtractedEvent)
    return (
        ev.type,
        tuple(sorted(set(ev.source_keys) | set(ev.target_keys))),
        ev.place_key,
        ev.date.isoformat() if ev.date else None,
    )
