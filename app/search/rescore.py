"""Exact bm25 for a few candidate rows without asking article_fts for it.

FTS5 recounts every phrase's whole doclist for the idf each time `bm25()` is evaluated on a
`rowid IN (...)` (~0.2 s a row for `Ukraine` at 1,000,000 articles), so the impact lists cannot
ask it for the contributions they lack. Instead the candidates are indexed in a temporary FTS5
table with article_fts's columns and tokenizer: there bm25() is cheap, and since a phrase's
contribution is idf x f(tf, D, avgdl) with FTS5's own formula, the phrase's weighted frequency
tf can be solved from the temporary score, knowing the temporary table's idf and average length.
Re-scored with article_fts's statistics, it is the contribution article_fts would give: its
average length comes from the FTS5 averages record, its idf from a row the phrase's list already
scores (so no doclist is counted). tests/search/test_rescore.py checks the result against
bm25() itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, text

# FTS5's bm25 constants (fts5_aux.c) and the weights app.search.impact ranks with.
K1 = 1.2
B = 0.75
_NO_IDF = 1e-6  # FTS5's floor for a phrase in more than half of the rows


def varints(blob: bytes) -> list[int]:
    """SQLite varints, as FTS5 writes its averages record and each row's column sizes."""
    out: list[int] = []
    i = 0
    while i < len(blob):
        value = 0
        for n in range(9):
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


def idf(rows: int, hits: int) -> float:
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0 else _NO_IDF


def saturation(tf: float, size: int, avgdl: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / avgdl))


def average_length(conn: Connection) -> float:
    """article_fts's average row length in tokens, all columns (what bm25() divides by)."""
    block = conn.execute(text("SELECT block FROM article_fts_data WHERE id = 1")).scalar()
    if not block:
        return 1.0
    counts = varints(bytes(block))
    return sum(counts[1:]) / counts[0] if counts and counts[0] else 1.0


def index_rows(conn: Connection, ids: Sequence[int]) -> None:
    """Indexes the articles (those that exist) in temp.rank_fts, a per-connection table with
    article_fts's columns and tokenizer (migration 0002), so a MATCH there answers exactly as
    article_fts would for these rows. Contentless: membership and bm25() are all that is asked."""
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.rank_fts USING fts5(title, body, lemmas, "
            "content='', tokenize='unicode61 remove_diacritics 2')"
        )
    )
    conn.execute(text("INSERT INTO temp.rank_fts(rank_fts) VALUES ('delete-all')"))
    listed = ", ".join(str(int(i)) for i in ids)
    conn.execute(
        text(
            "INSERT INTO temp.rank_fts(rowid, title, body, lemmas) "
            f"SELECT id, coalesce(title, ''), body, lemmas FROM article WHERE id IN ({listed})"
        )
    )


def indexed_matches(conn: Connection, match: str) -> set[int]:
    """The rows index_rows() indexed last that match an FTS5 query."""
    rows = conn.execute(
        text("SELECT rowid FROM temp.rank_fts WHERE rank_fts MATCH :m"), {"m": match}
    )
    return {int(r[0]) for r in rows}


def _indexed_sizes(conn: Connection) -> dict[int, int]:
    """Each indexed row's length in tokens, all columns."""
    sizes = conn.execute(text("SELECT id, sz FROM temp.rank_fts_docsize"))
    return {int(i): sum(varints(bytes(sz))) for i, sz in sizes}


def contributions(
    conn: Connection,
    ids: Sequence[int],
    phrases: Mapping[str, Sequence[tuple[int, float]]],
    weights: str,
) -> dict[str, dict[int, float]]:
    """For each phrase (an FTS5 match, with rows whose article_fts contribution is known, best
    first, to calibrate its idf), the contribution to every row of `ids` that holds it. A phrase
    none of whose known rows can be indexed (all deleted) comes back empty."""
    first = [known[0][0] for known in phrases.values() if known]
    index_rows(conn, list(dict.fromkeys([*ids, *first])))
    sizes = _indexed_sizes(conn)
    out: dict[str, dict[int, float]] = {m: {} for m in phrases}
    if not sizes:
        return out
    rows_here = len(sizes)
    avgdl_here = sum(sizes.values()) / rows_here
    avgdl = average_length(conn)
    for match, known in phrases.items():
        scored = conn.execute(
            text(f"SELECT rowid, bm25(rank_fts, {weights}) FROM rank_fts WHERE rank_fts MATCH :m"),
            {"m": match},
        ).all()
        idf_here = idf(rows_here, len(scored))
        tfs = {int(r): _tf(-float(s) / idf_here, sizes[int(r)], avgdl_here) for r, s in scored}
        calibration = next(((r, s) for r, s in known if r in tfs), None)
        if calibration is None:
            continue
        row, score = calibration
        idf_there = -score / saturation(tfs[row], sizes[row], avgdl)
        out[match] = {r: -idf_there * saturation(tf, sizes[r], avgdl) for r, tf in tfs.items()}
    return out


def _tf(share: float, size: int, avgdl: float) -> float:
    """The weighted frequency whose saturation is `share` (the inverse of saturation())."""
    k = K1 * (1 - B + B * size / avgdl)
    return share * k / (K1 + 1 - share)
