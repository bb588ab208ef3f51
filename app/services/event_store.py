"""Events of many articles stored in one pass: cross-article deduplication with one query per
dated event, and every insert batched at the end.

An event another article already reported (same type, date within a day, the same place or one
side without a place, at least one shared participant) gets more evidence instead of a copy.
Events of this batch are not in the database until `flush`, so the ones it created or added
participants to are matched in memory too; the answer is the one that storing the articles one
at a time, each event at once, would give: the lowest-id match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect

from app.extraction.types import ExtractedEvent, Extraction
from app.models import Event, EventEvidence, EventParticipant, EventQuantity
from app.services.store import (
    event_signature,
    insert_plain,
    insert_typed,
    reserve_ids,
    table,
)

_ONE_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class StoredEvents:
    ids: list[int] = field(default_factory=list)  # every event this article now gives evidence for
    created: set[int] = field(default_factory=set)  # the ones that did not exist before


@dataclass(slots=True)
class _Touched:
    """An event this batch created or added participants to, as the matching rule sees it."""

    id: int | None  # None until flushed (created by this batch)
    type: str
    date: dt.date | None
    place_id: int | None
    participants: set[int] = field(default_factory=set)  # the ones this batch adds
    row: dict[str, Any] | None = None  # insert values, for the created ones
    order: int = 0  # creation order in the batch, for the created ones

    def matches(self, type_: str, date: dt.date, place_id: int | None, actors: set[int]) -> bool:
        return (
            self.type == type_
            and self.date is not None
            and abs(self.date - date) <= _ONE_DAY
            and (place_id is None or self.place_id in (place_id, None))
            and not self.participants.isdisjoint(actors)
        )


@dataclass(slots=True)
class _Article:
    stored: StoredEvents
    events: list[_Touched] = field(default_factory=list)  # in extraction order, repeats kept
    created: list[_Touched] = field(default_factory=list)  # the ones this article created


class EventWriter:
    """Collects the events of a batch of articles (`add`, in article order), then writes them
    (`flush`) inside the caller's write transaction."""

    def __init__(self, conn: Connection, now: dt.datetime) -> None:
        self.conn = conn
        self.now = now
        self.created: dict[str, list[_Touched]] = {}  # this batch's new events by type, in order
        self.count = 0
        self.existing: dict[int, _Touched] = {}
        self.participants: list[tuple[_Touched, int, str]] = []
        self.quantities: list[tuple[_Touched, str, int]] = []
        self.evidence: list[tuple[_Touched, dict[str, Any]]] = []
        self.articles: list[_Article] = []

    def add(
        self,
        article_id: int,
        extraction: Extraction,
        actor_ids: dict[str, int],
        place_ids: dict[str, int],
    ) -> StoredEvents:
        """The article's events; the returned ids are filled in by `flush`."""
        article = _Article(StoredEvents())
        self.articles.append(article)
        for ev in extraction.events:
            roles = [(actor_ids[k], "source") for k in ev.source_keys if k in actor_ids] + [
                (actor_ids[k], "target") for k in ev.target_keys if k in actor_ids
            ]
            actors = {a for a, _ in roles}
            place_id = place_ids.get(ev.place_key) if ev.place_key else None
            event = self._same_event(ev, actors, place_id)
            if event is None:
                event = self._new(ev, place_id)
                article.created.append(event)
            for actor_id, role in dict.fromkeys(roles):
                self.participants.append((event, actor_id, role))
                event.participants.add(actor_id)
            self.quantities += [(event, n, v) for n, v in ev.quantities.items()]
            self.evidence.append(
                (
                    event,
                    {
                        "article_id": article_id,
                        "sentence_index": ev.sentence_index,
                        "sentence_text": ev.evidence_text,
                        "char_start": ev.evidence_start,
                        "char_end": ev.evidence_end,
                        "reported_by_actor_id": actor_ids.get(ev.reported_by_key or ""),
                    },
                )
            )
            article.events.append(event)
        return article.stored

    def _new(self, ev: ExtractedEvent, place_id: int | None) -> _Touched:
        row = {
            "type": ev.type,
            "mode": ev.mode,
            "date": ev.date,
            "date_precision": ev.date_precision,
            "place_id": place_id,
            "modality": ev.modality,
            "summary": ev.summary,
            "confidence": ev.confidence,
            "signature": event_signature(ev),
            "created_at": self.now,
        }
        event = _Touched(None, ev.type, ev.date, place_id, row=row, order=self.count)
        self.count += 1
        self.created.setdefault(ev.type, []).append(event)
        return event

    def _same_event(
        self, ev: ExtractedEvent, actors: set[int], place_id: int | None
    ) -> _Touched | None:
        if ev.date is None or not actors:
            return None
        # Stored events all have lower ids than this batch's new ones; of the stored, the
        # database knows the participants stored before and memory the ones added since.
        found: list[_Touched] = []
        conn = self.conn
        dialect = conn.dialect
        date_in, date_out = _date_processors(dialect)
        params = [ev.type, date_in(ev.date - _ONE_DAY), date_in(ev.date + _ONE_DAY), *actors]
        if place_id is not None:
            params.append(place_id)
        sql = _same_event_sql(dialect.name, place_id is not None, len(actors))
        row = conn.exec_driver_sql(sql, tuple(params)).first()
        if row is not None:
            found.append(self._existing(int(row[0]), ev.type, date_out(row[1]), row[2]))
        found += [
            t for t in self.existing.values() if t.matches(ev.type, ev.date, place_id, actors)
        ]
        if found:
            return min(found, key=lambda t: t.id or 0)
        return next(
            (
                t
                for t in self.created.get(ev.type, ())
                if t.matches(ev.type, ev.date, place_id, actors)
            ),
            None,
        )

    def _existing(
        self, event_id: int, type_: str, date: dt.date | None, place_id: int | None
    ) -> _Touched:
        if event_id not in self.existing:
            self.existing[event_id] = _Touched(event_id, type_, date, place_id)
        return self.existing[event_id]

    def flush(self) -> None:
        conn = self.conn
        new = sorted((t for ts in self.created.values() for t in ts), key=lambda t: t.order)
        event = table(Event)
        for t, event_id in zip(new, reserve_ids(conn, event, len(new)), strict=True):
            t.id = event_id
        evidence = [{"event_id": t.id, **row} for t, row in self.evidence]
        # SQLite's event_fts row holds the event's evidence: written after the evidence, the
        # event's insert trigger indexes it once, where each evidence row's trigger would
        # rewrite it. The foreign keys are checked at commit for that (this transaction only).
        evidence_first = conn.dialect.name == "sqlite" and bool(new)
        if evidence_first:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            self._insert_evidence(evidence)
        if new:
            insert_typed(conn, event, [{"id": t.id, **(t.row or {})} for t in new])
        insert_plain(
            conn,
            table(EventParticipant),
            [{"event_id": t.id, "actor_id": a, "role": r} for t, a, r in self.participants],
            ("event_id", "actor_id", "role"),
        )
        # First quantity of a name still wins.
        insert_plain(
            conn,
            table(EventQuantity),
            [{"event_id": t.id, "name": n, "value": v} for t, n, v in self.quantities],
            ("event_id", "name"),
        )
        if not evidence_first:
            self._insert_evidence(evidence)
        for article in self.articles:
            article.stored.ids += [t.id for t in article.events if t.id is not None]
            article.stored.created |= {t.id for t in article.created if t.id is not None}

    def _insert_evidence(self, rows: list[dict[str, Any]]) -> None:
        insert_plain(self.conn, table(EventEvidence), rows)


