"""Core-level writes shared by the ingest path: table helpers and entity upserts (events are in
app/services/event_store.py). Inserts are conflict-tolerant, so concurrent writers never race on
read-then-insert."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from app.extraction.gazetteer import normalise_alias
from app.extraction.types import ActorEntry, ExtractedEvent, Extraction, PlaceEntry

# The same gazetteer names come back in almost every article; normalising them is pure.
_normalised_alias = lru_cache(maxsize=200_000)(normalise_alias)


def table(model: type[SQLModel]) -> Table:
    result: Table = model.__table__  # type: ignore[attr-defined]
    return result


def table_by_name(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def reserve_ids(conn: Connection, target: Table, count: int) -> list[int]:
    """The ids the next `count` rows of `target` get, in order, for inserts that need their ids
    without RETURNING (which SQLAlchemy can only order on SQLite by inserting one row at a time).
    Call it inside a write transaction. SQLite hands out max(rowid) + 1 to a table without
    AUTOINCREMENT, so explicit ids are the ones it would have chosen; PostgreSQL takes them from
    the column's sequence."""
    if count <= 0:
        return []
    name = target.name
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": name, "n": count},
        )
        return [int(r[0]) for r in rows]
    top = conn.execute(text(f'SELECT coalesce(max(id), 0) FROM "{name}"')).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))


def insert_ignore(
    conn: Connection, target: Table, rows: list[dict[str, Any]], conflict: list[str]
) -> None:
    if not rows:
        return
    conn.execute(_insert_ignore_stmt(conn.dialect.name, target, tuple(conflict)), rows)


def insert_plain(
    conn: Connection, target: Table, rows: list[dict[str, Any]], conflict: tuple[str, ...] = ()
) -> None:
    """executemany straight to the driver, for rows of plain values (int, str, None) that need no
    type processing: SQLAlchemy's per-row parameter handling costs more than SQLite's insert for
    the many small mention, evidence and participant rows of a batch. With `conflict`, rows that
    would repeat a unique key are skipped."""
    if not rows:
        return
    columns = tuple(rows[0])
    sql = _plain_insert_sql(conn.dialect.name, target.name, columns, conflict)
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])


