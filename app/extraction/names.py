"""Fallback for people the gazetteer does not know: runs of 2-3 capitalised words.

Such names become ``unresolved:<normalised>`` actors and are never merged with a known actor.
Precision first: the surname must not be a dictionary word of the text's language (which drops
"Victory Day", "Lower House"), titles in front are peeled off, and in Cyrillic text only
Cyrillic names count (Latin runs there are product names).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

from app.extraction.gazetteer.text import normalise_alias, token_key
from app.extraction.lemmas import is_known
from app.extraction.types import ActorEntry, Alias, Mention, Sentence, new_mention

_LAT = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)"
_CYR = r"(?:[А-ЯІЇЄҐ][а-яіїєґ'’ʼ]+(?:-[А-ЯІЇЄҐ]?[а-яіїєґ]+)?)"
# "IAF fighter pilot VK Thakur": two initials and a surname, inside running text only
# Both runs start with a capital, consumed first: re skips (in C) to the next character of the
# class a pattern starts with, where a pattern that starts with a look-ahead is tried at every
# position. The look-behinds that stood before the capital then span it too.
_LAT_TAIL = r"[a-z]+(?:[-'’][A-Z]?[a-z]+)?"  # _LAT after its capital
_LAT_RUN = re.compile(
    rf"[A-Z](?:(?<![\w-][A-Z])(?:[A-Z]{{1,2}} {_LAT}|{_LAT_TAIL})(?: {_LAT}){{1,3}}(?![\w-])"
    rf"|(?<=[a-z] [A-Z])[A-Z] {_LAT}(?![\w-]))"
)
_CYR_TAIL = r"[а-яіїєґ'’ʼ]+(?:-[А-ЯІЇЄҐ]?[а-яіїєґ]+)?"  # _CYR after its capital
_MARK = re.compile("[-'’ʼ]")  # what may stand before a capital inside a name
_CYR_RUN = re.compile(rf"[А-ЯІЇЄҐ](?<![\w-][А-ЯІЇЄҐ]){_CYR_TAIL}(?: {_CYR}){{1,3}}(?![\w-])")

_TITLES = {
    "president",
    "prime",
    "minister",
    "general",
    "gen",
    "secretary",
    "defense",
    "defence",
    "foreign",
    "chancellor",
    "governor",
    "mayor",
    "senator",
    "colonel",
    "lieutenant",
    "major",
    "captain",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "commander",
    "chief",
    "deputy",
    "head",
    "mr",
    "mrs",
    "ms",
    "dr",
    "king",
    "queen",
    "pope",
    "emperor",
    "premier",
    "lawmaker",
    "adviser",
    "advisor",
    "envoy",
    "director",
    "chairman",
    "professor",
    "sergeant",
    "президент",
    "прем",
    "міністр",
    "генерал",
    "губернатор",
    "мер",
    "посол",
    "речник",
    "президентът",
    "министър",
    "премиерът",
    "премиер",
    "кмет",
    "говорител",
    "президента",
    "министр",
    "мэр",
    "представитель",
    "глава",
    "голова",
    "заступник",
    "заместник",
    "секретар",
    "секретарят",
    "заместитель",
    "секретарь",
}
_TRANSLIT = {
    "uk": dict(
        zip(
            "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
            [
                "a",
                "b",
                "v",
                "h",
                "g",
                "d",
                "e",
                "ie",
                "zh",
                "z",
                "y",
                "i",
                "i",
                "i",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "kh",
                "ts",
                "ch",
                "sh",
                "shch",
                "",
                "iu",
                "ia",
            ],
            strict=True,
        )
    ),
    "ru": dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            [
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "yo",
                "zh",
                "z",
                "i",
                "y",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "kh",
                "ts",
                "ch",
                "sh",
                "shch",
                "",
                "y",
                "",
                "e",
                "yu",
                "ya",
            ],
            strict=True,
        )
    ),
    "bg": dict(
        zip(
            "абвгдежзийклмнопрстуфхцчшщъьюя",
            [
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "zh",
                "z",
                "i",
                "y",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "h",
                "ts",
                "ch",
                "sh",
                "sht",
                "a",
                "y",
                "yu",
                "ya",
            ],
            strict=True,
        )
    ),
}
_ORG_WORDS = {
    "party",
    "forces",
    "force",
    "ministry",
    "university",
    "agency",
    "council",
    "committee",
    "news",
    "group",
    "army",
    "navy",
    "bank",
    "company",
    "institute",
    "union",
    "office",
    "day",
    "war",
    "street",
    "square",
    "house",
    "fleet",
    "system",
}


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the sorted, non-overlapping ``spans``."""
    i = bisect.bisect_left(spans, (end, end))
    return i > 0 and spans[i - 1][1] > start


