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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, select

from app.extraction.types import ExtractedEvent, Extraction
from app.models import Event, EventEvidence, EventParticipant, EventQuantity
from app.services.store import event_signature, insert_plain, reserve_ids, table

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
        row = self.conn.execute(
            _same_event_stmt(place_id is not None),
            {
                "type": ev.type,
                "date_from": ev.date - _ONE_DAY,
                "date_to": ev.date + _ONE_DAY,
                "actor_ids": list(actors),
                **({"place_id": place_id} if place_id is not None else {}),
            },
        ).first()
        if row is not None:
            found.append(self._existing(int(row[0]), ev.type, row[1], row[2]))
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
            conn.execute(insert(event), [{"id": t.id, **(t.row or {})} for t in new])
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


@lru_cache(maxsize=2)
def _same_event_stmt(with_place: bool) -> Any:
    event, part = table(Event), table(EventParticipant)
    cond = and_(
        event.c.type == bindparam("type"),
        event.c.date.between(bindparam("date_from"), bindparam("date_to")),
        part.c.event_id == event.c.id,
        part.c.actor_id.in_(bindparam("actor_ids", expanding=True)),
    )
    if with_place:
        cond = and_(cond, (event.c.place_id == bindparam("place_id")) | event.c.place_id.is_(None))
    # Ordered by an expression, not by the id column: ordered by id, SQLite walks the (type, id)
    # index of every event of the type, filtering on date, where (type, date) finds the few of
    # those three days: 1.3 s against 6 ms for an unmatched event among the 4.7M events of
    # bench/out/scale-1000000-1.db.
    return (
        select(event.c.id, event.c.date, event.c.place_id)
        .where(cond)
        .order_by(event.c.id + 0)
        .limit(1)
    )
