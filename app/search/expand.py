"""What a query term also matches: its lemmas in every configured language, and the aliases of
the actor or place it names, in every language (so `Japan` finds `Японія` and `Япония`).

Articles are lemmatised in their own language, but a query's language is unknown (`Харкові` could
be typed by anyone), so query words are lemmatised in all of them; a wrong-language lemma only
adds an alternative that the lemma column rarely contains.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlmodel import Session

from app.extraction.gazetteer import key_string
from app.extraction.lemmas import lemmatise
from app.search.aliases import EntityRef, alias_index
from app.search.query import Expansion, Query, RawQuery, Term, lemma_phrases

# Endings tried when simplemma does not know a word (it leaves bg `дронове` as it is); a stem
# is used only if the lemma column already holds it, so a guess cannot invent matches.
_STEM_SUFFIXES = sorted(
    {
        "овете",
        "евете",
        "ите",
        "ове",
        "еве",
        "ата",
        "ята",
        "ът",
        "ят",
        "та",
        "то",
        "те",
        "ами",
        "ями",
        "ові",
        "еві",
        "ого",
        "ому",
        "ему",
        "ими",
        "ыми",
        "ів",
        "ах",
        "ях",
        "ам",
        "ям",
        "ом",
        "ем",
        "ою",
        "ею",
        "ей",
        "ой",
        "ий",
        "ый",
        "ї",
        "і",
        "а",
        "я",
        "у",
        "ю",
        "и",
        "е",
        "ы",
    },
    key=len,
    reverse=True,
)
_MIN_STEM = 4


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """The form FTS5's unicode61 tokenizer (remove_diacritics 2) indexes: no accents, no case."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ).casefold()


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


@lru_cache(maxsize=50_000)
def word_lemmas(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lemmatise(word, lang) for lang in languages))


def stem_candidates(word: str) -> list[str]:
    low = word.lower()
    if len(low) <= _MIN_STEM or not _is_cyrillic(low):
        return []
    return [
        low[: -len(suffix)]
        for suffix in _STEM_SUFFIXES
        if low.endswith(suffix) and len(low) - len(suffix) >= _MIN_STEM
    ]


@dataclass(slots=True)
class Plan:
    """A parsed query with everything its terms expand to: what a backend renders."""

    query: Query | RawQuery
    expansions: dict[Term, Expansion] = field(default_factory=dict)
    entities: dict[Term, tuple[EntityRef, ...]] = field(default_factory=dict)

    @property
    def raw(self) -> bool:
        return isinstance(self.query, RawQuery)

    def all_entities(self) -> list[EntityRef]:
        return list(dict.fromkeys(e for es in self.entities.values() for e in es))


def _contains(
    alias: tuple[str, ...],
    own: tuple[str, ...],
    lemmas: tuple[tuple[str, ...], ...],
    prefix: bool,
) -> bool:
    """An alias that holds the term itself (`the ukraine` for `Ukraine`) finds next to nothing
    the term does not, yet a phrase with a stop word costs a pass over that word's positions in
    every article (70 ms at 100,000 articles): it is left out."""
    if prefix:
        return False
    folded = tuple(fold(w) for w in alias)
    for words in (own, *lemmas):
        n = len(words)
        target = tuple(fold(w) for w in words)
        if any(folded[i : i + n] == target for i in range(len(folded) - n + 1)):
            return True
    return False


def plan_query(
    session: Session,
    query: Query | RawQuery,
    *,
    languages: Sequence[str],
    expand_entities: bool,
    known_lemmas: Callable[[Iterable[str]], set[str]],
) -> Plan:
    plan = Plan(query=query)
    if isinstance(query, RawQuery):
        return plan
    langs = tuple(languages)
    terms = list(dict.fromkeys(query.terms))
    stems: dict[str, list[str]] = {}
    for term in terms:
        if not term.quoted and not term.prefix and len(term.words) == 1:
            stems[term.words[0]] = stem_candidates(term.words[0])
    wanted = {s for cands in stems.values() for s in cands}
    verified = known_lemmas(wanted) if wanted else set()
    index = alias_index(session) if expand_entities else None
    for term in terms:
        lemmas: tuple[tuple[str, ...], ...] = ()
        if not term.quoted and not term.prefix:

            def lemmas_of(word: str) -> list[str]:
                found = list(word_lemmas(word, langs))
                return found + [s for s in stems.get(word, []) if s in verified]

            lemmas = lemma_phrases(term, lemmas_of)
        entities: set[EntityRef] = set()
        if index is not None and not term.prefix:
            keys = {key_string(term.text)} | {key_string(" ".join(p)) for p in lemmas}
            entities = index.lookup(term.text, sorted(k for k in keys if k))
        own = tuple(w.lower() for w in term.words)
        aliases = tuple(
            dict.fromkeys(
                p
                for e in sorted(entities, key=lambda e: (e.kind, e.id))
                for p in index.phrases.get(e, [])
            )
            if index is not None
            else ()
        )
        aliases = tuple(
            p for p in aliases if p not in lemmas and not _contains(p, own, lemmas, term.prefix)
        )
        if lemmas or aliases:
            plan.expansions[term] = Expansion(
                lemmas=lemmas, aliases=aliases, entities=tuple(e.name for e in entities)
            )
        if entities:
            plan.entities[term] = tuple(sorted(entities, key=lambda e: (e.kind, e.id)))
    return plan
