"""Copy a knowledge base between databases (SQLite -> PostgreSQL for the user who outgrows one
file, or back), keeping every id, so that URLs, cursors of the change feed and mirrors stay valid.

The target is migrated to the head revision and must hold no rows; the source must be at the head
revision already and is only read. Rows go through SQLAlchemy's typed tables in foreign-key order
and in batches; the search indexes of the target (FTS5 triggers, tsvector columns and triggers)
fill themselves as the rows arrive. All of the copy is one transaction on the target: a failure
leaves it empty. Id sequences are moved past the copied ids at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers the tables)
from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.services.errors import Conflict, InvalidInput

BATCH = 1000
Progress = Callable[[str, int], None]


@dataclass(slots=True)
class CopyReport:
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _insert(target: Connection, table: Table, rows: list[dict[str, object]]) -> None:
    if target.dialect.name == "postgresql" and _generated_always(target, table):
        # GENERATED ALWAYS identity columns (the change feed) take given ids only when told to.
        names = list(rows[0])
        cols = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join(f":{n}" for n in names)
        target.execute(
            text(f'INSERT INTO "{table.name}" ({cols}) OVERRIDING SYSTEM VALUE VALUES ({marks})'),
            rows,
        )
        return
    target.execute(table.insert(), rows)


def _generated_always(target: Connection, table: Table) -> bool:
    return bool(
        target.execute(
            text(
                "SELECT 1 FROM information_schema.columns WHERE table_name = :t "
                "AND identity_generation = 'ALWAYS'"
            ),
            {"t": table.name},
        ).first()
    )


def _has_identity(target: Connection, table: Table) -> bool:
    return bool(
        target.execute(
            text(
                "SELECT 1 FROM information_schema.columns WHERE table_name = :t "
                "AND column_name = 'id' AND (is_identity = 'YES' OR column_default LIKE 'nextval%')"
            ),
            {"t": table.name},
        ).first()
    )


def _reset_sequences(target: Connection) -> None:
    if target.dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 (and AUTOINCREMENT keeps its own counter)
    for table in _tables():
        if "id" not in table.columns or not _has_identity(target, table):
            continue
        target.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def copy_database(
    source_url: str, target_url: str, *, progress: Progress | None = None
) -> CopyReport:
    """Copy every row of the source into the empty target; Conflict if the target has rows,
    InvalidInput if the source is not migrated to the head revision."""
    if source_url == target_url:
        raise InvalidInput("source and target are the same database")
    source: Engine = make_engine(source_url)
    target: Engine = make_engine(target_url)
    report = CopyReport()
    try:
        with source.connect() as src:
            revision, head = _revision(src), _head()
            if revision != head:
                raise InvalidInput(
                    f"the source is at revision {revision}, not {head}; "
                    "run `conflictkb init-db` against it first"
                )
        upgrade(target)
        with source.connect() as src, target.begin() as dst:
            for table in _tables():
                count = int(dst.execute(select(func.count()).select_from(table)).scalar_one())
                if count:
                    raise Conflict(f"the target is not empty: {table.name} holds {count} rows")
            for table in _tables():
                order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
                result = src.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*order)
                )
                copied = 0
                for batch in result.mappings().partitions(BATCH):
                    _insert(dst, table, [dict(row) for row in batch])
                    copied += len(batch)
                    if progress is not None:
                        progress(table.name, copied)
                report.tables[table.name] = copied
            _reset_sequences(dst)
    finally:
        source.dispose()
        target.dispose()
    return report
