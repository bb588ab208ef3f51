"""Sentence-level PLOVER event detection from trigger lexicons (events.yaml).

For each sentence: find triggers (lemma, surface prefix or lemma sequence), keep the strongest
types, take the source from the actor mentions before the trigger (or after "by"), the target
from those after it, the reporter from attribution cues ("according to", "X said", "за даними"),
and the modality from cue words around the trigger.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from app.extraction.keywords import KeywordRx, keyword_rx, lower
from app.extraction.lemmas import WORD_RE, lemmatise
from app.extraction.types import Mention, Sentence

LEXICON_FILE = Path(__file__).with_name("events.yaml")
# libyaml's safe loader reads the lexicon in a tenth of the time (every worker reads it once,
# inside its first article); tests/extraction/test_lexicon_loader.py checks it reads the same
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Part = tuple[bool, str]  # (is_prefix, text)


@dataclass
class TypeLexicon:
    type: str
    priority: int
    triggers: dict[str, list[tuple[Part, ...]]]
    modes: list[tuple[str, dict[str, list[tuple[Part, ...]]]]]
    exclude: tuple[str, ...] = ()


@dataclass(slots=True)
class Words:
    """The words of a sentence as parallel lists: an object per word cost more than the
    trigger search itself."""

    lows: list[str]
    lemmas: list[str]  # the lows themselves outside English
    # the lowered sentence cut at its words (text between words, word, text between words, ...,
    # the lows at the odd places): a word's offset is a sum of lengths, taken for the word or two
    # of a trigger only, where a span per word cost more than the rest of the search
    parts: list[str]

    def start(self, i: int) -> int:
        return sum(map(len, self.parts[: 2 * i + 1]))


@dataclass
class Trigger:
    type: str
    mode: str | None
    tok: int
    start: int
    end: int
    priority: int


@dataclass
class SentenceEvent:
    trigger: Trigger
    sources: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    reporter: str | None = None
    modality: str = "asserted"


def _parts(entry: str) -> tuple[Part, ...]:
    return tuple((w.endswith("*"), w.rstrip("*").lower()) for w in str(entry).split())


@lru_cache(maxsize=1)
def lexicon() -> list[TypeLexicon]:
    with LEXICON_FILE.open(encoding="utf-8") as fh:
        raw: dict[str, Any] = yaml.load(fh, Loader=_YAML_LOADER)
    out = []
    for etype, spec in raw.items():
        trig = {lang: [_parts(e) for e in v] for lang, v in spec["triggers"].items()}
        modes = [
            (m, {lang: [_parts(e) for e in v] for lang, v in cues.items()})
            for m, cues in (spec.get("modes") or {}).items()
        ]
        out.append(
            TypeLexicon(
                etype,
                int(spec.get("priority", 5)),
                trig,
                modes,
                tuple(spec.get("exclude_prefix") or ()),
            )
        )
    return out


def _lowered(text: str) -> str:
    """``text`` lowered letter for letter, so that its offsets are the text's."""
    lowered = lower(text).replace("’", "'")
    if len(lowered) != len(text):  # a few letters ("İ") lower to two: slice per token then
        lowered = "".join(ch.lower()[:1] for ch in text).replace("’", "'")
    return lowered


_WORDS_AND_GAPS = re.compile(f"({WORD_RE.pattern})")


def tokens_of(text: str, lang: str, lowered: str | None = None) -> Words:
    # The uk/bg/ru lexicons are written as surface prefixes, so only English needs lemmas
    # (attacked -> attack); skipping simplemma elsewhere halves the cost of this stage.
    if lowered is None:
        lowered = _lowered(text)
    # Lowering keeps a letter a letter and anything else not (and "’" a joiner), character for
    # character: the words of the lowered text are the text's words, lowered, found in one split
    # without a Match object each (tests/extraction/test_perf_b_words.py checks every character).
    parts = _WORDS_AND_GAPS.split(lowered)
    lows = parts[1::2]
    return Words(lows, list(map(lemmatise, lows, repeat(lang))) if lang == "en" else lows, parts)


def _match_at(words: Words, i: int, pattern: tuple[Part, ...]) -> bool:
    if i + len(pattern) > len(words.lows):
        return False
    for k, (is_prefix, text) in enumerate(pattern):
        low = words.lows[i + k]
        if not (low.startswith(text) if is_prefix else words.lemmas[i + k] == text or low == text):
            return False
    return True


