"""The one ingest path: normalise, deduplicate, extract, and store an article with its mentions and
events in one transaction. Used by the CLI (seed, ingest) and the write API.

Extraction (slow, CPU-bound) runs before the write lock is taken; the duplicate check is repeated
under the lock, so two writers of the same text end with one article. The hot path writes through
SQLAlchemy Core (executemany), not ORM unit-of-work objects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import ColumnElement, Connection, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.extraction.lemmas import lemma_text
from app.extraction.pipeline import extract
from app.extraction.types import Extraction
from app.models import Article, Mention, Source, utcnow
from app.services.changes import ARTICLE, CREATED, event_changes, record_changes
from app.services.errors import InvalidInput
from app.services.event_store import EventWriter, StoredEvents
from app.services.store import (
    insert_ignore,
    insert_plain,
    insert_typed,
    reserve_ids,
    table,
    upsert_entities_many,
)
from app.services.transactions import write_transaction

# Control characters other than tab and newline, and lone surrogates, never reach storage.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_TITLE_MAX = 200


@dataclass(slots=True)
class ArticleInput:
    text: str
    title: str | None = None
    url: str | None = None
    published_at: dt.datetime | dt.date | str | None = None
    language: str | None = None
    source: str | None = None
    source_country: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    article_id: int
    created: bool


# Query parameters that only say where a reader came from, not which page it is.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|igshid|ref_src)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def clean_field(value: str | None) -> str | None:
    """Short fields (title, source, url) lose control characters and lone surrogates too."""
    if value is None:
        return None
    cleaned = unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()
    return cleaned or None


def canonical_url(url: str | None) -> str | None:
    """One spelling per page: lower-case scheme and host, no default port, credentials, fragment
    or tracking parameters, sorted query, no trailing slash. A URL that does not parse is kept as
    written (cleaned), so it still deduplicates against itself."""
    url = clean_field(url)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if not scheme or not host:
        return url
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path.rstrip("/") or "/"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return text.strip()


def content_hash(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def parse_published(
    value: dt.datetime | dt.date | str | None,
) -> tuple[dt.datetime | None, str | None]:
    """A publication time and how precise it is: time, day, month or year."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC), "time"
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), "day"
    text = value.strip()
    for pattern, precision in (("%Y", "year"), ("%Y-%m", "month"), ("%Y-%m-%d", "day")):
        try:
            parsed = dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return parsed, precision
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"published_at {value!r} is not an ISO 8601 date or time") from exc
    return parse_published(parsed)


def derive_title(body: str) -> str | None:
    """The first line of a plain-text page is its headline when it is short."""
    first = body.split("\n", 1)[0].strip()
    return first if 0 < len(first) <= _TITLE_MAX else None


def find_existing(
    session_or_conn: Session | Connection, *, normalised: str, url: str | None = None
) -> int | None:
    """The stored article with this normalised text, or else with this canonical url."""
    conn = session_or_conn.connection() if isinstance(session_or_conn, Session) else session_or_conn
    return existing_ids(conn, [(normalised, url)])[0]


def extraction_date(published_at: dt.datetime | None) -> dt.date | None:
    # A far-fetched year is valid input but no sane anchor for relative dates ("yesterday").
    if published_at is None or not 1800 <= published_at.year <= 9000:
        return None
    return published_at.date()


def run_extraction(
    text: str, *, published_at: dt.datetime | None, language: str | None, title: str | None
) -> Extraction:
    return extract(text, published_at=extraction_date(published_at), language=language, title=title)


@dataclass(slots=True)
class PreparedArticle:
    """An article with all its CPU-bound work done (normalised, extracted, lemmatised), so that the
    writer only writes. Plain data, so a worker process can hand it to the writer process."""

    item: ArticleInput
    text: str  # normalised; its hash is the duplicate key
    url: str | None
    published_at: dt.datetime | None
    precision: str | None
    extraction: Extraction
    language: str | None
    title: str | None
    lemmas: str


DuplicateKeys = tuple[str, str | None]  # an article's normalised text and canonical url


def normalised_input(item: ArticleInput) -> DuplicateKeys:
    """The duplicate keys of an article: its normalised text and canonical url."""
    text = normalise_text(item.text or "")
    if not text:
        raise InvalidInput("article text is empty")
    return text, canonical_url(item.url)


