from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app
from app.models import Article, Event, EventEvidence

runner = CliRunner()


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one()[0])  # type: ignore[call-overload]


def test_export_events_and_articles_as_ndjson(
    seeded_db_url: str, session: Session, tmp_path: Path
) -> None:
    out = tmp_path / "events.ndjson"
    result = runner.invoke(
        app, ["export", "events", "-o", str(out), "--database-url", seeded_db_url]
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(events) == _count(session, Event)
    assert sum(len(e["evidence"]) for e in events) == _count(session, EventEvidence)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert all(e["type"] and e["participants"] is not None for e in events)

    articles_out = tmp_path / "articles.ndjson"
    result = runner.invoke(
        app, ["export", "articles", "-o", str(articles_out), "--database-url", seeded_db_url]
    )
    assert result.exit_code == 0, result.output
    articles = [json.loads(line) for line in articles_out.read_text(encoding="utf-8").splitlines()]
    assert len(articles) == _count(session, Article) == 5
    assert {a["language"] for a in articles} == {"en", "bg", "uk"}
    assert all(a["body"] for a in articles)
    bad = runner.invoke(app, ["export", "people", "--database-url", seeded_db_url])
    assert bad.exit_code != 0


def test_reindex_keeps_search_answers(seeded_db_url: str, session: Session) -> None:
    def hits(word: str) -> list[int]:
        return [
            r[0]
            for r in session.connection().execute(
                text("SELECT rowid FROM article_fts WHERE article_fts MATCH :q ORDER BY rowid")
                if session.get_bind().dialect.name == "sqlite"
                else text(
                    "SELECT id FROM article WHERE search_vector @@ plainto_tsquery('simple', :q) "
                    "ORDER BY id"
                ),
                {"q": word},
            )
        ]

    before = {w: hits(w) for w in ("Kyiv", "Japan", "Lukashenko")}
    session.rollback()
    result = runner.invoke(app, ["reindex", "--database-url", seeded_db_url])
    assert result.exit_code == 0, result.output
    assert "search index rebuilt" in result.output
    assert {w: hits(w) for w in before} == before
    assert all(before.values())
