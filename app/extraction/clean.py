"""Drop page furniture (widgets, prompts, captions, ads, contact lines) by the shape of a line.

Every rule is about what a line looks like in any article (four languages), never about a
particular page. Lines are removed whole; kept lines are re-joined with their paragraph breaks so
that the body still reads as the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"січ\w*|лют\w*|берез\w*|квіт\w*|трав\w*|черв\w*|лип\w*|серп\w*|верес\w*|жовт\w*|"
    r"листопад\w*|груд\w*|"
    r"януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември|"
    r"январ\w*|феврал\w*|марта?|апрел\w*|мая|июн\w*|июл\w*|август\w*|сентябр\w*|октябр\w*|"
    r"ноябр\w*|декабр\w*"
)
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"понеділок|вівторок|середа|четвер|п[’']ятниця|субота|неділя|"
    r"понеделник|вторник|сряда|четвъртък|петък|събота|неделя|"
    r"понедельник|среда|четверг|пятница|суббота|воскресенье"
)


@dataclass(frozen=True)
class _Cued:
    """A rule tried only on a line that passes its cue test: the test passes every line the rule
    can match, and costs far less than the rule's scan of up to 80 starting offsets."""

    cue: Callable[[str], bool]
    rule: re.Pattern[str]

    def match(self, line: str) -> re.Match[str] | None:
        return self.rule.match(line) if self.cue(line) else None


# pieces of the contact rule's phrases, looked for in the lowered line: each of their characters
# is matched under re.I only by characters that lower to it (checked over all of Unicode; not
# so "s", as "ſ" matches it), so lowering cannot hide one
_CONTACT_CUES = ("(at)", "[at]", "contact", "follow ", "яза", "рже")
_CONTACT_PHRASE_LINE = 180  # 80 characters either side of a phrase of at most 20


def _may_be_contact(line: str) -> bool:
    """True for every line the contact rule matches: an address holds "@", "(at)" or "[at]",
    and a phrase fits only a line of at most _CONTACT_PHRASE_LINE. Most lines are long and hold
    none of "@", "(" and "[": those are not lowered, which costs more than the rest."""
    if "@" in line:
        return True
    if len(line) > _CONTACT_PHRASE_LINE and "(" not in line and "[" not in line:
        return False
    low = line.lower()
    return any(cue in low for cue in _CONTACT_CUES)


def _has_price(line: str) -> bool:
    return "$" in line or "€" in line or "£" in line


