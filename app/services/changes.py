"""The change feed: what was created, updated or deleted, in commit order, for mirrors.

Rows are written by the writing services inside their own write transaction, which holds the
database's write lock (app/services/transactions.py), so ids are handed out in commit order and a
reader that resumes after the last id it saw misses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection
from sqlmodel import Session, col, select

from app.models import Change
from app.schemas.changes import ChangePage, ChangePublic
from app.services.errors import InvalidQuery
from app.services.pagination import decode_cursor, encode_cursor
from app.services.store import insert_typed, table

ARTICLE = "article"
EVENT = "event"
CREATED, UPDATED, DELETED = "created", "updated", "deleted"


def record_changes(
    conn: Connection, changes: Iterable[tuple[str, int, str]], now: dt.datetime
) -> None:
    rows = [
        {"entity": entity, "entity_id": entity_id, "action": action, "changed_at": now}
        for entity, entity_id, action in changes
    ]
    if rows:
        insert_typed(conn, table(Change), rows)


def event_changes(
    *, created: Iterable[int], updated: Iterable[int], deleted: Iterable[int]
) -> list[tuple[str, int, str]]:
    """Each event once, under its strongest action: deleted over created over updated."""
    actions: dict[int, str] = {}
    for event_id in updated:
        actions[event_id] = UPDATED
    for event_id in created:
        actions[event_id] = CREATED
    for event_id in deleted:
        actions[event_id] = DELETED
    return [(EVENT, event_id, action) for event_id, action in sorted(actions.items())]


def _since_id(cursor: str | None) -> int:
    key = decode_cursor(cursor, arity=1)
    if key is None:
        return 0
    if not isinstance(key[0], int) or key[0] < 0:
        raise InvalidQuery("cursor is not one this API issued")
    return key[0]


def list_changes(
    session: Session, *, limit: int, since: str | None = None, entity: str | None = None
) -> ChangePage:
    after = _since_id(since)
    stmt = select(Change).where(col(Change.id) > after)
    if entity:
        stmt = stmt.where(col(Change.entity) == entity)
    rows = list(session.exec(stmt.order_by(col(Change.id)).limit(limit + 1)).all())
    page = rows[:limit]
    last = page[-1].id if page else after
    return ChangePage(
        items=[
            ChangePublic(
                id=row.id or 0,
                entity=row.entity,
                entity_id=row.entity_id,
                action=row.action,
                changed_at=row.changed_at,
            )
            for row in page
        ],
        limit=limit,
        next_cursor=encode_cursor(last),
        has_more=len(rows) > limit,
    )
