"""The name-run patterns of names.py find what their look-ahead spelling found."""

from __future__ import annotations

import random
import re

from app.extraction.names import _CYR, _CYR_RUN, _LAT, _LAT_RUN

OLD_LAT_RUN = re.compile(
    rf"(?=[A-Z])(?:(?<![\w-])(?:[A-Z]{{2,3}} )?{_LAT}(?: {_LAT}){{1,3}}(?![\w-])"
    rf"|(?<=[a-z] )[A-Z]{{2}} {_LAT}(?![\w-]))"
)
OLD_CYR_RUN = re.compile(rf"(?=[А-ЯІЇЄҐ])(?<![\w-]){_CYR}(?: {_CYR}){{1,3}}(?![\w-])")

TEXTS = [
    "IAF fighter pilot VK Thakur met Prime Minister Narendra Modi and ABC Def Ghi-Jkl",
    "Ann-Marie O'Neil and J.K. Rowling; x-Ray Man Woman, the BBC Radio Four Day",
    "Президент Володимир Зеленський та Іван Франко-Молодший; а-Бв Гд, Ґрунт Їжак Єва",
    "Министърът Румен Радев заяви, че Пʼєр Ді Олена О’Нілл",
    "",
]


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_same_runs_as_the_look_ahead_patterns() -> None:
    rng = random.Random(7)
    words = ["Ab", "Cde", "GH", "IJK", "xy", "Ab-Cd", "O'Neil", "a-Bc", "Ів", "Ґанна", "бв", "АБ",
             "Пʼєр", "Іва-Нова", "ї", "x1", "_Ab", "VK", "V"]  # fmt: skip
    seps = [" ", " ", " ", " ", "-", "  ", ", ", ".", "’"]
    texts = TEXTS + [
        "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 12)))
        for _ in range(5000)
    ]
    found = 0
    for text in texts:
        assert _spans(_LAT_RUN, text) == _spans(OLD_LAT_RUN, text), text
        assert _spans(_CYR_RUN, text) == _spans(OLD_CYR_RUN, text), text
        found += len(_spans(_LAT_RUN, text)) + len(_spans(_CYR_RUN, text))
    assert found > 500
