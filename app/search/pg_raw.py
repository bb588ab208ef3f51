"""`syntax=fts5` on PostgreSQL: FTS5 query syntax translated to a tsquery.

The supported part is what users write: barewords, "phrases" ("" escapes a quote), `prefix*`,
AND / OR / NOT (FTS5 precedence: NOT, then AND, then OR), implicit AND, parentheses and column
filters (`title: x`, `{title body}: (x OR y)`, `-lemmas: x`). NEAR, `^` and `+` have no tsquery
equivalent with the same meaning, so they are a QuerySyntaxError (400), as are the errors FTS5
itself reports: an unclosed string or bracket, an unknown column, an operator with no operand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.search.query import words_of
from app.services.errors import QuerySyntaxError

# FTS5 barewords: ASCII letters, digits and underscore, and every non-ASCII character.
_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<bare>[A-Za-z0-9_\x1a\x80-\U0010ffff]+)|(?P<op>[(){}:*^+\-,]))'
)


@dataclass(slots=True)
class _Tok:
    kind: str  # str | bare | op
    text: str


def _lex(raw: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(raw):
        if raw[pos:].strip() == "":
            break
        m = _TOKEN.match(raw, pos)
        if m is None:
            if raw[pos:].lstrip().startswith('"'):
                raise QuerySyntaxError("FTS5 syntax: unterminated string")
            bad = raw[pos:].lstrip()[:1]
            raise QuerySyntaxError(f"FTS5 syntax error near {bad!r}")
        kind = m.lastgroup or "op"
        out.append(_Tok(kind, m.group(kind)))
        pos = m.end()
    return out


def _lexeme(word: str, weights: str, prefix: bool) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("'", "''")
    suffix = ("*" if prefix else "") + weights
    return f"'{escaped}'" + (f":{suffix}" if suffix else "")


class _Parser:
    def __init__(self, tokens: list[_Tok], columns: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.columns = columns
        self.all_weights = "".join(columns.values())

    def peek(self, offset: int = 0) -> _Tok | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("FTS5 syntax: the query ends where an operand was expected")
        self.pos += 1
        return tok

    def is_op(self, word: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "bare" and tok.text == word

    def parse(self) -> str:
        node = self.or_expr(self.all_weights)
        if self.peek() is not None:
            raise QuerySyntaxError(f"FTS5 syntax error near {self.peek().text!r}")  # type: ignore[union-attr]
        return node

    def or_expr(self, weights: str) -> str:
        parts = [self.and_expr(weights)]
        while self.is_op("OR"):
            self.take()
            parts.append(self.and_expr(weights))
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    def starts_operand(self) -> bool:
        tok = self.peek()
        if tok is None or any(self.is_op(w) for w in ("OR", "NOT", "AND")):
            return False
        return tok.kind in {"str", "bare"} or tok.text in {"(", "{", "-"}

    def and_expr(self, weights: str) -> str:
        parts = [self.not_expr(weights)]
        while True:
            if self.is_op("AND"):
                self.take()
            elif not self.starts_operand():
                break
            parts.append(self.not_expr(weights))
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"

    def not_expr(self, weights: str) -> str:
        node = self.primary(weights)
        while self.is_op("NOT"):
            self.take()
            node = f"({node} & !{self.primary(weights)})"
        return node

    def column_filter(self) -> str | None:
        """Weights of a column filter at the cursor (consumed), or None when there is none."""
        start = self.pos
        negate = False
        tok = self.peek()
        if tok is not None and tok.text == "-":
            negate = True
            self.take()
            tok = self.peek()
        names: list[str] = []
        if tok is not None and tok.text == "{":
            self.take()
            while self.peek() is not None and self.peek().text != "}":  # type: ignore[union-attr]
                names.append(self.take().text)
            self.take()
        elif tok is not None and tok.kind == "bare" and self.peek(1) and self.peek(1).text == ":":  # type: ignore[union-attr]
            names.append(self.take().text)
        else:
            self.pos = start
            if negate:
                raise QuerySyntaxError("FTS5 syntax error near '-'")
            return None
        if self.take().text != ":":
            raise QuerySyntaxError("FTS5 syntax: a column list must be followed by ':'")
        unknown = [n for n in names if n.lower() not in self.columns]
        if unknown:
            raise QuerySyntaxError(f"FTS5 syntax: no such column: {unknown[0]}")
        chosen = {self.columns[n.lower()] for n in names}
        if negate:
            chosen = set(self.all_weights) - chosen
        return "".join(sorted(chosen)) or "-"

    def primary(self, weights: str) -> str:
        scoped = self.column_filter()
        if scoped is not None:
            if scoped == "-":
                raise QuerySyntaxError("FTS5 syntax: the column filter excludes every column")
            weights = "".join(w for w in scoped if w in weights)
            if not weights:
                raise QuerySyntaxError("FTS5 syntax: nested column filters share no column")
        tok = self.take()
        if tok.text == "(" and tok.kind == "op":
            node = self.or_expr(weights)
            if self.take().text != ")":
                raise QuerySyntaxError("FTS5 syntax: unbalanced parentheses")
            return node
        if tok.kind == "bare" and tok.text == "NEAR" and self.peek() and self.peek().text == "(":  # type: ignore[union-attr]
            raise QuerySyntaxError("FTS5 syntax: NEAR is not supported on PostgreSQL")
        if tok.kind == "bare" and tok.text in {"AND", "OR", "NOT"}:
            raise QuerySyntaxError(f"FTS5 syntax error near {tok.text!r}")
        if tok.kind == "op":
            if tok.text in {"^", "+"}:
                raise QuerySyntaxError(f"FTS5 syntax: {tok.text!r} is not supported on PostgreSQL")
            raise QuerySyntaxError(f"FTS5 syntax error near {tok.text!r}")
        text = tok.text[1:-1].replace('""', '"') if tok.kind == "str" else tok.text
        prefix = self.peek() is not None and self.peek().text == "*"  # type: ignore[union-attr]
        if prefix:
            self.take()
        if self.peek() is not None and self.peek().text in {"+", "^"}:  # type: ignore[union-attr]
            raise QuerySyntaxError(
                f"FTS5 syntax: {self.peek().text!r} is not supported on PostgreSQL"  # type: ignore[union-attr]
            )
        words = words_of(text)
        if not words:
            raise QuerySyntaxError("FTS5 syntax: a phrase with no words")
        lexemes = [_lexeme(w, weights, prefix and i == len(words) - 1) for i, w in enumerate(words)]
        return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def raw_to_tsquery(raw: str, columns: Mapping[str, str]) -> str:
    """FTS5 query text -> tsquery text; `columns` maps column names to tsvector weights."""
    tokens = _lex(raw)
    if not tokens:
        raise QuerySyntaxError("FTS5 syntax: empty query")
    return _Parser(tokens, columns).parse()
