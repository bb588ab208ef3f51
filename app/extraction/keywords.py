"""Keyword alternations (``\\b(?:said|according to|заявив|...)``) compiled to scan fast.

With re.I, sre has no literal prefix to skip ahead to, so it tries every alternative at every
position (or word boundary) of the text. ``keyword_rx`` adds a look-ahead for the characters the
alternatives can start with: most positions then fail on one set look-up. The look-ahead admits
every character an alternative starts with (under the same flags), so what matches, and where, is
exactly what the plain pattern gives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any, ClassVar

import ahocorasick

# a group: capturing, non-capturing, named, or one that turns flags off ("(?-i:may)" can only
# narrow what its letters match)
_GROUP = re.compile(r"\((?:\?:|\?P<\w+>|\?-[a-zA-Z]+:|(?!\?))")
_LOOKBEHIND = ("(?<!", "(?<=")
_META = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIERS = ("?", "*", "{")  # what makes the item before it optional


def keyword_rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` is an alternation (``a|\\bb|(?:c|d)e``) whose every alternative starts with a
    literal character that is not optional, maybe after ``\\b`` or a look-behind, or inside a
    group (not optional) of such alternatives. Anything else raises ValueError, so no match can
    be lost."""
    if flags & re.VERBOSE:
        raise ValueError("verbose patterns are not supported")
    alternatives = _alternatives(pattern, 0, closed=False)
    firsts = set[str]().union(*(_first_chars(alt) for alt in alternatives))
    ahead = "".join(re.escape(c) for c in sorted(firsts))
    return re.compile(f"(?=[{ahead}])(?:{pattern})", flags)


def _first_chars(alt: str) -> set[str]:
    body = alt
    while body.startswith((r"\b", *_LOOKBEHIND)):  # zero-width: the next item is what starts
        if body.startswith(r"\b"):
            body = body[2:]
        else:
            inner = _alternatives(body, 4, closed=True)
            body = body[4 + len("|".join(inner)) + 1 :]
    group = _GROUP.match(body)
    if group:
        inner = _alternatives(body, group.end(), closed=True)
        close = group.end() + len("|".join(inner))
        if body[close + 1 : close + 2] in _QUANTIFIERS:
            raise ValueError(f"alternative {alt!r} starts with an optional group")
        return set[str]().union(*(_first_chars(a) for a in inner))
    if body[:1] == "\\" and body[1:2] and not body[1].isalnum():
        first, after = body[1], body[2:3]  # an escaped literal: "\\(at\\)"
    elif body[:1] and body[0] not in _META:
        first, after = body[0], body[1:2]
    else:
        raise ValueError(f"alternative {alt!r} does not start with a literal character")
    if after in _QUANTIFIERS:
        raise ValueError(f"alternative {alt!r} starts with an optional character")
    return {first}


def _alternatives(pattern: str, start: int, closed: bool) -> list[str]:
    """The top-level alternatives of the group that opens just before ``start`` (``closed``), or
    of the whole pattern."""
    out: list[str] = []
    depth, i, begin = 0, start, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = pattern.index("]", i + 2)  # a class never holds the group's "|" or ")"
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                if not closed:
                    raise ValueError(f"unbalanced group in {pattern!r}")
                return [*out, pattern[begin:i]]
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[begin:i])
            begin = i + 1
        i += 1
    if closed or depth:
        raise ValueError(f"unbalanced group in {pattern!r}")
    return [*out, pattern[begin:]]


# Text whose every character re.IGNORECASE matches to a letter exactly when str.lower() turns it
# into that letter, one character for one: ASCII, Cyrillic and caseless punctuation (not "ı",
# "ſ", "K", rounded Cyrillic "ᲀ", which re.IGNORECASE takes for "i", "s", "k", "в"). In such a
# text a keyword occurs (as re.IGNORECASE matches it) only where the lowered text holds it
# lowered. tests/extraction/test_keyword_index.py checks every pair of these characters.
PLAIN = "\x00-\x7f\u00a0-\u00b4\u00b6-\u00bf\u0400-\u045f\u0490\u0491\u2000-\u206f"
_NOT_PLAIN = re.compile(f"[^{PLAIN}]")


