"""The contributions app/search/rescore.py computes are the ones FTS5's bm25() gives, for single
phrases and summed over a whole expanded query, on a generated corpus."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.search import impact, rescore
from app.search.impact import EXACT_COLUMNS, LEMMA_COLUMNS, WEIGHTS, phrase
from app.services.search import make_plan
from tests.search.conftest import generated_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from generated_corpus(tmp_path_factory.mktemp("rescore") / "generated.db", 600, 11)


def _bm25(session: Session, match: str, ids: list[int]) -> dict[int, float]:
    # One statement per row: bm25() over `rowid IN (...)` is what rescore avoids, not what
    # it must equal.
    sql = text(
        f"SELECT bm25(article_fts, {WEIGHTS}) FROM article_fts "
        "WHERE article_fts MATCH :m AND rowid = :i"
    )
    out = {}
    for i in ids:
        row = session.connection().execute(sql, {"m": match, "i": i}).first()
        if row is not None:
            out[i] = float(row[0])
    return out


@pytest.mark.parametrize(
    ("columns", "words", "prefix"),
    [
        (EXACT_COLUMNS, ("ukraine",), False),
        (LEMMA_COLUMNS, ("дрон",), False),
        ("", ("air", "defence"), False),
        (EXACT_COLUMNS, ("zelensk",), True),
        ("", ("україна",), False),
    ],
)
def test_one_phrase_matches_bm25(
    corpus: Engine, columns: str, words: tuple[str, ...], prefix: bool
) -> None:
    p = phrase(columns, words, prefix)
    with Session(corpus) as session:
        conn = session.connection()
        holders = [
            int(r[0])
            for r in conn.execute(
                text("SELECT rowid FROM article_fts WHERE article_fts MATCH :m"), {"m": p.match}
            )
        ]
        assert len(holders) >= 5, p
        known = list(_bm25(session, p.match, holders[:1]).items())
        sample = random.Random(7).sample(holders, min(20, len(holders)))
        others = [i for i in range(1, 200) if i not in holders][:5]  # hold nothing
        got = rescore.contributions(conn, sample + others, {p.match: known}, WEIGHTS)[p.match]
        want = _bm25(session, p.match, sample)
    assert set(got) == set(want) | {known[0][0]}
    for i, score in want.items():
        assert got[i] == pytest.approx(score, rel=1e-9, abs=1e-12), i


def test_pool_scores_are_the_query_bm25(corpus: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """With short head lists, the pool rows' summed scores are exactly the whole query's
    bm25(); the rows outside the pool are bounded from below by their partial sums."""
    monkeypatch.setattr(impact, "LIST_SIZE", 15)
    monkeypatch.setattr(impact, "COMPLETE", 40)
    with Session(corpus) as session:
        for q in ("Ukraine", "Zelensky", "Japan air defence", "дронове"):
            plan = make_plan(session, q=q, syntax="web", expand=True)
            phrases = impact.plan_phrases(plan)
            hwm = int(session.connection().execute(text("SELECT max(id) FROM article")).scalar())
            lists = impact.load_lists(session, phrases, hwm)
            assert any(not impact.complete(f) for f in lists.values()), q
            scores = impact.candidate_scores(session, phrases, hwm, lists=lists)
            match = " OR ".join(f"({p.match})" for p in phrases)
            best = sorted(scores, key=lambda i: (scores[i], i))[:30]
            want = _bm25(session, match, best)
            exact = [i for i in best if scores[i] == pytest.approx(want[i], rel=1e-9)]
            assert len(exact) >= 10, (q, len(exact))
            for i in best:
                assert scores[i] >= want[i] - 1e-9, (q, i)  # never better than the truth


def test_gap_fills_are_reused_when_only_hwm_moves(
    corpus: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What head phrases add below their lists' cut depends on the lists, not on the newest
    article: a new hwm reuses it, and gives the scores a fresh computation gives."""
    monkeypatch.setattr(impact, "LIST_SIZE", 15)
    monkeypatch.setattr(impact, "COMPLETE", 40)
    calls: list[int] = []
    real = rescore.contributions

    def counted(*args: object, **kwargs: object) -> dict[str, dict[int, float]]:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rescore, "contributions", counted)
    with Session(corpus) as session:
        plan = make_plan(session, q="Ukraine", syntax="web", expand=True)
        phrases = impact.plan_phrases(plan)
        hwm = int(session.connection().execute(text("SELECT max(id) FROM article")).scalar())
        lists = impact.load_lists(session, phrases, hwm)
        impact._gap_fills.clear()
        impact.candidate_scores(session, phrases, hwm, lists=lists)
        assert len(calls) == 1
        again = impact.candidate_scores(session, phrases, hwm - 5, lists=lists)
        assert len(calls) == 1  # reused
        impact._gap_fills.clear()
        fresh = impact.candidate_scores(session, phrases, hwm - 5, lists=lists)
        assert len(calls) == 2
    assert again == pytest.approx(fresh, rel=1e-12)
