"""`syntax=fts5` on PostgreSQL: FTS5 syntax to tsquery text, and FTS5's errors as 400s."""

from __future__ import annotations

import pytest

from app.search.pg_raw import raw_to_tsquery
from app.services.errors import QuerySyntaxError

COLUMNS = {"title": "A", "body": "B", "lemmas": "C"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kyiv", "'kyiv':ABC"),
        ("a b", "('a':ABC & 'b':ABC)"),
        ("a AND b OR c", "(('a':ABC & 'b':ABC) | 'c':ABC)"),
        ("a NOT b", "('a':ABC & !'b':ABC)"),
        ('"air  defence" *', "('air':ABC <-> 'defence':*ABC)"),
        ("title: Japanese OR body: Reznikov", "('japanese':A | 'reznikov':B)"),
        ("{title body}: (x y)", "('x':AB & 'y':AB)"),
        ("-lemmas: x", "'x':AB"),
        ('"O\'Neil"', "('o':ABC <-> 'neil':ABC)"),
    ],
)
def test_translates_the_common_syntax(raw: str, expected: str) -> None:
    assert raw_to_tsquery(raw, COLUMNS) == expected


@pytest.mark.parametrize(
    "raw",
    ['"unclosed', "nosuchcol: x", "(x", "x)", "a OR", "NEAR(a b)", "^a", "a + b", "AND", '""'],
)
def test_what_fts5_rejects_is_a_syntax_error(raw: str) -> None:
    with pytest.raises(QuerySyntaxError):
        raw_to_tsquery(raw, COLUMNS)
