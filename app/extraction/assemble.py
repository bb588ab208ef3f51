"""Turn sentence-level triggers into ExtractedEvents: place, date, quantities, reporter, dedup."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from app.extraction.dates import find_dates
from app.extraction.events import SentenceEvent, sentence_events
from app.extraction.gazetteer import Gazetteer
from app.extraction.quantities import sentence_quantities
from app.extraction.types import ExtractedEvent, Mention, Sentence

_SOURCE_LINE = re.compile(r"^(?:джерело|источник|източник|source|по материалам)\s*:", re.I)
_DEMONYM = {
    "country:RUS": r"russian|russia['’]s|російськ\w*|русия|руск\w*|российск\w*",
    "country:UKR": r"ukrainian|ukraine['’]s|українськ\w*|украинск\w*",
    "country:BLR": r"belarusian|білоруськ\w*|беларуск\w*|белорусск\w*",
    "country:PRK": r"north korean|північнокорейськ\w*|севернокорейск\w*|северокорейск\w*",
}
_WEAPON = (
    r"(?:drones?|missiles?|uavs?|forces|troops|artillery|attacks?|strikes?|дрон\w*|ракет\w*|безпілот\w*|"
    r"беспилот\w*|війська|войски|войска|сили|сил|силы|артилер\w*|артиллер\w*)"
)
_DEMONYM_RX = {
    k: re.compile(rf"\b(?:{v})\s+(?:\w+\s+)?{_WEAPON}\b", re.I) for k, v in _DEMONYM.items()
}
_DOWNING = re.compile(
    r"down|intercept|neutrali|збил|збит|збив|знешкодж|сбил|сбит|перехва|"
    r"свал|прихван|неутрализ"
)
_MAX_GAP = 3  # sentences between two statements of one event


def build_events(
    body: str,
    sentences: list[Sentence],
    paragraphs: list[tuple[int, int]],
    actor_mentions: list[Mention],
    place_mentions: list[Mention],
    country_places: list[Mention],
    gaz: Gazetteer,
    lang: str | None,
    published: dt.date | None,
) -> tuple[list[ExtractedEvent], set[str]]:
    by_sent: dict[int, list[Mention]] = defaultdict(list)
    for m in actor_mentions:
        by_sent[m.sentence_index].append(m)
    places_by_sent: dict[int, list[Mention]] = defaultdict(list)
    for m in place_mentions:
        places_by_sent[m.sentence_index].append(m)
    cplaces_by_sent: dict[int, list[Mention]] = defaultdict(list)
    for m in country_places:
        cplaces_by_sent[m.sentence_index].append(m)
    seg_reporter = _segment_reporters(sentences, by_sent)
    actor_keys = {m.key for m in actor_mentions}
    events: list[ExtractedEvent] = []
    segment_of: dict[int, int] = {}
    used_cplaces: set[str] = set()
    last_assault: ExtractedEvent | None = None
    for sent in sentences:
        ses = sentence_events(sent, lang or "en", by_sent[sent.index])
        if not ses:
            if last_assault is not None and _near(last_assault, sent, segment_of):
                q = sentence_quantities(sent.text, lang, _weapon(last_assault.mode))
                for k, v in q.items():
                    last_assault.quantities.setdefault(k, v)
            continue
        prior_weapon = (
            _weapon(last_assault.mode)
            if last_assault and _near(last_assault, sent, segment_of)
            else None
        )
        for se in ses:
            ev = _event(
                se,
                sent,
                places_by_sent[sent.index],
                cplaces_by_sent[sent.index],
                gaz,
                lang,
                published,
                actor_keys,
                prior_weapon,
            )
            if ev.reported_by_key is None:
                ev.reported_by_key = seg_reporter.get(sent.segment)
            if ev.place_key and ev.place_key.startswith("country:"):
                used_cplaces.add(ev.place_key)
            segment_of[id(ev)] = sent.segment
            events.append(ev)
            if ev.type == "ASSAULT":
                last_assault = ev
    events = _dedup(events, segment_of)
    # who did what to whom: an event with nobody attached is a topic, not an event
    events = [e for e in events if e.source_keys or e.target_keys or e.quantities]
    for ev in events:
        ev.summary = _summary(ev, gaz)
        ev.confidence = _confidence(ev)
    return events, used_cplaces


def _weapon(mode: str | None) -> str | None:
    return mode if mode in ("drone", "missile") else None


def _near(ev: ExtractedEvent, sent: Sentence, segment_of: dict[int, int]) -> bool:
    return segment_of.get(id(ev)) == sent.segment and 0 < sent.index - ev.sentence_index <= _MAX_GAP


def _segment_reporters(
    sentences: list[Sentence], by_sent: dict[int, list[Mention]]
) -> dict[int, str]:
    out: dict[int, str] = {}
    for s in sentences:
        if _SOURCE_LINE.match(s.text) and by_sent[s.index]:
            out.setdefault(s.segment, by_sent[s.index][0].key)
    return out


def _event(
    se: SentenceEvent,
    sent: Sentence,
    places: list[Mention],
    cplaces: list[Mention],
    gaz: Gazetteer,
    lang: str | None,
    published: dt.date | None,
    actor_keys: set[str],
    weapon: str | None = None,
) -> ExtractedEvent:
    trig = se.trigger
    t0 = sent.start + trig.start
    place = min(places, key=lambda m: abs(m.start - t0)).key if places else None
    if place is None and cplaces:
        cand = [m for m in cplaces if m.key not in se.sources and m.key not in actor_keys]
        place = cand[0].key if cand else None
    dates = find_dates(sent.text, published)
    date = dates[0] if dates else None
    sources, targets = list(se.sources), list(se.targets)
    if trig.type == "ASSAULT":
        trig_text = sent.text[trig.start : trig.end].lower()
        after = [m for m in places if 0 <= m.start - (sent.start + trig.end) <= 25]
        if after:
            place = after[0].key
        sources, targets = _assault_sides(
            sent, sources, targets, place, gaz, bool(_DOWNING.search(trig_text)), bool(after)
        )
    quantities: dict[str, int] = {}
    if trig.type in ("ASSAULT", "MOBILIZE"):
        quantities = sentence_quantities(sent.text, lang, _weapon(trig.mode) or weapon)
    if trig.type == "MOBILIZE":
        quantities = {k: v for k, v in quantities.items() if k == "troops"}
    evidence_end = sent.end
    return ExtractedEvent(
        type=trig.type,
        mode=trig.mode,
        sentence_index=sent.index,
        evidence_start=sent.start,
        evidence_end=evidence_end,
        evidence_text=sent.text,
        source_keys=sources,
        target_keys=targets,
        place_key=place,
        date=date.date if date else None,
        date_precision=date.precision if date else None,
        quantities=quantities,
        modality=se.modality,
        reported_by_key=se.reporter,
    )


def _assault_sides(
    sent: Sentence,
    sources: list[str],
    targets: list[str],
    place: str | None,
    gaz: Gazetteer,
    downing: bool,
    place_right_after: bool = False,
) -> tuple[list[str], list[str]]:
    attacker = next((k for k, rx in _DEMONYM_RX.items() if rx.search(sent.text)), None)
    if downing:
        # "air defence shot down 30 drones": the subject defends; the event is the attack on it
        defenders = {c for k in sources if (c := _country_of(k, gaz))}
        targets = [f"country:{c}" for c in sorted(defenders) if f"country:{c}" in gaz.actors]
        sources = [attacker] if attacker and attacker not in targets else []
    elif (
        attacker
        and attacker not in targets
        and all(gaz.actors[k].kind == "person" for k in sources if k in gaz.actors)
    ):
        sources = [attacker]
    if place and place_right_after:
        targets = []  # "drones attacked Kiev, Vladimir Putin ...": Kiev is what was hit
    if not targets and place:
        country = (
            gaz.places[place].country if place in gaz.places else place.removeprefix("country:")
        )
        src_countries = {_country_of(k, gaz) for k in sources}
        if country and country not in src_countries and f"country:{country}" in gaz.actors:
            targets = [f"country:{country}"]
    return sources, targets


def _country_of(key: str, gaz: Gazetteer) -> str | None:
    a = gaz.actors.get(key)
    return a.country if a else None


def _compatible(a: list[str], b: list[str]) -> bool:
    return not a or not b or bool(set(a) & set(b))


def _dedup(events: list[ExtractedEvent], segment_of: dict[int, int]) -> list[ExtractedEvent]:
    kept: list[ExtractedEvent] = []
    for ev in events:
        twin = next((p for p in reversed(kept) if _same(p, ev, segment_of)), None)
        if twin is None:
            kept.append(ev)
            continue
        for k, v in ev.quantities.items():
            twin.quantities.setdefault(k, v)
        twin.source_keys = list(dict.fromkeys(twin.source_keys + ev.source_keys))
        twin.target_keys = [
            k for k in dict.fromkeys(twin.target_keys + ev.target_keys) if k not in twin.source_keys
        ]
        twin.place_key = twin.place_key or ev.place_key
        twin.mode = twin.mode or ev.mode
        twin.reported_by_key = twin.reported_by_key or ev.reported_by_key
        if twin.date is None and ev.date is not None:
            twin.date, twin.date_precision = ev.date, ev.date_precision
    return kept


def _same(p: ExtractedEvent, e: ExtractedEvent, segment_of: dict[int, int]) -> bool:
    if p.type != e.type or segment_of.get(id(p)) != segment_of.get(id(e)):
        return False
    if p.sentence_index == e.sentence_index:
        return True
    if e.sentence_index - p.sentence_index > _MAX_GAP:
        return bool(p.source_keys) and _signature(p) == _signature(e)
    if not (
        _compatible(p.source_keys, e.source_keys) and _compatible(p.target_keys, e.target_keys)
    ):
        return False
    if p.place_key and e.place_key and p.place_key != e.place_key:
        return False
    if p.date and e.date and p.date != e.date:
        return False
    if p.mode and e.mode and p.mode != e.mode:
        return False
    return all(p.quantities.get(k, v) == v for k, v in e.quantities.items())


def _signature(e: ExtractedEvent) -> tuple[object, ...]:
    return (e.type, tuple(sorted(e.source_keys)), tuple(sorted(e.target_keys)), e.place_key, e.date)


def _name(key: str, gaz: Gazetteer) -> str:
    if key in gaz.actors:
        return gaz.actors[key].name
    if key in gaz.places:
        return gaz.places[key].name
    return key.split(":", 1)[-1]


def _summary(ev: ExtractedEvent, gaz: Gazetteer) -> str:
    src = " and ".join(_name(k, gaz) for k in ev.source_keys) or "someone"
    tgt = " and ".join(_name(k, gaz) for k in ev.target_keys)
    verb = ev.type.lower() + (f" ({ev.mode})" if ev.mode else "")
    parts = [src, verb]
    if tgt:
        parts.append(tgt)
    if ev.place_key:
        parts.append(f"in {_name(ev.place_key, gaz)}")
    if ev.quantities:
        parts.append("[" + ", ".join(f"{k}={v}" for k, v in ev.quantities.items()) + "]")
    if ev.modality != "asserted":
        parts.append(f"({ev.modality})")
    return " ".join(parts)


def _confidence(ev: ExtractedEvent) -> float:
    c = 0.35
    c += 0.2 if ev.source_keys else 0.0
    c += 0.15 if ev.target_keys else 0.0
    c += 0.1 if ev.place_key else 0.0
    c += 0.05 if ev.mode else 0.0
    c += 0.05 if ev.reported_by_key else 0.0
    c -= 0.1 if ev.modality in ("hypothetical", "negated") else 0.0
    return round(max(0.05, min(0.95, c)), 2)
