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
from app.extraction.gazetteer.text import TOKEN_RE, token_key
from app.extraction.roles import DEM_STEMS
from app.extraction.types import Mention, Sentence, new_mention

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
    i = len(prev)
    while i:  # the last word but those in _SKIP
        last = prev[i - 1].lower()
        if last not in _SKIP:
            break
        i -= 1
    else:
        return False
    if last in _LOC_WORDS.get(lang or "en", _LOC_BEFORE["en"]):
        return verbs or last not in _VERBS
    if last == "on":
        return i > 1 and prev[i - 2].lower() in _ON_AFTER
    if last == "to":
        return i > 1 and prev[i - 2].lower() in _TO_AFTER
    return lang != "en" and last in _TRAVEL_XX


def match_sentences(
    text: str, sentences: list[Sentence], gaz: Gazetteer, language: str | None
) -> Matches:
    res = Matches()
    spaced = spaced_out(text)
    for sent in sentences:
        _match_sentence(text, spaced[sent.start : sent.end], sent, gaz, language, res)
    return res


# Characters that are never part of a token (a test checks), the commonest first. Made spaces,
# they leave the same tokens at the same offsets, and most sentences then split into their tokens
# at spaces: str.split is several times cheaper than the token regex.
_SEPARATORS = ".,\"-':()„“?”–!%;/«»—’"
_findall = TOKEN_RE.findall


def spaced_out(text: str) -> str:
    for ch in _SEPARATORS:
        if ch in text:
            text = text.replace(ch, " ")
    return text


def split_words(spaced: str) -> tuple[list[str], bool]:
    """``TOKEN_RE.findall`` of a text from the ``spaced_out`` form of it, and whether the words
    are the chunks of ``spaced`` between whitespace (``word_span`` then applies)."""
    chunks = spaced.split()
    if "".join(chunks).isalnum():  # token characters throughout: each chunk is one token
        return chunks, True
    # whitespace holds no token characters, so a chunk between whitespace holds whole tokens,
    # one when it is alphanumeric throughout (what the token class is)
    words: list[str] = []
    for c in chunks:
        if c.isalnum():
            words.append(c)
        else:
            words += _findall(c)
    return words, False


def word_span(spaced: str, words: list[str], i: int) -> tuple[int, int]:
    """Offsets of ``words[i]`` in ``spaced``, whose chunks between whitespace are ``words``: the
    rest of the text once the words on the nearer side are split off starts (or ends) there.
    That makes strings for fewer words than offsets for every word would cost loop steps."""
    n = len(words)
    if 2 * i < n:
        start = len(spaced) - len(spaced.split(None, i)[-1])
        return start, start + len(words[i])
    end = len(spaced.rsplit(None, n - 1 - i)[0])
    return end - len(words[i]), end


def word_starts(text: str, words: list[str]) -> list[int]:
    """Offsets in ``text`` of ``words``, its tokens."""
    # between a word's end and the next word's start lie only non-token characters: find()
    # lands on its start
    out = []
    pos = 0
    find = text.find
    for w in words:
        pos = find(w, pos)
        out.append(pos)
        pos += len(w)
    return out


def _pick(
    cands: list[Candidate], surface: list[str], ambiguous: set[str] | None
) -> list[Candidate]:
    """The candidates whose case shape the surface has, but an ambiguous name opening a sentence
    (``ambiguous`` is given only there). May be the gazetteer's own list: not to be changed."""
    if len(cands) == 1:  # nearly always: no list to build
        c = cands[0]
        if (
            len(c.shapes) == len(surface)
            and _shapes_ok(c.shapes, surface)
            and not (ambiguous and c.key in ambiguous)
        ):
            return cands
        return []
    ok = []
    for c in cands:
        if (
            len(c.shapes) == len(surface)
            and _shapes_ok(c.shapes, surface)
            and not (ambiguous and c.key in ambiguous)
        ):
            ok.append(c)
    return ok


def _shapes_ok(shapes: tuple[str, ...], surface: list[str]) -> bool:
    """Acronyms must be upper case; of the capitalised words only the first must stay so
    ("Ukrainian air force" is the Ukrainian Air Force, "us" is not the US)."""
    if len(shapes) == 1:  # nearly every alias: no loop
        sh = shapes[0]
        if sh == "C":
            return surface[0][:1].isupper()
        return sh != "U" or surface[0].isupper()
    first_cap = True
    for sh, tok in zip(shapes, surface, strict=True):  # _pick checked the lengths
        if sh == "C":
            if first_cap:
                if not tok[:1].isupper():
                    return False
                first_cap = False
        elif sh == "U" and not tok.isupper():
            return False
    return True


