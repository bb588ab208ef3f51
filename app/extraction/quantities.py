"""Map numbers in a sentence to named quantities (drones_launched, killed, troops, ...).

A number is tied to the category noun that follows it (or, for "55 were neutralised", to the
event's weapon) and to the nearest outcome verb: launched / downed / jammed for weapons.
"""

from __future__ import annotations

import bisect
import re
from itertools import islice

from app.extraction.dates import month_of
from app.extraction.keywords import KeywordRx, keyword_rx, lower
from app.extraction.lemmas import WORD_RE, lemmatise, word_tokens
from app.extraction.numbers import find_numbers

_NOUNS: dict[str, tuple[str, ...]] = {
    "drone": (
        "drone",
        "uav",
        "shahed",
        "unmanned",
        "дрон",
        "безпілот",
        "бпла",
        "беспилот",
        "шахед",
        "герань",
    ),
    "missile": ("missile", "rocket", "ракет"),
    "troops": (
        "troop",
        "soldier",
        "servicem",
        "personnel",
        "військов",
        "солдат",
        "бійц",
        "військ",
        "военнослуж",
        "войни",
        "войск",
        "воен",
    ),
    "people": (
        "people",
        "civilian",
        "person",
        "individual",
        "resident",
        "child",
        "людин",
        "людей",
        "осіб",
        "цивільн",
        "души",
        "човек",
        "хора",
        "цивилн",
        "человек",
        "мирн",
        "жител",
    ),
    "buildings": (
        "building",
        "structure",
        "house",
        "home",
        "будин",
        "будівел",
        "будівл",
        "сград",
        "къщ",
        "домов",
        "дом",
        "здани",
    ),
}
_OUTCOME: dict[str, tuple[str, ...]] = {
    "jammed": (
        "jam",
        "put out of action",
        "disabled",
        "suppressed",
        "interference",
        "радіоелектрон",
        "радиоэлектрон",
        "електронна война",
        "подавлені",
        "off course",
        "electronic",
        "локаційно",
        "втрачен",
        "подавлен",
        "рэб",
        "реб",
        "заглуш",
        "lost",
    ),
    "downed": (
        "shot down",
        "shooting down",
        "shoot down",
        "taken down",
        "take down",
        "took down",
        "downed",
        "intercept",
        "neutrali",
        "destroy",
        "збит",
        "збил",
        "збив",
        "знешкодж",
        "знищ",
        "сбит",
        "сбил",
        "уничтож",
        "перехвач",
        "перехвати",
        "свал",
        "унищож",
        "прихван",
        "неутрализ",
        "подави",
    ),
    "launched": (
        "launch",
        "fire",
        "using",
        "used",
        "attack",
        "aimed",
        "запусти",
        "випусти",
        "атакува",
        "застосува",
        "выпусти",
        "изстреля",
        "атаков",
        "запуск",
        "used",
    ),
}
_HARM: dict[str, tuple[str, ...]] = {
    "killed": (
        "kill",
        "dead",
        "die",
        "death",
        "fatalit",
        "загин",
        "вбит",
        "убит",
        "смерт",
        "загина",
        "жертв",
        "погиб",
    ),
    "injured": (
        "injur",
        "wound",
        "hurt",
        "поранен",
        "постраждал",
        "травмован",
        "ранен",
        "пострада",
    ),
}
_SUBCOUNT = KeywordRx(r"\b(?:including|зокрема|у тому числі|в том числе|включително)\b", re.I)
_PERCENT = re.compile(r"^\s*(?:%|per ?cent|відсот|процент)", re.I)
_ZERO = [
    (
        KeywordRx(
            r"\bno (?:reports? of )?(?:victims|casualties)\b|без жертв|жертв (?:немає|нет)|"
            r"няма (?:жертви|загинали)",
            re.I,
        ),
        ("killed", "injured"),
    ),
    (
        KeywordRx(
            r"\bno (?:one|body) was (?:killed|hurt|injured)|nobody was (?:killed|hurt)|"
            r"ніхто не постраждав|никто не пострадал|няма пострадали",
            re.I,
        ),
        ("killed", "injured"),
    ),
    (
        KeywordRx(
            r"\bno (?:injuries|injured)\b|постраждалих немає|пострадавших нет|"
            r"няма ранени",
            re.I,
        ),
        ("injured",),
    ),
    (
        KeywordRx(
            r"\bno (?:\w+ )?(?:or material )?damage\b|material damage|руйнувань немає|"
            r"разрушений нет",
            re.I,
        ),
        ("buildings_destroyed",),
    ),
]


