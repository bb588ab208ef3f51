"""keyword_rx and the other fast paths of extraction must find exactly what the plain code finds."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
import sys
import unicodedata
from typing import Any

import pytest

import app.extraction
from app.extraction.dates import find_dates
from app.extraction.events import sentence_modality
from app.extraction.gazetteer.text import (
    _BG_ARTICLES,
    _SUFFIXES,
    TOKEN_RE,
    is_cyrillic,
    strip_accents,
    token_key,
    tokenize,
)
from app.extraction.keywords import keyword_rx

TEXTS = [
    "Russia's defence ministry said 40 drones were downed, according to officials.",
    "THE RUSSIAN SIDE DENIED IT. Реклама. May be; may not. Kyiv-based analysts ",
    "Він заявив, що Україна отримуватиме допомогу, якщо партнери погодяться.",
    "Според министерството на отбраната, руските сили атакуваха. Contact: a(at)b(dot)org",
    "По словам Зеленского, удар по Харькову был нанесён вчера; the threat of  strikes",
    "aaa the  this\u00a0that  ſaid SAID Said saïd — ",
    "",
]

PATTERNS = [
    (r"\b(?:said|according to|заявив|по словам)\b", re.I),
    (r"\b(?P<r>yesterday|вчера|this morning)\b", re.I),
    (r"\b(?:could|(?-i:may)|якщо)\b", re.I),
    (r"\bno (?:one|body)|без жертв|няма (?:жертви|загинали)", re.I),
    (r"(?<![\w-])(?:the|this|that)\s+(?P<x>\w+)|(?<![\w-])(?P<s>спецслужб\w*)", re.I),
    (r"(?:\b(?:threat|risk) of|\bto (?:counter|fend(?:ing)?)|загроз\w*)\s+(?:\w+\s+){0,3}$", re.I),
    (r"@|\(at\)|\[at\]|contact the author", re.I),
    (r"(a|b)c|Kyiv", 0),
]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_same_matches_as_the_plain_pattern(pattern: str, flags: int) -> None:
    fast, plain = keyword_rx(pattern, flags), re.compile(pattern, flags)
    for text in TEXTS:
        for t in (text, text[: len(text) // 2], text.lower(), text.upper()):
            got = [(m.span(), m.groups()) for m in fast.finditer(t)]
            assert got == [(m.span(), m.groups()) for m in plain.finditer(t)]


@pytest.mark.parametrize(
    "pattern",
    [
        r"\b(?:\w+тиме)\b",  # a class, not a literal
        r"a?b|c",  # an optional first letter
        r"(?:to )?counter|against",  # an optional group
        r"(?i:a)b",  # a group that turns a flag on
        r"(?=a)ab",  # a look-ahead of its own
        r"\b(?:ab|c",
        r"ab)|c",
        r"a|",
    ],
)
def test_patterns_whose_first_characters_are_not_known_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        keyword_rx(pattern, re.I)


def _compiled_patterns(value: Any, depth: int = 0) -> list[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        return [value]
    if depth > 3:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [p for v in value for p in _compiled_patterns(v, depth + 1)]
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        fields = [getattr(value, f) for f in value.__dataclass_fields__]
        return [p for v in fields for p in _compiled_patterns(v, depth + 1)]
    return []


def test_look_aheads_admit_every_case_variant_of_their_letters() -> None:
    """The look-ahead is a class of the first letters; under re.I a class and a literal must
    accept the same characters (ſ for s, K for k, ᲀ for в ...), over all of Unicode."""
    for info in pkgutil.walk_packages(app.extraction.__path__, "app.extraction."):
        importlib.import_module(info.name)
    fast = [
        p
        for name, mod in list(sys.modules.items())
        if name.startswith("app.extraction")
        for v in vars(mod).values()
        for p in _compiled_patterns(v)
        if p.pattern.startswith("(?=[")
    ]
    assert len(fast) >= 20  # the scan found the module-level patterns
    firsts: set[str] = set()
    for p in fast:
        body = p.pattern[4 : p.pattern.index("])")]
        firsts |= {c[-1] for c in re.findall(r"\\.|.", body)}
    literal = re.compile("|".join(map(re.escape, sorted(firsts))), re.I)
    klass = re.compile("[" + "".join(map(re.escape, sorted(firsts))) + "]", re.I)
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(literal.fullmatch(ch)) == bool(klass.fullmatch(ch)), hex(code)


def test_modality_cues() -> None:
    assert sentence_modality("Україна отримуватиме зброю") == "future"
    assert sentence_modality("Вони працюватимуть разом") == "future"
    assert sentence_modality("тиме") == "asserted"  # a suffix, not a word
    assert sentence_modality("Kyiv could be hit") == "hypothetical"
    assert sentence_modality("It may rain; May is warm") == "hypothetical"
    assert sentence_modality("In May troops left") == "asserted"


def _strip_accents_by_letter(s: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", s):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).replace("ё", "е").replace("Ё", "Е")


def _token_key_by_ending(token: str) -> str:
    t = _strip_accents_by_letter(token).casefold()
    if len(t) < 4 or not is_cyrillic(t):
        return t
    if len(t) >= 6 and t.endswith(_BG_ARTICLES):
        t = t[:-2]
    if t.endswith("ией"):
        return t[:-2]
    for suf in _SUFFIXES:
        if t.endswith(suf) and len(t) - len(suf) >= 3:
            return t[: -len(suf)]
    return t


WORDS = [
    *["Kyiv", "Café", "naïve", "Zelens\u0301kyy", "Київ", "Йошкар", "Ёлка", "\u0301a", "ǅ"],
    *["Łódź", "Ўзбек", "Київé", "é", "", "Москвой", "Японії", "Україною", "Софията"],
    *["İstanbul", "Россией", "Харкові", "Запоріжжям", "військовими", "Білоруссю", "ых"],
    "армията",
]


@pytest.mark.parametrize("word", WORDS)
def test_token_key_fast_paths_change_nothing(word: str) -> None:
    assert strip_accents(word) == _strip_accents_by_letter(word)
    assert token_key(word) == _token_key_by_ending(word)


def test_token_spans_are_those_of_the_regex() -> None:
    for text in [*TEXTS, "a_b a1 1a  aa a", "Київ — Київ, Kyiv/Kyiv; x"]:
        assert tokenize(text) == [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]


def test_dates_without_digits_or_weekday_stems() -> None:
    pub = dt.date(2024, 11, 17)
    assert find_dates("Troops advanced near the river", pub) == []
    found = {d.date for d in find_dates("On Friday, 3 May 2024", pub)}
    assert found == {dt.date(2024, 11, 15), dt.date(2024, 5, 3)}
    assert [d.date for d in find_dates("у п’ятницю", pub)] == [dt.date(2024, 11, 15)]