def _cue_needles(cues: list[tuple[Part, ...]]) -> tuple[str, ...]:
    """A cue as a substring of the space-joined words: a prefix cue's last word may continue."""
    return tuple(" " + " ".join(p for _, p in cue) + ("" if cue[-1][0] else " ") for cue in cues)


_second = itemgetter(1)


def _cue_finder(needles: list[tuple[str, ...]]) -> Any:
    """One automaton of the needles of an event type's modes, each valued by its mode's rank: the
    first mode with a cue in the sentence is the least rank found, in one pass over the sentence
    where containment tests cost a pass per cue."""
    if not any(needles):
        return None
    finder = ahocorasick.Automaton()
    for rank, cues in enumerate(needles):
        for needle in cues:
            if needle not in finder:  # a cue of two modes counts for the first
                finder.add_word(needle, rank)
    finder.make_automaton()
    return finder


@dataclass
class _Index:
    """First-word index of all trigger patterns of one language: exact words and prefixes."""

    exact: dict[str, list[tuple[TypeLexicon, tuple[Part, ...]]]]
    prefix: dict[str, list[tuple[TypeLexicon, tuple[Part, ...]]]]  # keyed by first 3 chars
    short: list[tuple[TypeLexicon, tuple[Part, ...]]]  # prefixes under 3 chars
    # per event type, its modes and an automaton of their cues (this language's, then English)
    # as needles
    modes: dict[str, tuple[list[str], Any]]
    firsts: Any = None  # automaton of every pattern's first word (value: the word)


@lru_cache(maxsize=8)
def _index(lang: str) -> _Index:
    idx = _Index({}, {}, [], {})
    for lex in lexicon():
        needles = [_cue_needles(cues.get(lang, []) + cues.get("en", [])) for _, cues in lex.modes]
        idx.modes[lex.type] = ([m for m, _ in lex.modes], _cue_finder(needles))
        pats = lex.triggers.get(lang, []) + (lex.triggers.get("en", []) if lang != "en" else [])
        for pat in pats:
            is_prefix, text = pat[0]
            if not is_prefix:
                idx.exact.setdefault(text, []).append((lex, pat))
            elif len(text) >= 3:
                idx.prefix.setdefault(text[:3], []).append((lex, pat))
            else:
                idx.short.append((lex, pat))
    firsts = {pat[0][1] for _, pat in [*_flat(idx.exact), *_flat(idx.prefix), *idx.short]}
    if firsts and "" not in firsts:
        idx.firsts = ahocorasick.Automaton()
        for word in firsts:
            idx.firsts.add_word(word, word)
        idx.firsts.make_automaton()
    return idx


def _flat(
    d: dict[str, list[tuple[TypeLexicon, tuple[Part, ...]]]],
) -> list[tuple[TypeLexicon, tuple[Part, ...]]]:
    return [x for v in d.values() for x in v]


# a letter as lemmas.word_tokens sees one: a word starts after anything else
_LETTER = re.compile(r"[^\W\d_]")


def _may_trigger(idx: _Index, text: str, lowered: str) -> tuple[str, ...]:
    """The first words of triggers that ``text`` holds at the start of a word: empty only when no
    word can start a trigger. A trigger's first word is one of ``idx.firsts`` (exactly, or as a
    prefix) at the start of a word, so outside English (where a word is matched by its surface,
    not its lemma) one automaton pass over the lowered text settles most sentences, which start
    no trigger, without tokenising them, and in the others names the few words worth trying:
    those that start with one of the first words found."""
    if idx.firsts is None:
        return ("",)
    letter = _LETTER.match
    return tuple(
        {
            first
            for end, first in idx.firsts.iter(lowered)
            if (p := end - len(first) + 1) == 0 or not letter(text, p - 1)
        }
    )


def _trigger_starts(idx: _Index, words: Words) -> Sequence[int]:
    """Where a word may start a trigger. The common case, a word that starts none, is sifted
    out in one comprehension (outside English, where the lemmas are the lows, a lighter one)."""
    exact, prefix, lows = idx.exact, idx.prefix, words.lows
    if idx.short:
        return range(len(lows))
    if words.lemmas is lows:
        return [i for i, low in enumerate(lows) if low in exact or low[:3] in prefix]
    pairs = enumerate(zip(lows, words.lemmas, strict=True))
    return [i for i, (low, lemma) in pairs if lemma in exact or low in exact or low[:3] in prefix]


