"""Story segments of a page: a feed page strings several unrelated stories together.

A new segment starts at a heading line, or at a paragraph whose named entities share nothing
with the story so far (nor do the next paragraph's) and that does not open with an anaphoric or
connective word. Event context (reporter, continuation quantities, dedup) never crosses them.
"""

from __future__ import annotations

import re

from app.extraction.gazetteer import Gazetteer
from app.extraction.types import Mention, Sentence, new_sentence

_CONNECTIVE = re.compile(
    r"^(?:he|she|it|they|his|her|their|this|that|these|those|however|but|also|meanwhile|"
    r"moreover|in addition|the (?:minister|president|ministry|official|agency)|він|вона|вони|"
    r"його|її|їх|це|ця|цей|також|але|однак|проте|водночас|крім того|той|тя|те|тези|това|"
    r"но|освен това|също|той|он|она|они|это|этот|эта|также|однако|кроме того)\b",
    re.I,
)


def assign_segments(
    body: str,
    sentences: list[Sentence],
    paragraphs: list[tuple[int, int]],
    headings: list[int],
    actor_mentions: list[Mention],
    place_mentions: list[Mention],
    gaz: Gazetteer,
) -> list[Sentence]:
    if not paragraphs:
        return sentences
    entities: list[set[str]] = [set() for _ in paragraphs]
    for m in [*actor_mentions, *place_mentions]:
        p = _paragraph_of(paragraphs, m.start)
        if p is not None:
            entities[p].add(m.key)
    seg_of_par: list[int] = []
    seg = 0
    seg_entities: set[str] = set()
    heading_set = set(headings)
    for i, (start, end) in enumerate(paragraphs):
        new = False
        if i > 0 and i in heading_set and i - 1 not in heading_set:
            new = True
        elif i > 1 and entities[i] and not (entities[i] & seg_entities):
            # the story must not come back in the next paragraph (an aside is not a new story)
            nxt = entities[i + 1] if i + 1 < len(paragraphs) else seg_entities
            new = not (nxt & seg_entities) and not _CONNECTIVE.match(body[start:end])
        if new:
            seg += 1
            seg_entities = set()
        seg_entities |= entities[i]
        seg_of_par.append(seg)
    out = []
    for s in sentences:
        p = _paragraph_of(paragraphs, s.start)
        segment = seg_of_par[p] if p is not None else 0
        # most pages are one story: a sentence already in its segment is kept as it is (a
        # new sentence costs more than the rest of this stage)
        out.append(
            s if s.segment == segment else new_sentence(s.index, s.start, s.end, s.text, segment)
        )
    del gaz
    return out


def _paragraph_of(paragraphs: list[tuple[int, int]], pos: int) -> int | None:
    lo, hi = 0, len(paragraphs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        a, b = paragraphs[mid]
        if pos < a:
            hi = mid - 1
        elif pos > b:
            lo = mid + 1
        else:
            return mid
    return None
