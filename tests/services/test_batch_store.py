"""The batched writer (one transaction, a fixed number of statements per batch) stores exactly
what storing the same articles one at a time stores: the same rows with the same ids, the same
cross-article event merges, the same answers for duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlmodel import Session

from app.db import make_engine
from app.services.ingest import (
    ArticleInput,
    PreparedArticle,
    prepare_article,
    store_one,
    store_prepared_batch,
)
from app.services.transactions import write_transaction
from tests.conftest import Template, copy_template

# Several outlets report the same strikes and talks on the same days: merges across articles,
# within one article, and within one batch.
REPORTS = [
    ("2024-03-05", "Russian drones attacked Kharkiv on Monday, the Ukrainian Air Force said. "
     "Air defence shot down 20 of 31 drones over the Kharkiv region."),
    ("2024-03-05", "Russia attacked Kharkiv with drones on Monday, officials said. "
     "President Volodymyr Zelensky met Prime Minister Fumio Kishida in Kyiv."),
    ("2024-03-06", "Volodymyr Zelensky held talks with Fumio Kishida in Kyiv on Tuesday. "
     "Japan will send air defence systems to Ukraine, Kishida said."),
    ("2024-03-06", "Russian forces shelled Kherson on Tuesday, killing two people. "
     "Ukraine accused Russia of targeting civilians in Kherson."),
    ("2024-03-07", "Russia shelled Kherson again on Wednesday, the regional governor said. "
     "Poland and Germany agreed to send more aid to Ukraine."),
    ("2024-03-07", "Germany and Poland agreed on Wednesday to send more aid to Ukraine. "
     "Russian drones attacked Odesa overnight."),
]  # fmt: skip


def _items() -> list[ArticleInput]:
    items = [
        ArticleInput(text=t, published_at=d, source=f"outlet{i % 3}.example", url=f"https://o/{i}")
        for i, (d, t) in enumerate(REPORTS)
    ]
    items.append(ArticleInput(text=REPORTS[1][1] + "\n"))  # the same text once normalised
    items.append(ArticleInput(text="Different words, same page.", url="https://o/3"))
    return items


@pytest.fixture(scope="module")
def prepared() -> list[PreparedArticle]:
    return [prepare_article(item) for item in _items()]


@pytest.fixture
def two_engines(empty_template: Template, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    first = copy_template(empty_template, tmp_path, "one_by_one")
    second = copy_template(empty_template, tmp_path, "batched")
    engines = (make_engine(next(first)), make_engine(next(second)))
    yield engines
    for engine in engines:
        engine.dispose()
    for gen in (first, second):
        next(gen, None)


_FTS_INTERNALS = ("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if name.endswith(_FTS_INTERNALS):  # segment layout depends on transaction sizes
                continue
            columns = [c for c in table.columns if not c.name.endswith("_at")]
            columns = [c for c in columns if c.name != "search_vector"]
            keys = [c for c in table.primary_key.columns] or columns
            out[name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*keys))]
    return out


def test_batch_equals_one_at_a_time(
    two_engines: tuple[Engine, Engine], prepared: list[PreparedArticle]
) -> None:
    one_engine, batch_engine = two_engines
    with Session(one_engine) as session:
        singles = [store_one(session, p) for p in prepared]
    with Session(batch_engine) as session, write_transaction(session) as conn:
        batched = store_prepared_batch(conn, prepared[:3])
        batched += store_prepared_batch(conn, prepared[3:])
    assert batched == singles
    assert [r.created for r in batched] == [True] * 6 + [False, False]
    assert batched[6].article_id == batched[1].article_id
    assert batched[7].article_id == batched[3].article_id  # same canonical url
    one, batch = _dump(one_engine), _dump(batch_engine)
    assert one == batch
    # The texts do repeat events: the comparison covers merges, not only inserts.
    assert len(one["event_evidence"]) > len(one["event"]) > 0
