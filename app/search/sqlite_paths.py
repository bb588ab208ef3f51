"""The SQLite backend's bounded paths for queries that match a large share of the corpus: hits
from impact lists, date order by walking the date index, facets over a sample.

Each probes FTS5 with `rowid IN (batch)` and no bm25(): a probe is a seek in each phrase's
doclist (tens of µs), while bm25() would recount every phrase's hits for the idf on each one.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.search import rescore
from app.search.base import ArticleFilters, FacetCount, FacetCounts, FacetName, Sort
from app.search.expand import Plan
from app.search.impact import candidates, plan_phrases
from app.search.query import Node, Or, Query, Term
from app.search.sqlite_sql import article_filter_sql, facet_sql, keyset_by_date

# Facets over more hits than this count the newest FACET_SAMPLE of them.
FACET_SAMPLE = 2000
_MAX_BATCH = 4096
# Ids probed beyond what a page needs, when most articles are expected to match.
_SLACK = 8
# Ids few enough that probe_any() asks the remaining phrases in one OR.
_FEW_LEFT = 4


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _ids(values: Iterable[int]) -> str:
    return ", ".join(str(int(v)) for v in values)


def matching(
    session: Session, match: str, filters: ArticleFilters, ids: list[int], *, probe: bool = True
) -> set[int]:
    """The ids that still exist, pass the filters and (with `probe`) match the query: filters
    first (primary-key lookups), then one FTS5 seek per remaining id."""
    if not ids:
        return set()
    where, params = article_filter_sql(filters)
    sql = f"SELECT a.id FROM article a WHERE a.id IN ({_ids(ids)})"
    sql += "".join(" AND " + w for w in where)
    ids = [int(r[0]) for r in session.connection().execute(text(sql), params)]
    return probe_ids(session, match, ids) if probe else set(ids)


def probe_ids(session: Session, match: str, ids: Sequence[int]) -> set[int]:
    """Which of `ids` (existing articles) match an FTS5 query: one seek per id and phrase."""
    if not ids:
        return set()
    # As driver SQL: the text differs per batch, so SQLAlchemy would compile it every time.
    sql = f"SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid IN ({_ids(ids)})"
    return {int(r[0]) for r in session.connection().exec_driver_sql(sql, (match,))}


def probe_any(session: Session, phrases: Sequence[str], ids: Sequence[int]) -> set[int]:
    """probe_ids() for a term or an OR of terms, given each phrase's match: phrase by phrase,
    each asked only of the ids no earlier phrase matched. A probe of the whole OR seeks in every
    phrase's doclist per id (17 for `Ukraine` with its lemmas and aliases, ~1 ms an id at
    1,000,000 articles); this way an id costs one seek per phrase up to its first match."""
    left = set(ids)
    found: set[int] = set()
    for n, match in enumerate(phrases):
        if not left:
            break
        # The same seeks for the last few ids, in one statement instead of one a phrase.
        last = len(left) <= _FEW_LEFT
        if last:
            match = " OR ".join(f"({m})" for m in phrases[n:])
        hit = probe_ids(session, match, sorted(left))
        found |= hit
        left -= hit
        if last:
            break
    return found


def ranked_by_impact(
    session: Session,
    plan: Plan,
    match: str,
    filters: ArticleFilters,
    hwm: int,
    limit: int,
    resume: tuple[int, Any, int | None],
) -> list[tuple[int, float, int]]:
    """(tier, rank, id): tier 0 is the impact candidates by summed score, tier 1 every other
    match, newest first (rank 0). Both orders depend only on the lists and `hwm`, so a cursor
    resumes where it stopped."""
    tier, rank, last_id = resume
    # Without AND or NOT, a row on a phrase's list matches the query by construction; a seek
    # per row costs milliseconds for a prefix or a multi-word alias.
    or_only = isinstance(plan.query, Query) and any_of(plan.query.root)
    found = candidates(session, plan_phrases(plan), hwm, match=None if or_only else match)
    scores = found.scores
    out: list[tuple[int, float, int]] = []
    if tier == 0:
        ordered: Sequence[tuple[int, float]] = found.ordered
        if last_id is not None:
            # `ordered` is sorted by (score, id): resume after the cursor's row.
            at = bisect_right(ordered, (rank, last_id), key=lambda kv: (kv[1], kv[0]))
            ordered = ordered[at:]
        probe = not or_only and not found.complete
        for chunk in _chunks(ordered, max(2 * limit, 32)):
            ids = [i for i, _ in chunk]
            ok = matching(session, match, filters, ids, probe=False)
            if probe:
                ok &= _indexed_matches(session, match, sorted(ok))
            out += [(0, s, i) for i, s in chunk if i in ok]
            if len(out) >= limit:
                return out[:limit]
        last_id = None
    if found.complete:
        return out  # tier 0 held every match
    top = hwm if last_id is None else last_id - 1
    where, params = article_filter_sql(filters)
    join = " CROSS JOIN article a ON a.id = f.rowid" if where else ""
    sql = f"""SELECT f.rowid FROM article_fts f{join}
        WHERE article_fts MATCH :m AND f.rowid <= :top{"".join(" AND " + w for w in where)}
        ORDER BY f.rowid DESC LIMIT :n"""
    while len(out) < limit and top > 0:
        n = 2 * (limit - len(out)) + 16
        rows = [int(r[0]) for r in session.connection().execute(
            text(sql), params | {"m": match, "top": top, "n": n})]  # fmt: skip
        out += [(1, 0.0, i) for i in rows if i not in scores]
        if len(rows) < n:
            break
        top = rows[-1] - 1
    return out[:limit]


def any_of(node: Node) -> bool:
    """A term or an OR of terms: every row on a phrase's list matches it."""
    return isinstance(node, Term) or (
        isinstance(node, Or) and all(isinstance(i, Term) for i in node.items)
    )


