"""KeywordRx skips a scan only where the plain pattern finds nothing."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import app.extraction
from app.extraction.keywords import _NOT_PLAIN, PLAIN, KeywordRx, _heads

TEXTS = [
    "Russia's defence ministry said 40 drones were downed, according to officials.",
    "THE RUSSIAN DEFENCE AND FOREIGN MINISTRIES DENIED IT. Kyiv could be hit; may not.",
    "Він заявив, що Україна отримуватиме допомогу, якщо партнери погодяться; усі збиті.",
    "Според министерството на отбраната, руските сили атакуваха вчера. Няма пострадали.",
    "По словам Зеленского, удар был нанесён вчера; the threat of  strikes, including 20",
    "No one was killed, no injuries; all of them were downed, в том числе 5 — «так»",
    "North Korean troops and Belarusian forces; the minister said this military has left",
    "",
]
# re.IGNORECASE matches these to keyword letters that str.lower() does not give them
ODD = ["ſaid", "DENıED", "Kyiv could", "\u1c80чора", "İncluding", "ΣAID", "ﬀ", "µ"]


def _all_patterns() -> list[KeywordRx]:
    for info in pkgutil.walk_packages(app.extraction.__path__, "app.extraction."):
        importlib.import_module(info.name)
    return list(KeywordRx._all)


def _plain_chars() -> list[str]:
    return [chr(c) for c in range(0x2070) if not _NOT_PLAIN.match(chr(c))]


def test_plain_letters_match_under_ignorecase_only_as_they_lower() -> None:
    chars = _plain_chars()
    assert len(chars) > 300 and PLAIN
    for p in chars:
        rx = re.compile(re.escape(p), re.I)
        for c in chars:
            if rx.fullmatch(c):
                assert len(c.lower()) == 1 and c.lower() == p.lower(), (p, c)


@pytest.mark.parametrize("text", TEXTS + ODD + [t + o for t in TEXTS for o in ODD])
def test_same_matches_as_the_plain_pattern(text: str) -> None:
    patterns = _all_patterns()
    assert len(patterns) >= 15
    for t in (text, text.upper(), text.lower(), text.title(), text[::-1]):
        for p in patterns:
            assert [m.span() for m in p.finditer(t)] == [m.span() for m in p.rx.finditer(t)]
            found = p.search(t)
            assert (found and found.span()) == ((m := p.rx.search(t)) and m.span())
            for cut in (len(t) // 3, len(t) // 2):
                assert bool(p.search(t[:cut], within=t)) == bool(p.rx.search(t[:cut]))


def test_keywords_are_what_every_match_starts_with() -> None:
    assert _heads(r"\b(?:said|according to)") == {"said", "according to"}
    assert _heads(r"(?<![\w-])days?\b") == {"day"}
    assert _heads(r"\(at\)") == {"(at)"}
    assert _heads(r"(?-i:May)") == {"May"}
    assert _heads(r"зв[’']язатися") == {"зв"}
    with pytest.raises(ValueError):
        KeywordRx(r"\w+тиме", re.I)  # no literal start, and no keywords given
