"""Core-level writes shared by the ingest path: entity upserts and event storage with
cross-article deduplication. Inserts are conflict-tolerant, so concurrent writers never race on
read-then-insert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, and_, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from app.extraction.gazetteer import normalise_alias
from app.extraction.types import ActorEntry, ExtractedEvent, Extraction, PlaceEntry
from app.models import Event, EventEvidence, EventParticipant, EventQuantity


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
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt: Any = sqlite.insert(target).on_conflict_do_nothing(index_elements=conflict)
    elif dialect == "postgresql":
        stmt = postgresql.insert(target).on_conflict_do_nothing(index_elements=conflict)
    else:
        raise NotImplementedError(dialect)
    conn.execute(stmt, rows)


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
    insert_ignore(conn, entity, rows, ["key"])
    ids = {
        key: int(id_)
        for key, id_ in conn.execute(
            select(entity.c.key, entity.c.id).where(entity.c.key.in_(list(entries)))
        ).all()
    }
    fk = f"{kind}_id"
    # NULL languages are distinct to a UNIQUE constraint, so known aliases are skipped here.
    seen: set[tuple[int, str, str | None]] = {
        (int(r[0]), r[1], r[2])
        for r in conn.execute(
            select(alias.c[fk], alias.c.normalised, alias.c.language).where(
                alias.c[fk].in_(list(ids.values()))
            )
        ).all()
    }
    alias_rows: list[dict[str, Any]] = []

    def add(entity_id: int, text: str, lang: str | None) -> None:
        normalised = normalise_alias(text)
        if normalised and (entity_id, normalised, lang) not in seen:
            seen.add((entity_id, normalised, lang))
            alias_rows.append(
                {fk: entity_id, "alias": text, "language": lang, "normalised": normalised}
            )

    for entry in entries.values():
        add(ids[entry.key], entry.name, "en")
        for a in entry.aliases:
            add(ids[entry.key], a.alias, a.language)
    mentions = extraction.actor_mentions if kind == "actor" else extraction.place_mentions
    for m in mentions:
        if m.key in ids:
            add(ids[m.key], m.text, language)
    insert_ignore(conn, alias, alias_rows, [fk, "normalised", "language"])
    return ids


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
    event, part = table(Event), table(EventParticipant)
    one_day = dt.timedelta(days=1)
    cond = and_(
        event.c.type == ev.type,
        event.c.date.between(ev.date - one_day, ev.date + one_day),
        part.c.event_id == event.c.id,
        part.c.actor_id.in_(participant_ids),
    )
    if place_id is not None:
        cond = and_(cond, (event.c.place_id == place_id) | event.c.place_id.is_(None))
    row = conn.execute(select(event.c.id).where(cond).order_by(event.c.id).limit(1)).first()
    return None if row is None else int(row[0])


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
    for ev in extraction.events:
        roles = [(actor_ids[k], "source") for k in ev.source_keys if k in actor_ids] + [
            (actor_ids[k], "target") for k in ev.target_keys if k in actor_ids
        ]
        place_id = place_ids.get(ev.place_key) if ev.place_key else None
        event_id = _find_same_event(conn, ev, {a for a, _ in roles}, place_id)
        if event_id is None:
            event_id = conn.execute(
                insert(table(Event))
                .values(
                    type=ev.type,
                    mode=ev.mode,
                    date=ev.date,
                    date_precision=ev.date_precision,
                    place_id=place_id,
                    modality=ev.modality,
                    summary=ev.summary,
                    confidence=ev.confidence,
                    signature=event_signature(ev),
                    created_at=now,
                )
                .returning(table(Event).c.id)
            ).scalar_one()
            stored.created.add(int(event_id))
        insert_ignore(
            conn,
            table(EventParticipant),
            [{"event_id": event_id, "actor_id": a, "role": r} for a, r in dict.fromkeys(roles)],
            ["event_id", "actor_id", "role"],
        )
        insert_ignore(
            conn,
            table(EventQuantity),
            [{"event_id": event_id, "name": n, "value": v} for n, v in ev.quantities.items()],
            ["event_id", "name"],
        )
        conn.execute(
            insert(table(EventEvidence)).values(
                event_id=event_id,
                article_id=article_id,
                sentence_index=ev.sentence_index,
                sentence_text=ev.evidence_text,
                char_start=ev.evidence_start,
                char_end=ev.evidence_end,
                reported_by_actor_id=actor_ids.get(ev.reported_by_key or ""),
            )
        )
        stored.ids.append(int(event_id))
    return stored
