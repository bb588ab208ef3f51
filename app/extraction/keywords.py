"""Keyword alternations (``\\b(?:said|according to|заявив|...)``) compiled to scan fast.

With re.I, sre has no literal prefix to skip ahead to, so it tries every alternative at every
position (or word boundary) of the text. ``keyword_rx`` adds a look-ahead for the characters the
alternatives can start with: most positions then fail on one set look-up. The look-ahead admits
every character an alternative starts with (under the same flags), so what matches, and where, is
exactly what the plain pattern gives.
"""

from __future__ import annotations

import re

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
