"""The hydration statements run as SQL rendered once per id-list length (rows_for_ids): they must
give the rows SQLAlchemy's own expanding IN gives, on either backend, and the cached page
statements must filter as a freshly built one would."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from app.models import Event
from app.services import events
from app.services.events import EVENT_EXTRAS, PARTICIPANTS, QUANTITIES, rows_for_ids


@pytest.mark.parametrize("stmt", [PARTICIPANTS, QUANTITIES, EVENT_EXTRAS])
def test_rows_for_ids_match_expanding_in(session: Session, stmt: object) -> None:
    conn = session.connection()
    event_id = Event.__table__.c.id  # type: ignore[attr-defined]
    ids = [row[0] for row in conn.execute(select(event_id)).all()]
    assert len(ids) >= 5
    for chunk in (ids[:1], ids[:2], ids[:5], ids, ids[:2]):
        expected = [tuple(r) for r in conn.execute(stmt, {"ids": chunk}).all()]  # type: ignore[call-overload]
        assert [tuple(r) for r in rows_for_ids(conn, stmt, chunk)] == expected


def test_page_statement_cached_per_filter_combination(session: Session) -> None:
    first = events.list_events(session, limit=3, type="ASSAULT")
    again = events.list_events(session, limit=3, type="assault")
    assert first == again
    assert events._list_statement(frozenset({"type"})) is events._list_statement(
        frozenset({"type"})
    )
    other = events.list_events(session, limit=3, type="ASSAULT", cursor=first.next_cursor)
    if first.next_cursor is not None:
        assert {e.id for e in other.items}.isdisjoint({e.id for e in first.items})
        assert max(e.id for e in other.items) < min(e.id for e in first.items)
