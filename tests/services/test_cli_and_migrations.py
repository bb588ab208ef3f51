from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.db import make_engine
from app.migrate import downgrade, upgrade
from tests.conftest import SEEDS_DIR

runner = CliRunner()


def _stats(url: str) -> dict[str, int]:
    result = runner.invoke(app, ["stats", "--database-url", url])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_seed_twice_gives_the_same_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kb.db"
    assert runner.invoke(app, ["init-db", "--database-url", url]).exit_code == 0
    first = runner.invoke(app, ["seed", "--database-url", url])
    assert first.exit_code == 0, first.output
    counts = _stats(url)
    assert counts["article"] == 5 and counts["actor"] > 10 and counts["event"] > 0
    second = runner.invoke(app, ["seed", "--database-url", url])
    assert second.exit_code == 0
    assert "created 0, already stored 5" in second.output
    assert _stats(url) == counts


def test_ingest_json_ndjson_and_txt_with_bad_lines(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kb.db"
    ndjson = tmp_path / "feed.ndjson"
    ndjson.write_text(
        json.dumps({"text": "Russia attacked Kharkiv with 20 drones.", "source": "wire.example"})
        + "\n{not json\n"
        + json.dumps({"title": "no text"})
        + "\n"
        + json.dumps({"text": "Japan pledged aid to Ukraine.", "published": "2024-05-01"})
        + "\n",
        encoding="utf-8",
    )
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"text": "NATO met in Brussels.", "language": "en"}))
    txt = tmp_path / "seed.txt"
    shutil.copy(next(SEEDS_DIR.glob("*.txt")), txt)
    result = runner.invoke(
        app, ["ingest", str(ndjson), str(single), str(txt), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert "created 4" in result.output and "skipped 2" in result.output
    assert _stats(url)["article"] == 4


def test_migrations_go_down_and_up_and_keep_fts_in_sync(tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    downgrade(engine, "base")
    upgrade(engine)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO article (title, body, raw_text, lemmas, content_hash, ingested_at, "
            "updated_at) VALUES ('t', 'Kharkiv drones', 'x', '', 'h', '2024-01-01', '2024-01-01')"
        )
        hit = conn.execute(
            "SELECT rowid FROM article_fts WHERE article_fts MATCH 'drones'"
        ).fetchall()
        assert len(hit) == 1
        conn.execute("UPDATE article SET body = 'Odesa port' WHERE id = ?", (hit[0][0],))
        assert not conn.execute(
            "SELECT 1 FROM article_fts WHERE article_fts MATCH 'drones'"
        ).fetchall()
        assert conn.execute("SELECT 1 FROM article_fts WHERE article_fts MATCH 'odesa'").fetchall()
        conn.execute("DELETE FROM article")
        assert not conn.execute(
            "SELECT 1 FROM article_fts WHERE article_fts MATCH 'odesa'"
        ).fetchall()
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")


def test_build_caches_writes_what_a_new_process_then_loads(tmp_path: Path) -> None:
    # A subprocess: this one has loaded the gazetteer and the fast dictionaries long ago.
    env = {**os.environ, "CONFLICTKB_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "app.cli", "build-caches"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len([n for n in names if n.startswith("gazetteer-")]) == 1
    for lang in ("bg", "en", "ru", "uk"):
        assert len([n for n in names if n.startswith("simplemma-") and f"-{lang}-" in n]) == 1
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == names
