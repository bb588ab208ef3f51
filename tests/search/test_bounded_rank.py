"""Bounded ranking on a generated corpus (bench/corpus.py, bulk-loaded like the benchmark):
below the cap the order is exactly bm25's; above it, the impact lists' top ten agree with full
bm25 over a mix of head words, every match is still reached exactly once, and articles added
after the lists were built rank at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.search import impact
from app.search.base import ArticleFilters
from app.search.sqlite_fts5 import WEIGHTS, SqliteFts5Backend
from app.services.ingest import ArticleInput, ingest_article
from app.services.search import make_plan
from tests.search.conftest import generated_corpus

# Head words in all four languages, entity names that expand across scripts, and an OR.
HEAD_QUERIES = [
    "Ukraine", "Украйна", "войната", "дронове", "Росія", "Київ", "дронів", "Путин", "Japan",
    "Харків", "Zelensky", "Kharkiv OR Odesa", "drones", "Russia", "Зеленський",
]  # fmt: skip
# Lists far shorter than the match counts, so that the test exercises the bound: at 100,000
# articles the benchmark keeps 500 rows a list for up to 90,000 matches.
LIST_SIZE = 20
COMPLETE = 60  # phrases in more articles than this get head lists (LIST_SIZE rows)
CAP = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from generated_corpus(tmp_path_factory.mktemp("corpus") / "generated.db", 1500, 3)


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch) -> SqliteFts5Backend:
    monkeypatch.setattr(impact, "LIST_SIZE", LIST_SIZE)
    monkeypatch.setattr(impact, "COMPLETE", COMPLETE)
    backend = SqliteFts5Backend()
    backend.rank_cap = CAP
    return backend


def _full(session: Session, match: str, k: int) -> list[int]:
    sql = (
        f"SELECT rowid FROM article_fts WHERE article_fts MATCH :m "
        f"ORDER BY bm25(article_fts, {WEIGHTS}), rowid LIMIT {k}"
    )
    return [r[0] for r in session.connection().execute(text(sql), {"m": match})]


def _count(session: Session, match: str) -> int:
    sql = "SELECT count(*) FROM article_fts WHERE article_fts MATCH :m"
    return int(session.connection().execute(text(sql), {"m": match}).scalar_one())


def _search(session: Session, backend: SqliteFts5Backend, q: str, **kw: object) -> list:
    plan = make_plan(session, q=q, syntax="web", expand=True)
    args = {"filters": ArticleFilters(), "sort": "relevance", "limit": 10, "after": None} | kw
    return backend.search_articles(session, plan=plan, **args)  # type: ignore[arg-type]


def _every_page(session: Session, backend: SqliteFts5Backend, q: str, size: int = 97) -> list:
    hits, after = [], None
    while True:
        page = _search(session, backend, q, limit=size, after=after)
        hits += page
        if len(page) < size:
            return hits
        after = page[-1].key


@pytest.mark.parametrize("q", HEAD_QUERIES[:8])
def test_below_the_cap_the_order_is_bm25(corpus: Engine, q: str) -> None:
    backend = SqliteFts5Backend()
    with Session(corpus) as session:
        plan = make_plan(session, q=q, syntax="web", expand=False)
        match = backend.match_text(plan)
        backend.rank_cap = _count(session, match)
        assert backend.rank_cap > 10
        hits = backend.search_articles(
            session, plan=plan, filters=ArticleFilters(), sort="relevance", limit=10, after=None
        )
        assert [h.id for h in hits] == _full(session, match, 10)
        assert all(h.key[4] == 0 for h in hits)  # the exact path


def test_above_the_cap_top_ten_agrees_with_full_bm25(
    corpus: Engine, bounded: SqliteFts5Backend
) -> None:
    overlaps = {}
    with Session(corpus) as session:
        for q in HEAD_QUERIES:
            match = bounded.match_text(make_plan(session, q=q, syntax="web", expand=True))
            assert _count(session, match) > CAP, q
            hits = _search(session, bounded, q)
            assert all(h.key[4] == 1 for h in hits), q  # the bounded path
            want = set(_full(session, match, 10))
            overlaps[q] = len({h.id for h in hits} & want) / len(want)
    mean = sum(overlaps.values()) / len(overlaps)
    print(f"top-10 overlap {mean:.2f}", overlaps)
    assert mean >= 0.9, overlaps


@pytest.mark.parametrize("q", ["Ukraine", "войната", "Kharkiv OR Odesa"])
def test_above_the_cap_pages_reach_every_match_once(
    corpus: Engine, bounded: SqliteFts5Backend, q: str
) -> None:
    with Session(corpus) as session:
        match = bounded.match_text(make_plan(session, q=q, syntax="web", expand=True))
        total = _count(session, match)
        hits = _every_page(session, bounded, q)
        assert len(hits) == len({h.id for h in hits}) == total
        tiers = [h.key[0] for h in hits]
        assert tiers == sorted(tiers) and tiers[0] == 0 and tiers[-1] == 1
        ranked = [h.rank for h in hits if h.key[0] == 0]
        assert ranked == sorted(ranked)
        rest = [h.id for h in hits if h.key[0] == 1]
        assert rest == sorted(rest, reverse=True)


def test_filters_apply_to_both_tiers(corpus: Engine, bounded: SqliteFts5Backend) -> None:
    with Session(corpus) as session:
        hits = _search(
            session, bounded, "Ukraine", limit=200, filters=ArticleFilters(language="ru")
        )
        ids = ",".join(str(h.id) for h in hits)
        langs = session.connection().execute(
            text(f"SELECT DISTINCT language FROM article WHERE id IN ({ids})")
        )
        assert hits and {r[0] for r in langs} == {"ru"}


def test_new_articles_rank_before_a_refresh_and_after(
    corpus: Engine, bounded: SqliteFts5Backend
) -> None:
    with Session(corpus) as session:
        before = _search(session, bounded, "войната")
    assert before
    title = "Войната войната: войната и дроновете"
    with Session(corpus) as session:
        new_id = ingest_article(
            session, item=ArticleInput(text=f"{title}\n\nВойната продължава.", title=title)
        ).article_id
    with Session(corpus) as session:
        after = _search(session, bounded, "войната")
        assert after[0].id == new_id  # scored live: newer than every list
        assert impact.refresh_impacts(session) > 0
    with Session(corpus) as session:
        refreshed = _search(session, bounded, "войната")
        assert refreshed[0].id == new_id
        listed = session.connection().execute(
            text("SELECT count(*) FROM search_impact WHERE article_id = :i"), {"i": new_id}
        )
        assert listed.scalar_one() > 0


@pytest.mark.parametrize("q", ["Russia Ukraine", "Ukraine -Russia"])
def test_and_not_above_the_cap_rank_every_match_exactly(
    corpus: Engine, bounded: SqliteFts5Backend, monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    """Most listed rows do not match an AND or a NOT, so up to MATCH_SET matches are all ranked
    by bm25(); above it the lists are probed as for any other query."""
    with Session(corpus) as session:
        match = bounded.match_text(make_plan(session, q=q, syntax="web", expand=True))
        total = _count(session, match)
        assert total > CAP, q
        for match_set, exact in ((total, True), (total - 1, False)):
            monkeypatch.setattr(impact, "MATCH_SET", match_set)
            hits = _every_page(session, bounded, q)
            assert len(hits) == len({h.id for h in hits}) == total, (q, match_set)
            if exact:
                assert [h.id for h in hits] == _full(session, match, total)
            else:
                assert [h.key[0] for h in hits][-1] == 1  # the newest-first tier was reached


def test_refresh_keeps_head_lists_and_drops_long_complete_ones(
    corpus: Engine, bounded: SqliteFts5Backend
) -> None:
    """A list built on demand for a phrase in up to COMPLETE articles is complete; a refresh
    keeps only short lists and head lists, and the next query builds the long one again."""
    vocab = text(
        "SELECT term FROM article_fts_vocab WHERE col = 'body' AND doc > :lo AND doc <= :hi "
        "ORDER BY term LIMIT 3"
    )

    def stored(session: Session) -> dict[str, int]:
        sql = "SELECT phrase, count(*) FROM search_impact GROUP BY phrase"
        return {str(k): int(n) for k, n in session.connection().execute(text(sql))}

    with Session(corpus) as session:
        words = [str(w) for (w,) in session.connection().execute(vocab, {"lo": 25, "hi": 55})]
        assert words
        phrases = [impact.phrase(impact.EXACT_COLUMNS, (w,)) for w in words]
        hwm = int(session.connection().execute(text("SELECT max(id) FROM article")).scalar())
        lists = impact.load_lists(session, phrases, hwm)
        assert all(impact.complete(f) and len(f.rows) > LIST_SIZE for f in lists.values())
        session.commit()  # the lists were stored by another connection: a fresh snapshot
        assert {p.key for p in phrases} <= set(stored(session))
    with Session(corpus) as session:
        impact.refresh_impacts(session)
    with Session(corpus) as session:
        assert not {p.key for p in phrases} & set(stored(session))
        assert all(n <= LIST_SIZE for n in stored(session).values())
        again = impact.load_lists(session, phrases, hwm)
        assert {p: f.rows for p, f in again.items()} == {p: f.rows for p, f in lists.items()}


def test_an_and_over_the_match_set_is_counted_once_per_hwm(
    corpus: Engine, bounded: SqliteFts5Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(impact, "MATCH_SET", 5)
    counted: list[str] = []
    real = impact._all_matches

    def counting(session: Session, match: str, hwm: int) -> impact.Candidates | None:
        counted.append(match)
        return real(session, match, hwm)

    monkeypatch.setattr(impact, "_all_matches", counting)
    with Session(corpus) as session:
        first = [h.id for h in _search(session, bounded, "Russia Ukraine")]
        again = [h.id for h in _search(session, bounded, "Russia Ukraine")]
    assert first == again and len(first) == 10
    assert len(counted) == 1


@pytest.mark.parametrize(
    ("q", "sort"),
    [("Ukraine", "newest"), ("Київ", "oldest"), ("Kharkiv OR Odesa", "newest"),
     ("Russia Ukraine", "newest"), ("Україна -Japan", "oldest")],
)  # fmt: skip
def test_above_the_cap_date_sorts_walk_every_match_in_order(
    corpus: Engine, bounded: SqliteFts5Backend, q: str, sort: str
) -> None:
    """The date walk (phrase by phrase for a term or an OR, whole-query probes otherwise, batches
    sized by the share matched) pages through exactly the matches, in date order, undated last."""
    with Session(corpus) as session:
        plan = make_plan(session, q=q, syntax="web", expand=True)
        match = bounded.match_text(plan)
        assert _count(session, match) > bounded.rank_cap
        direction = "DESC" if sort == "newest" else "ASC"
        expected = [
            int(r[0])
            for r in session.connection().execute(
                text(
                    "SELECT a.id FROM article_fts f JOIN article a ON a.id = f.rowid "
                    "WHERE article_fts MATCH :m ORDER BY a.published_at IS NULL, "
                    f"a.published_at {direction}, a.id {direction}"
                ),
                {"m": match},
            )
        ]
        for size, pages in ((50, None), (13, 3)):  # every page; the first few of a small size
            hits, after = [], None
            while pages is None or len(hits) < pages * size:
                page = _search(session, bounded, q, sort=sort, limit=size, after=after)
                hits += page
                if len(page) < size:
                    break
                after = page[-1].key
            assert [h.id for h in hits] == expected[: len(hits)]
            assert len(hits) == (len(expected) if pages is None else pages * size)


def test_over_the_cap_is_decided_as_by_a_full_count(
    corpus: Engine, bounded: SqliteFts5Backend
) -> None:
    """_over_cap() may settle the question on one of a query's phrases; the answer must be the
    count's, for head words, entity names with many aliases, rare words and operators."""
    answers = set()
    with Session(corpus) as session:
        for q in [
            *HEAD_QUERIES,
            "Kishida",
            "Сибіга",
            "Zelensk*",
            "drones -Russia",
            "nonexistentword",
        ]:
            plan = make_plan(session, q=q, syntax="web", expand=True)
            match = bounded.match_text(plan)
            expected = _count(session, match) > bounded.rank_cap
            assert bounded._over_cap(session, plan, match) == expected, q
            answers.add(expected)
    assert answers == {True, False}
