"""Impact lists: bounded relevance ranking for queries that match a large share of the corpus.

FTS5 computes bm25 for every matching row before it can sort (~2 µs a row, and a count of every
phrase's hits per statement for the idf), so `Ukraine`, found in 90 % of 100,000 articles, costs
hundreds of milliseconds however small the page. bm25 of a query is a sum over its phrases:
idf(phrase) x a saturating function of the phrase's weighted frequency in the row. So each
phrase's best rows, with their contribution, can be kept in a short list (migration 0006) and a
query's best rows found by adding up the lists of its phrases: the rows that lead the sum lead at
least one list. Rows added after a list was built are scored live, so new articles rank at once.

A list is built the first time a phrase is needed and shared through the database;
`refresh_impacts` rebuilds them all (and, with `discover`, every frequent word), as
`conflictkb reindex` and a schedule should. tests/search/test_bounded_rank.py checks that the
top ten agree with full bm25 over a query mix of head words.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.config import get_settings
from app.search.expand import Plan
from app.search.query import Query, quote_fts5

# Rows kept per phrase. A row outside a list contributes at most that list's last score, so
# longer lists only matter for rows that lead no list and still reach the top ten.
LIST_SIZE = 500
# Best rows (by partial sum) whose missing contributions are bounded by probing; see below.
REFINE = 100
# bm25() column weights: title, body, lemmas. Exact words outrank lemma-only matches.
WEIGHTS = "10.0, 1.0, 0.5"
EXACT_COLUMNS = "{title body}"
LEMMA_COLUMNS = "{lemmas}"


@dataclass(frozen=True, slots=True)
class Phrase:
    """One FTS5 phrase as the backend renders it: a column filter ('' = all), words, prefix."""

    columns: str
    words: tuple[str, ...]
    prefix: bool = False

    @property
    def key(self) -> str:
        return f"{self.columns}:{' '.join(self.words)}{' *' if self.prefix else ''}"

    @property
    def match(self) -> str:
        phrase = quote_fts5(" ".join(self.words)) + (" *" if self.prefix else "")
        return f"{self.columns} : {phrase}" if self.columns else phrase


def phrase(columns: str, words: Iterable[str], prefix: bool = False) -> Phrase:
    # Lowercased, not fold()ed: unicode61 strips Latin accents but keeps й and ї.
    return Phrase(columns, tuple(w.lower() for w in words), prefix)


def plan_phrases(plan: Plan) -> list[Phrase]:
    """Every phrase a match can score on (excluded terms score nothing)."""
    if not isinstance(plan.query, Query):
        return []
    out: dict[Phrase, None] = {}
    for term in plan.query.terms:
        out[phrase(EXACT_COLUMNS, term.words, term.prefix)] = None
        exp = plan.expansions.get(term)
        if exp is not None:
            out |= dict.fromkeys(phrase(LEMMA_COLUMNS, p) for p in exp.lemmas)
            out |= dict.fromkeys(phrase("", p) for p in exp.aliases)
    return list(out)


@dataclass(frozen=True, slots=True)
class ImpactList:
    max_id: int  # the newest article the list has seen
    rows: tuple[tuple[int, float], ...]  # (article id, bm25 contribution), best first
    stamp: str = ""  # built_at: a rebuild at the same max_id is still a new list


@dataclass(frozen=True, slots=True)
class Candidates:
    """A query's impact candidates: summed scores, and the ids in rank order (score, id)."""

    scores: dict[int, float]
    ordered: tuple[tuple[int, float], ...]


_lock = threading.Lock()
_memory: dict[tuple[str, str], ImpactList] = {}
# Candidates per (database, phrases, hwm, the lists' stamps): a repeated query (the next page,
# the same query from another client) skips the summing and the refine probes. Bounded by rows
# held (~150 bytes each, so ~30 MB), the least recently used going first.
_CANDIDATE_ROWS = 200_000
_candidates: OrderedDict[tuple[object, ...], Candidates] = OrderedDict()
_candidate_rows = 0


