"""The shortcuts of the matcher, the sentence splitter and the lemma column against what they
replace: regex tokenisation, dataclass construction, the list-based locative test."""

from __future__ import annotations

import re
import sys

import pytest

from app.extraction import lemmas, matching
from app.extraction.gazetteer.text import TOKEN_RE
from app.extraction.types import Mention, Sentence, new_mention, new_sentence

# TOKEN_RE with the token captured (the matcher's former split): gap, token, ..., gap
TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")

TEXTS = [
    "",
    "   ",
    "x",
    "Russia launched 83 drones at Ukraine overnight, the air force said.",
    "Washington, D.C. -- the U.S. (and the U.K.) said: «no»; 50% «so-called» “aid”…",
    "Україна's «Київ», 2024-го! Зв'язатися з автором: ivan@ukr.net — «Харків».",
    "Міністр оборони Болгарии каза, че „Росия“ е атакувала с 12 дрона.",
    "Президентът Румен Радев посети Киев\u00a0и Одеса ; tab\there  ",
    "snake_case words, ß Straße, ΣΊΣΥΦΟΣ, İstanbul, x²+y² = 10½, №5, #tag @user",
    "O'Neill’s men-at-arms; rock'n'roll, L'viv ʼ quotes ' - -dash- trail-",
    "(AP) — [Reuters] {x} *bold* ~tilde~ +1 $100 €5 £3 © 2024 ️emoji 🙂 end",
    "ALL CAPS DATELINE KYIV, Ukraine (AP) — Mr. Smith met Gen. Jones.",
    "mixed Cyrillic/Latin: Kyiv/Київ, e-mail, 3.5-mile, 1,000.00, a.b.c",
    "\u2028line\u2029para\x1c\x1d\x1e\x1f\x85 nel",
    "Київ",
    "  Київ  ",
    " a b  c   d    e     f      g ",
    "\u00a0Kyiv,\u2009Odesa \t Lviv,\u3000Dnipro. ",
    "“Kyiv” (Odesa) – Lviv, Kharkiv; Dnipro: Sumy! Poltava? Rivne… Chernihiv.",
    "“Kyiv” (Odesa) – Lviv, Kharkiv; Dnipro: Sumy! Poltava? Rivne, Chernihiv.",
]


def _all_chars() -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]


def test_token_characters_are_the_alphanumeric_ones() -> None:
    token = re.compile(r"[^\W_]")
    for ch in _all_chars():
        assert bool(token.fullmatch(ch)) == ch.isalnum(), repr(ch)
        if ch.isspace():
            assert not ch.isalnum(), repr(ch)


def test_separators_are_no_token_characters() -> None:
    for ch in matching._SEPARATORS:
        assert not TOKEN_RE.fullmatch(ch), repr(ch)


@pytest.mark.parametrize("text", TEXTS)
def test_split_words_and_starts_are_those_of_the_regex(text: str) -> None:
    spaced = matching.spaced_out(text)
    assert len(spaced) == len(text)
    words, chunked = matching.split_words(spaced)
    assert words == TOKEN_RE.findall(text)
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    if chunked:
        assert spaced.split() == words
        assert [matching.word_span(spaced, words, i) for i in range(len(words))] == spans
    assert matching.word_starts(text, words) == [a for a, _ in spans]  # the fallback


@pytest.mark.parametrize("text", [*TEXTS, "Odesa Vladimir", "Odesa  Vladimir", "Odesa, Vladimir"])
def test_inside_name_is_the_gap_test(text: str) -> None:
    parts = TOKEN_SPLIT_RE.split(text)
    words = parts[1::2]
    ends = [m.end() for m in TOKEN_RE.finditer(text)]
    for i1 in range(len(words)):
        nxt = words[i1 + 1] if i1 + 1 < len(words) else ""
        old = (
            i1 + 1 < len(words)
            and parts[2 * i1 + 2] == " "
            and nxt[:1].isupper()
            and nxt[1:].islower()
        )
        assert matching._inside_name(words, text, i1, ends[i1]) == old


def _old_locative(prev: list[str], lang: str | None, verbs: bool = True) -> bool:
    words = list(map(str.lower, prev))
    while words and words[-1] in matching._SKIP:
        words.pop()
    if not words:
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last in matching._LOC_WORDS.get(lang or "en", matching._LOC_BEFORE["en"]):
        return verbs or last not in matching._VERBS
    if last == "on":
        return before in matching._ON_AFTER
    if last == "to":
        return before in matching._TO_AFTER
    return lang != "en" and last in matching._TRAVEL_XX


@pytest.mark.parametrize(
    "prev",
    [
        [],
        ["the"],
        ["The", "Of"],
        ["strike", "on", "the"],
        ["depends", "ON"],
        ["Trip", "To"],
        ["to"],
        ["on"],
        ["appealed", "to", "their"],
        ["a", "gathering", "in"],
        ["Russia", "Attacked"],
        ["атакували"],
        ["Посети", "the"],
        ["прибув", "до"],
        ["до"],
        ["в", "its", "his"],
        ["x", "Over", "HER"],
    ],
)
def test_locative_is_the_list_version(prev: list[str]) -> None:
    for lang in (None, "en", "uk", "ru", "bg", "xx"):
        for verbs in (True, False):
            assert matching._locative(prev, lang, verbs) == _old_locative(prev, lang, verbs)


