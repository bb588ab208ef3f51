"""`conflictkb backup` while a writer is busy, `conflictkb check` on good and damaged files,
`conflictkb reextract` and `conflictkb hash-key`."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app
from app.db import make_engine
from app.services.ingest import ArticleInput, ingest_article

runner = CliRunner()


def _check(url: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["check", "--database-url", url])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.sqlite_only(
    "`conflictkb check` runs SQLite's integrity_check, foreign_key_check and FTS5's integrity-check"
)
def test_check_passes_on_a_seeded_database(seeded_db_url: str) -> None:
    code, report = _check(seeded_db_url)
    assert code == 0 and report["ok"] is True
    assert report["fts_integrity_check"] == ["ok"]


@pytest.mark.sqlite_only(
    "corrupts an FTS5 index through sqlite3; a GIN index over a generated column has no "
    "separate content to fall out of step"
)
def test_check_finds_an_fts_index_out_of_step(seeded_db_url: str) -> None:
    path = seeded_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        # Without the trigger, the index keeps a row the table no longer has.
        conn.execute("DROP TRIGGER article_fts_delete")
        conn.execute("DELETE FROM change")
        conn.execute("DELETE FROM event_evidence WHERE article_id = 1")
        conn.execute("DELETE FROM mention WHERE article_id = 1")
        conn.execute("DELETE FROM article WHERE id = 1")
    code, report = _check(seeded_db_url)
    assert code == 1 and report["ok"] is False
    assert report["fts_integrity_check"] != ["ok"]


@pytest.mark.sqlite_only(
    "writes a broken foreign key through a bare sqlite3 connection; PostgreSQL enforces "
    "foreign keys on every connection"
)
def test_check_finds_broken_foreign_keys(seeded_db_url: str) -> None:
    path = seeded_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # foreign_keys is off on a bare connection
        conn.execute("UPDATE mention SET article_id = 987654 WHERE id = 1")
    code, report = _check(seeded_db_url)
    assert code == 1 and report["foreign_key_check"]


@pytest.mark.sqlite_only(
    "`conflictkb backup` is SQLite's online backup of a file; PostgreSQL uses pg_dump"
)
def test_backup_while_writing_gives_a_consistent_copy(seeded_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(seeded_db_url)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with Session(engine) as session:
            n = 0
            while not stop.is_set() and n < 200:
                result = ingest_article(
                    session, item=ArticleInput(text=f"Mykolaiv bulletin number {n}: calm night.")
                )
                written.append(result.article_id)
                n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = tmp_path / "backup" / "kb-copy.db"
        result = runner.invoke(app, ["backup", str(target), "--database-url", seeded_db_url])
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert not target.with_name(target.name + ".partial").exists()
    code, report = _check(f"sqlite:///{target}")
    assert code == 0, report
    with sqlite3.connect(target) as conn:
        copied = conn.execute("SELECT count(*) FROM article").fetchone()[0]
        feed = conn.execute("SELECT count(*) FROM change WHERE entity = 'article'").fetchone()[0]
    assert copied >= 5 and feed == copied
    again = runner.invoke(app, ["backup", str(target), "--database-url", seeded_db_url])
    assert again.exit_code == 1, "an existing file is never overwritten"


def test_backup_and_check_refuse_postgres_urls(tmp_path: Path) -> None:
    url = "postgresql://user:pw@localhost/kb"
    assert (
        runner.invoke(app, ["backup", str(tmp_path / "x.db"), "--database-url", url]).exit_code == 2
    )
    assert runner.invoke(app, ["check", "--database-url", url]).exit_code == 2


def test_reextract_command_keeps_counts_on_unchanged_rules(seeded_db_url: str) -> None:
    stats = json.loads(runner.invoke(app, ["stats", "--database-url", seeded_db_url]).stdout)
    result = runner.invoke(app, ["reextract", "--database-url", seeded_db_url])
    assert result.exit_code == 0, result.output
    assert "re-extracted 5" in result.output
    after = json.loads(runner.invoke(app, ["stats", "--database-url", seeded_db_url]).stdout)
    assert after == stats
    missing = runner.invoke(app, ["reextract", "424242", "--database-url", seeded_db_url])
    assert missing.exit_code == 1


def test_hash_key_prints_the_sha256_digest() -> None:
    result = runner.invoke(app, ["hash-key", "s3cret"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1] == hashlib.sha256(b"s3cret").hexdigest()
    fresh = runner.invoke(app, ["hash-key"])
    assert len(fresh.stdout.strip().splitlines()[-1]) == 64
