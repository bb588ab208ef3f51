"""Language identification restricted to the corpus languages (en, uk, bg, ru)."""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("en", "uk", "bg", "ru")
_CODES = {
    Language.ENGLISH: "en",
    Language.UKRAINIAN: "uk",
    Language.BULGARIAN: "bg",
    Language.RUSSIAN: "ru",
}
_SAMPLE_CHARS = 1200
# Letters that exist in only one of the Cyrillic languages settle most texts without a model.
_UK_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RU_ONLY = re.compile(r"[ыэёЫЭЁ]")
_CYR = re.compile(r"[а-яА-Я]")
_LAT = re.compile(r"[a-zA-Z]")


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def detect_language(text: str) -> str | None:
    sample = text[:_SAMPLE_CHARS]
    cyr = len(_CYR.findall(sample))
    lat = len(_LAT.findall(sample))
    if cyr + lat < 20:
        return None
    if lat > 4 * cyr:
        return "en"
    if cyr > 4 * lat:
        uk, ru = len(_UK_ONLY.findall(sample)), len(_RU_ONLY.findall(sample))
        if uk >= 5 and ru == 0:
            return "uk"
        if ru >= 5 and uk == 0:
            return "ru"
    lang = detector().detect_language_of(sample)
    return _CODES.get(lang) if lang else None
