"""The cheap tests that spare a regex its scan must never hide a match of it."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from app.extraction import clean, sentences
from app.extraction.gazetteer.text import TOKEN_RE

# TOKEN_RE with the token captured (the matcher's former split): gap, token, ..., gap
TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")

LINES = [
    "Contact the author: someone@example.com",
    "CONTACT THE AUTHOR AT SOMEONE(AT)GMAIL(DOT)COM",
    "Follow Us on Twitter",
    "FOLLOW THE AUTHOR",
    "mail: ivan[AT]ukr.net",
    "Зв'язатися з автором: ivan@ukr.net",
    "ЗВ’ЯЗАТИСЯ З АВТОРОМ",
    "Свържете се с автора",
    "СВЪРЖЕТЕ СЕ С АВТОРА",
    "Win $100 - Register now",
    "WIN €5,000 - CLICK HERE",
    "Russia launched 83 drones at Ukraine overnight, the air force said.",
    "x" * 170 + " follow us " + "y" * 5,
    "x" * 70 + " follow us " + "y" * 70,
]


@pytest.mark.parametrize("line", LINES)
def test_cued_rules_match_as_their_rules(line: str) -> None:
    for _, rule in clean._RULES:
        if isinstance(rule, clean._Cued):
            assert bool(rule.match(line)) == bool(rule.rule.match(line))


@pytest.mark.parametrize("n", [150, 160, 161, 162, 200])
def test_heading_length_guard(n: int) -> None:
    line = "A" + "b" * (n - 1)
    assert clean.is_heading(line) == bool(clean._HEADING.match(line) and len(line.split()) <= 18)


@pytest.mark.parametrize(
    "line",
    [
        "Mr. Smith met Gen. Jones in the U.S. capital. He left.",
        "Prices rose 3.5 percent... Then they fell.. Again. Yes",
        "Wait... What? Yes! «Fine.» (Done.) — Next.",
        "No dots here",
        "...leading dots. Trailing dots...",
        "В. Зеленський заявив. Далі — 2024 р. Кінець.",
    ],
)
def test_boundaries_are_those_of_the_regex(line: str) -> None:
    def spans(ms: Iterable[re.Match[str]]) -> list[tuple[int, ...]]:
        return [m.span(1) + m.span(2) + m.span(3) for m in ms]

    assert spans(sentences._boundaries(line)) == spans(sentences._BOUNDARY.finditer(line))


@pytest.mark.parametrize("text", ["", "  ", "a_b c", "«Київ», 2024-го!", "x"])
def test_token_split_alternates_gaps_and_tokens(text: str) -> None:
    parts = TOKEN_SPLIT_RE.split(text)
    assert parts[1::2] == TOKEN_RE.findall(text)
    assert "".join(parts) == text
    assert not any(re.fullmatch(r"[^\W_]+", p) for p in parts[0::2] if p)