def _build(conn: Connection, p: Phrase, max_id: int, size: int | None = None) -> ImpactList:
    sql = (
        f"SELECT rowid, bm25(article_fts, {WEIGHTS}) AS r FROM article_fts "
        "WHERE article_fts MATCH :m AND rowid <= :hwm ORDER BY r, rowid LIMIT :k"
    )
    params = {"m": p.match, "hwm": max_id, "k": size or LIST_SIZE}
    rows = conn.execute(text(sql), params).all()
    stamp = dt.datetime.now(dt.UTC).isoformat()
    return ImpactList(max_id, tuple((int(i), float(s)) for i, s in rows), stamp)


def _store(conn: Connection, key: str, found: ImpactList) -> None:
    conn.execute(text("DELETE FROM search_impact WHERE phrase = :p"), {"p": key})
    conn.execute(
        text(
            "INSERT OR REPLACE INTO search_impact_list(phrase, max_id, built_at) "
            "VALUES (:p, :max_id, :at)"
        ),
        {"p": key, "max_id": found.max_id, "at": found.stamp},
    )
    if found.rows:
        conn.execute(
            text("INSERT INTO search_impact(phrase, article_id, score) VALUES (:p, :i, :s)"),
            [{"p": key, "i": i, "s": s} for i, s in found.rows],
        )