@dataclass(init=False, eq=False)
class KeywordRx:
    """A ``keyword_rx`` pattern that skips the scan of a text that holds none of its keywords.

    Scanning with re.IGNORECASE costs some 50 ns a character, and most sentences hold none of
    the keywords of most patterns. Every pattern's keywords (the literal start of each
    alternative, lowered) go into one automaton shared by all patterns: one pass over a lowered
    sentence tells which patterns may match in it, and the others are not run at all. A text
    that is not all PLAIN is always scanned."""

    rx: re.Pattern[str]
    keywords: tuple[str, ...]
    id: int
    _all: ClassVar[list[KeywordRx]] = []
    _index: ClassVar[Any] = None  # the automaton of every pattern's keywords, built on first use

    def __init__(self, pattern: str, flags: int = 0, keywords: tuple[str, ...] = ()) -> None:
        """``keywords``: literal strings one of which every match holds, to use in place of the
        literal starts of the alternatives (a pattern that keyword_rx does not take is then
        compiled as it is)."""
        try:
            self.rx = keyword_rx(pattern, flags)
        except ValueError:
            if not keywords:
                raise
            self.rx = re.compile(pattern, flags)
        if not keywords:
            keywords = tuple(
                set[str]().union(*(_heads(a) for a in _alternatives(pattern, 0, closed=False)))
            )
        if not all(k and not _NOT_PLAIN.search(k) for k in keywords):
            raise ValueError(f"keywords {keywords!r} of {pattern!r} are not all plain")
        self.keywords = tuple(k.lower() for k in keywords)
        self.id = len(KeywordRx._all)
        KeywordRx._all.append(self)
        KeywordRx._index = None

    def may_match(self, text: str) -> bool:
        """False only when no match can be in ``text`` (or in any slice of it)."""
        present = _present(text, len(KeywordRx._all))
        return present is None or self.id in present

    def search(self, text: str, within: str | None = None) -> re.Match[str] | None:
        """``within``: a text that ``text`` is a slice of, whose keywords are known already."""
        return self.rx.search(text) if self.may_match(within or text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.rx.finditer(text) if self.may_match(text) else iter(())


# Every stage lowers the same sentences (the keyword pass, the trigger search, the role and
# quantity scans): the last few hundred are kept, as a sentence costs some 60 ns a character.
lower = lru_cache(maxsize=512)(str.lower)


@lru_cache(maxsize=256)
def _present(text: str, n_patterns: int) -> frozenset[int] | None:
    """Which patterns' keywords ``text`` holds, or None for a text that is not all PLAIN; the
    last sentences' answers are kept, since every stage asks about the same sentences."""
    if _NOT_PLAIN.search(text):
        return None
    index = KeywordRx._index
    if index is None or n_patterns != len(KeywordRx._all):
        index = ahocorasick.Automaton()
        for p in KeywordRx._all:
            for k in p.keywords:
                index.add_word(k, (*index.get(k, ()), p.id))
        index.make_automaton()
        KeywordRx._index = index
    return frozenset(chain.from_iterable(map(itemgetter(1), index.iter(lower(text)))))


def _heads(alt: str) -> set[str]:
    """The literal texts one of which each match of the alternative ``alt`` starts with: its
    literal characters up to the first that is not one, through groups (see _first_chars)."""
    body = alt
    while body.startswith((r"\b", *_LOOKBEHIND)):
        if body.startswith(r"\b"):
            body = body[2:]
        else:
            inner = _alternatives(body, 4, closed=True)
            body = body[4 + len("|".join(inner)) + 1 :]
    head: list[str] = []
    i = 0
    while i < len(body):
        group = _GROUP.match(body, i)
        if group:
            inner = _alternatives(body, group.end(), closed=True)
            close = group.end() + len("|".join(inner))
            if body[close + 1 : close + 2] in _QUANTIFIERS:
                break  # an optional group
            # a group of literal starts: every match goes on with one of them
            starts = set[str]().union(*(_heads(a) for a in inner))
            return {"".join(head) + h for h in starts}
        if body[i] == "\\" and body[i + 1 : i + 2] and not body[i + 1].isalnum():
            ch, n = body[i + 1], 2  # an escaped literal
        elif body[i] not in _META:
            ch, n = body[i], 1
        else:
            break
        if body[i + n : i + n + 1] in _QUANTIFIERS:
            break  # an optional character ends what every match holds
        head.append(ch)
        i += n
    return {"".join(head)}
