"""Full-text search: one SearchBackend protocol, one implementation per database dialect."""

from __future__ import annotations

from sqlmodel import Session

from app.search.base import SearchBackend
from app.search.sqlite_fts5 import SqliteFts5Backend


def get_backend(session: Session) -> SearchBackend:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return SqliteFts5Backend()
    if dialect == "postgresql":
        from app.search.postgres import PostgresBackend

        return PostgresBackend()
    raise NotImplementedError(f"no search backend for {dialect}")
