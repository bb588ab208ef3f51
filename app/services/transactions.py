"""Write transactions: one writer at a time, taken up front, and a busy database turned into a
clear "try again" (Unavailable) instead of a crash."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.services.errors import Unavailable

# Execution option read by app.db's "begin" listener (kept in sync with app.db.IMMEDIATE).
IMMEDIATE = "conflictkb_immediate"
# Any fixed number: all writers of one PostgreSQL database share this advisory lock.
_PG_WRITE_LOCK = 0x636B62
RETRY_AFTER_SECONDS = 1
_PG_RETRY_STATES = {"55P03", "40P01", "40001"}


def is_lock_error(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        busy = code is not None and code & 0xFF in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
        message = str(orig).lower()
        return busy or "database is locked" in message or "database table is locked" in message
    # PostgreSQL: lock_timeout ran out (55P03), or the server chose this transaction as the
    # victim of a deadlock or serialisation conflict: all of them succeed when tried again.
    return getattr(orig, "sqlstate", None) in _PG_RETRY_STATES


@contextmanager
def write_transaction(session: Session) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first statement to commit.

    SQLite: BEGIN IMMEDIATE, waiting up to busy_timeout for the lock. PostgreSQL: a transaction
    advisory lock, so that writers are serialised there too; that keeps duplicate checks free of
    races and change-feed ids in commit order. Commits on success, rolls back on any error.
    """
    if session.in_transaction():
        # Whatever the caller read so far must not be upgraded in place into a write.
        session.commit()
    try:
        conn = session.connection(execution_options={IMMEDIATE: True})
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK})
        yield conn
        session.commit()
    except OperationalError as exc:
        session.rollback()
        if is_lock_error(exc):
            raise Unavailable(
                "the database is busy with another write; try again shortly",
                retry_after=RETRY_AFTER_SECONDS,
            ) from exc
        raise
    except BaseException:
        session.rollback()
        raise
