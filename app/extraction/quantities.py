"""Map numbers in a sentence to named quantities (drones_launched, killed, troops, ...).

A number is tied to the category noun that follows it (or, for "55 were neutralised", to the
event's weapon) and to the nearest outcome verb: launched / downed / jammed for weapons.
"""

from __future__ import annotations

import re

from app.extraction.lemmas import lemmatise, word_tokens
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
_SUBCOUNT = re.compile(r"\b(?:including|зокрема|у тому числі|в том числе|включително)\b", re.I)
_PERCENT = re.compile(r"^\s*(?:%|per ?cent|відсот|процент)", re.I)
_ZERO = [
    (
        re.compile(
            r"\bno (?:reports? of )?(?:victims|casualties)\b|без жертв|жертв (?:немає|нет)|"
            r"няма (?:жертви|загинали)",
            re.I,
        ),
        ("killed", "injured"),
    ),
    (
        re.compile(
            r"\bno (?:one|body) was (?:killed|hurt|injured)|nobody was (?:killed|hurt)|"
            r"ніхто не постраждав|никто не пострадал|няма пострадали",
            re.I,
        ),
        ("killed", "injured"),
    ),
    (
        re.compile(
            r"\bno (?:injuries|injured)\b|постраждалих немає|пострадавших нет|"
            r"няма ранени",
            re.I,
        ),
        ("injured",),
    ),
    (
        re.compile(
            r"\bno (?:\w+ )?(?:or material )?damage\b|material damage|руйнувань немає|"
            r"разрушений нет",
            re.I,
        ),
        ("buildings_destroyed",),
    ),
]


def _has(text: str, stems: tuple[str, ...]) -> bool:
    return any(s in text for s in stems)


def sentence_quantities(text: str, language: str | None, weapon: str | None) -> dict[str, int]:
    """Quantities stated in one sentence; ``weapon`` (drone/missile) types bare numbers."""
    out: dict[str, int] = {}
    low = text.lower()
    words = word_tokens(text)
    lang = language or "en"
    sub = _SUBCOUNT.search(text)
    for num in find_numbers(text):
        if sub and num.start > sub.end():
            continue
        if 1900 <= num.value <= 2100 and re.fullmatch(r"\d{4}", text[num.start : num.end]):
            continue
        if _PERCENT.match(text[num.end :]):
            continue
        after = [w for w in words if w.start() >= num.end][:4]
        noun = None
        for w in after:
            lw = w.group().lower()
            lem = lemmatise(w.group(), lang)
            for cat, stems in _NOUNS.items():
                if any(lw.startswith(s) or lem.startswith(s) for s in stems):
                    noun = cat
                    break
            if noun:
                break
        lo = max(0, num.start - 60)
        hi = min(len(low), num.end + 70)
        ctx_after = low[num.end : hi]
        ctx_before = low[lo : num.start]
        if noun in ("drone", "missile") or (noun is None and weapon):
            kind = noun or weapon
            outcome = _nearest_outcome(ctx_before, ctx_after, require_close=noun is None)
            if outcome and kind:
                out.setdefault(f"{kind}s_{outcome}", num.value)
                continue
            if noun is not None:
                continue
        harm = _harm(ctx_before, ctx_after, close=noun is None)
        if harm and noun in (None, "people", "troops"):
            out.setdefault(harm, num.value)
        elif noun == "buildings" and re.search(
            r"destroy|зруйн|знищ|разруш|унищож|damag|пошкод", ctx_after + ctx_before
        ):
            out.setdefault("buildings_destroyed", num.value)
        elif noun == "troops" and not harm:
            out.setdefault("troops", num.value)
    for rx, keys in _ZERO:
        if rx.search(text):
            for k in keys:
                out.setdefault(k, 0)
    return out


def _nearest_outcome(before: str, after: str, require_close: bool) -> str | None:
    best: tuple[int, str] | None = None
    for outcome, stems in _OUTCOME.items():
        for s in stems:
            i = after.find(s)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, outcome)
            j = before.rfind(s)
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
    for key, stems in _HARM.items():
        for s in stems:
            i = after.find(s)
            if 0 <= i < 40 and (best is None or i < best[0]):
                best = (i, key)
            j = before.rfind(s)
            if j >= 0 and len(before) - j < 30 and (best is None or len(before) - j < best[0]):
                best = (len(before) - j, key)
    return best[1] if best else None
