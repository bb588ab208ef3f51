"""Impact lists: bounded relevance ranking for queries that match a large share of the corpus.

FTS5 computes bm25 for every matching row before it can sort (~2 µs a row, and a count of every
phrase's hits per statement for the idf), so `Ukraine`, found in 90 % of 100,000 articles, costs
hundreds of milliseconds however small the page. bm25 of a query is a sum over its phrases:
idf(phrase) x a saturating function of the phrase's weighted frequency in the row. So each
phrase's rows, with their contribution, are kept in a list (migration 0006): all of them for a
phrase in at most COMPLETE articles, the best LIST_SIZE for a head phrase. A query's candidates
are the rows on its phrases' lists, scored by adding up their contributions; what a head phrase
adds to a row below its list's cut is computed for the POOL rows most likely to lead
(app/search/rescore.py), so the top of the ranking is bm25's own. Rows added after a list was
built are scored live, so new articles rank at once. AND and NOT queries with at most MATCH_SET
matches rank them all instead: most rows on the lists do not match them.

A list is built the first time a phrase is needed and shared through the database;
`refresh_impacts` rebuilds them all (and, with `discover`, every frequent word), as
`conflictkb reindex` and a schedule should. tests/search/test_bounded_rank.py checks that the
top ten agree with full bm25 over a query mix of head words, tests/search/test_rescore.py that
the computed contributions are bm25's.
"""

from __future__ import annotations

import datetime as dt
import heapq
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.config import get_settings
from app.search import rescore
from app.search.expand import Plan
from app.search.query import Query, quote_fts5

# Rows kept per phrase in more than COMPLETE articles (a head phrase). A row outside such a list
# contributes at most the list's last score, and what it does contribute is computed for the
# POOL best candidates (app/search/rescore.py).
LIST_SIZE = 500
# A phrase in at most this many articles keeps all of them: a row missing from its list does not
# hold it, so only head phrases (idf small, contributions close together) leave gaps to fill.
COMPLETE = 10_000
# Candidates whose missing head-phrase contributions are computed before ranking.
POOL = 100
# An AND or NOT query with at most this many matches has them all ranked by bm25().
MATCH_SET = 10_000
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
    complete: bool = False  # every match up to hwm, each with its exact score


_lock = threading.Lock()
# Lists by (database, phrase), the least recently used dropped past _MEMORY_ROWS rows (~100
# bytes each): complete lists hold up to COMPLETE rows.
_MEMORY_ROWS = 400_000
_memory: OrderedDict[tuple[str, str], ImpactList] = OrderedDict()
_memory_rows = 0
# Candidates per (database, phrases, hwm, the lists' stamps): a repeated query (the next page,
# the same query from another client) skips the summing and the re-scoring. Bounded by rows
# held (~150 bytes each, so ~30 MB), the least recently used going first.
_CANDIDATE_ROWS = 200_000
# Gap fills (app/search/rescore.py) per set of head lists, a few hundred rows each.
_GAP_FILLS = 512
_gap_fills: OrderedDict[tuple[object, ...], dict[int, float]] = OrderedDict()
_candidates: OrderedDict[tuple[object, ...], Candidates] = OrderedDict()
_candidate_rows = 0


def _build(conn: Connection, p: Phrase, max_id: int) -> ImpactList:
    matches = _matches_up_to(conn, p.match, max_id, COMPLETE)
    sql = (
        f"SELECT rowid, bm25(article_fts, {WEIGHTS}) AS r FROM article_fts "
        "WHERE article_fts MATCH :m AND rowid <= :hwm ORDER BY r, rowid LIMIT :k"
    )
    params = {"m": p.match, "hwm": max_id, "k": matches if matches <= COMPLETE else LIST_SIZE}
    rows = conn.execute(text(sql), params).all()
    stamp = dt.datetime.now(dt.UTC).isoformat()
    return ImpactList(max_id, tuple((int(i), float(s)) for i, s in rows), stamp)


def _matches_up_to(conn: Connection, match: str, hwm: int, cap: int) -> int:
    """Matches up to article id `hwm`, counted to cap + 1 at most: a doclist walk, no bm25()."""
    sql = (
        "SELECT count(*) FROM (SELECT rowid FROM article_fts "
        "WHERE article_fts MATCH :m AND rowid <= :hwm LIMIT :cap)"
    )
    return int(conn.execute(text(sql), {"m": match, "hwm": hwm, "cap": cap + 1}).scalar_one())


