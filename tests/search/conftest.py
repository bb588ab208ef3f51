"""Helpers for search tests: articles are added through the real ingest path, so their lemma
column, mentions and events are what production would store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.services.ingest import ArticleInput, ingest_article
from bench.corpus import generate
from bench.search_latency import add_mentions, load_articles

AddArticle = Callable[..., int]


@pytest.fixture
def add_article(engine: Engine) -> AddArticle:
    def add(text: str, *, title: str | None = None, language: str | None = None,
            published_at: str | None = None) -> int:  # fmt: skip
        with Session(engine) as session:
            item = ArticleInput(text=text, title=title, language=language,
                                published_at=published_at)  # fmt: skip
            return ingest_article(session, item=item).article_id

    return add


def generated_corpus(path: Path, n: int, seed: int) -> Iterator[Engine]:
    """A database of `n` bench/corpus.py articles, bulk-loaded as the benchmark loads them, with
    mentions of actors and places whose aliases span every language: for module fixtures."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_articles(engine, generate(n, seed=seed), workers=2)
    add_mentions(engine)
    yield engine
    engine.dispose()
