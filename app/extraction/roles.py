"""Actors named by role rather than by name, resolved through a role table and the context.

Three kinds of description, in all four languages:
- demonym + institution ("the Russian military", "російські спецслужби", "the Russian defence and
  foreign ministries", "the Russian side") -> the institution of that country;
- a bare institution ("the presidential administration", "the military", "the ministry") -> the
  same institution of the country the text was just talking about, or the last-named ministry;
- a person's office ("Ukraine's Defense Minister", "the minister", "the Russian leader") -> the
  last-named person holding it, never a guess from outside the text.

Pronoun subjects ("He said", "Він заявив") are resolved too, but only for event participants:
they are not stored as mentions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick

from app.extraction.gazetteer import Gazetteer
from app.extraction.keywords import KeywordRx, lower
from app.extraction.types import Mention, Sentence

# adjective stems (lower case) -> ISO3; an optional possessive "Russia's" is a demonym too
_DEMONYMS: dict[str, str] = {
    "russian": "RUS", "russia's": "RUS", "ukrainian": "UKR", "ukraine's": "UKR",
    "belarusian": "BLR", "belarus's": "BLR", "north korean": "PRK", "north korea's": "PRK",
    "japanese": "JPN", "japan's": "JPN", "american": "USA", "chinese": "CHN", "china's": "CHN",
    "british": "GBR", "german": "DEU", "french": "FRA", "polish": "POL",
    "російськ": "RUS", "українськ": "UKR", "білоруськ": "BLR", "північнокорейськ": "PRK",
    "японськ": "JPN", "американськ": "USA", "китайськ": "CHN", "британськ": "GBR",
    "німецьк": "DEU", "французьк": "FRA", "польськ": "POL",
    "российск": "RUS", "русск": "RUS", "украинск": "UKR", "белорусск": "BLR",
    "северокорейск": "PRK", "японск": "JPN", "американск": "USA", "китайск": "CHN",
    "британск": "GBR", "немецк": "DEU", "французск": "FRA", "польск": "POL",
    "руск": "RUS", "беларуск": "BLR", "севернокорейск": "PRK", "германск": "DEU",
    "френск": "FRA", "полск": "POL",
}  # fmt: skip
_DEM_ALT = "|".join(
    re.escape(k).replace("'", "['’]") + (r"\w*" if not k.endswith(("n", "'s", "h", "e")) else "")
    for k in sorted(_DEMONYMS, key=len, reverse=True)
)

# institution -> noun phrase patterns; "military" as a noun only (not "military aid")
_INSTITUTIONS: dict[str, str] = {
    "mod": r"defen[cs]e ministry|ministry of defen[cs]e|міністерств\w* оборони|міноборони|"
    r"министерств\w* обороны|минобороны|министерство(?:то)? на отбраната|"
    r"военно(?:то)? министерство",
    "mfa": r"foreign ministry|ministry of foreign affairs|мзс|міністерств\w* закордонних справ|"
    r"мид|министерств\w* иностранных дел|външно(?:то)? министерство|"
    r"министерство(?:то)? на външните работи",
    "armed_forces": r"armed forces|army|troops|forces|soldiers|servicemen|artillery|"
    r"артилері\w*|артиллери\w*|артилерия(?:та)?|"
    r"military(?!\s+(?:action|activit|operation|aid|assistance|equipment|exercise|drill|base|"
    r"unit|official|expert|analyst|intelligence|leader|command|hardware|spending|budget|"
    r"production|presence|build|infrastructure|target|facilit|cooperation|partnership|"
    r"collaboration|vehicle|aircraft|threat|support|ties|alliance|doctrine|campaign|training|"
    r"blogger|court|prosecutor|administration|plane|personnel|bases|industr|sites?\b))|"
    r"військов\w+|армі[яїю]|війська|військ|збройн\w+ сил\w*|окупант\w*|"
    r"военн(?:ые|ых|ым|ыми)|арми[яиюей]|войск\w*|вооруж[её]нн\w+ сил\w*|"
    r"армия(?:та)?|военни(?:те)?|войски(?:те)?|въоръжени(?:те)? сили",
    "special_services": r"special services|intelligence services|security services|"
    r"спецслужб\w*|тайни(?:те)? служби|специални(?:те)? служби",
    "presidential_administration": r"presidential administration|presidential office|"
    r"адміністраці\w* президента|офіс\w* президента|администраци\w* президента|"
    r"президентска(?:та)? администрация|администрацията на президента",
    "air_force": r"air force|повітрян\w+ сил\w*|военновъздушни(?:те)? сили|ввс",
    "side": r"side|authorities|сторон\w+|влад\w+|власт\w+|страна(?:та)?|власти(?:те)?",
}
# ("country", institution) -> actor key; a country's side or authorities is the country itself
_ROLE_KEYS: dict[tuple[str, str], str] = {
    ("RUS", "mod"): "ru-mod", ("RUS", "mfa"): "ru-mfa", ("RUS", "armed_forces"): "ru-armed-forces",
    ("RUS", "special_services"): "ru-special-services",
    ("RUS", "presidential_administration"): "ru-presidential-administration",
    ("RUS", "air_force"): "ru-aerospace-forces",
    ("UKR", "mod"): "ua-mod", ("UKR", "mfa"): "ua-mfa", ("UKR", "armed_forces"): "ua-afu",
    ("UKR", "special_services"): "ua-special-services",
    ("UKR", "presidential_administration"): "ua-president-office",
    ("UKR", "air_force"): "ua-air-force",
    ("JPN", "mod"): "jp-mod", ("JPN", "mfa"): "jp-mofa",
    ("PRK", "armed_forces"): "kpa", ("CHN", "armed_forces"): "pla",
    ("USA", "mod"): "us-dod", ("USA", "mfa"): "us-state-dept",
    ("USA", "armed_forces"): "us-armed-forces",
}  # fmt: skip
_INST_ALT = "|".join(f"(?P<{k}>{v})" for k, v in _INSTITUTIONS.items())
_WB = r"(?<![\w-])"
_DEM_INST = re.compile(
    rf"{_WB}(?P<dem>{_DEM_ALT})(?:\s+(?:and|і|та|и)\s+(?P<dem2>{_DEM_ALT}))?\s+"
    rf"(?:(?:defen[cs]e|foreign)\s+and\s+)?(?:{_INST_ALT})(?![\w-])",
    re.I,
)
# "Moscow's soldiers", "Putin's troops": the institution of the possessor's country
_POSSESSED = re.compile(rf"['’]s\s+(?:{_INST_ALT})(?![\w-])", re.I)
# "the Russian defence and foreign ministries": two institutions behind one demonym
_TWO_MINISTRIES = KeywordRx(
    rf"{_WB}(?P<dem>{_DEM_ALT})\s+defen[cs]e\s+and\s+foreign\s+ministries(?![\w-])",
    re.I,
    keywords=("ministries",),
)
_BARE = KeywordRx(
    r"(?<![\w-])(?:the|this|that|цей|це|ця|этот|это|эта)\s+(?:"
    r"(?P<presidential_administration>presidential administration|presidential office)|"
    r"(?P<mod>defen[cs]e ministry)|(?P<mfa>foreign ministry)|(?P<ministry>ministry)|"
    r"(?P<armed_forces>military|army)(?=\s*(?:[,.;:]|and\b|has\b|have\b|said\b|says\b|is\b|was\b))"
    r")(?![\w-])"
    r"|(?<![\w-])(?P<special_services>special services|спецслужб\w*)(?![\w-])",
    re.I,
)
# A person named by office: resolved to the last-named person whose description says so.
_OFFICE = KeywordRx(
    rf"(?:{_WB}(?P<dem>{_DEM_ALT})\s+|(?<![\w-])the\s+)"
    r"(?P<office>defen[cs]e minister|foreign minister|prime minister|minister|president|leader|"
    r"head of state)(?![\w-])(?!\s+of\b)(?!\s+[A-Z])",
    re.I,
)
_OFFICE_WORDS = {
    "defense minister": ("minister of defence", "minister of defense"),
    "defence minister": ("minister of defence", "minister of defense"),
    "foreign minister": ("minister of foreign affairs",),
    "prime minister": ("prime minister",),
    "minister": ("minister",),
    "president": ("president of",),
    "leader": ("president of", "prime minister", "leader"),
    "head of state": ("president of",),
}
_PRONOUN = re.compile(
    r"^(?:[\"«„“]\s*)?(?:he|she|він|вона|той|тя|он|она)\b|"
    r"^(?:his|her|його|її|неговия|нейния|его|ее)\s+\w+",
    re.I,
)
_CONTEXT_SENTENCES = 3
DEM_STEMS = tuple({k.split("'")[0] for k in _DEMONYMS})


_BARE_WORDS = (
    "presidential", "ministry", "military", "army", "special services", "спецслужб",
    "minister", "president", "leader", "head of state",
)  # fmt: skip


def _stem_finder() -> ahocorasick.Automaton:
    # every stem occurrence of a sentence in one pass (a find() per stem per sentence cost more
    # than the rest of this module), and in the same pass whether it holds a bare word (value 0)
    finder = ahocorasick.Automaton()
    for stem in DEM_STEMS:
        finder.add_word(stem, len(stem))
    for word in _BARE_WORDS:
        finder.add_word(word, 0)
    finder.make_automaton()
    return finder


_DEM_FINDER = _stem_finder()


@dataclass
class RoleMentions:
    mentions: list[Mention]  # descriptions that name an actor: stored like any mention
    pronouns: list[Mention]  # subjects resolved for event participants only


def find_role_mentions(
    body: str,
    sentences: list[Sentence],
    named: list[Mention],
    covered: list[tuple[int, int]],
    gaz: Gazetteer,
) -> RoleMentions:
    spans = sorted(covered)
    found: list[Mention] = []
    pronouns: list[Mention] = []
    ordered = sorted(named, key=lambda m: m.start)
    starts = [m.start for m in ordered]

    def free(a: int, b: int) -> bool:
        i = bisect.bisect_left(spans, (b, b))
        return not (i > 0 and spans[i - 1][1] > a) and not any(
            m.start < b and a < m.end for m in found
        )

    def add(key: str | None, sent: Sentence, a: int, b: int) -> None:
        if key and key in gaz.actors and free(a, b):
            found.append(Mention(key, sent.index, a, b, body[a:b]))

    by_sent: dict[int, list[Mention]] = {}
    for x in ordered:
        by_sent.setdefault(x.sentence_index, []).append(x)
    for sent in sentences:
        off = sent.start
        low = lower(sent.text)
        # cheap substring checks first: most sentences name no role at all
        hits = list(_DEM_FINDER.iter(low))
        dem_at = [end - n + 1 for end, n in hits if n]
        if dem_at:
            _demonym_roles(sent, body, gaz, found, free, add, dem_at)
        for x in by_sent.get(sent.index, ()) if "s " in low else ():
            pm = _POSSESSED.match(body, x.end, sent.end)
            inst = next((k for k in _INSTITUTIONS if pm and pm.group(k)), None)
            c = _country_of(x.key, gaz)
            if pm and inst and inst != "side" and c:
                add(_ROLE_KEYS.get((c, inst)), sent, x.start, x.end + pm.end() - pm.start())
        if len(dem_at) < len(hits):  # a bare word
            _described(sent, ordered, starts, found, gaz, add)
        pm = _PRONOUN.match(sent.text)
        if pm:
            a = off + pm.start()
            i = bisect.bisect_left(starts, a)
            prev = ordered[max(0, i - 8) : i]
            key = (
                next(
                    (
                        x.key
                        for x in reversed(prev)
                        if sent.index - x.sentence_index <= 2
                        and (ent := gaz.actors.get(x.key)) is not None
                        and ent.kind == "person"
                    ),
                    None,
                )
                if prev
                else None
            )
            if key:
                pronouns.append(
                    Mention(key, sent.index, a, off + pm.end(), body[a : off + pm.end()])
                )
    return RoleMentions(found, pronouns)


def _described(
    sent: Sentence,
    ordered: list[Mention],
    starts: list[int],
    found: list[Mention],
    gaz: Gazetteer,
    add: Callable[[str | None, Sentence, int, int], None],
) -> None:
    """Bare institutions and offices, resolved against what the text named just before."""
    off = sent.start
    for m in _BARE.finditer(sent.text):
        a = off + m.start()
        inst = next(k for k in ("ministry", *_INSTITUTIONS) if m.groupdict().get(k))
        before = ordered[: bisect.bisect_left(starts, a)] + [x for x in found if x.end <= a]
        before = [x for x in before if sent.index - x.sentence_index <= _CONTEXT_SENTENCES]
        before.sort(key=lambda x: x.start)
        if inst == "ministry":
            key = next((x.key for x in reversed(before) if _is_ministry(x.key, gaz)), None)
        else:
            c = next((cc for x in reversed(before) if (cc := _country_of(x.key, gaz))), None)
            key = _ROLE_KEYS.get((c, inst)) if c else None
        add(key, sent, a, off + m.end())
    for m in _OFFICE.finditer(sent.text):
        a = off + m.start()
        dem = m.group("dem")
        c = _country(dem) if dem else None
        want = _OFFICE_WORDS[m.group("office").lower()]
        before = ordered[: bisect.bisect_left(starts, a)]
        key = next(
            (x.key for x in reversed(before) if _holds(x.key, gaz, want, c)),
            None,
        )
        add(key, sent, a, off + m.end())


def _demonym_roles(
    sent: Sentence,
    body: str,
    gaz: Gazetteer,
    found: list[Mention],
    free: Callable[[int, int], bool],
    add: Callable[[str | None, Sentence, int, int], None],
    dem_at: list[int],
) -> None:
    off = sent.start
    for m in _TWO_MINISTRIES.finditer(sent.text):
        c = _country(m.group("dem"))
        a, b = off + m.start(), off + m.end()
        if free(a, b):
            for inst in ("mod", "mfa"):
                key = _ROLE_KEYS.get((c or "", inst))
                if key in gaz.actors:
                    found.append(Mention(key, sent.index, a, b, body[a:b]))
    for m in _dem_inst_matches(sent.text, dem_at):
        inst = next(k for k in _INSTITUTIONS if m.group(k))
        a, b = off + m.start(), off + m.end()
        keys = []
        for dem in (m.group("dem"), m.group("dem2")):
            c = _country(dem) if dem else None
            keys.append(f"country:{c}" if inst == "side" else _ROLE_KEYS.get((c or "", inst)))
        if m.group("dem2"):  # "Russian and Chinese armed forces": the second may be known
            add(keys[0], sent, a, off + m.end("dem"))
            add(keys[1], sent, off + m.start("dem2"), b)
            continue
        known = [k for k in keys if k and k in gaz.actors]
        if known and free(a, b):
            for key in dict.fromkeys(known):
                found.append(Mention(key, sent.index, a, b, body[a:b]))


def _dem_inst_matches(text: str, dem_at: list[int]) -> list[re.Match[str]]:
    """``_DEM_INST`` tried only where a demonym starts (``dem_at``: where a stem occurs in the
    lowered text): a scan with the whole alternation costs more than the rest of this module."""
    low = lower(text)
    starts = {i for i in dem_at if i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "-")}
    out: list[re.Match[str]] = []
    end = -1
    for i in sorted(starts):
        if i < end:
            continue
        m = _DEM_INST.match(text, i)
        if m:
            out.append(m)
            end = m.end()
    return out


def _country(demonym: str) -> str | None:
    low = demonym.lower().replace("’", "'")
    for stem in sorted(_DEMONYMS, key=len, reverse=True):
        if low.startswith(stem):
            return _DEMONYMS[stem]
    return None


def _country_of(key: str, gaz: Gazetteer) -> str | None:
    a = gaz.actors.get(key)
    return a.country if a else None


def _is_ministry(key: str, gaz: Gazetteer) -> bool:
    a = gaz.actors.get(key)
    return a is not None and a.kind == "organization" and "ministry" in a.name.lower()


def _holds(key: str, gaz: Gazetteer, want: tuple[str, ...], country: str | None) -> bool:
    a = gaz.actors.get(key)
    if a is None or a.kind != "person" or not a.description:
        return False
    if country and a.country != country:
        return False
    desc = a.description.lower()
    return any(w in desc for w in want) and "spokes" not in desc