def _words_at(words: Words, at: tuple[str, ...]) -> list[int]:
    """The words that start with one of ``at``, the first words _may_trigger found: a word that
    starts a trigger starts with its first word, which the pass finds where the word starts."""
    return [i for i, low in enumerate(words.lows) if low.startswith(at)]


def find_triggers(
    words: Words, lang: str, at: tuple[str, ...] | None = None
) -> list[list[Trigger]]:
    """Per event type, every trigger position in the sentence (strongest types first). ``at``:
    the first words of triggers in the sentence, from _may_trigger (not in English)."""
    idx = _index(lang)
    exact, prefix, short = idx.exact, idx.prefix, idx.short
    lows, lemmas = words.lows, words.lemmas
    hits: dict[str, list[Trigger]] = {}
    for i in _trigger_starts(idx, words) if at is None else _words_at(words, at):
        low, lemma = lows[i], lemmas[i]
        c1 = exact.get(lemma)
        c2 = exact.get(low) if low != lemma else None
        c3 = prefix.get(low[:3])
        cands = [*(c1 or ()), *(c2 or ()), *(c3 or ()), *short]
        done: set[str] = set()
        for lex, pat in cands:
            if lex.type in done or (lex.exclude and low.startswith(lex.exclude)):
                continue
            if not _match_at(words, i, pat):
                continue
            done.add(lex.type)
            last = i + len(pat) - 1
            start = words.start(i)
            end = (words.start(last) if last > i else start) + len(lows[last])
            hits.setdefault(lex.type, []).append(
                Trigger(lex.type, None, i, start, end, lex.priority)
            )
    if not hits:
        return []
    kept = _select([h[0] for h in hits.values()])
    found = [h for h in hits.values() if h[0] in kept]
    # the modes of the kept types only: _select does not read them
    joined = " " + " ".join(lows) + " "
    # outside English the lemmas are the lows: search them once
    texts = (joined,) if lemmas is lows else (joined, " " + " ".join(lemmas) + " ")
    for trigs in found:
        names, finder = idx.modes[trigs[0].type]
        # the least rank of any cue found, without a Python step per cue occurrence
        ranks = chain.from_iterable(map(finder.iter, texts)) if finder else ()
        rank = min(map(_second, ranks), default=None)
        mode = None if rank is None else names[rank]
        for t in trigs:
            t.mode = mode
    return found


# A sentence that asks for aid is a REQUEST, one that agrees to cooperate an AGREE, and so on:
# the weaker reading is dropped when the stronger one fires in the same sentence.
_SUPPRESS = {
    "REQUEST": {"AID", "CONSULT", "COOPERATE"},
    "AGREE": {"COOPERATE", "AID"},
    "ACCUSE": {"THREATEN", "ASSAULT"},
    "ASSAULT": {"MOBILIZE", "COERCE"},
    "SANCTION": {"COERCE", "THREATEN"},
    "CONSULT": {"COOPERATE"},
    "MOBILIZE": {"COOPERATE", "AID"},
    "COERCE": {"ASSAULT"},
}


def _select(found: list[Trigger]) -> list[Trigger]:
    if len(found) == 1:  # the common case: nothing to suppress or to rank
        return list(found)
    types = {t.type for t in found}
    kept = [
        t for t in found if not any(t.type in _SUPPRESS.get(o, set()) for o in types if o != t.type)
    ]
    kept.sort(key=lambda t: -t.priority)
    return sorted(kept[:2], key=lambda t: t.start)


_BY = {"by", "від", "от", "со стороны"}
_BY_ENDS = tuple(f" {w}{the}" for w in sorted(_BY) for the in ("", " the"))
_BY_TAIL = max(map(len, _BY_ENDS)) + 1
_JOIN = re.compile(r"^\s*(?:,|and|&|і|й|та|и|,\s*and)\s*$", re.I)


