"""Snippets with <mark>: cut from the article's own text at word boundaries, with the inflected
forms that matched through the lemma column or an alias marked too (FTS5's snippet() can only mark
the exact tokens of one column, and would show the lemma column's base forms instead)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.extraction.keywords import keyword_rx
from app.extraction.lemmas import lemmatise
from app.search.expand import fold
from app.search.query import WORD, Expansions, Term

SNIPPET_CHARS = 240
SCAN_LIMIT = 20_000  # characters searched for a first match
_HEAD = 3  # letters of a word that pick candidate tokens
_LEAD = 60  # characters of context kept before the first mark


@dataclass(slots=True)
class Marker:
    """What to mark: single words, whole phrases, prefixes, and lemmas (checked per token in the
    article's language). A regex of the words' first letters finds candidate tokens at C speed;
    only those are judged in Python."""

    words: set[str] = field(default_factory=set)  # folded
    phrases: set[tuple[str, ...]] = field(default_factory=set)  # lowercase, as typed
    prefixes: tuple[str, ...] = ()  # folded
    lemmas: set[str] = field(default_factory=set)  # folded
    exact: set[str] = field(default_factory=set)  # the query's own words, without aliases
    _heads: set[str] = field(default_factory=set)
    _candidates: re.Pattern[str] | None = None
    _phrase_re: re.Pattern[str] | None = None
    # Tokens repeat across a page's articles; each distinct one is judged once.
    _memo: dict[tuple[str, str | None], bool] = field(default_factory=dict)

    def _add(self, words: Iterable[str]) -> None:
        words = tuple(words)
        if len(words) == 1:
            self.words.add(fold(words[0]))
            self._heads.add(words[0].lower()[:_HEAD])
        elif words:
            # "the Ukraine" must not mark every "the".
            self.phrases.add(tuple(w.lower() for w in words))

    @classmethod
    def for_terms(cls, terms: Iterable[Term], expansions: Expansions) -> Marker:
        marker = cls()
        prefixes: list[str] = []
        for term in terms:
            words = list(term.words)
            if term.prefix:
                prefixes.append(words[-1])
                words = words[:-1]
            if words:
                marker._add(words)
                marker.exact.update(fold(w) for w in words)
            exp = expansions.get(term)
            if exp is not None:
                for phrase in exp.lemmas:
                    if len(phrase) == 1:
                        marker.lemmas.add(fold(phrase[0]))
                        marker._heads.add(phrase[0].lower()[:_HEAD])
                for phrase in exp.aliases:
                    marker._add(phrase)
        marker.prefixes = tuple(fold(p) for p in prefixes)
        heads = marker._heads | {p.lower() for p in prefixes} | {fold(h) for h in marker._heads}
        if heads:
            alternatives = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
            marker._candidates = _compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")
        if marker.phrases:
            marker._phrase_re = _compile(
                "|".join(
                    r"(?<![^\W_])" + r"[\W_]+".join(re.escape(w) for w in p) + r"(?![^\W_])"
                    for p in sorted(marker.phrases)
                )
            )
        return marker

    def matches(self, token: str, language: str | None) -> bool:
        key = (token, language)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._matches(token, language)
        return found

    def _matches(self, token: str, language: str | None) -> bool:
        folded = fold(token)
        if folded in self.words or folded in self.lemmas:
            return True
        if self.prefixes and folded.startswith(self.prefixes):
            return True
        if language:
            lemma = fold(lemmatise(token, language))
            return lemma in self.lemmas or lemma in self.words
        return False

    def spans(self, text: str, language: str | None) -> list[tuple[int, int]]:
        """Marked word spans in the first window that has any (see make_snippet)."""
        stop = min(len(text), SCAN_LIMIT)
        found: list[tuple[int, int]] = []
        if self._candidates is not None:
            for m in self._candidates.finditer(text, 0, stop):
                if found and m.start() > found[0][0] + SNIPPET_CHARS:
                    break
                if self.matches(m.group(), language):
                    found.append((m.start(), m.end()))
        if self._phrase_re is not None:
            first = self._phrase_re.search(text, 0, stop)
            if first is not None and (not found or first.start() < found[0][0] + SNIPPET_CHARS):
                end = min(stop, (found[0][0] if found else first.start()) + SNIPPET_CHARS)
                for m in self._phrase_re.finditer(text, first.start(), end):
                    found.extend((w.start() + m.start(), w.end() + m.start())
                                 for w in WORD.finditer(m.group()))  # fmt: skip
        return sorted(set(found))


def _compile(pattern: str) -> re.Pattern[str]:
    # A look-ahead of the possible first letters: without it sre tries every alternative at
    # every position of up to SCAN_LIMIT characters (same matches either way).
    try:
        return keyword_rx(pattern, re.I)
    except ValueError:
        return re.compile(pattern, re.I)


def make_snippet(text: str, marker: Marker, language: str | None) -> str:
    """The passage around the first match (marks within it included), or the opening when the
    match was in the title only. Scanning stops one window after the first match: a page of long
    articles must not cost a pass over every word of each."""
    spans = marker.spans(text, language)
    start = max(0, spans[0][0] - _LEAD) if spans else 0
    # Cut at word boundaries: begin at the start of a word, end at the end of one.
    if start > 0:
        first = WORD.search(text, start)
        start = first.start() if first else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        last_end = start
        for m in WORD.finditer(text, start, end):
            if m.end() < end:
                last_end = m.end()
        end = max(last_end, start + 1)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end], quote=False))
    if end < len(text):
        out.append("…")
    return " ".join("".join(out).split())
