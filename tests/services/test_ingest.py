from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Article, Event, EventEvidence, EventQuantity, Mention
from app.services.errors import InvalidInput
from app.services.ingest import (
    ArticleInput,
    content_hash,
    ingest_article,
    normalise_text,
    parse_published,
)

TEXT = (
    "Japan's foreign minister Takeshi Iwaya arrived in Kyiv on Saturday to meet Andrii Sybiha.\n"
    "Russia launched 40 drones at Kharkiv overnight, the Ukrainian Air Force said."
)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one()[0])  # type: ignore[call-overload]


def test_normalise_strips_controls_and_composes() -> None:
    raw = "Ki\u0301\x00ev\x07 \r\nline\ttab\ud800"
    out = normalise_text(raw)
    assert "\x00" not in out and "\x07" not in out and "\ud800" not in out
    assert out == unicodedata.normalize("NFC", "Ki\u0301ev \nline\ttab")


def test_reingest_is_a_no_op_returning_the_same_article(empty_session: Session) -> None:
    first = ingest_article(empty_session, item=ArticleInput(text=TEXT))
    counts = {m: _count(empty_session, m) for m in (Article, Mention, Event, EventEvidence)}
    second = ingest_article(empty_session, item=ArticleInput(text=TEXT + "\n\n"))
    assert first.created and not second.created
    assert first.article_id == second.article_id
    assert counts == {m: _count(empty_session, m) for m in counts}


def test_nfc_and_nfd_are_one_article(empty_session: Session) -> None:
    text = "Зеленський заявив, що Україна отримає допомогу від Японії."
    nfc = ingest_article(empty_session, item=ArticleInput(text=unicodedata.normalize("NFC", text)))
    nfd = ingest_article(empty_session, item=ArticleInput(text=unicodedata.normalize("NFD", text)))
    assert nfc.article_id == nfd.article_id and not nfd.created


def test_empty_text_is_rejected_and_stores_nothing(empty_session: Session) -> None:
    with pytest.raises(InvalidInput):
        ingest_article(empty_session, item=ArticleInput(text=" \x00\n "))
    assert _count(empty_session, Article) == 0


def test_stored_article_has_hash_language_offsets_and_source(empty_session: Session) -> None:
    result = ingest_article(
        empty_session,
        item=ArticleInput(text=TEXT, source="Example Wire", published_at="2024-11-16"),
    )
    article = empty_session.get(Article, result.article_id)
    assert article is not None
    assert article.content_hash == content_hash(normalise_text(TEXT))
    assert article.language == "en"
    assert article.published_precision == "day"
    assert article.published_at == dt.datetime(2024, 11, 16, tzinfo=dt.UTC)
    mentions = empty_session.exec(
        select(Mention).where(Mention.article_id == result.article_id)  # type: ignore[arg-type]
    ).all()
    assert mentions
    for (m,) in mentions:
        assert article.body[m.char_start : m.char_end] == m.surface


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        ("2024", "year"),
        ("2024-11", "month"),
        ("2024-11-16", "day"),
        ("2024-11-16T08:30:00Z", "time"),
        ("2024-11-16T08:30:00+02:00", "time"),
        (None, None),
    ],
)
def test_parse_published(value: str | None, precision: str | None) -> None:
    assert parse_published(value)[1] == precision


def test_parse_published_rejects_garbage() -> None:
    with pytest.raises(InvalidInput):
        parse_published("last Tuesday")


def test_quantities_in_the_billions_are_stored(empty_session: Session) -> None:
    # "4.92 billion" was read off a real article; PostgreSQL's INTEGER stopped at 2**31 - 1.
    ingest_article(empty_session, item=ArticleInput(text=TEXT))
    event_id = empty_session.exec(select(Event.id)).first()
    assert event_id is not None
    empty_session.add(EventQuantity(event_id=event_id[0], name="money", value=4_920_000_000))
    empty_session.commit()
    stored = empty_session.exec(
        select(EventQuantity.value).where(EventQuantity.name == "money")  # type: ignore[call-overload]
    ).one()
    assert stored[0] == 4_920_000_000
