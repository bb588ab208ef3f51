"""Regex sentence splitter that keeps character offsets into the body.

Lines are hard boundaries (headlines, subheadings and paragraphs are separate units in scraped
text). Inside a line a boundary is sentence punctuation, optional closing quotes/brackets,
whitespace and then something that can start a sentence, unless the word before the dot is a
known abbreviation or a single-letter initial.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.extraction.types import Sentence, new_sentence

# The first group is spelled to start with a character class, which re skips to (in C); a
# pattern that starts with a repeat is tried at every character instead.
_BOUNDARY = re.compile(r"([.!?…][.!?…]*)([\"'”’»)\]]*)(\s+)(?=[\"'“«„(\[—–-]?\s?[A-ZА-ЯІЇЄҐЁ0-9])")

# Abbreviations that are usually followed by a capitalised name or a number.
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "lt",
    "col",
    "maj",
    "sgt",
    "capt",
    "cpt",
    "adm",
    "gov",
    "sen",
    "rep",
    "st",
    "jr",
    "sr",
    "no",
    "nos",
    "vs",
    "etc",
    "approx",
    "fig",
    "ft",
    "jan",
    "feb",
    "aug",
    "sept",
    "sep",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "inc",
    "corp",
    "co",
    "ltd",
    "mt",
    "rev",
    "hon",
    "pres",
    "gens",
    # uk / ru / bg
    "м",
    "вул",
    "ул",
    "бул",
    "пр",
    "просп",
    "обл",
    "с",
    "смт",
    "гр",
    "ген",
    "проф",
    "акад",
    "им",
    "ім",
    "див",
    "напр",
    "т",
    "д",
    "тис",
    "млн",
    "млрд",
    "пл",
    "р-н",
    "кв",
    "о",
    "св",
}


_ABBREV_MAX = max(map(len, _ABBREV))


def _is_abbrev(text: str, dot_pos: int) -> bool:
    if dot_pos > _ABBREV_MAX and text[dot_pos - _ABBREV_MAX - 1 : dot_pos].isalpha():
        # a word longer than any abbreviation, most dots: lowering does not shorten it, nor
        # leave a dot at its end, so the scan below could only end with a long word
        return False
    j = dot_pos
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot_pos].lower().rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # initials: "V. Putin", "В. Зеленський"
    return word in _ABBREV


def _boundaries(line: str) -> Iterator[re.Match[str]]:
    """``_BOUNDARY.finditer(line)``. Most lines hold no sentence punctuation but dots, and
    str.find gets from one dot to the next far faster than the regex's scan of every character.
    A match starts a punctuation run: a dot that does not start a match cannot be inside one."""
    if "!" in line or "?" in line or "…" in line:
        yield from _BOUNDARY.finditer(line)
        return
    pos = line.find(".")
    while pos >= 0:
        m = _BOUNDARY.match(line, pos)
        if m:
            yield m
            pos = line.find(".", m.end())
        else:
            pos = line.find(".", pos + 1)


def split_sentences(body: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    pos = 0
    for line in body.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        start = 0
        for m in _boundaries(line):
            if m.group(1) == "." and _is_abbrev(line, m.start(1)):
                continue
            _add(sentences, body, line_start + start, line_start + m.end(2))
            start = m.end(3)
        _add(sentences, body, line_start + start, line_start + len(line))
    return sentences


def _add(out: list[Sentence], body: str, start: int, end: int) -> None:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(new_sentence(len(out), start, end, body[start:end]))