def prepare_article(
    item: ArticleInput,
    *,
    extraction: Extraction | None = None,
    keys: DuplicateKeys | None = None,
) -> PreparedArticle:
    text, url = keys or normalised_input(item)
    published_at, precision = parse_published(item.published_at)
    if extraction is None:
        extraction = run_extraction(
            text, published_at=published_at, language=item.language, title=clean_field(item.title)
        )
    language = item.language or extraction.language
    title = clean_field(item.title) or derive_title(extraction.body)
    return PreparedArticle(
        item=item,
        text=text,
        url=url,
        published_at=published_at,
        precision=precision,
        extraction=extraction,
        language=language,
        title=title,
        lemmas=lemma_text(f"{title or ''}\n{extraction.body}", language),
    )


def store_prepared(conn: Connection, prepared: PreparedArticle) -> IngestResult:
    """Inside a write transaction: the duplicate check, then the article with all it holds."""
    return store_prepared_batch(conn, [prepared])[0]


def store_prepared_batch(conn: Connection, batch: list[PreparedArticle]) -> list[IngestResult]:
    """Inside a write transaction, in a fixed number of statements plus one per dated event: the
    duplicate checks (against what is stored and what comes earlier in the batch, so a batch
    deduplicates within itself), then the new articles with all they hold. Ids and answers are
    those that storing the articles one at a time, in order, gives."""
    digests = [content_hash(p.text) for p in batch]
    stored = _stored_keys(conn, digests, [p.url for p in batch])
    answers: list[int | tuple[int]] = []  # a stored id, or (index into `new`,)
    new: list[int] = []
    for i, (p, digest) in enumerate(zip(batch, digests, strict=True)):
        # (text differs, not stored yet, id or position): the text match first, then the oldest.
        found = [
            (h != digest, 0, id_) for id_, h, u in stored if h == digest or (p.url and u == p.url)
        ] + [
            (digests[j] != digest, 1, k)
            for k, j in enumerate(new)
            if digests[j] == digest or (p.url and batch[j].url == p.url)
        ]
        if not found:
            answers.append((len(new),))
            new.append(i)
        else:
            _, pending, ref = min(found)
            answers.append((ref,) if pending else ref)
    ids = _store_new(conn, [batch[i] for i in new], [digests[i] for i in new]) if new else []
    return [
        IngestResult(article_id=a, created=False)
        if isinstance(a, int)
        else IngestResult(article_id=ids[a[0]], created=new[a[0]] == i)
        for i, a in enumerate(answers)
    ]


def existing_ids(conn: Connection, keys: list[DuplicateKeys]) -> list[int | None]:
    """The stored article for each (normalised text, canonical url) pair, in one query: the text
    match first, then the oldest article, so answers are stable."""
    digests = [content_hash(text_) for text_, _ in keys]
    stored = _stored_keys(conn, digests, [url for _, url in keys])
    answers: list[int | None] = []
    for digest, (_, url) in zip(digests, keys, strict=True):
        found = [(h != digest, id_) for id_, h, u in stored if h == digest or (url and u == url)]
        answers.append(min(found)[1] if found else None)
    return answers


def _stored_keys(
    conn: Connection, digests: list[str], urls: list[str | None]
) -> list[tuple[int, str, str | None]]:
    article = table(Article)
    cond: ColumnElement[bool] = article.c.content_hash.in_(set(digests))
    if known := {u for u in urls if u}:
        cond = or_(cond, article.c.url.in_(known))
    rows = conn.execute(select(article.c.id, article.c.content_hash, article.c.url).where(cond))
    return [(int(r[0]), r[1], r[2]) for r in rows]


