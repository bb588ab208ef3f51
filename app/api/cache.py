"""An in-process cache of read answers, valid for one position of the change feed.

Why it is correct: every write that can alter a read answer (ingest through `POST /articles`,
`:batch`, `conflictkb seed/ingest` and the bulk loader, all through ingest's one store step; delete
and re-extract in app/services/articles.py) inserts change-feed rows in the same transaction as the
write itself (app/services/changes.py:record_changes). Ids of the change feed come from
AUTOINCREMENT (SQLite) or an identity column (PostgreSQL), so they are never handed out twice, and
writers hold the database's write lock, so they commit in id order. `max(change.id)` therefore
moves with every such commit, in every process that writes, and never returns to an earlier value.

An answer is stored under the position read in the same read transaction as the answer itself
(one snapshot on SQLite; on PostgreSQL, at READ COMMITTED, the answer is at least as new as the
position), and served only to a request that reads the same position. The first request that sees
a newer position empties the cache. Entries are per process (each uvicorn worker has its own),
bounded in bytes and in number, and dropped least recently used first.

What it relies on, and what would break it: a writer that changes articles, mentions, actors,
places or events without a change-feed row (a data migration, hand-written SQL), or a database
replaced under a running server (a restored backup): restart the server after either.
Routes cache only after their dependencies ran, so `read_requires_key` is checked on every request.

On SQLite a hit is answered on the event loop, without a thread-pool hop: the position is read
there from a connection of the cache's own (a WAL reader never waits for a writer, and the read
takes microseconds). A miss, and every request on PostgreSQL (where the read is a network round
trip that must not hold up the loop), goes to the thread pool, which reads the position again in
the answer's own transaction.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import Connection, Engine, func
from sqlalchemy import select as sa_select
from starlette.types import ASGIApp, Receive, Scope, Send

from app.models import Change

LATEST_CHANGE = sa_select(func.max(Change.__table__.c.id))  # type: ignore[attr-defined]
LATEST_CHANGE_SQL = "SELECT max(id) FROM change"

# Per worker process. A /events page of 50 is about 15 KiB, an article with its mentions about
# 12 KiB, so this holds a few thousand answers.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 4096

Key = tuple[str, bytes]
# Set in the ASGI scope by ReadCacheMiddleware once it has looked for the answer and missed, so
# that the route does not read the position on the loop a second time for the same request.
CACHE_CHECKED = "conflictkb.read_cache_checked"


def change_feed_position(conn: Connection) -> int:
    # As driver SQL: the statement is constant, and compiling nothing saves a third of its cost.
    return int(conn.exec_driver_sql(LATEST_CHANGE_SQL).scalar() or 0)


class LoopPosition:
    """The change feed's position read on the event loop's thread, for SQLite files only.

    The connection is its own, from a copy of the engine's pool (same pragmas, by the same connect
    listener), so the loop never waits for a connection that a worker thread holds.
    """

    def __init__(self, engine: Engine) -> None:
        self._pool = engine.pool.recreate()
        self._conn: Any = None

    @staticmethod
    def applies_to(engine: Engine) -> bool:
        database = engine.url.database
        return engine.dialect.name == "sqlite" and bool(database) and database != ":memory:"

    def __call__(self) -> int | None:
        """None when the position cannot be read here; the thread pool then answers, and a
        database error there becomes its usual problem answer."""
        try:
            if self._conn is None:
                self._conn = self._pool.connect()
            # The driver is in autocommit mode (app/db.py), so the SELECT is a read transaction
            # of its own and sees every commit made before it.
            cursor = self._conn.cursor()
            try:
                row = cursor.execute(LATEST_CHANGE_SQL).fetchone()
            finally:
                cursor.close()
        except Exception:
            conn, self._conn = self._conn, None
            if conn is not None:
                # Dropped, not returned: the next call opens a new connection.
                with contextlib.suppress(Exception):
                    conn.invalidate()
            return None
        return int(row[0] or 0)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        self._pool.dispose()


class ReadCache:
    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        loop_position: LoopPosition | None = None,
    ) -> None:
        self.loop_position = loop_position
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        # One answer may take at most this share, so that one large answer cannot flush the rest.
        self.max_entry_bytes = max_bytes // 8
        self.position = -1
        self.bytes = 0
        self.hits = 0
        self.stored = 0
        self._entries: OrderedDict[Key, bytes] = OrderedDict()
        # Answers are stored from the thread pool's worker threads.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _move_to(self, position: int) -> None:
        if position > self.position:
            self._entries.clear()
            self.bytes = 0
            self.position = position

    def get(self, position: int, key: Key) -> bytes | None:
        with self._lock:
            self._move_to(position)
            body = self._entries.get(key) if position == self.position else None
            if body is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, position: int, key: Key, body: bytes) -> None:
        if len(body) > self.max_entry_bytes:
            return
        with self._lock:
            self._move_to(position)
            # An answer read at an older position than the cache's is stale already.
            if position != self.position or key in self._entries:
                return
            self._entries[key] = body
            self.bytes += len(body)
            self.stored += 1
            while self.bytes > self.max_bytes or len(self._entries) > self.max_entries:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= len(dropped)

    def get_on_loop(self, key: Key) -> bytes | None:
        """A hit found without leaving the event loop (SQLite), else None."""
        position = self.loop_position() if self.loop_position is not None else None
        return None if position is None else self.get(position, key)

    def close(self) -> None:
        if self.loop_position is not None:
            self.loop_position.close()


class ReadCacheMiddleware:
    """Serves a cached answer before routing, when reads need no key: the same URL was validated
    and answered by a caching route at the same change-feed position, so the answer is that one.
    It sits inside the ETag middleware (304s work alike) and answers with the headers the route's
    JSONBytes response has. With `read_requires_key` it stands aside and the routes, after the key
    check, serve hits themselves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache: ReadCache | None = getattr(scope["app"].state, "read_cache", None)
        if cache is not None and scope["type"] == "http" and scope["method"] in {"GET", "HEAD"}:
            body = cache.get_on_loop((scope["path"], scope["query_string"]))
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode()),
                            (b"content-type", b"application/json"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            scope[CACHE_CHECKED] = True
        await self.app(scope, receive, send)