def complete(found: ImpactList) -> bool:
    """Every row holding the phrase (up to max_id) is on the list. A complete list of exactly
    LIST_SIZE rows is taken for a head list: that only costs a re-score."""
    return len(found.rows) != LIST_SIZE


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
        marks = ", ".join("?" for _ in stale)
        rows: dict[str, list[tuple[float, int]]] = {k: [] for k in stale}
        # The driver's cursor: complete lists hold up to COMPLETE rows, and a Result row costs
        # ~8 µs where a tuple costs ~0.3.
        raw = conn.connection.driver_connection
        assert raw is not None
        found_rows = raw.execute(
            f"SELECT phrase, score, article_id FROM search_impact WHERE phrase IN ({marks})", stale
        ).fetchall()
        for key, score, article_id in found_rows:
            rows[key].append((score, article_id))
        for key in stale:
            max_id, stamp = stored[key]
            best_first = tuple((i, s) for s, i in sorted(rows[key]))
            found = ImpactList(max_id, best_first, stamp)
            out[keys[key]] = found
            _remember((url, key), found)
    for key, p in keys.items():
        if p not in out:
            found = _build(conn, p, hwm)
            _remember((url, key), found)
            _persist(conn.engine, key, found)
            out[p] = found
    return out


def _remember(key: tuple[str, str], found: ImpactList) -> None:
    global _memory_rows
    with _lock:
        replaced = _memory.pop(key, None)
        _memory_rows += len(found.rows) - (len(replaced.rows) if replaced else 0)
        _memory[key] = found
        while _memory_rows > _MEMORY_ROWS and len(_memory) > 1:
            _memory_rows -= len(_memory.popitem(last=False)[1].rows)


def candidates(
    session: Session, phrases: list[Phrase], hwm: int, *, match: str | None = None
) -> Candidates:
    """candidate_scores() with its rank order, from this process's cache when the lists and
    `hwm` are the ones it was computed for.

    With `match` (a query that is not an OR of its terms: most rows on the lists do not match
    it, and its rows can lead on head words alone), a query with at most MATCH_SET matches
    ranks them all by bm25() instead: the idf walks cost about what a bounded ranking would,
    once per `hwm`, and the order is exact."""
    url = str(session.connection().engine.url)
    if match is not None:
        key: tuple[object, ...] = (url, hwm, match, MATCH_SET)
        found = _cached(key)
        if found is None:
            found = _all_matches(session, match, hwm) or _TOO_MANY
            _keep(key, found)  # "too many" too: the count is a pass over the doclists
        if found is not _TOO_MANY:
            return found
    lists = load_lists(session, phrases, hwm)
    key = (
        url,
        hwm,
        LIST_SIZE,
        COMPLETE,
        POOL,
        tuple((p.key, f.max_id, f.stamp, len(f.rows)) for p, f in lists.items()),
    )
    found = _cached(key)
    if found is None:
        scores = candidate_scores(session, phrases, hwm, lists=lists)
        found = Candidates(scores, _ranked(scores))
        _keep(key, found)
    return found


_TOO_MANY = Candidates({}, ())  # more than MATCH_SET matches: ranked from the lists


def _ranked(scores: dict[int, float]) -> tuple[tuple[int, float], ...]:
    return tuple((i, s) for s, i in sorted((s, i) for i, s in scores.items()))


def _cached(key: tuple[object, ...]) -> Candidates | None:
    with _lock:
        found = _candidates.get(key)
        if found is not None:
            _candidates.move_to_end(key)
        return found


def _keep(key: tuple[object, ...], found: Candidates) -> None:
    global _candidate_rows
    with _lock:
        if key not in _candidates:
            _candidates[key] = found
            _candidate_rows += len(found.scores)
        while _candidate_rows > _CANDIDATE_ROWS and len(_candidates) > 1:
            _candidate_rows -= len(_candidates.popitem(last=False)[1].scores)


def _all_matches(session: Session, match: str, hwm: int) -> Candidates | None:
    conn = session.connection()
    if _matches_up_to(conn, match, hwm, MATCH_SET) > MATCH_SET:
        return None
    sql = (
        f"SELECT rowid, bm25(article_fts, {WEIGHTS}) FROM article_fts "
        "WHERE article_fts MATCH :m AND rowid <= :hwm"
    )
    scores = {int(i): float(s) for i, s in conn.execute(text(sql), {"m": match, "hwm": hwm})}
    return Candidates(scores, _ranked(scores), complete=True)


