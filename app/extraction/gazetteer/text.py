"""Normalisation and token keys shared by the gazetteer builder and the matcher.

A token key is the casefolded token with Cyrillic inflection endings stripped, so that
"Японії", "Японією" and "Японія" share one key; aliases and text go through the same function,
which is what makes the matching inflection-aware without a full morphological analyser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TOKEN_RE = re.compile(r"[^\W_]+")
_CYR_RE = re.compile(r"[\u0400-\u04ff]")
_APOSTROPHES = str.maketrans({c: "" for c in "'’ʼ‘`´′"})
_WS_RE = re.compile(r"\s+")

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


def strip_accents(s: str) -> str:
    """Drop diacritics from Latin letters only: Cyrillic й/ї are letters, not accented и/і."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", s):
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


@lru_cache(maxsize=200_000)
def token_key(token: str) -> str:
    t = strip_accents(token).casefold()
    if len(t) < 4 or not is_cyrillic(t):
        return t
    if len(t) >= 6 and t.endswith(_BG_ARTICLES):
        t = t[:-2]
    if t.endswith("ией"):  # ru instrumental of -ия names (Россией)
        return t[:-2]
    for suf in _SUFFIXES:
        if t.endswith(suf) and len(t) - len(suf) >= 3:
            return t[: -len(suf)]
    return t


def tokenize(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]


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
