"""SQLite facets read article_actor and ix_article_facet (migration 0009) instead of mention and
the article rows: the table must hold exactly the distinct (article, actor) pairs of mention after
every kind of write, and the facet statement must read only those structures."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from app.search.base import ArticleFilters
from app.search.sqlite_fts5 import SqliteFts5Backend
from app.search.sqlite_sql import facet_sql
from app.services.articles import delete_article, reextract_article
from app.services.search import make_plan
from tests.search.conftest import AddArticle

pytestmark = pytest.mark.sqlite_only("article_actor and ix_article_facet are SQLite structures")

PAIRS = "SELECT DISTINCT article_id, actor_id FROM mention WHERE actor_id IS NOT NULL"


def assert_in_step(conn: Connection) -> set[tuple[int, int]]:
    expected = {(int(a), int(b)) for a, b in conn.execute(text(PAIRS))}
    stored = {(int(a), int(b)) for a, b in conn.execute(text("SELECT * FROM article_actor"))}
    assert stored == expected
    return stored


def test_article_actor_follows_every_write(engine: Engine, add_article: AddArticle) -> None:
    with engine.connect() as conn:
        seeded = assert_in_step(conn)
    assert seeded, "the seeds mention actors"
    article_id = add_article(
        "President Zelensky met Japan's prime minister in Kyiv. Russia attacked Kharkiv.",
        title="Zelensky and Japan",
    )
    with Session(engine) as session:
        reextract_article(session, article_id=article_id)
    with engine.begin() as conn:
        pairs = assert_in_step(conn)
        mine = sorted(b for a, b in pairs if a == article_id)
        assert len(mine) >= 2
        actor = mine[0]
        # A second mention of a pair it already has, then each of the two removed in turn: the
        # pair stays until its last mention goes.
        conn.execute(
            text(
                "INSERT INTO mention (article_id, actor_id, sentence_index, char_start, char_end,"
                " surface) VALUES (:a, :x, 0, 0, 1, 'x')"
            ),
            {"a": article_id, "x": actor},
        )
        first = conn.execute(
            text("SELECT min(id) FROM mention WHERE article_id = :a AND actor_id = :x"),
            {"a": article_id, "x": actor},
        ).scalar_one()
        conn.execute(text("DELETE FROM mention WHERE id = :i"), {"i": first})
        assert (article_id, actor) in assert_in_step(conn)
        conn.execute(
            text("DELETE FROM mention WHERE article_id = :a AND actor_id = :x"),
            {"a": article_id, "x": actor},
        )
        assert (article_id, actor) not in assert_in_step(conn)
        # A mention moved to another actor (a merge written as SQL).
        conn.execute(
            text("UPDATE mention SET actor_id = :x WHERE article_id = :a AND actor_id = :y"),
            {"x": actor, "a": article_id, "y": mine[1]},
        )
        assert {(article_id, actor)} <= assert_in_step(conn)
        # Foreign-key cascades from actor and from article delete mentions, and so pairs.
        other = next(b for a, b in sorted(pairs) if a != article_id)
        conn.execute(text("DELETE FROM actor WHERE id = :x"), {"x": other})
        assert all(b != other for _, b in assert_in_step(conn))
    with Session(engine) as session:
        delete_article(session, article_id=article_id)
    with engine.connect() as conn:
        assert all(a != article_id for a, _ in assert_in_step(conn))


def test_actor_facet_counts_articles_per_actor(engine: Engine, add_article: AddArticle) -> None:
    for n in range(6):
        add_article(f"Japan and Ukraine agreed on drones, round {n}. Zelensky thanked Tokyo.")
    backend = SqliteFts5Backend()
    backend.facet_sample = 4  # the sampled path: only the newest 4 hits are counted
    with Session(engine) as session:
        plan = make_plan(session, q="Japan", syntax="web", expand=True)
        counts = backend.article_facets(
            session, plan=plan, filters=ArticleFilters(), names=["actor", "language", "month"]
        )
        assert counts.sample == 4
        conn = session.connection()
        newest = [
            int(r[0])
            for r in conn.execute(
                text(
                    "SELECT rowid FROM article_fts WHERE article_fts MATCH :m "
                    "ORDER BY rowid DESC LIMIT 4"
                ),
                {"m": backend.match_text(plan)},
            )
        ]
        expected = {
            int(x): int(n)
            for x, n in conn.execute(
                text(
                    "SELECT actor_id, count(DISTINCT article_id) FROM mention "
                    f"WHERE actor_id IS NOT NULL AND article_id IN ({','.join(map(str, newest))}) "
                    "GROUP BY actor_id"
                )
            )
        }
    assert expected
    assert {c.id: c.count for c in counts["actor"]} == expected
    assert sum(c.count for c in counts["language"]) == 4


def test_facets_read_only_the_covering_structures(engine: Engine) -> None:
    sql = facet_sql(["language", "month", "source", "actor"])
    with engine.connect() as conn:
        plan = " | ".join(
            str(row[3])
            for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), {"ids": json.dumps([1, 2])})
        )
    # aa is article_actor (keyed by its primary key; mention has none on article_id); a is article,
    # read through the covering index, never through its rows.
    assert "SEARCH aa USING PRIMARY KEY (article_id=?)" in plan
    assert "SEARCH a USING COVERING INDEX ix_article_facet (id=?)" in plan
    assert "SEARCH a USING INTEGER PRIMARY KEY" not in plan
