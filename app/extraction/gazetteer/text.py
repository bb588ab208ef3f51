"""Normalisation and token keys shared by the gazetteer builder and the matcher.

A token key is the casefolded token with Cyrillic inflection endings stripped, so that
"Японії", "Японією" and "Японія" share one key; aliases and text go through the same function,
which is what makes the matching inflection-aware without a full morphological analyser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

TOKEN_RE = re.compile(r"[^\W_]+")
_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_APOSTROPHES = str.maketrans({c: "" for c in "'’ʼ‘`´′"})
_WS_RE = re.compile(r"\s+")
_ASCII_RE = re.compile(r"[\x00-\x7f]")

# Case/number endings of uk, ru and bg nouns and adjectives, longest first. Stripping the longest
# ending that leaves a stem of 3+ letters is crude but symmetric (text and aliases alike).
# -ов/-ев/-ів/-ей are left alone: they end surnames (Лавров, Лаврова) more often than they inflect.
_SUFFIXES = sorted(
    {
        "ями",
        "ами",
        "ого",
        "ому",
        "ему",
        "его",
        "ими",
        "ыми",
        "ий",
        "ій",
        "ый",
        "ой",
        "ою",
        "ею",
        "єю",
        "ом",
        "ем",
        "ім",
        "ам",
        "ям",
        "ах",
        "ях",
        "ых",
        "их",
        "ої",
        "ую",
        "юю",
        "ая",
        "яя",
        "ое",
        "ее",
        "ьо",
        "им",
        "ым",
        "ью",
        "а",
        "я",
        "у",
        "ю",
        "і",
        "и",
        "ы",
        "е",
        "є",
        "о",
        "ї",
        "й",
        "ь",
    },
    key=len,
    reverse=True,
)
_BG_ARTICLES = ("ът", "ят", "та", "то", "те")
# The same endings by length, longest first: one set look-up per length instead of a scan of
# every ending (two endings of one length cannot both end a word, so the order within is moot).
_SUFFIXES_BY_LEN = [
    (n, frozenset(x for x in _SUFFIXES if len(x) == n))
    for n in sorted({len(x) for x in _SUFFIXES}, reverse=True)
]


def strip_accents(s: str) -> str:
    """Drop diacritics from Latin letters only: Cyrillic й/ї are letters, not accented и/і."""
    nfd = unicodedata.normalize("NFD", s)
    # Only a mark right after an ASCII letter goes: with no ASCII (most Cyrillic words) or
    # nothing but ASCII (no marks at all) there is nothing to drop, so skip the per-letter loop.
    if nfd.isascii() or not _ASCII_RE.search(nfd):
        return unicodedata.normalize("NFC", nfd).replace("ё", "е").replace("Ё", "Е")
    out: list[str] = []
    for ch in nfd:
        if unicodedata.combining(ch):
            prev = out[-1] if out else ""
            if prev and prev.isascii():
                continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).replace("ё", "е").replace("Ё", "Е")


def normalise_alias(s: str) -> str:
    """Canonical comparison form of a name: casefolded, unaccented, no apostrophes, one space."""
    s = strip_accents(s).translate(_APOSTROPHES).casefold()
    s = s.replace("-", " ").replace(".", " ")
    return _WS_RE.sub(" ", s).strip()


def is_cyrillic(s: str) -> bool:
    return bool(_CYR_RE.search(s))


def _token_key(token: str) -> str:
    t = strip_accents(token).casefold()
    if len(t) < 4 or not is_cyrillic(t):
        return t
    if len(t) >= 6 and t.endswith(_BG_ARTICLES):
        t = t[:-2]
    if t.endswith("ией"):  # ru instrumental of -ия names (Россией)
        return t[:-2]
    for n, endings in _SUFFIXES_BY_LEN:
        if len(t) - n >= 3 and t[-n:] in endings:
            return t[:-n]
    return t


class _KeyMemo(dict[str, str]):
    """Keys computed once per distinct token. Its bound __getitem__ is one C call per lookup,
    several times cheaper than an lru_cache's, and the matcher looks up every word."""

    def __missing__(self, token: str) -> str:
        if len(self) >= 200_000:
            self.clear()  # bounded, as the lru_cache it replaces was
        key = self[token] = _token_key(token)
        return key


token_key: Callable[[str], str] = _KeyMemo().__getitem__


def tokenize(text: str) -> list[tuple[int, int, str]]:
    return token_spans(text, TOKEN_RE.findall(text))


def token_spans(text: str, tokens: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, token) for ``tokens``, the TOKEN_RE.findall of ``text``.

    findall + find beats a Match object per token. Tokens are maximal runs of word characters,
    so only non-word characters lie between one token's end and the next one's start, and the
    next token cannot occur there: find() lands on its start."""
    out = []
    pos = 0
    find = text.find
    for tok in tokens:
        pos = find(tok, pos)
        end = pos + len(tok)
        out.append((pos, end, tok))
        pos = end
    return out


def shape(token: str) -> str:
    """U: acronym (must be upper in text), C: capitalised, D: digits, L: free."""
    if token.isdigit():
        return "D"
    if len(token) > 1 and token.isupper():
        return "U"
    if token[:1].isupper():
        return "C"
    return "L"


def shape_ok(alias_shape: str, surface: str) -> bool:
    if alias_shape == "U":
        return surface.isupper()
    if alias_shape == "C":
        return surface[:1].isupper()
    return True