def _old_shapes_ok(shapes: tuple[str, ...], surface: list[str]) -> bool:
    first_cap = True
    for i, sh in enumerate(shapes):
        tok = surface[i]
        if sh == "U" and not tok.isupper():
            return False
        if sh == "C":
            if first_cap and not tok[:1].isupper():
                return False
            first_cap = False
    return True


def test_shapes_ok_is_the_loop() -> None:
    toks = ["Kyiv", "kyiv", "US", "us", "Us", "12", "Київ", "ЄС", "єс", "O'Neill", "x"]
    shapes = ["C", "U", "L", "D"]
    for a in shapes:
        for t in toks:
            assert matching._shapes_ok((a,), [t]) == _old_shapes_ok((a,), [t])
        for b in shapes:
            for t in toks:
                for u in toks:
                    assert matching._shapes_ok((a, b), [t, u]) == _old_shapes_ok((a, b), [t, u])


def test_fast_constructors_make_the_dataclasses() -> None:
    for args in [("country:UKR", 3, 10, 17, "Ukraine"), ("", 0, 0, 0, "")]:
        fast, slow = new_mention(*args), Mention(*args)
        assert type(fast) is Mention
        assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    for sargs in [(0, 0, 5, "Hello"), (7, 100, 120, "Київ атакували.", 2)]:
        sfast, sslow = new_sentence(*sargs), Sentence(*sargs)  # type: ignore[arg-type]
        assert type(sfast) is Sentence
        assert sfast == sslow and hash(sfast) == hash(sslow) and repr(sfast) == repr(sslow)


def test_lemma_separators_are_neither_letters_nor_joiners() -> None:
    letter = re.compile(r"[^\W\d_]")
    for ch in lemmas._NOT_IN_WORDS:
        assert not letter.fullmatch(ch) and ch not in "’'ʼ-", repr(ch)
    for ch in _all_chars():
        if ch.isalpha():  # a chunk of letters only is one word
            assert letter.fullmatch(ch), repr(ch)
        if ch.isspace():
            assert not letter.fullmatch(ch) and ch not in "’'ʼ-", repr(ch)


@pytest.mark.parametrize("text", TEXTS)
def test_lemma_words_are_those_of_the_regex(text: str) -> None:
    assert lemmas.words_of(text) == lemmas.WORD_RE.findall(text)


BODIES = [
    "Петро Іван.’ Петро Сидоренко заявив. Олена Петрова\nІван Франко сказав: «Так».",
    "He met John Smith. Mary Jones said. VK Thakur, pilot.\nAnna Lee-Smith left. x Y Zed",
    "The minister said. A B Carter met O'Neill Day. Mr. Bob Brown left.  Kate  Moss",
    "Київ. Президент Володимир Зеленський — Петро Порошенко? Так! Юлія Тимошенко…",
]


@pytest.mark.parametrize("body", [*BODIES, *TEXTS])
def test_name_runs_of_the_body_are_those_of_its_sentences(body: str) -> None:
    from app.extraction.names import _CYR_RUN, _LAT_RUN
    from app.extraction.sentences import split_sentences

    sents = split_sentences(body)
    for rx in (_CYR_RUN, _LAT_RUN):
        per_sentence = [
            (s.start + m.start(), s.start + m.end()) for s in sents for m in rx.finditer(s.text)
        ]
        assert [m.span() for m in rx.finditer(body)] == per_sentence


def _old_is_abbrev(text: str, dot_pos: int) -> bool:
    from app.extraction.sentences import _ABBREV

    j = dot_pos
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot_pos].lower().rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True
    return word in _ABBREV


def test_lowering_a_letter_neither_shortens_it_nor_ends_in_a_dot() -> None:
    for ch in _all_chars():
        if ch.isalpha():
            low = ch.lower()
            assert len(low) >= 1 and not low.endswith("."), repr(ch)


@pytest.mark.parametrize(
    "text",
    [
        *TEXTS,
        "approx. 5 and Approx. 6, APPROX. 7 xapprox. 8",
        "вул. Хрещатик, просп. Миру, м. Київ, обл. центр, р-н. Сидоренко В. П. заявив.",
        "U.S. and u.s. and e.g. and i.e. Prof. Gen. Sept. etc.. ...",
        "İİİİİİİ. ẞẞẞẞẞẞẞ. ΣΣΣΣΣΣΣ. abcdef. abcdefg. a.b.c.d.e.f.g. 1234567.",
    ],
)
def test_is_abbrev_is_the_scan(text: str) -> None:
    from app.extraction.sentences import _is_abbrev

    for pos, ch in enumerate(text):
        if ch == ".":
            assert _is_abbrev(text, pos) == _old_is_abbrev(text, pos), (text, pos)