def assign_participants(
    sent: Sentence, trig: Trigger, mentions: list[Mention], reporter_mention: Mention | None
) -> tuple[list[str], list[str]]:
    t0 = sent.start + trig.start
    pool = [m for m in mentions if m is not reporter_mention]
    before = [m for m in pool if m.end <= t0]
    after = [m for m in pool if m.start >= sent.start + trig.end]
    sources: list[str] = []
    targets: list[str] = []
    passive = next((m for m in after if _preceded_by(sent, m)), None)
    if passive is not None:
        sources = [passive.key]
        after = [m for m in after if m is not passive]
        if before:
            targets = [before[-1].key]
    elif before:
        chain = [before[-1]]
        for m in reversed(before[:-1]):
            gap = sent.text[m.end - sent.start : chain[-1].start - sent.start]
            if not _JOIN.match(gap):
                break
            chain.append(m)
        sources = [m.key for m in reversed(chain)]
    if after and not targets:
        chain = [after[0]]
        for m in after[1:]:
            gap = sent.text[chain[-1].end - sent.start : m.start - sent.start]
            if not _JOIN.match(gap):
                break
            chain.append(m)
        targets = [m.key for m in chain]
    targets = [k for k in dict.fromkeys(targets) if k not in sources]
    return list(dict.fromkeys(sources)), targets


def _preceded_by(sent: Sentence, m: Mention) -> bool:
    """Whether the text before ``m``, stripped and lowered, ends with " by" or " by the" (or any
    word of _BY) or is such a word."""
    head = sent.text[: m.start - sent.start].rstrip()
    # only its end is lowered: lowering all of it before every mention cost more than the test.
    # A letter lowers to one letter or more, so a head longer than the tail equals no word.
    tail = head[-_BY_TAIL:].lower()
    return tail.endswith(_BY_ENDS) or tail in _BY


# Attribution: the cue and where its speaker stands ("after" = the speaker follows the cue).
_ATTRIB_AFTER = KeywordRx(
    r"\b(?:according to|as (?:reported|indicated|stated|said) by|reported by|cited by|said|"
    r"за даними|за словами|за інформацією|повідомили в|повідомляє|повідомила|повідомив|"
    r"заявили в|заявив|заявила|зазначили в|според|по думите на|съобщиха от|съобщи|заяви|"
    r"по данным|по словам|сообщили в|сообщает|сообщил|сообщила|заявил|заявила|заявили в)\b",
    re.I,
)
_ATTRIB_BEFORE = KeywordRx(
    r"\b(?:said|says|reported|reports|stated|states|told|claimed|claims|announced|noted|"
    r"added|indicated|elaborated|confirmed|warned|повідоми\w*|заяви\w*|зазначи\w*|"
    r"наголоси\w*|підкресли\w*|сказа\w*|поясни\w*|співобщи\w*|съобщи\w*|каза\w*|посочи\w*|"
    r"подчерта\w*|добави\w*|отбеляза\w*|сообщи\w*|отмети\w*|подчеркну\w*|уточни\w*)\b",
    re.I,
)


def find_reporter(sent: Sentence, mentions: list[Mention]) -> Mention | None:
    for m in _ATTRIB_AFTER.finditer(sent.text):
        cue_end = sent.start + m.end()
        nxt = [x for x in mentions if x.start >= cue_end and x.start - cue_end <= 60]
        if nxt:
            return nxt[0]
    for m in _ATTRIB_BEFORE.finditer(sent.text):
        cue = sent.start + m.start()
        prev = [x for x in mentions if x.end <= cue and cue - x.end <= 40]
        if prev:
            gap = sent.text[prev[-1].end - sent.start : m.start()]
            # the speaker is the subject right before the verb, not a noun across a comma
            if "," not in gap and len(gap.split()) <= 4:
                return prev[-1]
    return None


