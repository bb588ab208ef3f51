"""Explicit and relative date expressions in en/uk/bg/ru, resolved against a publication date.

Own regexes and month tables (dateparser's search is far too slow for per-sentence use). When a
date cannot be pinned without guessing (a weekday or "last year" without a publication date, a
day-month without year and without publication date) nothing is returned.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from app.extraction.keywords import KeywordRx, keyword_rx

_MONTH_STEMS: list[tuple[str, int]] = [
    # en
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    # uk (stems: січня, січні, січень)
    ("січ", 1),
    ("лют", 2),
    ("берез", 3),
    ("квіт", 4),
    ("трав", 5),
    ("черв", 6),
    ("лип", 7),
    ("серп", 8),
    ("верес", 9),
    ("жовт", 10),
    ("листопад", 11),
    ("груд", 12),
    # bg
    ("януари", 1),
    ("февруари", 2),
    ("март", 3),
    ("април", 4),
    ("май", 5),
    ("юни", 6),
    ("юли", 7),
    ("август", 8),
    ("септември", 9),
    ("октомври", 10),
    ("ноември", 11),
    ("декември", 12),
    # ru
    ("январ", 1),
    ("феврал", 2),
    ("мart", 3),
    ("март", 3),
    ("апрел", 4),
    ("мая", 5),
    ("мае", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
]
_MONTH_RX = r"(?P<{name}>[A-Za-zА-Яа-яІіЇїЄєҐґ]{{3,12}})"

_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "понеділ": 0,
    "вівтор": 1,
    "серед": 2,
    "четвер": 3,
    "п'ятниц": 4,
    "субот": 5,
    "неділ": 6,
    "понеделник": 0,
    "вторник": 1,
    "сряда": 2,
    "четвъртък": 3,
    "петък": 4,
    "събота": 5,
    "неделя": 6,
    "понедельник": 0,
    "сред": 2,
    "четверг": 3,
    "пятниц": 4,
    "воскресень": 6,
}


@dataclass(frozen=True, slots=True)
class DateMention:
    date: dt.date
    precision: str  # day | month | year
    start: int
    end: int


# Both are called on every candidate word of a sentence (each "in X", each word for weekdays), and
# the stem tables are scanned linearly: memoised, a repeated word costs one dict look-up.
@lru_cache(maxsize=100_000)
def month_of(word: str) -> int | None:
    w = word.lower().rstrip(".")
    for stem, m in _MONTH_STEMS:
        if len(w) <= 4 and w == stem:
            return m
        if len(stem) >= 3 and w.startswith(stem) and len(w) >= len(stem) and len(w) > 3:
            return m
    return None


@lru_cache(maxsize=100_000)
def weekday_of(word: str) -> int | None:
    w = word.lower().replace("’", "'")
    for stem, d in _WEEKDAYS.items():
        if w.startswith(stem):
            return d
    return None


_W = r"[A-Za-zА-Яа-яІіЇїЄєҐґ'’]+"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:-?(?:го|th|st|nd|rd))?\s+(?P<m>{_W})\.?"
    r"(?:,?\s+(?P<y>(?:19|20)\d{2}))?(?!\d)"
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<m>{_W})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?:,?\s+(?P<y>(?:19|20)\d{2}))?(?!\d)"
)
_MONTH_YEAR = re.compile(rf"\b(?P<m>{_W})\s+(?P<y>(?:19|20)\d{{2}})\b")
_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d{2})\b")
_DIGIT = re.compile(r"\d")  # as the patterns below understand \d: any decimal digit
_ISO = re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_WEEKDAY = re.compile(rf"\b(?P<w>{_W})\b")
_RELATIVE = KeywordRx(
    r"\b(?P<r>yesterday|today|tonight|last night|this morning|вчора|сьогодні|вчера|днес|"
    r"снощи|вчерашн\w*|сегодня|минулого року|минулої ночі|миналата година|прошлого года|"
    r"last year|this year|цього року|тази година|этого года|в этом году)\b",
    re.I,
)
_BARE_MONTH = keyword_rx(rf"\b(?:in|у|в|во|през|през месец)\s+(?P<m>{_W})\b", re.I)
_YEAR_NEXT = re.compile(r"\s+(?:19|20)\d{2}")
_REL_OFFSETS = {
    "yesterday": (-1, "day"),
    "today": (0, "day"),
    "tonight": (0, "day"),
    "last night": (-1, "day"),
    "this morning": (0, "day"),
    "вчора": (-1, "day"),
    "сьогодні": (0, "day"),
    "вчера": (-1, "day"),
    "днес": (0, "day"),
    "снощи": (-1, "day"),
    "сегодня": (0, "day"),
    "минулої ночі": (-1, "day"),
    "минулого року": (-1, "year"),
    "миналата година": (-1, "year"),
    "прошлого года": (-1, "year"),
    "last year": (-1, "year"),
    "this year": (0, "year"),
    "цього року": (0, "year"),
    "тази година": (0, "year"),
    "этого года": (0, "year"),
    "в этом году": (0, "year"),
}


def _stems(stems: list[str]) -> KeywordRx:
    """The stems as keywords: whether a sentence holds one is read from the keyword pass that
    every stage shares (see KeywordRx), for a sentence with an event done already."""
    return KeywordRx("|".join(map(re.escape, stems)), keywords=tuple(stems))


# what month_of and weekday_of look for; the lowered text that the weekday stems are looked for
# in has "'" for "’"
_MONTH_STEMS_RX = _stems([stem for stem, _ in _MONTH_STEMS])
# the only decimal digits of a plain text (see KeywordRx): a sentence without one is told by the
# shared keyword pass, not by a scan of its own
_ASCII_DIGITS = _stems(list("0123456789"))
_WEEKDAY_STEMS_RX = _stems([*_WEEKDAYS, *(s.replace("'", "’") for s in _WEEKDAYS if "'" in s)])


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _year_for(month: int, day: int, pub: dt.date) -> int:
    """Pick the year that puts day-month nearest before (or shortly after) publication."""
    cand = _safe(pub.year, month, day) or dt.date(pub.year, month, 1)
    if (cand - pub).days > 60:
        return pub.year - 1
    return pub.year


def find_dates(text: str, published: dt.date | None = None) -> list[DateMention]:
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(d: dt.date | None, prec: str, s: int, e: int) -> None:
        if d is not None and free(s, e):
            out.append(DateMention(d, prec, s, e))
            taken.append((s, e))

    # A month or weekday word holds its stem, and so does the lowered text (lowering is letter by
    # letter but for the Greek final sigma): most sentences hold no month and skip every scan
    # for one, and most hold no weekday and skip the word-by-word scan.
    months = _MONTH_STEMS_RX.may_match(text)
    # every explicit form holds a digit; most sentences have none, so skip their five scans
    explicit = (_ISO, _NUMERIC) if _ASCII_DIGITS.may_match(text) and _DIGIT.search(text) else ()
    # these two, and _MONTH_YEAR, spell out a year's "19" or "20"
    year = bool(explicit) and ("19" in text or "20" in text)
    for rx in explicit if year else ():
        for m in rx.finditer(text):
            add(_safe(int(m["y"]), int(m["m"]), int(m["d"])), "day", m.start(), m.end())
    for rx in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR) if explicit and months else ():
        for m in rx.finditer(text):
            month = month_of(m["m"])
            day = int(m["d"])
            if month is None or not 1 <= day <= 31:
                continue
            if m["y"]:
                add(_safe(int(m["y"]), month, day), "day", m.start(), m.end())
            elif published:
                add(_safe(_year_for(month, day, published), month, day), "day", m.start(), m.end())
    for m in _MONTH_YEAR.finditer(text) if year and months else ():
        month = month_of(m["m"])
        if month:
            add(dt.date(int(m["y"]), month, 1), "month", m.start(), m.end())
    if published:
        _relative(text, published, add, months)
    out.sort(key=lambda d: d.start)
    return out


def _relative(text: str, pub: dt.date, add: object, months: bool) -> None:
    """``months``: whether the text may hold a month name."""
    assert callable(add)
    for m in _RELATIVE.finditer(text):
        off, prec = _REL_OFFSETS.get(m["r"].lower(), (0, "day"))
        if prec == "year":
            add(dt.date(pub.year + off, 1, 1), "year", m.start(), m.end())
        else:
            add(pub + dt.timedelta(days=off), "day", m.start(), m.end())
    weekdays = _WEEKDAY.finditer(text) if _WEEKDAY_STEMS_RX.may_match(text) else ()
    for m in weekdays:
        word = m["w"]
        if len(word) < 5:  # checked first: most words are short, and then the stem is moot
            continue
        wd = weekday_of(word)
        if wd is None:
            continue
        back = (pub.weekday() - wd) % 7
        add(pub - dt.timedelta(days=back), "day", m.start(), m.end())
    # bare month in the article's past: "in December", "у грудні", "през юни"
    for m in _BARE_MONTH.finditer(text) if months else ():
        month = month_of(m["m"])
        if month and not _YEAR_NEXT.match(text, m.end()):
            year = pub.year if month <= pub.month else pub.year - 1
            add(dt.date(year, month, 1), "month", m.start("m"), m.end("m"))
