"""Shortcuts in the event, quantity and date scans answer as the plain computation does."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from app.extraction import quantities
from app.extraction.dates import find_dates
from app.extraction.events import (
    _BY,
    _cue_finder,
    _index,
    _lowered,
    _may_trigger,
    _preceded_by,
    find_triggers,
    tokens_of,
)
from app.extraction.types import Mention, Sentence


def _texts(alphabet: str, n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(90))) for _ in range(n)]


def test_prev_word_is_the_search_from_the_start() -> None:
    # long letter runs and long blanks reach past the window that _prev_word searches first
    texts = [*_texts("aaaaaaяЯ.  \n5_,-", 400, 1), "x" * 70 + " ", "abc" + " " * 60, "ab 1"]
    for text in texts:
        for end in range(len(text) + 1):
            want = quantities._PREV_WORD.search(text, 0, end)
            got = quantities._prev_word(text, end)
            assert (got and (got.span(), got.group(1))) == (want and (want.span(), want.group(1)))


def _plain_preceded_by(sent: Sentence, m: Mention) -> bool:
    head = sent.text[: m.start - sent.start].rstrip().lower()
    return any(head.endswith((f" {w}", f" {w} the")) or head == w for w in _BY)


@pytest.mark.parametrize(
    "head",
    ["struck by", "Hit BY THE", "by", "BY ", "від", "İİİİİİİİİİİİİİİİ by", "ΣΣ by the",
     "со стороны", " со стороны the  ", "x со стороны", "nearby", "byby", "the", "от", "İby",
     "ΑΣ от"],
)  # fmt: skip
def test_preceded_by_reads_only_the_end(head: str) -> None:
    for pad in ("", "Long text before it, " * 3):
        text = pad + head + "Kyiv"
        sent = Sentence(0, 10, 10 + len(text), text)
        m = Mention("ua", 0, 10 + len(text) - 4, 10 + len(text), "Kyiv")
        assert _preceded_by(sent, m) == _plain_preceded_by(sent, m)


def test_cue_finder_gives_the_first_mode_with_a_cue() -> None:
    needles = [(" a b ", " c "), (), (" c ", " d"), (" e ",)]
    finder = _cue_finder(needles)
    for text in _texts("abcde ", 300, 2):
        want = next((r for r, cues in enumerate(needles) if any(n in text for n in cues)), None)
        got = min((r for _, r in finder.iter(text)), default=None)
        assert got == want
    assert _cue_finder([(), ()]) is None


@pytest.mark.parametrize("lang", ["uk", "bg", "ru"])
def test_trigger_offsets_find_every_trigger(lang: str) -> None:
    texts = [
        "Росія атакувала Харків дронами вночі, а ще обстріляла Суми.",
        "Русия атакува Киев с дронове, съобщиха от ВСУ; нанесе удар и по Одеса.",
        "Россия нанесла удар по Одессе и атаковала Киев.",
        "НЕ-атакувала, пре-атака і пів-удару: İstanbul атакував.",
    ]
    for text in texts:
        lowered = _lowered(text)
        at = _may_trigger(_index(lang), text, lowered)
        words = tokens_of(text, lang, lowered)
        assert find_triggers(words, lang, at) == find_triggers(words, lang)


def test_dates_found_past_the_stem_checks() -> None:
    pub = dt.date(2024, 3, 10)
    found = find_dates("В п’ятницю і 5 березня 2024 р., у лютому", pub)
    assert [d.precision for d in found] == ["day", "day", "month"]
    # a text that is not all plain is always scanned
    assert find_dates("İ: on 5 March", pub)[0].date == dt.date(2024, 3, 5)
    assert find_dates("no month here, 5 times", pub) == []
