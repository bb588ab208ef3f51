"""Sentence-level PLOVER event detection from trigger lexicons (events.yaml).

For each sentence: find triggers (lemma, surface prefix or lemma sequence), keep the strongest
types, take the source from the actor mentions before the trigger (or after "by"), the target
from those after it, the reporter from attribution cues ("according to", "X said", "за даними"),
and the modality from cue words around the trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from app.extraction.lemmas import lemmatise, word_tokens
from app.extraction.types import Mention, Sentence

LEXICON_FILE = Path(__file__).with_name("events.yaml")

Part = tuple[bool, str]  # (is_prefix, text)


@dataclass
class TypeLexicon:
    type: str
    priority: int
    triggers: dict[str, list[tuple[Part, ...]]]
    modes: list[tuple[str, dict[str, list[tuple[Part, ...]]]]]
    exclude: tuple[str, ...] = ()


@dataclass(slots=True)
class Token:
    start: int  # offset in the sentence
    end: int
    low: str
    lemma: str


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
        raw: dict[str, Any] = yaml.safe_load(fh)
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


def tokens_of(text: str, lang: str) -> list[Token]:
    # The uk/bg/ru lexicons are written as surface prefixes, so only English needs lemmas
    # (attacked -> attack); skipping simplemma elsewhere halves the cost of this stage.
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):  # a few letters ("İ") lower to two: slice per token then
        lowered = "".join(ch.lower()[:1] for ch in text).replace("’", "'")
    out = []
    en = lang == "en"
    for m in word_tokens(text):
        a, b = m.span()
        low = lowered[a:b]
        out.append(Token(a, b, low, lemmatise(low, lang) if en else low))
    return out


def _part_ok(part: Part, tok: Token) -> bool:
    is_prefix, text = part
    if is_prefix:
        return tok.low.startswith(text)
    return tok.lemma == text or tok.low == text


def _match_at(toks: list[Token], i: int, pattern: tuple[Part, ...]) -> bool:
    if i + len(pattern) > len(toks):
        return False
    return all(_part_ok(p, toks[i + k]) for k, p in enumerate(pattern))


def _has_cue(toks: list[Token], cues: list[tuple[Part, ...]]) -> bool:
    """Whether any cue occurs in the sentence; string containment on joined words is much
    cheaper than matching every cue at every position."""
    lows = " " + " ".join(t.low for t in toks) + " "
    lemmas = " " + " ".join(t.lemma for t in toks) + " "
    for cue in cues:
        text = " " + " ".join(p for _, p in cue)
        if cue[-1][0]:  # prefix: the last word may continue
            if text in lows or text in lemmas:
                return True
        elif text + " " in lows or text + " " in lemmas:
            return True
    return False


@dataclass
class _Index:
    """First-word index of all trigger patterns of one language: exact words and prefixes."""

    exact: dict[str, list[tuple[TypeLexicon, tuple[Part, ...]]]]
    prefix: dict[str, list[tuple[TypeLexicon, tuple[Part, ...]]]]  # keyed by first 3 chars
    short: list[tuple[TypeLexicon, tuple[Part, ...]]]  # prefixes under 3 chars


@lru_cache(maxsize=8)
def _index(lang: str) -> _Index:
    idx = _Index({}, {}, [])
    for lex in lexicon():
        pats = lex.triggers.get(lang, []) + (lex.triggers.get("en", []) if lang != "en" else [])
        for pat in pats:
            is_prefix, text = pat[0]
            if not is_prefix:
                idx.exact.setdefault(text, []).append((lex, pat))
            elif len(text) >= 3:
                idx.prefix.setdefault(text[:3], []).append((lex, pat))
            else:
                idx.short.append((lex, pat))
    return idx


def find_triggers(toks: list[Token], lang: str) -> list[list[Trigger]]:
    """Per event type, every trigger position in the sentence (strongest types first)."""
    idx = _index(lang)
    hits: dict[str, list[Trigger]] = {}
    lex_of: dict[str, TypeLexicon] = {}
    for i, tok in enumerate(toks):
        c1 = idx.exact.get(tok.lemma)
        c2 = idx.exact.get(tok.low) if tok.low != tok.lemma else None
        c3 = idx.prefix.get(tok.low[:3])
        if not (c1 or c2 or c3 or idx.short):
            continue  # the common case: a word that starts no trigger
        cands = [*(c1 or ()), *(c2 or ()), *(c3 or ()), *idx.short]
        done: set[str] = set()
        for lex, pat in cands:
            if lex.type in done or (lex.exclude and tok.low.startswith(lex.exclude)):
                continue
            if not _match_at(toks, i, pat):
                continue
            done.add(lex.type)
            lex_of[lex.type] = lex
            last = toks[i + len(pat) - 1]
            hits.setdefault(lex.type, []).append(
                Trigger(lex.type, None, i, tok.start, last.end, lex.priority)
            )
    found: list[list[Trigger]] = []
    for etype, trigs in hits.items():
        lex = lex_of[etype]
        mode = next(
            (m for m, cues in lex.modes if _has_cue(toks, cues.get(lang, []) + cues.get("en", []))),
            None,
        )
        for t in trigs:
            t.mode = mode
        found.append(trigs)
    kept = _select([h[0] for h in found])
    return [h for h in found if h[0] in kept]


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
    types = {t.type for t in found}
    kept = [
        t for t in found if not any(t.type in _SUPPRESS.get(o, set()) for o in types if o != t.type)
    ]
    kept.sort(key=lambda t: -t.priority)
    return sorted(kept[:2], key=lambda t: t.start)


_BY = {"by", "від", "от", "со стороны"}
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
    passive = next((m for m in after if _preceded_by(sent, m, _BY)), None)
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


def _preceded_by(sent: Sentence, m: Mention, words: set[str]) -> bool:
    head = sent.text[: m.start - sent.start].rstrip().lower()
    for w in words:
        if head.endswith(" " + w) or head.endswith(" " + w + " the") or head == w:
            return True
    return False


# Attribution: the cue and where its speaker stands ("after" = the speaker follows the cue).
_ATTRIB_AFTER = re.compile(
    r"\b(?:according to|as (?:reported|indicated|stated|said) by|reported by|cited by|said|"
    r"за даними|за словами|за інформацією|повідомили в|повідомляє|повідомила|повідомив|"
    r"заявили в|заявив|заявила|зазначили в|според|по думите на|съобщиха от|съобщи|заяви|"
    r"по данным|по словам|сообщили в|сообщает|сообщил|сообщила|заявил|заявила|заявили в)\b",
    re.I,
)
_ATTRIB_BEFORE = re.compile(
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


_MODALITY: list[tuple[str, re.Pattern[str]]] = [
    (
        "denied",
        re.compile(
            r"\b(?:den(?:y|ied|ies)|fabrications?|unjustified|запереч\w*|"
            r"спростува\w*|отрича\w*|опроверг\w*|отрицает|отрицают)\b",
            re.I,
        ),
    ),
    (
        "hypothetical",
        re.compile(
            r"\b(?:could|might|(?-i:may)|would|if|possibility|possible|може|"
            r"можуть|міг би|могла б|якщо|би|може да|ако|бих|биха|может|"
            r"могут|если|бы)\b",
            re.I,
        ),
    ),
    (
        "future",
        re.compile(
            r"\b(?:will|is set to|are set to|scheduled|plans? to|planning to|"
            r"is expected to|are expected to|upcoming|next (?:week|month|year)|буде|будуть|"
            r"відбудеться|наступного (?:тижня|місяця|року)|на следующей неделе|"
            r"в следующем (?:месяце|году)|следващата седмица|следващия месец|"
            r"планує|планують|очікується|передбачається|\w+тиме|\w+тимуть|ще|"
            r"предстои|планира|будет|будут|состоится|планирует|планируют)\b",
            re.I,
        ),
    ),
    (
        "claimed",
        re.compile(
            r"\b(?:claim\w*|alleged\w*|reportedly|suggests?|purportedly|"
            r"нібито|начебто|твърди\w*|уж|якобы|утвержда\w*|предположително)\b",
            re.I,
        ),
    ),
]
_NEG = re.compile(
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
_NOT_HAPPENED = re.compile(
    r"(?:\b(?:threat|threats|possibility|possibilities|risk|danger|fear|fears|prospect|"
    r"in case|event) of|\b(?:to )?(?:counter|countering|fend(?:ing)?(?: off)?|repel(?:ling)?|"
    r"protect(?:ing)? (?:\w+ )?(?:from|against)|defend(?:ing)? (?:\w+ )?against|against)|"
    r"загроз\w*|можливіст\w*|ризик\w*|протиді\w*|захист\w* від|відбиття|"
    r"угроз\w*|возможност\w*|риск\w*|противодейств\w*|защит\w* от|отражени\w*|"
    r"заплах\w*|възможност\w*|риск\w*|противодейств\w*|защит\w* от)"
    r"\s+(?:[\w'’-]+\s+){0,3}$",
    re.I,
)


def _is_question(text: str) -> bool:
    return text.rstrip(" \"'”’»)").endswith("?")


def sentence_events(sent: Sentence, lang: str, mentions: list[Mention]) -> list[SentenceEvent]:
    if _is_question(sent.text):
        return []  # a question asks whether something happens; it reports nothing
    toks = tokens_of(sent.text, lang)
    per_type = [
        kept
        for trigs in find_triggers(toks, lang)
        if (kept := [t for t in trigs if not _NOT_HAPPENED.search(sent.text[: t.start][-80:])])
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