def sort_matches_by_date(
    session: Session,
    match: str,
    filters: ArticleFilters,
    sort: Sort,
    limit: int,
    key: tuple[str, int] | None,
) -> list[tuple[int, str]]:
    """Few matches: sort them all."""
    where, params = article_filter_sql(filters)
    params |= {"m": match, "limit": limit}
    if key is not None:
        clause, extra = keyset_by_date(sort, key[0], key[1])
        where.append(clause)
        params |= extra
    direction = "DESC" if sort == "newest" else "ASC"
    sql = f"""
        SELECT a.id, coalesce(a.published_at, '')
        FROM article_fts f CROSS JOIN article a ON a.id = f.rowid
        WHERE article_fts MATCH :m {"".join(" AND " + w for w in where)}
        ORDER BY a.published_at IS NULL, a.published_at {direction}, a.id {direction}
        LIMIT :limit
    """
    return [(int(i), str(p)) for i, p in session.connection().execute(text(sql), params)]


def walk_by_date(
    session: Session,
    match: str,
    filters: ArticleFilters,
    sort: Sort,
    limit: int,
    key: tuple[str, int] | None,
    phrases: Sequence[str] | None = None,
) -> list[tuple[int, str]]:
    """Many matches: walk (published_at, id) in order and keep the batch's matches, so a head
    word costs about one batch instead of sorting every match. Undated articles come last.
    `phrases`, for a term or an OR of terms, lets probe_any() probe phrase by phrase.

    Probing costs per id, so the first batch is barely more than the page (a head word matches
    most articles) and later ones are sized by the share of matches seen so far."""
    op, direction = ("<", "DESC") if sort == "newest" else (">", "ASC")
    where, params = article_filter_sql(filters)
    dated = key is None or key[0] != ""
    position: tuple[str, int] | None = key if key is not None and dated else None
    last_undated = key[1] if key is not None and not dated else None
    out: list[tuple[int, str]] = []
    batch = limit + _SLACK
    probed = 0
    while len(out) < limit:
        if dated:
            cond = ["a.published_at IS NOT NULL", *where]
            if position is not None:
                cond.append(f"(a.published_at, a.id) {op} (:kp, :ki)")
            order = f"a.published_at {direction}, a.id {direction}"
        else:
            cond = ["a.published_at IS NULL", *where]
            if last_undated is not None:
                cond.append(f"a.id {op} :ki")
            order = f"a.id {direction}"
        sql = f"""SELECT a.id, coalesce(a.published_at, '') FROM article a
            WHERE {" AND ".join(cond)} ORDER BY {order} LIMIT :n"""
        extra: dict[str, Any] = {"n": batch}
        if dated and position is not None:
            extra |= {"kp": position[0], "ki": position[1]}
        elif not dated and last_undated is not None:
            extra["ki"] = last_undated
        rows = [(int(i), str(p)) for i, p in session.connection().execute(
            text(sql), params | extra)]  # fmt: skip
        ids = [i for i, _ in rows]
        # Read from article with the filters applied: only the match is left to ask.
        ok = probe_ids(session, match, ids) if phrases is None else probe_any(session, phrases, ids)
        out += [r for r in rows if r[0] in ok]
        probed += len(rows)
        if len(rows) < batch:
            if not dated:
                break
            dated = False
            continue
        if dated:
            position = rows[-1][1], rows[-1][0]
        else:
            last_undated = rows[-1][0]
        batch = _next_batch(limit - len(out), len(out), probed, batch)
    return out[:limit]


def _next_batch(wanted: int, found: int, probed: int, last: int) -> int:
    """Enough ids for the `wanted` matches still missing at the share seen so far (with a
    margin), at most four times the last batch while nothing matched."""
    if found == 0:
        return min(4 * last, _MAX_BATCH)
    estimate = int(1.25 * wanted * probed / found) + _SLACK
    return max(_SLACK, min(estimate, 4 * last, _MAX_BATCH))


def _indexed_matches(session: Session, match: str, ids: list[int]) -> set[int]:
    """Which of a batch match an AND or NOT, asked of a temporary index of the batch: a probe of
    article_fts seeks in every phrase's doclist per id (`Ukraine Russia` at 1,000,000 articles:
    ~50 ms for 42 ids, ~10 ms to index them)."""
    if not ids:
        return set()
    conn = session.connection()
    rescore.index_rows(conn, ids)
    return rescore.indexed_matches(conn, match)


def count_facets(
    session: Session, match: str, filters: ArticleFilters, names: Any, *, sample: int
) -> FacetCounts:
    wanted: list[FacetName] = list(dict.fromkeys(names))
    out = FacetCounts({name: [] for name in wanted})
    if not wanted:
        return out
    where, params = article_filter_sql(filters)
    join = " CROSS JOIN article a ON a.id = f.rowid" if where else ""
    sql = f"""SELECT f.rowid FROM article_fts f{join}
        WHERE article_fts MATCH :m{"".join(" AND " + w for w in where)}
        ORDER BY f.rowid DESC LIMIT :n"""
    conn = session.connection()
    ids = [int(r[0]) for r in conn.execute(text(sql), params | {"m": match, "n": sample + 1})]
    if len(ids) > sample:
        ids = ids[:sample]
        out.sample = sample
    for name, value, id_, count in conn.execute(text(facet_sql(wanted)), {"ids": json.dumps(ids)}):
        out[name].append(FacetCount(value=value, count=int(count), id=id_))
    for counts in out.values():
        counts.sort(key=lambda c: (-c.count, c.value or ""))
    return out
