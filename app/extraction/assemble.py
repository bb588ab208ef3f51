"""Turn sentence-level triggers into ExtractedEvents: place, date, quantities, reporter, dedup."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from app.extraction.dates import DateMention, find_dates
from app.extraction.events import SentenceEvent, sentence_events
from app.extraction.gazetteer import Gazetteer
from app.extraction.keywords import KeywordRx
from app.extraction.merge import MAX_GAP, EventContext, dedup
from app.extraction.quantities import all_of_them, sentence_quantities
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
    k: KeywordRx(rf"\b(?:{v})\s+(?:\w+\s+)?{_WEAPON}\b", re.I) for k, v in _DEMONYM.items()
}
_DOWNING = re.compile(
    r"down|intercept|neutrali|збил|збит|збив|знешкодж|сбил|сбит|перехва|"
    r"свал|прихван|неутрализ|put out of action|suppress|jamm|подавл|заглуш"
)
# Types that say what someone did to someone else: without an addressee they are topics
# ("Komeito is urging caution", "Japan's aid policy"), not events.
_DIGIT = re.compile(r"\d")
_DIRECTED = {"AID", "REQUEST", "SANCTION"}
# (?<!\w), not (?:^|\W): only whether a text matches is asked, which the two answer alike, and
# keyword_rx takes a look-behind
_ANAPHORIC = KeywordRx(
    r"(?<!\w)(?:the|this|these|those|that|such|цей|ця|ці|цього|цих|цієї|этот|эта|эти|этого|"
    r"этих|этой|този|тази|тези|това)\s+(?:\w+\s+)?$",
    re.I,
)


def build_events(
    body: str,
    sentences: list[Sentence],
    paragraphs: list[tuple[int, int]],
    headings: list[int],
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
    para_of = _paragraph_index(sentences, paragraphs)
    heading_set = set(headings)
    events: list[ExtractedEvent] = []
    ctx = EventContext()
    used_cplaces: set[str] = set()
    last_assault: ExtractedEvent | None = None
    for sent in sentences:
        # a sentence naming nobody, nowhere and no figure can only add to the event before it
        bare = not (
            by_sent[sent.index]
            or places_by_sent[sent.index]
            or cplaces_by_sent[sent.index]
            or _DIGIT.search(sent.text)
        )
        ses = [] if bare else sentence_events(sent, lang or "en", by_sent[sent.index])
        if not ses:
            if last_assault is not None and _near(last_assault, sent, ctx):
                q = sentence_quantities(sent.text, lang, _weapon(last_assault.mode))
                for k, v in q.items():
                    last_assault.quantities.setdefault(k, v)
                if outcome := all_of_them(sent.text):
                    ctx.outcome.setdefault(id(last_assault), outcome)
            continue
        prior_weapon = (
            _weapon(last_assault.mode) if last_assault and _near(last_assault, sent, ctx) else None
        )
        # one date scan per sentence, not per event: its events share the sentence's dates
        dates = find_dates(sent.text, published)
        # an outcome ("all of them were downed") is only ever kept for an assault: no scan without
        assault = any(se.trigger.type == "ASSAULT" for se in ses)
        outcome = all_of_them(sent.text) if assault else None
        for se in ses:
            ev = _event(
                se,
                sent,
                places_by_sent[sent.index],
                cplaces_by_sent[sent.index],
                gaz,
                lang,
                dates,
                actor_keys,
                prior_weapon,
            )
            if ev.reported_by_key is None:
                ev.reported_by_key = seg_reporter.get(sent.segment)
            if ev.place_key and ev.place_key.startswith("country:"):
                used_cplaces.add(ev.place_key)
            ctx.segment[id(ev)] = sent.segment
            ctx.paragraph[id(ev)] = para_of.get(sent.index, -1)
            ctx.own_counts[id(ev)] = bool(ev.quantities)
            if para_of.get(sent.index) in heading_set:
                ctx.headline.add(id(ev))
            if _ANAPHORIC.search(sent.text[: se.trigger.start], within=sent.text):
                ctx.anaphoric.add(id(ev))
            if outcome and ev.type == "ASSAULT":
                ctx.outcome[id(ev)] = outcome
            events.append(ev)
            if ev.type == "ASSAULT":
                last_assault = ev
    events = dedup(events, ctx, gaz)
    for ev in events:
        if id(ev) in ctx.outcome:
            _apply_all_of_them(ev, ctx.outcome[id(ev)])
    # who did what to whom: an event with nobody attached is a topic, not an event
    events = [e for e in events if e.source_keys or e.target_keys or e.quantities]
    events = [e for e in events if e.type not in _DIRECTED or e.target_keys]
    for ev in events:
        ev.summary = _summary(ev, gaz)
        ev.confidence = _confidence(ev)
    return events, used_cplaces


def _apply_all_of_them(ev: ExtractedEvent, outcome: str) -> None:
    """ "Two drones were aimed at X ... the vehicles were put out of action": all of them."""
    weapon = _weapon(ev.mode)
    launched = ev.quantities.get(f"{weapon}s_launched") if weapon else None
    if weapon and launched is not None:
        ev.quantities.setdefault(f"{weapon}s_{outcome}", launched)


def _paragraph_index(
    sentences: list[Sentence], paragraphs: list[tuple[int, int]]
) -> dict[int, int]:
    out: dict[int, int] = {}
    j = 0
    for s in sentences:
        while j < len(paragraphs) and paragraphs[j][1] < s.start:
            j += 1
        if j < len(paragraphs) and paragraphs[j][0] <= s.start:
            out[s.index] = j
    return out


def _weapon(mode: str | None) -> str | None:
    return mode if mode in ("drone", "missile") else None


def _near(ev: ExtractedEvent, sent: Sentence, ctx: EventContext) -> bool:
    return ctx.segment.get(id(ev)) == sent.segment and 0 < sent.index - ev.sentence_index <= MAX_GAP


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
    dates: list[DateMention],
    actor_keys: set[str],
    weapon: str | None = None,
) -> ExtractedEvent:
    trig = se.trigger
    t0 = sent.start + trig.start
    place = min(places, key=lambda m: abs(m.start - t0)).key if places else None
    if place is None and cplaces:
        cand = [m for m in cplaces if m.key not in se.sources and m.key not in actor_keys]
        place = cand[0].key if cand else None
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
        named = [(m.start - sent.start, _name(m.key, gaz)) for m in places]
        quantities = sentence_quantities(sent.text, lang, _weapon(trig.mode) or weapon, named)
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
