"""Core-level writes shared by the ingest path: entity upserts and event storage with
cross-article deduplication. Inserts are conflict-tolerant, so concurrent writers never race on
read-then-insert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from app.extraction.gazetteer import normalise_alias
from app.extraction.types import ActorEntry, ExtractedEvent, Extraction, PlaceEntry
from app.models import Event, EventEvidence, EventParticipant, EventQuantity

# The same gazetteer names come back in almost every article; normalising them is pure.
_normalised_alias = lru_cache(maxsize=200_000)(normalise_alias)


def table(model: type[SQLModel]) -> Table:
    result: Table = model.__table__  # type: ignore[attr-defined]
    return result


def table_by_name(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def insert_ignore(
    conn: Connection, target: Table, rows: list[dict[str, Any]], conflict: list[str]
) -> None:
    if not rows:
        return
    conn.execute(_insert_ignore_stmt(conn.dialect.name, target, tuple(conflict)), rows)


@lru_cache(maxsize=64)
def _insert_ignore_stmt(dialect: str, target: Table, conflict: tuple[str, ...]) -> Any:
    # Built once: constructing the statement costs more than running it on the ingest hot path.
    if dialect == "sqlite":
        return sqlite.insert(target).on_conflict_do_nothing(index_elements=list(conflict))
    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing(index_elements=list(conflict))
    raise NotImplementedError(dialect)


def upsert_entities(
    conn: Connection,
    kind: str,
    entries: dict[str, ActorEntry] | dict[str, PlaceEntry],
    extraction: Extraction,
    language: str | None,
    now: dt.datetime,
) -> dict[str, int]:
    """Actors or places by their stable key: insert the new ones with their aliases, and add the
    surface forms seen in this article as aliases, so that a name search finds inflected forms."""
    if not entries:
        return {}
    entity = table_by_name(kind)
    alias = table_by_name(f"{kind}_alias")
    rows: list[dict[str, Any]] = []
    for entry in entries.values():
        row: dict[str, Any] = {
            "key": entry.key,
            "name": entry.name,
            "kind": entry.kind,
            "country": entry.country,
            "created_at": now,
        }
        if isinstance(entry, ActorEntry):
            row |= {
                "sector": entry.sector,
                "wikidata_id": entry.wikidata_id,
                "description": entry.description,
                "resolved": entry.resolved,
            }
        else:
            row |= {
                "latitude": entry.latitude,
                "longitude": entry.longitude,
                "geonames_id": entry.geonames_id,
            }
        rows.append(row)
    ids = _entity_ids(conn, entity, list(entries))
    new_keys = {row["key"] for row in rows if row["key"] not in ids}
    if new_keys:
        insert_ignore(conn, entity, [row for row in rows if row["key"] in new_keys], ["key"])
        ids |= _entity_ids(conn, entity, list(new_keys))
    fk = f"{kind}_id"
    candidates: list[tuple[int, str, str, str | None]] = []
    for entry in entries.values():
        # An entity's own names are stored once, with it; later articles add surface forms only.
        if entry.key in new_keys:
            candidates.append((ids[entry.key], entry.name, _normalised_alias(entry.name), "en"))
            for a in entry.aliases:
                candidates.append((ids[entry.key], a.alias, _normalised_alias(a.alias), a.language))
    mentions = extraction.actor_mentions if kind == "actor" else extraction.place_mentions
    for m in mentions:
        if m.key in ids:
            candidates.append((ids[m.key], m.text, _normalised_alias(m.text), language))
    candidates = [c for c in candidates if c[2]]
    if not candidates:
        return ids
    # NULL languages are distinct to a UNIQUE constraint, so known aliases are skipped here; only
    # the forms this article could add are read back, not every alias the entities have.
    seen: set[tuple[int, str, str | None]] = {
        (int(r[0]), r[1], r[2])
        for r in conn.execute(
            select(alias.c[fk], alias.c.normalised, alias.c.language).where(
                alias.c[fk].in_({c[0] for c in candidates}),
                alias.c.normalised.in_({c[2] for c in candidates}),
            )
        ).all()
    }
    alias_rows: list[dict[str, Any]] = []
    for entity_id, text, normalised, lang in candidates:
        if (entity_id, normalised, lang) not in seen:
            seen.add((entity_id, normalised, lang))
            alias_rows.append(
                {fk: entity_id, "alias": text, "language": lang, "normalised": normalised}
            )
    insert_ignore(conn, alias, alias_rows, [fk, "normalised", "language"])
    return ids


def _entity_ids(conn: Connection, entity: Table, keys: list[str]) -> dict[str, int]:
    return {
        key: int(id_)
        for key, id_ in conn.execute(
            select(entity.c.key, entity.c.id).where(entity.c.key.in_(keys))
        ).all()
    }


def event_signature(ev: ExtractedEvent) -> str:
    keys = [*sorted(ev.source_keys), "->", *sorted(ev.target_keys)]
    return "|".join([ev.type, str(ev.date or ""), ev.place_key or "", ",".join(keys)])


def _find_same_event(
    conn: Connection, ev: ExtractedEvent, participant_ids: set[int], place_id: int | None
) -> int | None:
    """An event another article already reported: same type, date within a day, the same place
    (or one side without a place), and at least one shared participant."""
    if ev.date is None or not participant_ids:
        return None
    one_day = dt.timedelta(days=1)
    params: dict[str, Any] = {
        "type": ev.type,
        "date_from": ev.date - one_day,
        "date_to": ev.date + one_day,
        "actor_ids": list(participant_ids),
    }
    if place_id is not None:
        params["place_id"] = place_id
    row = conn.execute(_same_event_stmt(place_id is not None), params).first()
    return None if row is None else int(row[0])


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
    return select(event.c.id).where(cond).order_by(event.c.id).limit(1)


@dataclass(slots=True)
class StoredEvents:
    ids: list[int] = field(default_factory=list)  # every event this article now gives evidence for
    created: set[int] = field(default_factory=set)  # the ones that did not exist before


def store_events(
    conn: Connection,
    article_id: int,
    extraction: Extraction,
    actor_ids: dict[str, int],
    place_ids: dict[str, int],
    now: dt.datetime,
) -> StoredEvents:
    stored = StoredEvents()
    quantities: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for ev in extraction.events:
        roles = [(actor_ids[k], "source") for k in ev.source_keys if k in actor_ids] + [
            (actor_ids[k], "target") for k in ev.target_keys if k in actor_ids
        ]
        place_id = place_ids.get(ev.place_key) if ev.place_key else None
        event_id = _find_same_event(conn, ev, {a for a, _ in roles}, place_id)
        if event_id is None:
            event_id = conn.execute(
                _INSERT_EVENT,
                {
                    "type": ev.type,
                    "mode": ev.mode,
                    "date": ev.date,
                    "date_precision": ev.date_precision,
                    "place_id": place_id,
                    "modality": ev.modality,
                    "summary": ev.summary,
                    "confidence": ev.confidence,
                    "signature": event_signature(ev),
                    "created_at": now,
                },
            ).scalar_one()
            stored.created.add(int(event_id))
        # Participants go in at once: a later event of this article may match this one by them.
        insert_ignore(
            conn,
            table(EventParticipant),
            [{"event_id": event_id, "actor_id": a, "role": r} for a, r in dict.fromkeys(roles)],
            ["event_id", "actor_id", "role"],
        )
        quantities += [
            {"event_id": event_id, "name": n, "value": v} for n, v in ev.quantities.items()
        ]
        evidence.append(
            {
                "event_id": event_id,
                "article_id": article_id,
                "sentence_index": ev.sentence_index,
                "sentence_text": ev.evidence_text,
                "char_start": ev.evidence_start,
                "char_end": ev.evidence_end,
                "reported_by_actor_id": actor_ids.get(ev.reported_by_key or ""),
            }
        )
        stored.ids.append(int(event_id))
    # One executemany each instead of a statement per event; first quantity of a name still wins.
    insert_ignore(conn, table(EventQuantity), quantities, ["event_id", "name"])
    if evidence:
        conn.execute(insert(table(EventEvidence)), evidence)
    return stored


_INSERT_EVENT = insert(table(Event)).returning(table(Event).c.id)
