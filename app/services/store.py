"""Core-level writes shared by the ingest path: table helpers and entity upserts (events are in
app/services/event_store.py). Inserts are conflict-tolerant, so concurrent writers never race on
read-then-insert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, text
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
    """Rows of plain values (int, str, None) that need no type processing, straight to the
    driver: SQLAlchemy's per-row parameter handling costs more than SQLite's insert for the many
    small mention, evidence and participant rows of a batch. With `conflict`, rows that would
    repeat a unique key are skipped."""
    if not rows:
        return
    columns = tuple(rows[0])
    insert_values(conn, target.name, columns, _tuples(rows, columns), conflict)


def insert_typed(
    conn: Connection, target: Table, rows: list[dict[str, Any]], conflict: tuple[str, ...] = ()
) -> None:
    """`insert_plain` for rows with typed values (dates, times): each converted by its column
    type's own bind processor, as SQLAlchemy's insert would."""
    if not rows:
        return
    columns = tuple(rows[0])
    values = _tuples(rows, columns)
    typed = [
        (i, p)
        for i, p in enumerate(_bind_processors(conn.dialect, target, columns))
        if p is not None
    ]
    if typed:
        for n, row in enumerate(values):
            converted = list(row)
            for i, process in typed:
                converted[i] = process(converted[i])
            values[n] = tuple(converted)
    insert_values(conn, target.name, columns, values, conflict)


def _tuples(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    if len(columns) == 1:
        return [(row[columns[0]],) for row in rows]
    return list(map(itemgetter(*columns), rows))


@lru_cache(maxsize=64)
def _bind_processors(
    dialect: Dialect, target: Table, columns: tuple[str, ...]
) -> tuple[Callable[[Any], Any] | None, ...]:
    return tuple(target.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns)


# Rows per INSERT on SQLite, then the rest in powers of two: few distinct statements, so they
# come prepared from the driver's statement cache (preparing a new VALUES list for each batch
# cost as much as running it). 64 rows of up to 13 columns stay under SQLite's oldest parameter
# limit (999); 16 and 256 rows cost more instructions.
_ROWS_PER_INSERT = 64


def insert_values(
    conn: Connection,
    name: str,
    columns: tuple[str, ...],
    values: list[tuple[Any, ...]],
    conflict: tuple[str, ...] = (),
) -> None:
    """Driver-ready rows. On SQLite, many rows per statement: each execution of an insert into a
    table with triggers (article, event, evidence, mention) opens a statement journal, and at
    each FTS5 flushes its pending terms to a new segment and rewrites its totals (xSavepoint),
    so executemany gave an FTS segment per event and a flush per row."""
    if not values:
        return
    dialect = conn.dialect.name
    if dialect != "sqlite":
        conn.exec_driver_sql(_plain_insert_sql(dialect, name, columns, conflict, 1), values)
        return
    k = 0
    for count in _row_counts(len(values)):
        sql = _plain_insert_sql(dialect, name, columns, conflict, count)
        conn.exec_driver_sql(sql, tuple(chain.from_iterable(values[k : k + count])))
        k += count


def _row_counts(total: int) -> list[int]:
    counts = [_ROWS_PER_INSERT] * (total // _ROWS_PER_INSERT)
    rest, size = total % _ROWS_PER_INSERT, _ROWS_PER_INSERT
    while rest:
        size //= 2
        if rest >= size:
            counts.append(size)
            rest -= size
    return counts


@lru_cache(maxsize=256)
def _plain_insert_sql(
    dialect: str, name: str, columns: tuple[str, ...], conflict: tuple[str, ...], count: int
) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    row = f"({', '.join([mark] * len(columns))})"
    sql = f"INSERT INTO {name} ({', '.join(_quoted(columns))}) VALUES {', '.join([row] * count)}"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(_quoted(conflict))}) DO NOTHING"
    return sql


def _quoted(names: tuple[str, ...]) -> list[str]:
    return [f'"{n}"' for n in names]  # "key" is a keyword


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
        insert_typed(conn, entity, [_entity_row(entries[k], now) for k in new_keys], ("key",))
        ids |= _entity_ids(conn, entity, new_keys)
    new = set(new_keys)
    fk = f"{kind}_id"
    candidates: list[tuple[int, str, str, str | None]] = []
    named: set[str] = set()
    for article_entries, extraction, language in sources:
        for entry in article_entries.values():
            # An entity's own names are stored once, with it; later articles add surface forms.
            if entry.key in new and entry.key not in named:
                named.add(entry.key)
                entity_id = ids[entry.key]
                candidates.append((entity_id, entry.name, _normalised_alias(entry.name), "en"))
                for a in entry.aliases:
                    candidates.append((entity_id, a.alias, _normalised_alias(a.alias), a.language))
        mentions = extraction.actor_mentions if kind == "actor" else extraction.place_mentions
        for m in mentions:
            mentioned = ids.get(m.key)
            if mentioned is not None and m.key in article_entries:
                candidates.append((mentioned, m.text, _normalised_alias(m.text), language))
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
        rows = conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk)))
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
    # Plain SQL, as in _known_aliases: a select's IN list is compiled anew for every batch.
    found: dict[str, int] = {}
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    for k in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = tuple(keys[k : k + _KEYS_PER_QUERY])
        sql = (
            f'SELECT "key", id FROM {entity.name} WHERE "key" IN ({", ".join([mark] * len(chunk))})'
        )
        found.update((str(key), int(id_)) for key, id_ in conn.exec_driver_sql(sql, chunk))
    return found


_KEYS_PER_QUERY = 4000


def event_signature(ev: ExtractedEvent) -> str:
    keys = [*sorted(ev.source_keys), "->", *sorted(ev.target_keys)]
    return "|".join([ev.type, str(ev.date or ""), ev.place_key or "", ",".join(keys)])
