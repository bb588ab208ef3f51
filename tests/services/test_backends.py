"""Both backends: the migrations up and down on the test backend, `migrate-data` from a SQLite
file into it, and (with a PostgreSQL server) the same seeds answering the same searches with the
same hits in the same order on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from app.cli import app as cli
from app.db import make_engine
from app.migrate import alembic_config, downgrade, upgrade
from app.search.base import ArticleFilters, EventFilters
from app.services.ingest import ArticleInput, ingest_article
from app.services.search import search_articles, search_events
from tests.conftest import BACKEND, Template, _checkpoint, _migrate, _seed

REVISIONS = [
    r.revision
    for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))
]
# Plain words, lemma and cross-lingual expansion, phrases, OR, exclusion, prefixes, and text that
# is syntax elsewhere: each must give the same ids in the same order on both backends.
QUERIES = [
    "Kyiv",
    "Japan",
    "Україна",
    "дронове",
    "drone attack",
    '"air defence"',
    "Reznikov OR Kishida",
    "Ukraine -Japan",
    "minist*",
    "C++ (Kishida",
    'nosuchcol: "x',
    "AND OR NOT",
    "e-mail F-16 1.5",
]


@pytest.fixture(scope="module")
def sqlite_seeded(
    seeded_template: Template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The seeds in a SQLite file, whatever the test backend is."""
    if isinstance(seeded_template, Path):
        yield seeded_template
        return
    path = tmp_path_factory.mktemp("sqlite-seeded") / "seeded.db"
    _migrate(f"sqlite:///{path}")
    _seed(f"sqlite:///{path}")
    _checkpoint(path)
    yield path


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in SQLModel.metadata.sorted_tables
        }


def _answers(engine: Engine) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    with Session(engine) as session:
        for q in QUERIES:
            for sort in ("relevance", "newest", "oldest"):
                page = search_articles(session, q=q, limit=100, sort=sort)  # type: ignore[arg-type]
                out[f"articles {sort} {q}"] = [h.article.id for h in page.items]
            events = search_events(session, q=q, limit=100)
            out[f"events {q}"] = [h.event.id for h in events.items]
        filtered = search_events(session, q="Japan", limit=100, filters=EventFilters(type="AID"))
        out["events Japan type=AID"] = [h.event.id for h in filtered.items]
        english = search_articles(
            session, q="Ukraine", limit=100, filters=ArticleFilters(language="en")
        )
        out["articles Ukraine language=en"] = [h.article.id for h in english.items]
    return out


def _assert_same_hits(expected: dict[str, list[int]], got: dict[str, list[int]]) -> None:
    """The same hits for every query, in the same order where the order is by date."""
    ordered = [k for k in expected if " newest " in k or " oldest " in k]
    assert ordered and {k: got[k] for k in ordered} == {k: expected[k] for k in ordered}
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items()}


def test_migrations_go_down_and_up_step_by_step(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine)
    for revision in reversed(["base", *REVISIONS[:-1]]):
        downgrade(engine, revision)
    for revision in REVISIONS:
        upgrade(engine, revision)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == REVISIONS[-1]
    engine.dispose()


def test_search_index_follows_writes_after_a_round_trip(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine)
    downgrade(engine, "0001")
    upgrade(engine)
    _seed(blank_db_url)
    with Session(engine) as session:
        before = search_articles(session, q="Reznikov", limit=100, expand=False).items
        assert before
        session.connection().execute(
            text("UPDATE article SET body = 'Odesa port', title = 'x', lemmas = '' WHERE id = :i"),
            {"i": before[0].article.id},
        )
        session.commit()
        again = search_articles(session, q="Reznikov", limit=100, expand=False).items
        after = [h.article.id for h in again]
        assert before[0].article.id not in after
        assert [h.article.id for h in search_articles(session, q="Odesa", limit=100).items]
    engine.dispose()


def test_migrate_data_copies_a_sqlite_kb_with_its_ids(
    sqlite_seeded: Path, blank_db_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "source.db"
    shutil.copy(sqlite_seeded, source)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["migrate-data", "--from", f"sqlite:///{source}", "--to", blank_db_url]
    )
    assert result.exit_code == 0, result.output
    src, dst = make_engine(f"sqlite:///{source}"), make_engine(blank_db_url)
    assert _counts(dst) == _counts(src)
    _assert_same_hits(_answers(src), _answers(dst))
    # Ids go on after the copied ones: a new article gets a fresh id, not a copied one.
    copied = max(_ids(dst))
    with Session(dst) as session:
        new = ingest_article(session, item=ArticleInput(text="Odesa port was hit again today."))
        assert new.created and new.article_id > copied
    again = runner.invoke(
        cli, ["migrate-data", "--from", f"sqlite:///{source}", "--to", blank_db_url]
    )
    assert again.exit_code == 1 and "not empty" in again.output
    src.dispose()
    dst.dispose()


def _ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(text("SELECT id FROM article")).scalars()]


def test_migrate_data_refuses_an_unmigrated_source(tmp_path: Path, blank_db_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["migrate-data", "--from", f"sqlite:///{tmp_path}/none.db", "--to", blank_db_url]
    )
    assert result.exit_code == 1 and "init-db" in result.output


@pytest.mark.postgres_only("compares SQLite with a PostgreSQL server")
def test_seeds_answer_alike_on_sqlite_and_postgres(sqlite_seeded: Path, seeded_db_url: str) -> None:
    """Every query finds the same articles and events on both backends, and date order is the
    same order. Relevance order is bm25 on SQLite and ts_rank_cd on PostgreSQL, which weigh
    repetition and proximity differently: only the hits, not their order, are compared there."""
    assert BACKEND == "postgresql"
    sqlite_engine = make_engine(f"sqlite:///{sqlite_seeded}")
    pg_engine = make_engine(seeded_db_url)
    on_sqlite, on_pg = _answers(sqlite_engine), _answers(pg_engine)
    sqlite_engine.dispose()
    pg_engine.dispose()
    assert sum(bool(ids) for ids in on_sqlite.values()) >= len(on_sqlite) // 2
    _assert_same_hits(on_sqlite, on_pg)