_RULES: list[tuple[str, re.Pattern[str] | _Cued]] = [
    # weather widget: "5.6 C", "-3°C", "+12 °"
    ("weather", re.compile(r"^[-+−]?\d{1,2}(?:[.,]\d)?\s*°?\s*[CF°]?$")),
    # a line that is only a date and/or time
    (
        "date",
        re.compile(
            rf"^(?:(?:{_WEEKDAYS}),?\s*)?(?:\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|"
            rf"(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}})"
            r"(?:\s*(?:г\.|р\.|року|года|година)?)?(?:,?\s*\d{1,2}:\d{2})?$",
            re.I,
        ),
    ),
    ("time", re.compile(r"^\d{1,2}:\d{2}(?:\s*(?:am|pm))?$", re.I)),
    # comment widgets and counters
    (
        "comments",
        re.compile(
            r"^(?:please enter your (?:comment|name|email)|leave a (?:comment|reply)|"
            r"post a comment|add (?:a )?comment|you have entered an incorrect|"
            r"\d+\s+comments?|comments?\s*\(\d+\)|"
            r"коментар\w*|коментари|комментари\w*|залишити коментар|добави коментар|"
            r"оставить комментарий|напишіть коментар)\b.*$",
            re.I,
        ),
    ),
    # section furniture
    (
        "nav",
        re.compile(
            r"^(?:latest news|related news|related (?:articles|stories|posts)|read (?:more|also)|"
            r"all headlines|top stories|most (?:read|popular)|more from|recommended|trending|"
            r"share(?: this)?|tweet|print|subscribe\b.*|sign up\b.*|advertisement|sponsored|"
            r"tags?:.*|читайте також.*|читайте также.*|прочетете (?:още|също).*|още по темата|"
            r"последни новини|най-четени|останні новини|новини партнерів|популярне|"
            r"последние новости|теги:.*|етикети:.*|тэги:.*|реклама|поділитися|сподели|поделиться)"
            r"[.!:]?$",
            re.I,
        ),
    ),
    # ads and lotteries: "Win $100-Register"
    (
        "ad",
        _Cued(
            _has_price,
            re.compile(
                r"^.{0,40}(?:[$€£]\s?\d[\d,.]*).{0,40}(?:register|sign up|subscribe|"
                r"click|claim|buy now)\b.*$",
                re.I,
            ),
        ),
    ),
    # captions: "File Image: ...", "Photo: Reuters", "Фото: ..."
    (
        "caption",
        re.compile(
            r"^(?:file\s+)?(?:image|photo(?:graph)?|picture|illustration|video|фото\w*|снимк\w*|"
            r"илюстрац\w*|ілюстрац\w*|иллюстрац\w*|відео|видео)\s*(?:\([^)]*\))?\s*[:|/].{0,200}$",
            re.I,
        ),
    ),
    ("credit", re.compile(r"^[(\[]?(?:photo|image|фото|снимка)\s*(?:by|credit)?\s*[:/].*$", re.I)),
    # author contact and social lines
    (
        "contact",
        _Cued(
            _may_be_contact,
            re.compile(
                r"^.{0,80}(?:\b[\w.+-]+(?:@|\(at\)|\[at\])[\w-]+(?:\.|\(dot\))\w+\b|"
                r"contact the author|follow (?:us|me|the author)|зв[’']язатися з автором|"
                r"свържете се с автора).{0,80}$",
                re.I,
            ),
        ),
    ),
]

# An English caption is a verbless noun phrase: "A truck-mounted ... system, used by ...".
_CAPTION_NP = re.compile(
    r"^(?:A|An)\s[^.!?]{10,220}\b(?:used|seen|pictured|shown|displayed|"
    r"deployed|taken|parked|photographed|launched)\b[^.!?]*\.?$"
)
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|does|did)\b")

# A story heading: short, no final sentence punctuation, starts with a capital.
_HEADING = re.compile(r"^[A-ZА-ЯІЇЄҐЁ\"«„“][^\n]{2,160}$")
_HEADING_MAX = 161  # what _HEADING can match: a longer line would be scanned and backtracked


_WORD_CHAR = re.compile(r"\w")


@dataclass
class Cleaned:
    body: str
    removed_lines: list[str] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # body offsets
    headings: list[int] = field(default_factory=list)  # indexes into paragraphs


def boilerplate_reason(line: str) -> str | None:
    s = line.strip()
    if not s:
        return None
    if not _WORD_CHAR.search(s):
        return "symbols"
    for name, rx in _RULES:
        if rx.match(s):
            return name
    if _CAPTION_NP.match(s) and not _FINITE.search(s) and len(s.split()) <= 35:
        return "caption"
    return None


def is_heading(line: str) -> bool:
    s = line.strip()
    return (
        len(s) <= _HEADING_MAX
        and bool(_HEADING.match(s))
        and s[-1] not in '.!:;,…»”"'
        and len(s.split()) <= 18
    ) or (s.endswith("?") and len(s.split()) <= 14)


def clean(raw_text: str) -> Cleaned:
    kept: list[str] = []
    removed: list[str] = []
    for line in raw_text.splitlines():
        if boilerplate_reason(line):
            removed.append(line.strip())
            continue
        stripped = line.strip()
        if not stripped:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        kept.append(stripped)
    while kept and kept[-1] == "":
        kept.pop()
    body = "\n".join(kept)
    paragraphs: list[tuple[int, int]] = []
    headings: list[int] = []
    pos = 0
    for line in kept:
        if line:
            if is_heading(line):
                headings.append(len(paragraphs))
            paragraphs.append((pos, pos + len(line)))
        pos += len(line) + 1
    return Cleaned(body, removed, paragraphs, headings)