@lru_cache(maxsize=64)
def _plain_insert_sql(
    dialect: str, name: str, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    return sql


@lru_cache(maxsize=64)
def _insert_ignore_stmt(dialect: str, target: Table, conflict: tuple[str, ...]) -> Any:
    # Built once: constructing the statement costs more than running it on the ingest hot path.
    if dialect == "sqlite":
        return sqlite.insert(target).on_conflict_do_nothing(index_elements=list(conflict))
    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing(index_elements=list(conflict))
    raise NotImplementedError(dialect)


EntitySource = tuple[
    dict[str, ActorEntry] | dict[str, PlaceEntry], Extraction, str | None
]  # (entries, extraction, article language)


def upsert_entities_many(
    conn: Connection, kind: str, sources: list[EntitySource], now: dt.datetime
) -> dict[str, int]:
    """Actors or places of several articles by their stable key, in a fixed number of statements:
    insert the new ones with their aliases, and add the surface forms seen in each article as
    aliases, so that a name search finds inflected forms. Rows go in in article order, so ids are
    those that storing the articles one by one gives."""
    entries: dict[str, ActorEntry | PlaceEntry] = {}
    for article_entries, _, _ in sources:
        for key, entry in article_entries.items():
            entries.setdefault(key, entry)
    if not entries:
        return {}
    entity = table_by_name(kind)
    alias = table_by_name(f"{kind}_alias")
    ids = _entity_ids(conn, entity, list(entries))
    new_keys = [key for key in entries if key not in ids]
    if new_keys:
        insert_ignore(conn, entity, [_entity_row(entries[k], now) for k in new_keys], ["key"])
        ids |= _entity_ids(conn, entity, new_keys)
    fk = f"{kind}_id"
    candidates: list[tuple[int, str, str, str | None]] = []
    named: set[str] = set()
    for article_entries, extraction, language in sources:
        for entry in article_entries.values():
            # An entity's own names are stored once, with it; later articles add surface forms.
            if entry.key in new_keys and entry.key not in named:
                named.add(entry.key)
                entity_id = ids[entry.key]
                candidates.append((entity_id, entry.name, _normalised_alias(entry.name), "en"))
                for a in entry.aliases:
                    candidates.append((entity_id, a.alias, _normalised_alias(a.alias), a.language))
        mentions = extraction.actor_mentions if kind == "actor" else extraction.place_mentions
        for m in mentions:
            if m.key in ids and m.key in article_entries:
                candidates.append((ids[m.key], m.text, _normalised_alias(m.text), language))
    candidates = [c for c in candidates if c[2]]
    if not candidates:
        return ids
    # NULL languages are distinct to a UNIQUE constraint, so known aliases are skipped here; only
    # the forms these articles could add are read back, not every alias the entities have.
    seen = _known_aliases(conn, alias, fk, list(dict.fromkeys((c[0], c[2]) for c in candidates)))
    alias_rows: list[dict[str, Any]] = []
    for entity_id, surface, normalised, lang in candidates:
        if (entity_id, normalised, lang) not in seen:
            seen.add((entity_id, normalised, lang))
            alias_rows.append(
                {fk: entity_id, "alias": surface, "language": lang, "normalised": normalised}
            )
    insert_plain(conn, alias, alias_rows, (fk, "normalised", "language"))
    return ids


_PAIRS_PER_QUERY = 2000  # two parameters each, well under SQLite's limit of 32,766


def _known_aliases(
    conn: Connection, alias: Table, fk: str, pairs: list[tuple[int, str]]
) -> set[tuple[int, str, str | None]]:
    """The stored (entity id, normalised, language) rows of these (entity id, normalised) pairs.
    Joined from a list of the pairs: `entity IN (...) AND normalised IN (...)` made SQLite probe
    the unique index for every entity x every form of a batch (~100 x ~700), most of them absent,
    and a row-value IN scans the whole index. Plain SQL: SQLAlchemy compiles a VALUES list anew
    for every batch, which cost more than the query."""
    found: set[tuple[int, str, str | None]] = set()
    for k in range(0, len(pairs), _PAIRS_PER_QUERY):
        chunk = pairs[k : k + _PAIRS_PER_QUERY]
        sql = _known_aliases_sql(conn.dialect.name, alias.name, fk, len(chunk))
        rows = conn.exec_driver_sql(sql, tuple(v for pair in chunk for v in pair))
        found.update((int(r[0]), r[1], r[2]) for r in rows)
    return found


@lru_cache(maxsize=64)
def _known_aliases_sql(dialect: str, name: str, fk: str, count: int) -> str:
    # PostgreSQL types a VALUES column from its rows; parameters say nothing, so they are cast.
    row = "(?, ?)" if dialect == "sqlite" else "(CAST(%s AS INTEGER), CAST(%s AS TEXT))"
    return (
        f"WITH wanted (entity_id, normalised) AS (VALUES {', '.join([row] * count)}) "
        f"SELECT a.{fk}, a.normalised, a.language FROM wanted "
        f"JOIN {name} AS a ON a.{fk} = wanted.entity_id AND a.normalised = wanted.normalised"
    )


def _entity_row(entry: ActorEntry | PlaceEntry, now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": entry.key,
        "name": entry.name,
        "kind": entry.kind,
        "country": entry.country,
        "created_at": now,
    }
    if isinstance(entry, ActorEntry):
        return row | {
            "sector": entry.sector,
            "wikidata_id": entry.wikidata_id,
            "description": entry.description,
            "resolved": entry.resolved,
        }
    return row | {
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "geonames_id": entry.geonames_id,
    }


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
