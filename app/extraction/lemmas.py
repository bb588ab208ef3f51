"""Lemmas for search indexing and for trigger lexicons (simplemma, cached per token)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

import simplemma

_WORD_RE = re.compile(r"[^\W\d_]+(?:[’'ʼ-][^\W\d_]+)*")
_LANGS = {"en", "uk", "bg", "ru"}


@lru_cache(maxsize=300_000)
def lemmatise(token: str, language: str) -> str:
    """Lemma of one word, lowercased; unknown languages or words come back lowercased."""
    # "Drones", "drones" and "DRONES" share one simplemma call through the lowercased key.
    return _lemma_of_lower(token.lower().replace("’", "'").replace("ʼ", "'"), language)


@lru_cache(maxsize=300_000)
def _lemma_of_lower(low: str, language: str) -> str:
    if language not in _LANGS:
        return low
    try:
        return str(simplemma.lemmatize(low, lang=language)).lower()
    except ValueError:
        return low


def word_tokens(text: str) -> list[re.Match[str]]:
    return list(_WORD_RE.finditer(text))


def lemma_text(text: str, language: str | None) -> str:
    """Space-joined lowercased lemmas of the word tokens of ``text`` (a search column)."""
    lang = language or "en"
    # findall gives the words without a Match object each (the pattern has no capture group),
    # and map() calls the cached lemmatise without a Python-level loop
    return " ".join(map(lemmatise, _WORD_RE.findall(text), repeat(lang)))


def warm_up() -> None:
    """Load the lemma dictionaries now (about a second each), not inside the first article."""
    for lang in sorted(_LANGS):
        lemmatise("warm", lang)
        simplemma.is_known("warm", lang=lang)
