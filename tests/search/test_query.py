"""The query language: parsing, limits, and renderings that no input can break."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.search.query import (
    And,
    Expansion,
    Fts5Columns,
    Not,
    Or,
    Term,
    lemma_phrases,
    parse_query,
    parse_raw,
    to_fts5,
    to_tsquery,
)
from app.services.errors import InvalidQuery


def test_words_must_all_match() -> None:
    q = parse_query("Japan drones")
    assert q.root == And((Term(("Japan",)), Term(("drones",))))


def test_phrases_or_exclusion_and_prefix() -> None:
    q = parse_query('"air defence" Kharkiv OR Odesa -Russia Zelensk*')
    assert q.root == And(
        (
            Term(("air", "defence"), quoted=True),
            Or((Term(("Kharkiv",)), Term(("Odesa",)))),
            Term(("Zelensk",), prefix=True),
            Not(Term(("Russia",))),
        )
    )
    assert [t.text for t in q.terms] == ["air defence", "Kharkiv", "Odesa", "Zelensk"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("C++", [("C",)]),
        ("e-mail", [("e", "mail")]),
        ("what's", [("what", "s")]),
        ("nosuchcol:x", [("nosuchcol", "x")]),
        ("NEAR(a b)", [("NEAR", "a"), ("b",)]),
        ("OR OR", [("OR",), ("OR",)]),
        ("Kyiv OR", [("Kyiv",), ("OR",)]),
        ("AND", [("AND",)]),
        ('a"b', [("a",), ("b",)]),
    ],
)
def test_everything_else_is_literal(raw: str, words: list[tuple[str, ...]]) -> None:
    assert [t.words for t in parse_query(raw).terms] == words


@pytest.mark.parametrize("raw", ["", "  ", "*", "()", '""', "\x00", "-x", "-", "- -"])
def test_nothing_searchable(raw: str) -> None:
    with pytest.raises(InvalidQuery):
        parse_query(raw)


def test_limits() -> None:
    with pytest.raises(InvalidQuery, match="longer"):
        parse_query("x" * 501)
    with pytest.raises(InvalidQuery, match="words"):
        parse_query(" ".join(["w"] * 33))
    with pytest.raises(InvalidQuery, match="prefix"):
        parse_query("ab*")
    parse_query(" ".join(["w"] * 32))


def test_control_characters_and_lone_surrogates_are_dropped() -> None:
    q = parse_query("Ja\x00pan\ud800 \x1b[31mKyiv\u200b")
    assert [t.text for t in q.terms] == ["Japan", "31mKyiv"]
    assert "\x00" not in to_fts5(q) and "\ud800" not in to_fts5(q)
    assert parse_raw("a\x00 OR b").text == "a OR b"


def test_fts5_rendering_with_expansions_and_columns() -> None:
    q = parse_query("Харків -Москва")
    term = Term(("Харків",))
    exp = {term: Expansion(lemmas=(("харків",),), aliases=(("kharkiv",), ("харьков",)))}
    text = to_fts5(q, exp, Fts5Columns(exact="{title body}", lemmas="{lemmas}"))
    assert text == (
        '(({title body} : "Харків" OR {lemmas} : ("харків") OR "kharkiv" OR "харьков")) '
        'NOT {title body} : "Москва"'
    )


def test_lemma_phrases_are_capped() -> None:
    term = Term(tuple("abcdefgh"))
    phrases = lemma_phrases(term, lambda w: [w + "1", w + "2"])
    assert phrases[0] == tuple("abcdefgh")
    assert len(phrases) == 8


def test_tsquery_rendering() -> None:
    q = parse_query('Japan\'s "air defence" Zelensk* OR Kyiv -x')
    assert to_tsquery(q) == (
        "(('japan':AB <-> 's':AB) & ('air':AB <-> 'defence':AB) & "
        "('zelensk':*AB | 'kyiv':AB) & !'x':AB)"
    )
    exp = {Term(("drones",)): Expansion(lemmas=(("drone",),), aliases=(("дрон",),))}
    assert to_tsquery(parse_query("drones"), exp) == "('drones':AB | 'drone':C | 'дрон')"


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, body, lemmas, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('Japan', 'C++ e-mail what''s up', 'japan')")
    return conn


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_no_text_renders_to_invalid_fts5(fts: sqlite3.Connection, raw: str) -> None:
    try:
        q = parse_query(raw)
    except InvalidQuery:
        return
    exp = {t: Expansion(lemmas=(tuple(w.lower() for w in t.words),)) for t in q.terms}
    for text in (to_fts5(q), to_fts5(q, exp, Fts5Columns("{title body}", "{lemmas}"))):
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (text,)).fetchall()


SOUP = ['"', "(", ")", "*", "-", "OR", "AND", "NOT", "NEAR", ":", "^", "{", "}", "+", "x", "y",
        " ", "'", "\x00"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=20))
def test_operator_soup_renders_to_valid_fts5(fts: sqlite3.Connection, parts: list[str]) -> None:
    try:
        q = parse_query("".join(parts))
    except InvalidQuery:
        return
    fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts5(q),)).fetchall()


@pytest.mark.parametrize(
    ("raw", "found"),
    [("C++", True), ("e-mail", True), ("what's", True), ("Japan -up", False), ("jap*", True)],
)
def test_literal_chunks_find_their_text(fts: sqlite3.Connection, raw: str, found: bool) -> None:
    rows = fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts5(parse_query(raw)),))
    assert bool(rows.fetchall()) is found
