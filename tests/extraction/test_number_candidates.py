"""find_numbers, which walks only the tokens that can start a number, finds what a walk through
every token finds."""

from __future__ import annotations

import random

from app.extraction.numbers import (
    _MULT,
    _NO_COUNT,
    _NUM_TOKEN,
    _UNITS,
    Number,
    _digits,
    find_numbers,
)


def _loop_find_numbers(text: str) -> list[Number]:
    toks = [(m.start(), m.end(), m.group()) for m in _NUM_TOKEN.finditer(text)]
    out: list[Number] = []
    i = 0
    while i < len(toks):
        s, e, t = toks[i]
        low = t.lower().replace("’", "'").replace("ʼ", "'")
        val: float | None = _digits(t) if t[0].isdigit() else None
        if val is None and low in _UNITS and low not in ("a", "an"):
            val = float(_UNITS[low])
            # compound words: "twenty five", "двадцять п'ять"
            if i + 1 < len(toks) and val >= 20 and val % 10 == 0:
                j = i + 1
                if toks[j][2].lower() in ("и", "і", "and") and j + 1 < len(toks):
                    j += 1
                nxt = toks[j][2].lower().replace("’", "'")
                if nxt in _UNITS and _UNITS[nxt] < 10 and nxt not in ("a", "an"):
                    val += _UNITS[nxt]
                    e = toks[j][1]
                    i = j
        elif val is None and low in ("a", "an") and i + 1 < len(toks):
            nxt = toks[i + 1][2].lower()
            if nxt in ("dozen", "hundred", "thousand", "million"):
                val = 12.0 if nxt == "dozen" else 1.0
        if val is None:
            i += 1
            continue
        if i + 1 < len(toks) and toks[i + 1][2].lower() in _MULT:
            val *= _MULT[toks[i + 1][2].lower()]
            e = toks[i + 1][1]
            i += 1
        elif low in ("a", "an") and i + 1 < len(toks) and toks[i + 1][2].lower() == "dozen":
            e = toks[i + 1][1]
            i += 1
        if val == int(val) and low not in _NO_COUNT:
            out.append(Number(int(val), s, e))
        i += 1
    return out


def test_same_numbers_as_walking_every_token() -> None:
    assert all(w.count("'") <= 1 for w in _UNITS)
    rng = random.Random(3)
    words = [*_UNITS, *_MULT, *_NO_COUNT, "dozen", "Dozen", "AN", "A", "and", "і", "и"]
    words += ["п’ять", "дев’ятсот", "ПʼЯТЬ", "drones", "ракет", "1,000", "2.5", "12", "2024", "²"]
    seps = [" ", " ", ", ", "-", "  "]
    for _ in range(20000):
        text = "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(1, 8)))
        try:
            want: object = _loop_find_numbers(text)
        except ValueError as e:  # "²" is a digit to str.isdigit, not to float()
            want = repr(e)
        try:
            got: object = find_numbers(text)
        except ValueError as e:
            got = repr(e)
        assert got == want, text