@lru_cache(maxsize=256)
def _same_event_sql(dialect: str, with_place: bool, actors: int) -> str:
    """Plain SQL: SQLAlchemy compiled the IN list of a select anew for each dated event, which
    cost more than the query."""
    if dialect == "sqlite":
        text_ = date = int_ = "?"
    else:  # PostgreSQL types the parameters from the casts
        text_, date, int_ = "CAST(%s AS VARCHAR)", "CAST(%s AS DATE)", "CAST(%s AS INTEGER)"
    sql = (
        "SELECT event.id, event.date, event.place_id FROM event, event_participant "
        f"WHERE event.type = {text_} AND event.date BETWEEN {date} AND {date} "
        "AND event_participant.event_id = event.id "
        f"AND event_participant.actor_id IN ({', '.join([int_] * actors)})"
    )
    if with_place:
        sql += f" AND (event.place_id = {int_} OR event.place_id IS NULL)"
    # Ordered by an expression, not by the id column: ordered by id, SQLite walks the (type, id)
    # index of every event of the type, filtering on date, where (type, date) finds the few of
    # those three days: 1.3 s against 6 ms for an unmatched event among the 4.7M events of
    # bench/out/scale-1000000-1.db.
    return sql + " ORDER BY event.id + 0 LIMIT 1"


@lru_cache(maxsize=4)
def _date_processors(dialect: Dialect) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The event date column's own conversions to and from the driver, as SQLAlchemy's would be."""
    impl = table(Event).c.date.type.dialect_impl(dialect)
    into, out = impl.bind_processor(dialect), impl.result_processor(dialect, None)
    return into or _same, out or _same


def _same(value: Any) -> Any:
    return value