def candidate_scores(
    session: Session,
    phrases: list[Phrase],
    hwm: int,
    *,
    lists: dict[Phrase, ImpactList] | None = None,
) -> dict[int, float]:
    """Article id -> summed bm25 contributions (lower is better), over the phrases' lists and
    the rows added since each list was built, up to article id `hwm`; exact for the POOL rows
    most likely to lead, a partial sum (a lower bound of the relevance) for the rest."""
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
    heads = {p: f for p, f in lists.items() if f.rows and not complete(f)}
    if heads and scores:
        _fill_gaps(conn, scores, heads)
    return scores


def _fill_gaps(conn: Connection, scores: dict[int, float], heads: dict[Phrase, ImpactList]) -> None:
    """Adds, for the POOL rows with the best optimistic bound (each head phrase a row is not
    listed for credited with its list's last score, the most it can add), what the head phrases
    they are not listed for really contribute."""
    listed = {p: {i for i, _ in f.rows} for p, f in heads.items()}
    credit = sum(f.rows[-1][1] for f in heads.values())
    bound = {i: s + credit for i, s in scores.items()}
    newest = min(f.max_id for f in heads.values())
    live = [i for i in scores if i > newest]
    for p, found in heads.items():
        last = found.rows[-1][1]
        for i in listed[p]:
            if i in bound:
                bound[i] -= last
        for i in live:
            if i > found.max_id and i not in listed[p]:
                bound[i] -= last  # scored live for this phrase, exactly
    pool = heapq.nsmallest(POOL, bound, key=lambda i: (bound[i], i))
    extra = _gap_fill(conn, pool, heads, listed)
    for i in pool:
        scores[i] += extra.get(i, 0.0)


def _gap_fill(
    conn: Connection,
    pool: list[int],
    heads: dict[Phrase, ImpactList],
    listed: dict[Phrase, set[int]],
) -> dict[int, float]:
    """Row -> what the head phrases it is not listed for add to it. That depends on the lists
    only (rows newer than a list are scored live for it), not on `hwm`: kept per set of lists, so
    a new article costs the next query a sum over the lists, not a re-scoring."""
    key = (str(conn.engine.url), tuple((p.key, f.max_id, f.stamp) for p, f in heads.items()))
    oldest_gap = max(f.max_id for f in heads.values())
    with _lock:
        known = _gap_fills.get(key)
        if known is not None:
            _gap_fills.move_to_end(key)
    if known is not None and all(i in known for i in pool if i <= oldest_gap):
        return known
    found_here = rescore.contributions(
        conn, pool, {p.match: f.rows for p, f in heads.items()}, WEIGHTS
    )
    extra = dict(known or {})
    for i in pool:
        extra[i] = sum(
            found_here[p.match].get(i, 0.0)
            for p, f in heads.items()
            if i <= f.max_id and i not in listed[p]
        )
    with _lock:
        _gap_fills[key] = extra
        _gap_fills.move_to_end(key)
        while len(_gap_fills) > _GAP_FILLS:
            _gap_fills.popitem(last=False)
    return extra


def refresh_impacts(session: Session, *, discover: bool = False, min_docs: int = COMPLETE) -> int:
    """Rebuild every stored list against the current index; with `discover`, also build lists
    for each word in more than `min_docs` articles (title/body and lemma forms). Returns the
    number of lists written. For `conflictkb reindex` and a periodic job.

    A phrase that now has a complete list longer than a head list is dropped instead, to be
    built again when a query needs it: words found in a few thousand articles are many, and
    keeping all of them complete would store millions of rows nobody asked for."""
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
        found = _build(conn, p, hwm)
        if complete(found) and len(found.rows) > LIST_SIZE:
            conn.execute(text("DELETE FROM search_impact WHERE phrase = :p"), {"p": p.key})
            conn.execute(text("DELETE FROM search_impact_list WHERE phrase = :p"), {"p": p.key})
            continue
        _store(conn, p.key, found)
        written += 1
    session.commit()
    global _candidate_rows, _memory_rows
    with _lock:
        _memory.clear()
        _memory_rows = 0
        _candidates.clear()
        _gap_fills.clear()
        _candidate_rows = 0
    return written


def _from_key(key: str) -> Phrase:
    columns, _, rest = key.partition(":")
    prefix = rest.endswith(" *")
    words = tuple((rest[:-2] if prefix else rest).split(" "))
    return Phrase(columns, words, prefix)