# "the vehicles were put out of action", "усі вони були збиті": an outcome for every launched one
_ALL_OF_THEM = KeywordRx(
    r"\b(?:the (?:drones|missiles|vehicles|uavs|aircraft)|all of them|both of them|all (?:the )?"
    r"(?:drones|missiles|uavs)|усі|всі|обидва|обидві|все|оба|обе|всички|двата|двете)\b",
    re.I,
)


_PREV_WORD = re.compile(r"([^\W\d_]{3,})\.?\s+$")
# what _PREV_WORD matches, from wherever it starts to the end: a letter run's tail
_RUN_TAIL = re.compile(r"[^\W\d_]*\.?\s+")


def _prev_word(text: str, end: int) -> re.Match[str] | None:
    """``_PREV_WORD.search(text, 0, end)``, scanning the text before ``end`` only near its end.

    Only the last letter run of the text can start a match (one that reaches the end), so a
    search from ``lo`` finds the same match unless the run (or what follows it) starts before
    ``lo``: then all of the text from ``lo`` on is a run's tail, and the whole text is searched."""
    lo = max(0, end - 40)
    m = _PREV_WORD.search(text, lo, end)
    if lo and (m is None or m.start() == lo) and _RUN_TAIL.fullmatch(text, lo, end):
        return _PREV_WORD.search(text, 0, end)
    return m


# a character that may be inside a word of WORD_RE: a letter or a joiner
_IN_WORD = re.compile(r"[^\W\d_]|[’'ʼ-]")


def _words_after(text: str, pos: int) -> list[re.Match[str]]:
    """The first four words (as word_tokens finds them) that start at ``pos`` or after.

    Unless a word runs on across ``pos``, the words from ``pos`` on are those that a scan from
    ``pos`` finds (the word pattern looks neither behind nor ahead of what it takes): the scan
    reads a few words, where word_tokens reads the whole sentence."""
    if _IN_WORD.match(text, pos) and pos and _IN_WORD.match(text, pos - 1):
        words = word_tokens(text)
        first = bisect.bisect_left([w.start() for w in words], pos)
        return list(words[first : first + 4])
    return list(islice(WORD_RE.finditer(text, pos), 4))


_COORD = re.compile(r"\s*[^\W\d_]+(?:\s+[^\W\d_]+)?\s*(?:,|and|і|й|та|и|,\s*and)\s*", re.I)


def all_of_them(text: str) -> str | None:
    """The outcome of a number-free sentence that speaks of all the launched weapons."""
    if not _ALL_OF_THEM.search(text) or find_numbers(text):
        return None
    low = lower(text)
    hits = [(low.find(s), o) for o, stems in _OUTCOME.items() if o != "launched" for s in stems]
    hits = [h for h in hits if h[0] >= 0]
    return min(hits)[1] if hits else None


def _has(text: str, stems: tuple[str, ...]) -> bool:
    return any(s in text for s in stems)


