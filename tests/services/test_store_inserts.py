"""The writer's driver-level inserts store what SQLAlchemy's executemany stores: several rows per
statement on SQLite must keep the row-by-row answers (conflicts within the same statement
included), and typed values must come out as SQLAlchemy's own bind processors make them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    insert,
)
from sqlmodel import Session

from app.services.store import _row_counts, insert_plain, insert_typed


@pytest.fixture
def conn(empty_session: Session) -> Iterator[Connection]:
    connection = empty_session.connection()
    yield connection
    empty_session.rollback()


def _probe(conn: Connection, name: str) -> Table:
    table = Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("key", Integer),  # a keyword as a column name
        Column("label", String),
        Column("day", Date),
        Column("at", DateTime),
        Column("score", Float),
        UniqueConstraint("key"),
    )
    table.create(conn)
    return table


@pytest.mark.parametrize("total", [0, 1, 63, 64, 65, 127, 200, 1000])
def test_row_counts_cover_every_row(total: int) -> None:
    counts = _row_counts(total)
    assert sum(counts) == total
    assert len(set(counts)) <= 7  # 64 rows, then powers of two: few distinct statements


def test_many_rows_with_conflicts_keep_the_first(conn: Connection) -> None:
    probe = _probe(conn, "probe_plain")
    insert_plain(conn, probe, [{"id": 1000, "key": 7, "label": "stored before"}], ("key",))
    rows = [{"id": i + 1, "key": i % 150, "label": f"row {i}"} for i in range(203)]
    insert_plain(conn, probe, rows, ("key",))
    got = conn.exec_driver_sql("SELECT id, key, label FROM probe_plain ORDER BY id").all()
    want = [(i + 1, i, f"row {i}") for i in range(150) if i != 7] + [(1000, 7, "stored before")]
    assert [tuple(r) for r in got] == want


def test_typed_values_are_stored_as_sqlalchemy_stores_them(conn: Connection) -> None:
    core, typed = _probe(conn, "probe_core"), _probe(conn, "probe_typed")
    at = dt.datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=dt.UTC)
    rows = [
        {
            "id": i + 1,
            "key": i,
            "label": None if i % 5 == 0 else f"r{i}",
            "day": None if i % 7 == 0 else dt.date(2024, 1, 1) + dt.timedelta(days=i),
            "at": at + dt.timedelta(seconds=i),
            "score": i / 3,
        }
        for i in range(130)
    ]
    conn.execute(insert(core), rows)
    insert_typed(conn, typed, rows)
    columns = "id, key, label, day, at, score"
    assert (
        conn.exec_driver_sql(f"SELECT {columns} FROM probe_typed ORDER BY id").all()
        == conn.exec_driver_sql(f"SELECT {columns} FROM probe_core ORDER BY id").all()
    )
