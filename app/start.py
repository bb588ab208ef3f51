"""`conflictkb start`: the one start-up sequence for a container, compose and CI alike: wait for
the database, migrate, load the seeds if the knowledge base is empty, serve.

Several replicas may start at once against one PostgreSQL server; a session advisory lock makes
migrating and seeding happen once, the others waiting and then finding the work done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.migrate import upgrade
from app.models import Article
from app.services.errors import DomainError
from app.services.ingest import ingest_article
from app.services.loading import expand_paths, read_records

# Any fixed number, distinct from the write lock in app.services.transactions.
_START_LOCK = 0x636B6273
Say = Callable[[str], None]


def wait_for_database(engine: Engine, *, timeout: float, say: Say) -> None:
    """Retry until the server accepts a connection; TimeoutError when it never does."""
    deadline = time.monotonic() + timeout
    delay = 0.25
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"database not reachable after {timeout:.0f}s: {exc.orig}"
                ) from exc
            say(f"waiting for the database ({type(exc.orig).__name__})")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def start_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        yield  # one SQLite file has one service in front of it
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _START_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _START_LOCK})
            conn.commit()


def seed_if_empty(engine: Engine, seeds_dir: Path, *, say: Say) -> int:
    """Ingest the seeds when no article is stored; the number of articles created."""
    with Session(engine) as session:
        count = session.connection().execute(select(func.count()).select_from(Article))
        if int(count.scalar_one()):
            say("articles already stored; seeds not loaded")
            return 0
        created = 0
        for path in expand_paths([seeds_dir]):
            for record in read_records(path):
                if record.item is None:
                    say(f"skipped {record.origin}: {record.error}")
                    continue
                try:
                    created += ingest_article(session, item=record.item).created
                except DomainError as exc:
                    say(f"skipped {record.origin}: {exc.detail}")
    say(f"seeded {created} articles from {seeds_dir}")
    return created


def prepare(engine: Engine, *, seeds_dir: Path | None, wait: float, say: Say) -> None:
    wait_for_database(engine, timeout=wait, say=say)
    with start_lock(engine):
        upgrade(engine)
        say("migrations at head")
        if seeds_dir is not None:
            seed_if_empty(engine, seeds_dir, say=say)