def _store_new(conn: Connection, batch: list[PreparedArticle], digests: list[str]) -> list[int]:
    now = utcnow()
    sources = _source_ids(conn, [p.item for p in batch], [p.language for p in batch], now)
    rows = [
        {
            "source_id": sources.get(_source_name(p.item)),
            "title": p.title,
            "body": p.extraction.body,
            "raw_text": p.text,
            "lemmas": p.lemmas,
            "language": p.language,
            "url": p.url,
            "published_at": p.published_at,
            "published_precision": p.precision,
            "content_hash": digest,
            "ingested_at": now,
            "updated_at": now,
        }
        for p, digest in zip(batch, digests, strict=True)
    ]
    article = table(Article)
    ids = reserve_ids(conn, article, len(rows))
    # Several rows a statement (store.insert_typed): an executemany row on article flushes the
    # FTS5 trigger's pending terms into a new index segment, one per article.
    insert_typed(conn, article, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    events = store_extractions(
        conn, [(i, p.extraction, p.language) for i, p in zip(ids, batch, strict=True)], now
    )
    changes: list[tuple[str, int, str]] = []
    for article_id, stored in zip(ids, events, strict=True):
        changes.append((ARTICLE, article_id, CREATED))
        changes += event_changes(
            created=stored.created, updated=set(stored.ids) - stored.created, deleted=()
        )
    record_changes(conn, changes, now)
    return ids


def store_one(session: Session, prepared: PreparedArticle) -> IngestResult:
    """One prepared article in its own write transaction."""
    try:
        with write_transaction(session) as conn:
            return store_prepared(conn, prepared)
    except IntegrityError:
        # Another writer stored the same text first: theirs is the article.
        existing = find_existing(session, normalised=prepared.text, url=prepared.url)
        if existing is None:
            raise
        return IngestResult(article_id=existing, created=False)


def ingest_article(
    session: Session, *, item: ArticleInput, extraction: Extraction | None = None
) -> IngestResult:
    keys = normalised_input(item)
    existing = find_existing(session, normalised=keys[0], url=keys[1])
    if existing is not None:
        return IngestResult(article_id=existing, created=False)
    if session.in_transaction():
        session.commit()  # no read transaction stays open through the extraction
    return store_one(session, prepare_article(item, extraction=extraction, keys=keys))


def store_extraction(
    conn: Connection,
    article_id: int,
    extraction: Extraction,
    language: str | None,
    now: dt.datetime,
) -> StoredEvents:
    """Actors, places, mentions and events of one article (whose old ones are already gone)."""
    return store_extractions(conn, [(article_id, extraction, language)], now)[0]


def store_extractions(
    conn: Connection, articles: list[tuple[int, Extraction, str | None]], now: dt.datetime
) -> list[StoredEvents]:
    """Actors, places, mentions and events of several articles, in article order."""
    actor_ids = upsert_entities_many(
        conn, "actor", [(e.actors, e, lang) for _, e, lang in articles], now
    )
    place_ids = upsert_entities_many(
        conn, "place", [(e.places, e, lang) for _, e, lang in articles], now
    )
    mentions: list[dict[str, Any]] = []
    writer = EventWriter(conn, now)
    stored: list[StoredEvents] = []
    for article_id, extraction, _ in articles:
        actors = {k: actor_ids[k] for k in extraction.actors if k in actor_ids}
        places = {k: place_ids[k] for k in extraction.places if k in place_ids}
        for kind, ids, found in (
            ("actor", actors, extraction.actor_mentions),
            ("place", places, extraction.place_mentions),
        ):
            mentions += [
                {
                    "article_id": article_id,
                    "actor_id": ids[m.key] if kind == "actor" else None,
                    "place_id": ids[m.key] if kind == "place" else None,
                    "sentence_index": m.sentence_index,
                    "char_start": m.start,
                    "char_end": m.end,
                    "surface": m.text,
                }
                for m in found
                if m.key in ids
            ]
        stored.append(writer.add(article_id, extraction, actors, places))
    insert_plain(conn, table(Mention), mentions)
    writer.flush()
    return stored


def _source_name(item: ArticleInput) -> str:
    return (clean_field(item.source) or "")[:200]


def _source_ids(
    conn: Connection, items: list[ArticleInput], languages: list[str | None], now: dt.datetime
) -> dict[str, int]:
    """Source name -> id for the named sources of these articles, made when new."""
    rows: dict[str, dict[str, Any]] = {}
    for item, language in zip(items, languages, strict=True):
        name = _source_name(item)
        if name and name not in rows:
            rows[name] = {
                "name": name,
                "domain": name.lower() if "." in name and " " not in name else None,
                "country": clean_field(item.source_country),
                "language": language,
                "created_at": now,
            }
    if not rows:
        return {}
    source = table(Source)
    insert_ignore(conn, source, list(rows.values()), ["name"])
    found = conn.execute(select(source.c.name, source.c.id).where(source.c.name.in_(rows)))
    return {str(name): int(id_) for name, id_ in found}