def _persist(engine: Engine, key: str, found: ImpactList) -> None:
    """Best effort from a read request: a busy database must not hold the search up, and the
    list stays in this process's memory anyway."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 25")
            try:
                _store(conn, key, found)
                conn.commit()
            finally:
                conn.rollback()
                restore = get_settings().sqlite_busy_timeout_ms
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(restore)}")
                conn.commit()
    except OperationalError:
        pass


def load_lists(session: Session, phrases: list[Phrase], hwm: int) -> dict[Phrase, ImpactList]:
    conn = session.connection()
    url = str(conn.engine.url)
    keys = {p.key: p for p in phrases}
    marks = ", ".join(f":k{i}" for i in range(len(keys)))
    params = {f"k{i}": k for i, k in enumerate(keys)}
    stored: dict[str, tuple[int, str]] = {
        str(k): (int(m), str(b))
        for k, m, b in conn.execute(
            text(
                f"SELECT phrase, max_id, built_at FROM search_impact_list WHERE phrase IN ({marks})"
            ),
            params,
        )
    }
    out: dict[Phrase, ImpactList] = {}
    stale: list[str] = []
    for key, p in keys.items():
        cached = _memory.get((url, key))
        if key in stored and (cached is None or (cached.max_id, cached.stamp) != stored[key]):
            stale.append(key)
        elif cached is not None:
            out[p] = cached
    if stale:
        marks = ", ".join(f":s{i}" for i in range(len(stale)))
        rows: dict[str, list[tuple[int, float]]] = {k: [] for k in stale}
        for key, article_id, score in conn.execute(
            text(f"SELECT phrase, article_id, score FROM search_impact WHERE phrase IN ({marks})"),
            {f"s{i}": k for i, k in enumerate(stale)},
        ):
            rows[key].append((int(article_id), float(score)))
        for key in stale:
            max_id, stamp = stored[key]
            found = ImpactList(max_id, tuple(sorted(rows[key], key=lambda r: r[1])), stamp)
            out[keys[key]] = _memory[(url, key)] = found
    for key, p in keys.items():
        if p not in out:
            found = _build(conn, p, hwm)
            with _lock:
                _memory[(url, key)] = found
            _persist(conn.engine, key, found)
            out[p] = found
    return out


def candidates(session: Session, phrases: list[Phrase], hwm: int) -> Candidates:
    """candidate_scores() with its rank order, from this process's cache when the lists and
    `hwm` are the ones it was computed for."""
    lists = load_lists(session, phrases, hwm)
    key = (
        str(session.connection().engine.url),
        hwm,
        LIST_SIZE,
        REFINE,
        tuple((p.key, f.max_id, f.stamp, len(f.rows)) for p, f in lists.items()),
    )
    found = _candidates.get(key)
    if found is not None:
        with _lock:
            if key in _candidates:
                _candidates.move_to_end(key)
        return found
    scores = candidate_scores(session, phrases, hwm, lists=lists)
    found = Candidates(scores, tuple(sorted(scores.items(), key=lambda kv: (kv[1], kv[0]))))
    global _candidate_rows
    with _lock:
        if key not in _candidates:
            _candidates[key] = found
            _candidate_rows += len(scores)
        while _candidate_rows > _CANDIDATE_ROWS and len(_candidates) > 1:
            _candidate_rows -= len(_candidates.popitem(last=False)[1].scores)
    return found


def candidate_scores(
    session: Session,
    phrases: list[Phrase],
    hwm: int,
    refine: int | None = None,
    *,
    lists: dict[Phrase, ImpactList] | None = None,
) -> dict[int, float]:
    """Article id -> summed bm25 contributions (lower is better), over the phrases' lists and
    the rows added since each list was built, up to article id `hwm`.

    A row missing from a full list may still hold that phrase, just below the list's last score;
    the best `refine` rows by partial sum are probed for each such phrase (a seek per row, no
    bm25) and credited with that last score, the most the phrase can add to them."""
    conn = session.connection()
    if lists is None:
        lists = load_lists(session, phrases, hwm)
    scores: dict[int, float] = {}
    for p, found in lists.items():
        for article_id, score in found.rows:
            if article_id <= hwm:
                scores[article_id] = scores.get(article_id, 0.0) + score
        if found.max_id < hwm:
            sql = (
                f"SELECT rowid, bm25(article_fts, {WEIGHTS}) FROM article_fts "
                "WHERE article_fts MATCH :m AND rowid > :lo AND rowid <= :hwm"
            )
            params = {"m": p.match, "lo": found.max_id, "hwm": hwm}
            for article_id, score in conn.execute(text(sql), params):
                scores[int(article_id)] = scores.get(int(article_id), 0.0) + float(score)
    top = sorted(scores, key=lambda i: (scores[i], i))[: refine or REFINE]
    for p, found in lists.items():
        if len(found.rows) < LIST_SIZE:
            continue  # the whole match set: a row missing from it does not hold the phrase
        listed = {i for i, _ in found.rows}
        unknown = [i for i in top if i not in listed and i <= found.max_id]
        if not unknown:
            continue
        ids = ", ".join(str(i) for i in unknown)
        sql = f"SELECT rowid FROM article_fts WHERE article_fts MATCH :m AND rowid IN ({ids})"
        for (article_id,) in conn.execute(text(sql), {"m": p.match}):
            scores[int(article_id)] += found.rows[-1][1]
    return scores


def refresh_impacts(
    session: Session, *, discover: bool = False, min_docs: int = 2000, size: int | None = None
) -> int:
    """Rebuild every stored list against the current index; with `discover`, also build lists
    for each word in more than `min_docs` articles (title/body and lemma forms). Returns the
    number of lists written. For `conflictkb reindex` and a periodic job."""
    conn = session.connection()
    keys = {str(k) for (k,) in conn.execute(text("SELECT phrase FROM search_impact_list"))}
    phrases = [_from_key(k) for k in keys]
    if discover:
        vocab = text(
            "SELECT term, col FROM article_fts_vocab WHERE doc > :n AND col IN ('body', 'lemmas')"
        )
        for term, col in conn.execute(vocab, {"n": min_docs}):
            columns = EXACT_COLUMNS if col == "body" else LEMMA_COLUMNS
            phrases.append(Phrase(columns, (str(term),)))
    hwm = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM article")).scalar_one())
    written = 0
    for p in dict.fromkeys(phrases):
        _store(conn, p.key, _build(conn, p, hwm, size))
        written += 1
    session.commit()
    global _candidate_rows
    with _lock:
        _memory.clear()
        _candidates.clear()
        _candidate_rows = 0
    return written


def _from_key(key: str) -> Phrase:
    columns, _, rest = key.partition(":")
    prefix = rest.endswith(" *")
    words = tuple((rest[:-2] if prefix else rest).split(" "))
    return Phrase(columns, words, prefix)