def sentence_quantities(
    text: str,
    language: str | None,
    weapon: str | None,
    places: list[tuple[int, str]] | None = None,
) -> dict[str, int]:
    """Quantities stated in one sentence; ``weapon`` (drone/missile) types bare numbers.

    ``places`` (sentence offset, English name) turn sub-counts after "including" into
    per-place counts: "35 drones, including 20 over Kursk" -> drones_downed_kursk=20.
    """
    out: dict[str, int] = {}
    low = lower(text)
    lang = language or "en"
    sub = _SUBCOUNT.search(text)
    nums = find_numbers(text)
    last_key: str | None = None
    last_outcome: str | None = None
    for n, num in enumerate(nums):
        if sub and num.start > sub.end():
            if last_key and places:
                _subcount(out, last_key, num.value, num.end, places)
            continue
        if 1900 <= num.value <= 2100 and re.fullmatch(r"\d{4}", text[num.start : num.end]):
            continue
        if _PERCENT.match(text[num.end :]):
            continue
        after = _words_after(text, num.end)
        prev_word = _prev_word(text, num.start)
        if (after and after[0].start() - num.end <= 2 and month_of(after[0].group())) or (
            prev_word and month_of(prev_word.group(1))
        ):
            continue  # a day of the month ("3 лютого", "March 5"), not a count
        noun = None
        for w in after:
            lw = w.group().lower()
            lem = lemmatise(w.group(), lang)
            for cat, stems in _NOUNS.items():
                if lw.startswith(stems) or lem.startswith(stems):
                    noun = cat
                    break
            if noun:
                break
        # a number's clause ends where the next number's begins: "55 were downed, 30 jammed"
        lo = max(0, num.start - 60, nums[n - 1].end if n else 0)
        hi = min(len(low), num.end + 70, nums[n + 1].start if n + 1 < len(nums) else len(low))
        ctx_after = low[num.end : hi]
        ctx_before = low[lo : num.start]
        key: str | None = None
        if noun in ("drone", "missile") or (noun is None and weapon):
            kind = noun or weapon
            outcome = _nearest_outcome(ctx_before, ctx_after, require_close=noun is None)
            if n and last_outcome and _COORD.fullmatch(text[nums[n - 1].end : num.start]):
                outcome = last_outcome  # "fired 40 missiles and 90 drones": one verb for both
            last_outcome = outcome
            if outcome and kind:
                key = f"{kind}s_{outcome}"
            elif noun is not None:
                continue
        if key is None:
            harm = _harm(ctx_before, ctx_after, close=noun is None)
            if harm and noun in (None, "people", "troops"):
                key = harm
            elif noun == "buildings" and re.search(
                r"destroy|зруйн|знищ|разруш|унищож|damag|пошкод", ctx_after + ctx_before
            ):
                key = "buildings_destroyed"
            elif noun == "troops" and not harm:
                key = "troops"
        if key is not None:
            out.setdefault(key, num.value)
            last_key = key
    for rx, keys in _ZERO:
        if rx.search(text):
            for k in keys:
                out.setdefault(k, 0)
    return out


def _subcount(
    out: dict[str, int], base: str, value: int, end: int, places: list[tuple[int, str]]
) -> None:
    near = [name for off, name in places if 0 <= off - end <= 40]
    if near:
        slug = re.sub(r"\W+", "_", near[0].split()[0].lower()).strip("_")
        out.setdefault(f"{base}_{slug}", value)


def _stem_rx(stems: tuple[str, ...]) -> re.Pattern[str]:
    # stems match at a word start: "soldiers" holds "die" but says nothing of deaths. keyword_rx
    # skips the positions where no stem starts, at every number of every sentence.
    return keyword_rx(r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, stems)) + ")")


_OUTCOME_RX = [(outcome, _stem_rx(stems)) for outcome, stems in _OUTCOME.items()]
_HARM_RX = [(key, _stem_rx(stems)) for key, stems in _HARM.items()]


def _first(rx: re.Pattern[str], text: str) -> int:
    m = rx.search(text)
    return m.start() if m else -1


def _last(rx: re.Pattern[str], text: str) -> int:
    pos = -1
    for m in rx.finditer(text):
        pos = m.start()
    return pos


def _nearest_outcome(before: str, after: str, require_close: bool) -> str | None:
    best: tuple[int, str] | None = None
    for outcome, rx in _OUTCOME_RX:
        i = _first(rx, after)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, outcome)
        j = _last(rx, before)
        if j >= 0:
            d = len(before) - j
            if best is None or d < best[0]:
                best = (d, outcome)
    if best is None or (require_close and best[0] > 25):
        return None
    return best[1]


def _harm(before: str, after: str, close: bool) -> str | None:
    best: tuple[int, str] | None = None
    if close:  # a bare number must sit right next to its verb: "12 поранено", "killed 3"
        before, after = before[-15:], after[:20]
    for key, rx in _HARM_RX:
        i = _first(rx, after)
        if 0 <= i < 40 and (best is None or i < best[0]):
            best = (i, key)
        j = _last(rx, before)
        if j >= 0 and len(before) - j < 30 and (best is None or len(before) - j < best[0]):
            best = (len(before) - j, key)
    return best[1] if best else None
