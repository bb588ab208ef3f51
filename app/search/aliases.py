"""An in-memory view of every actor and place alias, for cross-lingual expansion and fuzzy names.

Aliases change only when ingest meets a new entity or surface form, while every search reads them,
so the index is built once and rebuilt when the alias tables' row count or newest id moves.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from app.extraction.gazetteer import key_string
from app.extraction.gazetteer.text import normalise_alias, shape
from app.search.query import words_of

# An entity expands to at most this many alias phrases, so one term cannot bloat the MATCH.
MAX_ALIASES_PER_ENTITY = 40
# English articles: the other three languages have none, and their role phrases carry a demonym
# ("руските власти", the Russian authorities), which does name a country.
_ARTICLES = {"the", "a", "an"}


@dataclass(frozen=True, slots=True)
class EntityRef:
    kind: str  # actor | place
    id: int
    name: str

    @property
    def label(self) -> str:
        return f"entity:{self.name}"


@dataclass(slots=True)
class AliasIndex:
    version: tuple[int, ...] = ()
    # token-key string of an alias -> (entity, alias shape) pairs
    by_key: dict[str, set[tuple[EntityRef, str]]] = field(default_factory=lambda: defaultdict(set))
    phrases: dict[EntityRef, list[tuple[str, ...]]] = field(default_factory=dict)
    # normalised actor alias -> actor ids, for fuzzy name search
    actor_names: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def lookup(self, surface: str, keys: list[str]) -> set[EntityRef]:
        found: set[EntityRef] = set()
        for key in keys:
            for entity, alias_shape in self.by_key.get(key, ()):
                # "US" the country is not "us" the pronoun: acronyms must be typed in capitals.
                if alias_shape == "U" and not surface.isupper():
                    continue
                found.add(entity)
        return found


_lock = threading.Lock()
_cache: dict[str, AliasIndex] = {}

_VERSION_SQL = text(
    "SELECT (SELECT count(*) FROM actor_alias), (SELECT coalesce(max(id), 0) FROM actor_alias),"
    " (SELECT count(*) FROM place_alias), (SELECT coalesce(max(id), 0) FROM place_alias)"
)
_ROWS_SQL = text(
    "SELECT 'actor', a.id, a.name, x.alias FROM actor_alias x JOIN actor a ON a.id = x.actor_id"
    " UNION ALL "
    "SELECT 'place', p.id, p.name, x.alias FROM place_alias x JOIN place p ON p.id = x.place_id"
)


def is_role_phrase(alias: str) -> bool:
    """An alias such as "the president" or "the military": a description that extraction resolved
    to one entity in one article's context (app/extraction/roles.py) and stored as a surface form.
    It names no one, so it neither expands a search nor resolves a typed name: "Zelensky" would
    otherwise match every article that mentions a president."""
    words = alias.split()
    return len(words) > 1 and words[0].lower() in _ARTICLES and not any(c.isupper() for c in alias)


def alias_index(session: Session) -> AliasIndex:
    conn = session.connection()
    version = tuple(int(v) for v in conn.execute(_VERSION_SQL).one())
    cache_key = str(conn.engine.url)
    current = _cache.get(cache_key)
    if current is not None and current.version == version:
        return current
    index = AliasIndex(version=version)
    phrases: dict[EntityRef, dict[tuple[str, ...], None]] = defaultdict(dict)
    for kind, entity_id, name, alias in conn.execute(_ROWS_SQL).all():
        if is_role_phrase(alias):
            continue
        entity = EntityRef(kind=kind, id=int(entity_id), name=name)
        key = key_string(alias)
        if not key:
            continue
        index.by_key[key].add((entity, shape(alias.replace(" ", ""))))
        words = tuple(w.lower() for w in words_of(alias))
        if words and len(phrases[entity]) < MAX_ALIASES_PER_ENTITY:
            phrases[entity][words] = None
        if kind == "actor":
            index.actor_names[normalise_alias(alias)].add(int(entity_id))
    index.phrases = {e: list(p) for e, p in phrases.items()}
    with _lock:
        _cache[cache_key] = index
    return index
