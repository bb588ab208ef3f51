"""One event per happening: merge restatements within an article.

An article states an attack in its headline, again in the lead, and adds the interception two
sentences later; each statement is one trigger, but analysts want one event. Two statements merge
when they have the same type and story segment and nothing contradicts (participants, place, date,
weapon, counts). Participants agree when they share an actor or one is a person of the other's
country ("Reznikov" and "Ukraine"). A headline merges with the first agreeing event of its story
however far down; an anaphoric noun ("the talks", "these attacks") with no subject of its own
merges into the nearest earlier event of its type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.extraction.gazetteer import Gazetteer
from app.extraction.types import ExtractedEvent

MAX_GAP = 3  # sentences between two statements of one event


@dataclass
class EventContext:
    segment: dict[int, int] = field(default_factory=dict)  # id(event) -> story segment
    paragraph: dict[int, int] = field(default_factory=dict)  # id(event) -> paragraph
    headline: set[int] = field(default_factory=set)  # ids of events stated in a heading
    anaphoric: set[int] = field(default_factory=set)  # ids of "the talks"-style mentions
    own_counts: dict[int, bool] = field(default_factory=dict)  # counts in its own sentence
    outcome: dict[int, str] = field(default_factory=dict)  # "all of them were downed"


def dedup(events: list[ExtractedEvent], ctx: EventContext, gaz: Gazetteer) -> list[ExtractedEvent]:
    heads = [e for e in events if id(e) in ctx.headline]
    body = [e for e in events if id(e) not in ctx.headline]
    kept: list[ExtractedEvent] = []
    for ev in body:
        twin = next((p for p in reversed(kept) if _same(p, ev, ctx, gaz)), None)
        if twin is None and id(ev) in ctx.anaphoric and not ev.source_keys:
            twin = next(
                (
                    p
                    for p in reversed(kept)
                    if p.type == ev.type and ctx.segment.get(id(p)) == ctx.segment.get(id(ev))
                ),
                None,
            )
        if twin is None:
            kept.append(ev)
        elif ev.sentence_index - twin.sentence_index <= MAX_GAP:
            _absorb(twin, ev)  # a restatement far down (commentary, recap) adds no details
            if id(ev) in ctx.outcome:
                ctx.outcome.setdefault(id(twin), ctx.outcome[id(ev)])
    out: list[ExtractedEvent] = []
    for h in heads:
        twin = next((e for e in kept if _agree(h, e, ctx, gaz)), None)
        if twin is None:
            out.append(h)
        else:
            _absorb(twin, h, prefer_other=True)
    return sorted(out + kept, key=lambda e: e.sentence_index)


def _absorb(twin: ExtractedEvent, ev: ExtractedEvent, prefer_other: bool = False) -> None:
    for k, v in ev.quantities.items():
        twin.quantities.setdefault(k, v)
    if prefer_other and not twin.source_keys:
        twin.source_keys = list(ev.source_keys)
    twin.source_keys = list(dict.fromkeys(twin.source_keys + ev.source_keys))
    twin.target_keys = [
        k for k in dict.fromkeys(twin.target_keys + ev.target_keys) if k not in twin.source_keys
    ]
    twin.place_key = twin.place_key or ev.place_key
    twin.mode = twin.mode or ev.mode
    twin.reported_by_key = twin.reported_by_key or ev.reported_by_key
    if twin.date is None and ev.date is not None:
        twin.date, twin.date_precision = ev.date, ev.date_precision


def _expand(keys: list[str], gaz: Gazetteer) -> set[str]:
    out = set(keys)
    for k in keys:
        a = gaz.actors.get(k)
        if a is not None and a.country:
            out.add(f"country:{a.country}")
    return out


def _compatible(a: list[str], b: list[str], gaz: Gazetteer) -> bool:
    return not a or not b or bool(_expand(a, gaz) & _expand(b, gaz))


def _agree(p: ExtractedEvent, e: ExtractedEvent, ctx: EventContext, gaz: Gazetteer) -> bool:
    """Nothing contradicts: the test for a headline against the story it heads."""
    if p.type != e.type or ctx.segment.get(id(p)) != ctx.segment.get(id(e)):
        return False
    if not (
        _compatible(p.source_keys, e.source_keys, gaz)
        and _compatible(p.target_keys, e.target_keys, gaz)
    ):
        return False
    if p.place_key and e.place_key and p.place_key != e.place_key:
        return False
    if p.date and e.date and p.date != e.date:
        return False
    if p.mode and e.mode and p.mode != e.mode:
        return False
    return all(p.quantities.get(k, v) == v for k, v in e.quantities.items())


def _same(p: ExtractedEvent, e: ExtractedEvent, ctx: EventContext, gaz: Gazetteer) -> bool:
    if p.type != e.type or ctx.segment.get(id(p)) != ctx.segment.get(id(e)):
        return False
    if p.sentence_index == e.sentence_index:
        return True
    if e.sentence_index - p.sentence_index > MAX_GAP:
        # far apart, only a restatement naming the same attacker, victim and weapon or place
        if not (p.source_keys and p.target_keys and e.source_keys and e.target_keys):
            return False
        if _signature(p) == _signature(e):
            return True
        same_how = (p.mode is not None and p.mode == e.mode) or (
            p.place_key is not None and p.place_key == e.place_key
        )
        return same_how and _agree(p, e, ctx, gaz)
    # a new paragraph that names its attacker and gives its own counts is a second report
    if (
        ctx.paragraph.get(id(p)) != ctx.paragraph.get(id(e))
        and p.source_keys
        and e.source_keys
        and p.quantities
        and ctx.own_counts.get(id(e))
    ):
        return False
    return _agree(p, e, ctx, gaz)


def _signature(e: ExtractedEvent) -> tuple[object, ...]:
    return (e.type, tuple(sorted(e.source_keys)), tuple(sorted(e.target_keys)), e.place_key, e.date)
