"""Numerals and number words in en/uk/bg/ru, with their character spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.extraction.keywords import PLAIN, KeywordRx

# Number words per value, with the oblique forms news uses ("двох", "трьох", "двух").
_WORDS: dict[int, str] = {
    1: "one один одна одне одного однієї един една едно одно одной",
    2: "two два дві двох две двух двоє двое двама",
    3: "three три трьох трех трёх троє трое трима",
    4: "four чотири чотирьох четири четыре четырех четырёх четверо четирима",
    5: "five п'ять п'яти пет пять п'ятеро пятеро петима",
    6: "six шість шести шест шесть шестеро шестима",
    7: "seven сім семи седем семь семеро седмина",
    8: "eight вісім восьми осем восемь",
    9: "nine дев'ять дев'яти девет девять",
    10: "ten десять десяти десет",
    11: "eleven одинадцять единадесет единайсет одиннадцать",
    12: "twelve dozen дванадцять дюжина дванадесет дванайсет двенадцать",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen п'ятнадцять петнадесет петнайсет пятнадцать",
    16: "sixteen",
    17: "seventeen",
    18: "eighteen",
    19: "nineteen",
    20: "twenty двадцять двадцяти двадесет двайсет двадцать",
    30: "thirty тридцять тридцяти тридесет трийсет тридцать",
    40: "forty сорок сорока четиридесет четирийсет",
    50: "fifty п'ятдесят петдесет пятьдесят",
    60: "sixty шістдесят шестдесет шестьдесят",
    70: "seventy сімдесят седемдесет семьдесят",
    80: "eighty вісімдесят осемдесет восемьдесят",
    90: "ninety дев'яносто деветдесет девяносто",
    100: "сто ста",
    200: "двісті двеста двести",
    300: "триста",
    500: "п'ятсот пятьсот",
}
_UNITS: dict[str, int] = {w: v for v, ws in _WORDS.items() for w in ws.split()}
_UNITS.update({"a": 1, "an": 1})

_MULT = {
    "hundred": 100,
    "thousand": 1000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "тисяча": 1000,
    "тисячі": 1000,
    "тисяч": 1000,
    "тис": 1000,
    "мільйон": 1_000_000,
    "мільйони": 1_000_000,
    "мільйонів": 1_000_000,
    "млн": 1_000_000,
    "млрд": 1_000_000_000,
    "хиляда": 1000,
    "хиляди": 1000,
    "хил": 1000,
    "милион": 1_000_000,
    "милиона": 1_000_000,
    "тысяча": 1000,
    "тысячи": 1000,
    "тысяч": 1000,
    "тыс": 1000,
    "миллион": 1_000_000,
    "миллиона": 1_000_000,
    "миллионов": 1_000_000,
}
# "a dozen" is 12, "dozens" is not a number
_NO_COUNT = {
    "dozens",
    "hundreds",
    "thousands",
    "millions",
    "десятки",
    "сотні",
    "тисячі",
    "десетки",
    "стотици",
    "хиляди",
    "сотни",
    "тысячи",
}

_NUM_TOKEN = re.compile(
    r"\d{1,3}(?:(?:[,\u00a0\u202f ]|\.(?=\d{3}\b))\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?|"
    r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)?"
)


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    start: int
    end: int


# _UNITS as find_numbers meets a token: lowered, with any of its apostrophes (a word of _UNITS
# holds one at most)
_UNIT_SPELLINGS = frozenset(w.replace("'", q) for w in _UNITS for q in ("'", "’", "ʼ"))

_GROUPED = re.compile(r"\d{1,3}(?:[,.]\d{3})+")
_DECIMAL = re.compile(r"\d+[.,]\d+")


def _digits(tok: str) -> float | None:
    t = tok.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if _GROUPED.fullmatch(t):
        return float(t.replace(",", "").replace(".", ""))
    if t.isdigit():
        return float(t)
    if _DECIMAL.fullmatch(t):
        return float(t.replace(",", "."))
    return None


# The text cut at its tokens (text between tokens, token, text between tokens, ...): a token's
# offset is a sum of lengths, taken for the token or two of a number only, where a Match object
# per token cost a third of the search.
_TOKENS_AND_GAPS = re.compile(f"({_NUM_TOKEN.pattern})")


def _end(parts: list[str], k: int) -> int:
    """Where the ``k``-th token of ``parts`` ends."""
    return sum(map(len, parts[: 2 * k + 2]))


# What every number holds: a digit (to str.isdigit; the only such characters that are plain in
# the sense of KeywordRx are 0-9 and "²³¹"), a number word, or the word after "a" or "an". As
# keywords they go into the keyword pass that every stage shares: most sentences hold none and
# are not tokenised. A spelling with "ʼ" is not plain, and a text that holds one is always read.
_NUMBER_KEYWORDS = (
    *"0123456789²³¹",
    *(w for w in _UNIT_SPELLINGS - {"a", "an"} if not re.search(f"[^{PLAIN}]", w)),
    *("dozen", "hundred", "thousand", "million"),
)
_MAY_HOLD_NUMBER = KeywordRx("|".join(map(re.escape, _NUMBER_KEYWORDS)), keywords=_NUMBER_KEYWORDS)


def find_numbers(text: str) -> list[Number]:
    """Cardinal numbers in ``text`` with spans; years and decimals without a multiplier skip."""
    if not _MAY_HOLD_NUMBER.may_match(text):
        return []
    parts = _TOKENS_AND_GAPS.split(text)
    words = parts[1::2]
    # Only a token that starts with a digit or is a number word can start a number: the rest
    # (most of them) are sifted out in one comprehension rather than walked one by one.
    starts = [i for i, t in enumerate(words) if t[0].isdigit() or t.lower() in _UNIT_SPELLINGS]
    out: list[Number] = []
    i = 0  # the first token not yet consumed: a number may take the tokens after it
    for i0 in starts:
        if i0 < i:
            continue
        i = i0
        t = words[i]
        e = _end(parts, i)
        s = e - len(t)
        low = t.lower().replace("’", "'").replace("ʼ", "'")
        val: float | None = _digits(t) if t[0].isdigit() else None
        if val is None and low in _UNITS and low not in ("a", "an"):
            val = float(_UNITS[low])
            # compound words: "twenty five", "двадцять п'ять"
            if i + 1 < len(words) and val >= 20 and val % 10 == 0:
                j = i + 1
                if words[j].lower() in ("и", "і", "and") and j + 1 < len(words):
                    j += 1
                nxt = words[j].lower().replace("’", "'")
                if nxt in _UNITS and _UNITS[nxt] < 10 and nxt not in ("a", "an"):
                    val += _UNITS[nxt]
                    e = _end(parts, j)
                    i = j
        elif val is None and low in ("a", "an") and i + 1 < len(words):
            nxt = words[i + 1].lower()
            if nxt in ("dozen", "hundred", "thousand", "million"):
                val = 12.0 if nxt == "dozen" else 1.0
        if val is None:
            i += 1
            continue
        if i + 1 < len(words) and words[i + 1].lower() in _MULT:
            val *= _MULT[words[i + 1].lower()]
            e = _end(parts, i + 1)
            i += 1
        elif low in ("a", "an") and i + 1 < len(words) and words[i + 1].lower() == "dozen":
            e = _end(parts, i + 1)
            i += 1
        if val == int(val) and low not in _NO_COUNT:
            out.append(Number(int(val), s, e))
        i += 1
    return out


def parse_number(text: str) -> int | None:
    nums = find_numbers(text)
    return nums[0].value if len(nums) == 1 else None
