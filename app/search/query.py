"""User search text -> a small query AST -> safe backend syntax.

The language is the one users know from web search: words (all must match), "quoted phrases",
`OR` between two terms, `-excluded` terms and `prefix*`. Everything else is literal text: a chunk
such as `C++`, `e-mail` or `nosuchcol:x` becomes the words it contains, matched next to each other.
Renderers never pass user text through unquoted, so no query can be a syntax error; only
`syntax=fts5` (see `RawQuery`) hands the text to the engine as written.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from app.services.errors import InvalidQuery

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
MIN_PREFIX = 3
# Caps the lemma phrases a multi-word chunk expands to (the product of its words' lemmas).
MAX_LEMMA_VARIANTS = 8
# The same word characters as FTS5's unicode61 tokenizer: letters and digits, no underscore.
WORD = re.compile(r"[^\W_]+")
_CHUNK = re.compile(r'"[^"]*"?|[^\s"]+')


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must occur next to each other; one word in the common case."""

    words: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Term


Node = Term | And | Or | Not


@dataclass(frozen=True, slots=True)
class Query:
    root: Node
    raw: str = ""

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms that must or may match (exclusions left out), in query order."""
        return tuple(positive_terms(self.root))


@dataclass(frozen=True, slots=True)
class RawQuery:
    """FTS5 syntax as the user wrote it, for `syntax=fts5`; only control characters are removed."""

    text: str


@dataclass(frozen=True, slots=True)
class Expansion:
    """What a term also matches: lemma phrases (lemma column) and entity alias phrases."""

    lemmas: tuple[tuple[str, ...], ...] = ()
    aliases: tuple[tuple[str, ...], ...] = ()
    entities: tuple[str, ...] = field(default=())


Expansions = Mapping[Term, Expansion]


def clean_text(raw: str) -> str:
    """Drop NULs, control characters and lone surrogates before anything else sees the text."""
    return "".join(
        " " if ch in "\t\n\r" else ch
        for ch in raw
        if ch in "\t\n\r" or unicodedata.category(ch) not in {"Cc", "Cs", "Cf", "Co", "Cn"}
    ).strip()


def words_of(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text))


def positive_terms(node: Node) -> Iterator[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, And | Or):
        for item in node.items:
            yield from positive_terms(item)


def _check_length(raw: str) -> str:
    if len(raw) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"query is longer than {MAX_QUERY_LENGTH} characters")
    return unicodedata.normalize("NFC", clean_text(raw))


def _term(chunk: str) -> Term | None:
    quoted = chunk.startswith('"')
    body = chunk.strip('"') if quoted else chunk
    prefix = body.endswith("*") and bool(words_of(body))
    words = words_of(body)
    if not words:
        return None
    if prefix and len(words[-1]) < MIN_PREFIX:
        raise InvalidQuery(f"a prefix needs at least {MIN_PREFIX} letters before the *")
    return Term(words=words, prefix=prefix, quoted=quoted)


def parse_query(raw: str) -> Query:
    """Parse web-search syntax; InvalidQuery (422) when nothing is searchable or limits are hit."""
    text = _check_length(raw)
    # Items: ("term", Term) | ("not", Term) | ("or", None).
    items: list[tuple[str, Term | None]] = []
    for chunk in _CHUNK.findall(text):
        if chunk == "OR":
            items.append(("or", None))
            continue
        if chunk.startswith("-") and len(chunk) > 1:
            term = _term(chunk[1:])
            if term is not None:
                items.append(("not", term))
            continue
        term = _term(chunk)
        if term is not None:
            items.append(("term", term))
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joined = False
    for i, (kind, term) in enumerate(items):
        if kind == "or":
            before = groups and i > 0 and items[i - 1][0] == "term"
            after = i + 1 < len(items) and items[i + 1][0] == "term"
            if before and after:
                joined = True
                continue
            # A dangling OR is a word like any other.
            groups.append([Term(words=("OR",))])
            joined = False
        elif kind == "not":
            assert term is not None
            excluded.append(term)
            joined = False
        else:
            assert term is not None
            if joined:
                groups[-1].append(term)
            else:
                groups.append([term])
            joined = False
    word_count = sum(len(t.words) for g in groups for t in g) + sum(len(t.words) for t in excluded)
    if word_count > MAX_TERMS:
        raise InvalidQuery(f"query has more than {MAX_TERMS} words")
    if not groups:
        raise InvalidQuery("query has nothing to search for (excluded terms alone match nothing)")
    nodes: list[Node] = [g[0] if len(g) == 1 else Or(tuple(dict.fromkeys(g))) for g in groups]
    nodes.extend(Not(t) for t in excluded)
    root = nodes[0] if len(nodes) == 1 else And(tuple(nodes))
    return Query(root=root, raw=text)


def parse_raw(raw: str) -> RawQuery:
    text = _check_length(raw)
    if not words_of(text):
        raise InvalidQuery("query has nothing to search for")
    return RawQuery(text=text)


# --- FTS5 -----------------------------------------------------------------------------------


def quote_fts5(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts5_phrase(words: Sequence[str], prefix: bool = False) -> str:
    return quote_fts5(" ".join(words)) + (" *" if prefix else "")


@dataclass(frozen=True, slots=True)
class Fts5Columns:
    """Which FTS5 columns hold the exact text and which the lemmas; None means all columns."""

    exact: str | None = None
    lemmas: str | None = None


def _fts5_term(term: Term, expansions: Expansions, columns: Fts5Columns) -> str:
    exact = _fts5_phrase(term.words, term.prefix)
    if columns.exact:
        exact = f"{columns.exact} : {exact}"
    exp = expansions.get(term)
    if exp is None:
        return exact
    parts = [exact]
    lemma_phrases = [_fts5_phrase(p) for p in exp.lemmas]
    alias_phrases = [_fts5_phrase(p) for p in exp.aliases]
    if lemma_phrases and columns.lemmas:
        parts.append(f"{columns.lemmas} : ({' OR '.join(lemma_phrases)})")
    else:
        parts.extend(lemma_phrases)
    if alias_phrases:
        # An alias may be written inflected; the lemma column holds its base form.
        parts.append(" OR ".join(alias_phrases))
    return "(" + " OR ".join(parts) + ")"


def to_fts5(
    query: Query | Node,
    expansions: Expansions | None = None,
    columns: Fts5Columns | None = None,
) -> str:
    """Render for FTS5 MATCH. Every word is a quoted string, so nothing the user typed is syntax."""
    node = query.root if isinstance(query, Query) else query
    exps = expansions or {}
    cols = columns or Fts5Columns()
    if isinstance(node, Term):
        return _fts5_term(node, exps, cols)
    if isinstance(node, Not):
        return _fts5_term(node.item, {}, cols)
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(i, exps, cols) for i in node.items) + ")"
    positives = [to_fts5(i, exps, cols) for i in node.items if not isinstance(i, Not)]
    negatives = [to_fts5(i, exps, cols) for i in node.items if isinstance(i, Not)]
    text = "(" + " AND ".join(positives) + ")"
    for neg in negatives:
        text = f"{text} NOT {neg}"
    return text


# --- PostgreSQL tsquery ---------------------------------------------------------------------


def _ts_lexeme(word: str, weights: str = "", prefix: bool = False) -> str:
    lexeme = "'" + word.lower().replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weights
    return lexeme + (":" + suffix if suffix else "")


def _ts_phrase(words: Sequence[str], weights: str = "", prefix: bool = False) -> str:
    lexemes = [_ts_lexeme(w, weights, prefix and i == len(words) - 1) for i, w in enumerate(words)]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


def _ts_term(term: Term, expansions: Expansions, exact_w: str, lemma_w: str) -> str:
    parts = [_ts_phrase(term.words, exact_w, term.prefix)]
    exp = expansions.get(term)
    if exp is not None:
        parts.extend(_ts_phrase(p, lemma_w) for p in exp.lemmas)
        parts.extend(_ts_phrase(p) for p in exp.aliases)
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def to_tsquery(
    query: Query | Node,
    expansions: Expansions | None = None,
    *,
    exact_weights: str = "AB",
    lemma_weights: str = "C",
) -> str:
    """Render for PostgreSQL `to_tsquery('simple', ...)` over a tsvector weighted A title,
    B body, C lemmas (migration 0002); lexemes are quoted, so user text is never operators."""
    node = query.root if isinstance(query, Query) else query
    exps = expansions or {}

    def render(n: Node) -> str:
        if isinstance(n, Term):
            return _ts_term(n, exps, exact_weights, lemma_weights)
        if isinstance(n, Not):
            return "!" + _ts_term(n.item, {}, exact_weights, lemma_weights)
        joiner = " | " if isinstance(n, Or) else " & "
        return "(" + joiner.join(render(i) for i in n.items) + ")"

    return render(node)


def lemma_phrases(
    term: Term, lemmas_of: Callable[[str], Sequence[str]]
) -> tuple[tuple[str, ...], ...]:
    """Every phrase of per-word lemmas (capped); the term's own lowercased words come first."""
    options = [list(dict.fromkeys([w.lower(), *lemmas_of(w)])) for w in term.words]
    out: list[tuple[str, ...]] = []
    for combo in itertools.islice(itertools.product(*options), MAX_LEMMA_VARIANTS):
        out.append(tuple(combo))
    return tuple(out)
