"""Find actor and place mentions in sentences with the gazetteer automaton.

Longest match wins; case shape of the alias must agree with the text (acronyms upper case,
names capitalised), which is what keeps "US"/"us" and "Мали"/"мали" apart. Capitals and the
Kremlin are places after a locative cue ("in Kyiv", "attack on Kyiv") and actors otherwise
("Kyiv said"). Countries stay actors; a country after a locative cue is also recorded as a
candidate place (the pipeline keeps it only if an event happens there or it is never an actor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import filterfalse
from operator import attrgetter

from app.extraction.gazetteer import Candidate, Gazetteer
from app.extraction.gazetteer.text import TOKEN_SPLIT_RE, token_key
from app.extraction.roles import DEM_STEMS
from app.extraction.types import Mention, Sentence

_LOC_BEFORE = {
    "en": {
        "in",
        "at",
        "near",
        "around",
        "over",
        "into",
        "outside",
        "across",
        "toward",
        "towards",
        "inside",
        "above",
        "hit",
        "struck",
        "attacked",
        "shelled",
        "bombed",
        "targeted",
        "visited",
        "visiting",
        "reached",
        "entered",
    },
    "uk": {
        "у",
        "в",
        "на",
        "під",
        "біля",
        "поблизу",
        "над",
        "через",
        "неподалік",
        "довкола",
        "навколо",
        "відвідав",
        "відвідала",
        "відвідає",
        "відвідають",
        "атакували",
        "атакувала",
    },
    "ru": {
        "в",
        "во",
        "на",
        "под",
        "около",
        "возле",
        "над",
        "через",
        "вблизи",
        "посетил",
        "посетила",
        "посетит",
        "атаковали",
        "атаковала",
    },
    "bg": {"в", "във", "край", "около", "над", "посети", "посетил", "атакуваха"},
}
# a language's cues and the English ones, united once rather than per mention
_LOC_WORDS = {lang: words | _LOC_BEFORE["en"] for lang, words in _LOC_BEFORE.items()}
# "on"/"to" are locative only after an attack or a journey: "strike on Kyiv", "trip to Minsk",
# not "depends on Moscow" or "appealed to Tokyo".
_ON_AFTER = {
    "attack",
    "attacks",
    "strike",
    "strikes",
    "assault",
    "assaults",
    "raid",
    "raids",
    "bombing",
    "shelling",
    "offensive",
    "advance",
    "march",
    "fire",
}
_TO_AFTER = {
    "trip",
    "journey",
    "travel",
    "travelled",
    "traveled",
    "travels",
    "flew",
    "visit",
    "returned",
    "went",
    "came",
    "arrived",
    "moved",
    "headed",
    "deployed",
}
_TRAVEL_XX = {"до", "пристигна", "прибув", "прибыл", "прилетів", "прилетел"}
_SKIP = {"the", "a", "its", "his", "her", "their", "of"}
_REGION_WORDS = {
    "region",
    "regions",
    "oblast",
    "oblasts",
    "province",
    "area",
    "border",
    "област",
    "області",
    "областях",
    "областта",
    "обл",
    "регіон",
    "регіоні",
    "регион",
    "регионе",
    "региона",
    "край",
    "краї",
    "крае",
    "районі",
    "районе",
}


_IS_PLACE = attrgetter("is_place")
_CURATED = attrgetter("curated")


@dataclass
class Matches:
    actors: list[Mention] = field(default_factory=list)
    places: list[Mention] = field(default_factory=list)
    country_places: list[Mention] = field(default_factory=list)  # locative country mentions
    covered: list[tuple[int, int]] = field(default_factory=list)
    bare_alt: dict[tuple[int, int], str] = field(default_factory=dict)


_VERBS = {
    "hit",
    "struck",
    "attacked",
    "shelled",
    "bombed",
    "targeted",
    "visited",
    "visiting",
    "reached",
    "entered",
    "відвідав",
    "відвідала",
    "атакували",
    "атакувала",
    "посетил",
    "посетила",
    "атаковали",
    "атаковала",
    "посети",
    "атакуваха",
}


def _locative(prev: list[str], lang: str | None, verbs: bool = True) -> bool:
    words = list(map(str.lower, prev))
    while words and words[-1] in _SKIP:
        words.pop()
    if not words:
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last in _LOC_WORDS.get(lang or "en", _LOC_BEFORE["en"]):
        return verbs or last not in _VERBS
    if last == "on":
        return before in _ON_AFTER
    if last == "to":
        return before in _TO_AFTER
    return lang != "en" and last in _TRAVEL_XX


def match_sentences(
    text: str, sentences: list[Sentence], gaz: Gazetteer, language: str | None
) -> Matches:
    res = Matches()
    for sent in sentences:
        _match_sentence(text, sent, gaz, language, res)
    return res


def _pick(
    cands: list[Candidate], surface: list[str], gaz: Gazetteer, sentence_initial: bool
) -> list[Candidate]:
    ok = []
    for c in cands:  # one or two, mostly: a loop costs less than a comprehension
        if (
            len(c.shapes) == len(surface)
            and _shapes_ok(c.shapes, surface)
            and not (sentence_initial and c.key in gaz.ambiguous)
        ):
            ok.append(c)
    return ok


def _shapes_ok(shapes: tuple[str, ...], surface: list[str]) -> bool:
    """Acronyms must be upper case; of the capitalised words only the first must stay so
    ("Ukrainian air force" is the Ukrainian Air Force, "us" is not the US)."""
    first_cap = True
    for i, sh in enumerate(shapes):  # as long as surface: _pick checked
        tok = surface[i]
        if sh == "U" and not tok.isupper():
            return False
        if sh == "C":
            if first_cap and not tok[:1].isupper():
                return False
            first_cap = False
    return True


def _match_sentence(
    text: str, sent: Sentence, gaz: Gazetteer, lang: str | None, res: Matches
) -> None:
    # [gap, word, gap, word, ..., gap]: the gaps give the words' offsets without a search each
    parts = TOKEN_SPLIT_RE.split(sent.text)
    words = parts[1::2]
    if not words:
        return
    keys = list(map(token_key, words))
    s = " " + " ".join(keys) + " "
    found: list[tuple[int, int, int, int]] = []  # (-length, first token, last token, slot)
    for end_char, slot in gaz.automaton.iter(s):
        # pattern is " k1 .. kn ": it ends on the space after a key, and since every pattern
        # starts with a space it spans exactly n whole keys. Keys hold no spaces, so the key
        # that ends there is told by the spaces before it (counted only for the few hits, not
        # mapped for every word).
        i_last = s.count(" ", 0, end_char) - 1
        i_first = i_last - len(gaz.candidates[slot][0].shapes) + 1
        if i_first < 0:
            continue
        found.append((i_first - i_last, i_first, i_last, slot))
    if not found:
        return  # also nothing for _regions_together: no place of this sentence
    # longest first, then leftmost (a span has one slot, so the slot never decides)
    found.sort()
    used = [False] * len(words)
    for _, i0, i1, slot in found:
        if any(used[i0 : i1 + 1]):
            continue
        surface = words[i0 : i1 + 1]
        cands = _pick(gaz.candidates[slot], surface, gaz, i0 == 0)
        if not cands:
            continue
        for i in range(i0, i1 + 1):
            used[i] = True
        # what precedes word i0, then words i0..i1 with their gaps
        start = sent.start + len("".join(parts[: 2 * i0 + 1]))
        end = start + len("".join(parts[2 * i0 + 1 : 2 * i1 + 2]))
        _resolve(cands, words, parts, keys, i0, i1, sent, start, end, text, gaz, lang, res)
    _regions_together(res, sent, gaz)


def _resolve(
    cands: list[Candidate],
    words: list[str],
    parts: list[str],
    keys: list[str],
    i0: int,
    i1: int,
    sent: Sentence,
    start: int,
    end: int,
    text: str,
    gaz: Gazetteer,
    lang: str | None,
    res: Matches,
) -> None:
    actor_c = list(filterfalse(_IS_PLACE, cands))
    place_c = list(filter(_IS_PLACE, cands))
    surface = text[start:end]
    prev = words[max(0, i0 - 3) : i0]
    if actor_c:
        res.covered.append((start, end))
        actor_c = _prefer_default_lang(actor_c, gaz, lang)
        key = actor_c[0].key
        mention = Mention(key, sent.index, start, end, surface)
        # "attacked Ukraine" names a target; only a preposition makes a country a location
        if key.startswith("country:") and _locative(prev, lang, verbs=False):
            res.country_places.append(mention)  # "a gathering in Latvia": where, not who
        else:
            res.actors.append(mention)
        return
    curated = list(filter(_CURATED, place_c))
    if not curated and (_inside_name(words, parts, i1) or _is_demonym(surface)):
        return  # "Украинская сторона" is not the village of Ukrainka
    res.covered.append((start, end))
    pool = curated or sorted(place_c, key=lambda c: -gaz.population.get(c.key, 0))
    key = pool[0].key
    bare = gaz.bare_regions.get(" ".join(keys[i0 : i1 + 1]))
    if bare and not curated:
        region_key, default_region = bare
        window = set(map(str.lower, words[max(0, i0 - 4) : i1 + 5]))
        if default_region or window & _REGION_WORDS:
            key = region_key
        else:
            res.bare_alt[(start, end)] = region_key
    metonym = gaz.metonyms.get(key)
    # only a metonym ("Kyiv said") asks whether the name is a location or a dateline
    dateline = i0 == 0 and surface.isupper() and len(surface) > 3
    if metonym and not (_locative(prev, lang) or dateline):
        res.actors.append(Mention(metonym, sent.index, start, end, surface))
        return
    res.places.append(Mention(key, sent.index, start, end, surface))


def _regions_together(res: Matches, sent: Sentence, gaz: Gazetteer) -> None:
    """ "20 over the Kursk region and 11 over Bryansk": a bare name listed with regions is one."""
    # places are appended sentence by sentence: scan back only over this sentence's tail
    mine = []
    i = len(res.places) - 1
    while i >= 0 and res.places[i].sentence_index == sent.index:
        mine.append(i)
        i -= 1
    if not any(gaz.places[res.places[i].key].kind == "region" for i in mine):
        return
    for i in mine:
        m = res.places[i]
        alt = res.bare_alt.get((m.start, m.end))
        if alt:
            res.places[i] = Mention(alt, m.sentence_index, m.start, m.end, m.text)


def _is_demonym(surface: str) -> bool:
    low = surface.lower()
    return " " not in low and low.startswith(DEM_STEMS)


def _inside_name(words: list[str], parts: list[str], i1: int) -> bool:
    """A city name followed by another capitalised word is a first name ("Vladimir Solodov")."""
    if i1 + 1 >= len(words):
        return False
    nxt = words[i1 + 1]
    # parts alternate gap and word: the gap after word i1 is parts[2 * i1 + 2]
    return parts[2 * i1 + 2] == " " and nxt[:1].isupper() and nxt[1:].islower()


def _prefer_default_lang(
    cands: list[Candidate], gaz: Gazetteer, lang: str | None
) -> list[Candidate]:
    if len(cands) < 2:
        return cands
    pref = [c for c in cands if lang in gaz.default_lang.get(c.key, frozenset())]
    return pref + [c for c in cands if c not in pref]