def _is_title(word: str) -> bool:
    parts = word.lower().strip("'’").split("-")
    return any(p in _TITLES for p in parts)


def transliterate(name: str, lang: str | None) -> str:
    table = _TRANSLIT.get(lang or "ru", _TRANSLIT["ru"])
    out = []
    for ch in name:
        low = ch.lower()
        if low in table:
            t = table[low]
            out.append(t.capitalize() if ch.isupper() else t)
        elif low in _TRANSLIT["uk"]:  # letters of a sibling alphabet
            t = _TRANSLIT["uk"][low]
            out.append(t.capitalize() if ch.isupper() else t)
        elif ch in "'’ʼ":
            continue
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=100_000)
def _known(word: str, lang: str) -> bool:
    w = word.lower()
    try:
        return is_known(w, lang)
    except ValueError:
        return False


def find_unresolved(
    body: str, sentences: list[Sentence], covered: list[tuple[int, int]], lang: str | None
) -> list[tuple[Mention, ActorEntry]]:
    lang = lang or "en"
    cyr_text = lang in ("uk", "bg", "ru")
    rx = _CYR_RUN if cyr_text else _LAT_RUN
    spans = sorted(covered)
    found: list[tuple[Mention, ActorEntry]] = []
    surnames: dict[str, ActorEntry] = {}
    sentence_starts = [sent.start for sent in sentences]
    # One scan of the body rather than one per sentence: a run holds neither sentence punctuation
    # nor a line break, so it lies within a sentence, and its look-arounds see the whitespace
    # around a sentence in the body as they see the ends of the sentence alone.
    for m in rx.finditer(body):
        sent = sentences[bisect.bisect_right(sentence_starts, m.start()) - 1]
        words = m.group().split(" ")
        offs = [m.start()]
        for w in words[:-1]:
            offs.append(offs[-1] + len(w) + 1)
        while words and (
            _is_title(words[0])
            or (words[0][1:].islower() and _known(words[0], lang) and len(words) > 2)
        ):
            words.pop(0)
            offs.pop(0)
        if len(words) < 2 or len(words) > 3:
            continue
        start = offs[0]
        end = m.end()
        if _overlaps(spans, start, end):
            continue
        if any(w.lower() in _ORG_WORDS for w in words):
            continue
        last = words[-1]
        if _known(last, lang) or (not cyr_text and _known(last, "en")):
            continue
        if start == sent.start and _known(words[0], lang):
            continue
        surface = body[start:end]
        name = transliterate(surface, lang) if cyr_text else surface
        key = f"unresolved:{normalise_alias(name)}"
        entry = ActorEntry(
            key=key, name=name, kind="person", resolved=False, aliases=(Alias(surface, lang),)
        )
        found.append((new_mention(key, sent.index, start, end, surface), entry))
        surnames.setdefault(token_key(last), entry)
    if surnames:
        found += _surname_mentions(
            body,
            sentences,
            sorted(spans + [(m.start, m.end) for m, _ in found]),
            surnames,
            cyr_text,
        )
    return found


def _surname_mentions(
    body: str,
    sentences: list[Sentence],
    spans: list[tuple[int, int]],
    surnames: dict[str, ActorEntry],
    cyr_text: bool,
) -> list[tuple[Mention, ActorEntry]]:
    out = []
    word = re.compile(_CYR if cyr_text else _LAT)
    # A word's key is its lowered form (for Cyrillic a prefix of it), and its letters after the
    # first are lower case up to a hyphen or apostrophe: a sentence without those letters of any
    # key names no surname, and is not scanned word by word (lowering it would cost more).
    needles = {_MARK.split(k[1:], 1)[0] for k in surnames}
    for sent in sentences:
        for needle in needles:
            if needle in sent.text:
                break
        else:
            continue
        for m in word.finditer(sent.text):
            entry = surnames.get(token_key(m.group()))
            if entry is None:
                continue
            start, end = sent.start + m.start(), sent.start + m.end()
            if _overlaps(spans, start, end):
                continue
            out.append((new_mention(entry.key, sent.index, start, end, body[start:end]), entry))
    return out
