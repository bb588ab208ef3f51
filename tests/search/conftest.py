"""Helpers for search tests: articles are added through the real ingest path, so their lemma
column, mentions and events are what production would store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.services.ingest import ArticleInput, ingest_article

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