_MODALITY: list[tuple[str, KeywordRx]] = [
    (
        "denied",
        KeywordRx(
            r"\b(?:den(?:y|ied|ies)|fabrications?|unjustified|запереч\w*|"
            r"спростува\w*|отрича\w*|опроверг\w*|отрицает|отрицают)\b",
            re.I,
        ),
    ),
    (
        "hypothetical",
        KeywordRx(
            r"\b(?:could|might|(?-i:may)|would|if|possibility|possible|може|"
            r"можуть|міг би|могла б|якщо|би|може да|ако|бих|биха|может|"
            r"могут|если|бы)\b",
            re.I,
        ),
    ),
    (
        "future",
        KeywordRx(
            r"\b(?:will|is set to|are set to|scheduled|plans? to|planning to|"
            r"is expected to|are expected to|upcoming|next (?:week|month|year)|буде|будуть|"
            r"відбудеться|наступного (?:тижня|місяця|року)|на следующей неделе|"
            r"в следующем (?:месяце|году)|следващата седмица|следващия месец|"
            r"планує|планують|очікується|передбачається|ще|"
            r"предстои|планира|будет|будут|состоится|планирует|планируют)\b",
            re.I,
        ),
    ),
    # synthetic futures ("працюватиме") are kept out of the alternation above, as no first
    # letter announces them (the first pattern of a name that matches wins). This finds the
    # same words as \b\w+(?:тиме|тимуть)\b, whose letters in any case are word characters,
    # without running \w+ through every word from every word start. Every match holds one of
    # the two endings: they are its keywords.
    ("future", KeywordRx(r"\w(?:тиме|тимуть)\b", re.I, keywords=("тиме", "тимуть"))),
    (
        "claimed",
        KeywordRx(
            r"\b(?:claim\w*|alleged\w*|reportedly|suggests?|purportedly|"
            r"нібито|начебто|твърди\w*|уж|якобы|утвержда\w*|предположително)\b",
            re.I,
        ),
    ),
]
# tried on the end of the text before every trigger: keyword_rx skips the positions where no
# negation starts
_NEG = keyword_rx(
    r"(?:\b(?:not|no|never|unable|cannot|не|ні|нито|нет)|n't)\s+(?:\w+\s+){0,2}$", re.I
)


def modality_of(sent: Sentence, trig: Trigger, cue: str | None = None) -> str:
    """``cue``: the sentence-level reading, when the caller has already computed it."""
    head = sent.text[: trig.start]
    if _NEG.search(head[-40:]):
        return "negated"
    return cue if cue is not None else sentence_modality(sent.text)


def sentence_modality(text: str) -> str:
    for name, rx in _MODALITY:
        if rx.search(text):
            return name
    return "asserted"


# A trigger that is the object of "threat of", "possibility of", "to counter" names a kind of
# event, not one that happened: "the threat of Russian drones targeting", "fending drone attacks".
_AVERTING = (
    r"counter|countering|fend(?:ing)?(?: off)?|repel(?:ling)?|"
    r"protect(?:ing)? (?:\w+ )?(?:from|against)|defend(?:ing)? (?:\w+ )?against|against"
)
# "(?:to )?" spelled out as two alternatives, since keyword_rx needs every one to start with a
# letter; they are tried in the same order, so the matches are the same
_NOT_HAPPENED = KeywordRx(
    r"(?:\b(?:threat|threats|possibility|possibilities|risk|danger|fear|fears|prospect|"
    rf"in case|event) of|\bto (?:{_AVERTING})|\b(?:{_AVERTING})|"
    r"загроз\w*|можливіст\w*|ризик\w*|протиді\w*|захист\w* від|відбиття|"
    r"угроз\w*|возможност\w*|риск\w*|противодейств\w*|защит\w* от|отражени\w*|"
    r"заплах\w*|възможност\w*|риск\w*|противодейств\w*|защит\w* от)"
    r"\s+(?:[\w'’-]+\s+){0,3}$",
    re.I,
)


def _averted(text: str, trig: Trigger) -> bool:
    return bool(_NOT_HAPPENED.search(text[: trig.start][-80:], within=text))


def _is_question(text: str) -> bool:
    return text.rstrip(" \"'”’»)").endswith("?")


def sentence_events(sent: Sentence, lang: str, mentions: list[Mention]) -> list[SentenceEvent]:
    if _is_question(sent.text):
        return []  # a question asks whether something happens; it reports nothing
    lowered = _lowered(sent.text)
    at = None if lang == "en" else _may_trigger(_index(lang), sent.text, lowered)
    if at is not None and not at:
        return []
    per_type = [
        kept
        for trigs in find_triggers(tokens_of(sent.text, lang, lowered), lang, at)
        if (kept := [t for t in trigs if not _averted(sent.text, t)])
    ]
    if not per_type:
        return []
    reporter = find_reporter(sent, mentions)
    cue = sentence_modality(sent.text)
    out = []
    for positions in per_type:
        # of several triggers of one type, the one with a subject and an object reads best
        best: SentenceEvent | None = None
        for trig in positions:
            src, tgt = assign_participants(sent, trig, mentions, reporter)
            cand = SentenceEvent(
                trig, src, tgt, reporter.key if reporter else None, modality_of(sent, trig, cue)
            )
            if best is None or (bool(src) + bool(tgt)) > (bool(best.sources) + bool(best.targets)):
                best = cand
        assert best is not None
        out.append(best)
    return sorted(out, key=lambda e: e.trigger.start)
