"""Lemmas for search indexing and for trigger lexicons (simplemma, cached per token)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import repeat

import simplemma

from app.extraction import lemma_dictionaries as compact

# A word: letters, joined by an apostrophe or hyphen. Possessive, which changes no match (nothing
# follows that could take a letter back) and saves the engine its backtracking records.
WORD_RE = re.compile(r"[^\W\d_]++(?:[’'ʼ-][^\W\d_]++)*+")
_LANGS = {"en", "uk", "bg", "ru"}


@lru_cache(maxsize=300_000)
def lemmatise(token: str, language: str) -> str:
    """Lemma of one word, lowercased; unknown languages or words come back lowercased."""
    # "Drones", "drones" and "DRONES" share one simplemma call through the lowercased key.
    return _lemma_of_lower(token.lower().replace("’", "'").replace("ʼ", "'"), language)


# simplemma loads a language's dictionary on first use (~1 s) and does not lock: a search
# arriving while app.main's warm-up thread loads one would load it a second time beside it.
_loading = threading.Lock()
_loaded: set[str] = set()
# simplemma's default dictionaries are Python dicts (2.4 M entries for the four languages, 266 MB
# in every process); its low_memory form keeps the sorted stream with a sparse index (35 MB) and
# answers a lookup in 8-21 us instead of ~1, from the same data (identical answers, checked on
# 82,000 words). A serving worker looks up a few query words and the cached words of the odd
# posted article; an extraction worker misses thousands a second and keeps the fast form.
_compact = False


def _lemmatize(word: str, language: str) -> str:
    if _compact:
        return compact.lemmatize(word, language)
    return str(simplemma.lemmatize(word, lang=language))


def _is_known(word: str, language: str) -> bool:
    if _compact:
        return compact.is_known(word, language)
    return bool(simplemma.is_known(word, lang=language))


def use_compact_dictionaries() -> None:
    """Use simplemma's low-memory dictionaries in this process from now on. Without effect once
    a fast dictionary is loaded: answers are the same, and a second copy would only add memory."""
    global _compact
    with _loading:
        if not _loaded:
            _compact = True


def _ensure_loaded(language: str) -> None:
    if language in _loaded:
        return
    with _loading:
        if language not in _loaded:
            _lemmatize("warm", language)
            _is_known("warm", language)
            _loaded.add(language)


def is_known(word: str, language: str) -> bool:
    """simplemma.is_known, after the one load of the language's dictionary."""
    if language in _LANGS:
        _ensure_loaded(language)
    return _is_known(word, language)


@lru_cache(maxsize=300_000)
def _lemma_of_lower(low: str, language: str) -> str:
    if language not in _LANGS:
        return low
    _ensure_loaded(language)
    try:
        return _lemmatize(low, language).lower()
    except ValueError:
        return low


# A sentence with an event is tokenised for its triggers and again for its quantities (once per
# event): the last few sentences' words are kept, as a tuple, since every caller shares them.
@lru_cache(maxsize=16)
def word_tokens(text: str) -> tuple[re.Match[str], ...]:
    return tuple(WORD_RE.finditer(text))


# lemma_text looks up every word of every article: a plain dict per language answers a word
# seen before for less than the lru_cache of lemmatise, which builds a (token, language) key per
# call. Bounded by starting afresh when full; the values are lemmatise's, so output is the same.
_TEXT_CACHE_MAX = 100_000
_text_cache: dict[str, dict[str, str]] = {lang: {} for lang in _LANGS}


# Characters that are neither letters nor join two words (a test checks), the commonest first:
# made spaces, they leave the same words, and most words are then whole chunks between spaces.
_NOT_IN_WORDS = '.,"():;?!«»„“”–—%/'
_findall = WORD_RE.findall


def words_of(text: str) -> list[str]:
    """``WORD_RE.findall(text)``. Words hold no whitespace, and a chunk between whitespace that
    is letters only is one word; only the others (digits, apostrophes, hyphens) take the regex,
    several times dearer than str.split per character."""
    for ch in _NOT_IN_WORDS:
        if ch in text:
            text = text.replace(ch, " ")
    words: list[str] = []
    for chunk in text.split():
        if chunk.isalpha():
            words.append(chunk)
        else:
            words += _findall(chunk)
    return words


def lemma_text(text: str, language: str | None) -> str:
    """Space-joined lowercased lemmas of the word tokens of ``text`` (a search column)."""
    lang = language or "en"
    words = words_of(text)
    cache = _text_cache.get(lang)
    if cache is None:
        return " ".join(map(lemmatise, words, repeat(lang)))
    new = set(words).difference(cache)  # set and dict operations: no Python loop per word
    if new:
        if len(cache) + len(new) > _TEXT_CACHE_MAX:
            # a new dict, not clear(): a thread still reading the old one finds its words there
            cache = _text_cache[lang] = {}
            new = set(words)
        for word in new:
            cache[word] = lemmatise(word, lang)
    return " ".join(map(cache.__getitem__, words))


def warm_up() -> None:
    """Load the lemma dictionaries now (about a second each), not inside the first article."""
    for lang in sorted(_LANGS):
        _ensure_loaded(lang)
