"""The word shortcuts of the event and quantity scans answer as the plain computations do:
words of the lowered text, offsets summed from the split, the words after a number scanned from
the number, trigger candidates from the first words that _may_trigger finds."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from app.extraction import dates, numbers, quantities
from app.extraction.dates import find_dates
from app.extraction.events import (
    _index,
    _lowered,
    _may_trigger,
    find_triggers,
    lexicon,
    tokens_of,
)
from app.extraction.keywords import PLAIN, lower
from app.extraction.lemmas import WORD_RE, word_tokens

# the word pattern as it was before it was made possessive
_BACKTRACKING_WORD = re.compile(r"[^\W\d_]+(?:[’'ʼ-][^\W\d_]+)*")

_LETTER = re.compile(r"[^\W\d_]")
_JOINERS = "’'ʼ-"
# letters that lower to two letters, or by context, with joiners, digits and the like
_ODD = "İΣσς’'ʼ-_²5 ,.\n«»Kſı"


def _texts(n: int, seed: int, words: list[str]) -> list[str]:
    rnd = random.Random(seed)
    seps = [" ", " ", "-", "’", "'", "ʼ", ", ", "_", "5", "  ", "İ", "Σ", ".", "«"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randrange(1, 12)):
            w = rnd.choice(words)
            w = rnd.choice([w, w.upper(), w.capitalize(), w.swapcase()])
            parts.append(w + rnd.choice(seps))
        out.append("".join(parts))
    return out


def _words() -> list[str]:
    pats = [pat for lex in lexicon() for by_lang in lex.triggers.values() for pat in by_lang]
    firsts = {text for pat in pats for _, text in pat}
    return [*sorted(firsts), "п'ять", "дев’ять", "ПʼЯТЬ", "five-year", "a'b'c", "x", *_ODD]


def test_lowering_keeps_letters_and_joiners() -> None:
    # tokens_of takes the words of the lowered text for the text's words, lowered
    chars = "".join(map(chr, range(0x110000)))
    lowered = "".join(c.lower()[:1] for c in chars).replace("’", "'")
    for a, b in ((chars, lowered), (chars.replace("Σ", "ς"), lowered.replace("σ", "ς"))):
        assert [m.start() for m in _LETTER.finditer(a)] == [m.start() for m in _LETTER.finditer(b)]
    assert [i for i, c in enumerate(chars) if c in _JOINERS] == [
        i for i, c in enumerate(lowered) if c in _JOINERS
    ]


def test_possessive_word_pattern_finds_the_same_words() -> None:
    for text in _texts(3000, 1, _words()):
        want = [m.span() for m in _BACKTRACKING_WORD.finditer(text)]
        assert [m.span() for m in WORD_RE.finditer(text)] == want
        assert [m.span() for m in word_tokens(text)] == want


@pytest.mark.parametrize("lang", ["en", "uk", "bg", "ru"])
def test_words_and_offsets_are_word_tokens(lang: str) -> None:
    for text in _texts(1500, 2, _words()):
        lowered = _lowered(text)
        words = tokens_of(text, lang, lowered)
        spans = [m.span() for m in word_tokens(text)]
        assert words.lows == [lowered[a:b] for a, b in spans]
        assert [words.start(i) for i in range(len(spans))] == [a for a, _ in spans]


def test_words_after_a_position_are_word_tokens() -> None:
    for text in _texts(800, 3, _words()):
        words = word_tokens(text)
        for pos in range(len(text) + 1):
            want = [w for w in words if w.start() >= pos][:4]
            got = quantities._words_after(text, pos)
            assert [(w.span(), w.group()) for w in got] == [(w.span(), w.group()) for w in want]


@pytest.mark.parametrize("lang", ["uk", "bg", "ru"])
def test_first_words_found_keep_every_trigger(lang: str) -> None:
    for text in _texts(2000, 4, _words()):
        lowered = _lowered(text)
        words = tokens_of(text, lang, lowered)
        at = _may_trigger(_index(lang), text, lowered)
        assert find_triggers(words, lang, at) == find_triggers(words, lang)


def test_number_tokens_and_offsets_from_the_split() -> None:
    words = [*_words(), "1,000", "2.5", "12 345", "1.234.567", "3,5", "٣", "²", "twenty", "тис"]
    for text in _texts(3000, 5, words):
        parts = numbers._TOKENS_AND_GAPS.split(text)
        toks = list(numbers._NUM_TOKEN.finditer(text))
        assert parts[1::2] == [m.group() for m in toks]
        assert [numbers._end(parts, k) for k in range(len(toks))] == [m.end() for m in toks]


def test_shared_lowering_is_str_lower() -> None:
    for text in _texts(300, 6, _words()):
        assert lower(text) == text.lower()
    assert lower.cache_info().maxsize == 512


class _Always:
    @staticmethod
    def may_match(text: str) -> bool:
        return True


def test_number_keyword_check_keeps_every_number(monkeypatch: pytest.MonkeyPatch) -> None:
    units = sorted(numbers._UNIT_SPELLINGS)
    words = [*units, "Dozen", "HUNDRED", "a", "An", "million", "пʼять", "2", "1,000", "²", "³x"]
    words += ["٣", "①", "drones", "ракет", "often", "місто", "десятки", "İ", "Σ"]
    texts = _texts(4000, 7, words) + _texts(2000, 8, ["ракети", "дрони", "often", "the", "İ"])
    found = list(map(_numbers_or_error, texts))
    monkeypatch.setattr(numbers, "_MAY_HOLD_NUMBER", _Always())
    assert found == list(map(_numbers_or_error, texts))
    assert any(isinstance(f, str) for f in found) and [] in found


def _numbers_or_error(text: str) -> object:
    try:
        return numbers.find_numbers(text)
    except ValueError as e:  # "²" is a digit to str.isdigit, not to float()
        return repr(e)


def test_plain_decimal_digits_are_ascii() -> None:
    plain = re.compile(f"[{PLAIN}]")
    assert {c for c in map(chr, range(0x110000)) if plain.match(c) and re.match(r"\d", c)} == set(
        "0123456789"
    )


def test_digit_keyword_check_keeps_every_date(monkeypatch: pytest.MonkeyPatch) -> None:
    pub = dt.date(2024, 3, 10)
    words = ["5", "March", "2024", "березня", "12.03.2024", "2023-01-02", "٣", "İ", "в", "May"]
    texts = _texts(3000, 9, [*words, "drones", "вчора", "Monday", "in", "у", "лютому"])
    found = [find_dates(text, pub) for text in texts]
    monkeypatch.setattr(dates, "_ASCII_DIGITS", _Always())
    assert found == [find_dates(text, pub) for text in texts]
    assert any(d.precision == "day" for f in found for d in f)