def _match_sentence(
    text: str, spaced: str, sent: Sentence, gaz: Gazetteer, lang: str | None, res: Matches
) -> None:
    words, chunked = split_words(spaced)
    if not words:
        return
    keys = list(map(token_key, words))
    s = " " + " ".join(keys) + " "
    found: list[tuple[int, int, int, int]] = []  # (-length, first token, last token, slot)
    candidates = gaz.candidates
    count_spaces = s.count
    for end_char, slot in gaz.automaton.iter(s):
        # pattern is " k1 .. kn ": it ends on the space after a key, and since every pattern
        # starts with a space it spans exactly n whole keys. Keys hold no spaces, so the key
        # that ends there is told by the spaces before it (counted only for the few hits, not
        # mapped for every word).
        i_last = count_spaces(" ", 0, end_char) - 1
        i_first = i_last - len(candidates[slot][0].shapes) + 1
        if i_first < 0:
            continue
        found.append((i_first - i_last, i_first, i_last, slot))
    if not found:
        return  # also nothing for _regions_together: no place of this sentence
    # longest first, then leftmost (a span has one slot, so the slot never decides)
    found.sort()
    used = [False] * len(words)
    n_places = len(res.places)
    starts: list[int] | None = None  # of all the words, when they are not chunks of spaced
    for _, i0, i1, slot in found:
        if True in used[i0 : i1 + 1]:
            continue
        surface = words[i0 : i1 + 1]
        cands = _pick(candidates[slot], surface, gaz.ambiguous if i0 == 0 else None)
        if not cands:
            continue
        used[i0 : i1 + 1] = [True] * (i1 + 1 - i0)
        if chunked:
            start, end = word_span(spaced, words, i0)
            if i1 != i0:
                end = word_span(spaced, words, i1)[1]
        else:
            if starts is None:
                starts = word_starts(sent.text, words)
            start, end = starts[i0], starts[i1] + len(words[i1])
        start += sent.start
        end += sent.start
        _resolve(cands, words, keys, i0, i1, sent, start, end, text, gaz, lang, res)
    if len(res.places) > n_places:
        _regions_together(res, sent, gaz)


def _resolve(
    cands: list[Candidate],
    words: list[str],
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
    if len(cands) == 1:  # nearly always: no filtering
        actor_c, place_c = ([], cands) if cands[0].is_place else (cands, [])
    else:
        actor_c = list(filterfalse(_IS_PLACE, cands))
        place_c = list(filter(_IS_PLACE, cands))
    surface = text[start:end]
    if actor_c:
        res.covered.append((start, end))
        actor_c = _prefer_default_lang(actor_c, gaz, lang)
        key = actor_c[0].key
        mention = new_mention(key, sent.index, start, end, surface)
        # "attacked Ukraine" names a target; only a preposition makes a country a location
        if key.startswith("country:") and _locative(words[max(0, i0 - 3) : i0], lang, False):
            res.country_places.append(mention)  # "a gathering in Latvia": where, not who
        else:
            res.actors.append(mention)
        return
    if len(place_c) == 1:
        curated = place_c if place_c[0].curated else []
    else:
        curated = list(filter(_CURATED, place_c))
    if not curated and (_inside_name(words, text, i1, end) or _is_demonym(surface)):
        return  # "Украинская сторона" is not the village of Ukrainka
    res.covered.append((start, end))
    pool = curated or place_c
    if len(pool) > 1 and not curated:
        pool = sorted(place_c, key=lambda c: -gaz.population.get(c.key, 0))
    key = pool[0].key
    bare = gaz.bare_regions.get(keys[i0] if i0 == i1 else " ".join(keys[i0 : i1 + 1]))
    if bare and not curated:
        region_key, default_region = bare
        window = set(map(str.lower, words[max(0, i0 - 4) : i1 + 5]))
        if default_region or window & _REGION_WORDS:
            key = region_key
        else:
            res.bare_alt[(start, end)] = region_key
    metonym = gaz.metonyms.get(key)
    # only a metonym ("Kyiv said") asks whether the name is a location or a dateline
    if metonym and not (
        _locative(words[max(0, i0 - 3) : i0], lang)
        or (i0 == 0 and surface.isupper() and len(surface) > 3)  # a dateline
    ):
        res.actors.append(new_mention(metonym, sent.index, start, end, surface))
        return
    res.places.append(new_mention(key, sent.index, start, end, surface))


def _regions_together(res: Matches, sent: Sentence, gaz: Gazetteer) -> None:
    """ "20 over the Kursk region and 11 over Bryansk": a bare name listed with regions is one."""
    # places are appended sentence by sentence: scan back only over this sentence's tail
    mine = []
    i = len(res.places) - 1
    while i >= 0 and res.places[i].sentence_index == sent.index:
        mine.append(i)
        i -= 1
    if not mine or not any(gaz.places[res.places[i].key].kind == "region" for i in mine):
        return
    for i in mine:
        m = res.places[i]
        alt = res.bare_alt.get((m.start, m.end))
        if alt:
            res.places[i] = new_mention(alt, m.sentence_index, m.start, m.end, m.text)


def _is_demonym(surface: str) -> bool:
    low = surface.lower()
    return " " not in low and low.startswith(DEM_STEMS)


def _inside_name(words: list[str], text: str, i1: int, end: int) -> bool:
    """A city name followed by another capitalised word is a first name ("Vladimir Solodov")."""
    if i1 + 1 >= len(words):
        return False
    nxt = words[i1 + 1]
    # one space between: the space at ``end``, and the next word right after it (the first
    # token character after a word starts the next word)
    return (
        text[end : end + 1] == " "
        and text[end + 1 : end + 2].isalnum()
        and nxt[:1].isupper()
        and nxt[1:].islower()
    )


def _prefer_default_lang(
    cands: list[Candidate], gaz: Gazetteer, lang: str | None
) -> list[Candidate]:
    if len(cands) < 2:
        return cands
    pref = [c for c in cands if lang in gaz.default_lang.get(c.key, frozenset())]
    return pref + [c for c in cands if c not in pref]
