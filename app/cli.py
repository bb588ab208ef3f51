"""The conflictkb command: init-db, seed, ingest, reextract, serve, stats, backup, check,
hash-key."""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.api.auth import hash_key
from app.config import get_settings
from app.db import make_engine, normalise_url
from app.migrate import upgrade
from app.models import Actor, Article, Event, EventEvidence, Mention, Place
from app.services.articles import reextract_article
from app.services.errors import DomainError
from app.services.ingest import ingest_article
from app.services.loading import Record, expand_paths, read_records
from app.services.store import table

app = typer.Typer(
    help="ConflictKB: a multilingual knowledge base of conflict news.", no_args_is_help=True
)
console = Console(stderr=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides CONFLICTKB_DATABASE_URL")
]


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: int(  # type: ignore[attr-defined]
            session.connection().execute(select(func.count()).select_from(model)).scalar_one()
        )
        for model in (Article, Actor, Place, Mention, Event, EventEvidence)
    }


@app.command("init-db")
def init_db(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema (runs the Alembic migrations)."""
    engine = make_engine(database_url)
    upgrade(engine)
    console.print(
        f"[green]database ready[/green] at {engine.url.render_as_string(hide_password=True)}"
    )


def _load(records: list[Record], database_url: str | None, label: str) -> dict[str, int]:
    engine = make_engine(database_url)
    upgrade(engine)
    created = existing = failed = 0
    with (
        Session(engine) as session,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
    ):
        task = progress.add_task(label, total=len(records))
        for record in records:
            if record.item is None:
                failed += 1
                progress.console.print(f"[yellow]skipped[/yellow] {record.origin}: {record.error}")
            else:
                try:
                    result = ingest_article(session, item=record.item)
                except DomainError as exc:
                    failed += 1
                    progress.console.print(
                        f"[yellow]skipped[/yellow] {record.origin}: {exc.detail}"
                    )
                else:
                    created += result.created
                    existing += not result.created
            progress.advance(task)
        counts = _counts(session)
    engine.dispose()
    console.print(
        f"created {created}, already stored {existing}, skipped {failed}; database now holds "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    return counts


def _load_parallel(records: list[Record], database_url: str | None, workers: int) -> None:
    from app.services.bulk import BulkItem, BulkOutcome, run_bulk

    engine = make_engine(database_url)
    upgrade(engine)
    # The worker processes are forked: no pooled connection may be inherited by them.
    engine.dispose()
    skipped = [r for r in records if r.item is None]
    for record in skipped:
        console.print(f"[yellow]skipped[/yellow] {record.origin}: {record.error}")
    items = [BulkItem(r.origin, r.item) for r in records if r.item is not None]
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        auto_refresh=False,  # no refresh thread before the fork
    ) as progress:
        task = progress.add_task("ingesting", total=len(records), completed=len(skipped))
        progress.refresh()

        def on_outcome(outcome: BulkOutcome) -> None:
            if outcome.error is not None:
                progress.console.print(
                    f"[yellow]skipped[/yellow] {outcome.origin}: {outcome.error}"
                )
            progress.advance(task)
            progress.refresh()

        stats = run_bulk(lambda: Session(engine), items, workers=workers, on_outcome=on_outcome)
    with Session(engine) as session:
        counts = _counts(session)
    engine.dispose()
    console.print(
        f"created {stats.created}, already stored {stats.existing}, skipped "
        f"{stats.failed + len(skipped)}; database now holds "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + _FTS_FINISHED.get(stats.fts_finish, "")
    )


_FTS_FINISHED = {
    "optimize": "; search index optimized",
    "merge": "; search index segments merged (`conflictkb reindex` optimizes it whole)",
}


@app.command()
def seed(
    directory: Annotated[Path | None, typer.Option("--dir", help="Seed folder")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Load the seed articles through the ingest path. A second run adds nothing."""
    folder = directory or get_settings().seeds_dir
    paths = expand_paths([folder])
    if not paths:
        console.print(f"[red]no seed files in {folder}[/red]")
        raise typer.Exit(1)
    records = [r for p in paths for r in read_records(p)]
    _load(records, database_url, "seeding")


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, help=".txt, .json or .ndjson files or folders")
    ],
    database_url: DatabaseOption = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Extraction processes; above 1, one writer stores their results in batches",
        ),
    ] = 1,
) -> None:
    """Ingest article files: plain .txt, or .json / .ndjson objects with text and optional title,
    url, published_at, language, source."""
    records = [r for p in expand_paths(paths) for r in read_records(p)]
    if workers > 1:
        _load_parallel(records, database_url, workers)
    else:
        _load(records, database_url, "ingesting")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level=get_settings().log_level,
    )


@app.command()
def stats(database_url: DatabaseOption = None) -> None:
    """Print row counts."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        print(json.dumps(_counts(session)))
    engine.dispose()


@app.command()
def reextract(
    article_ids: Annotated[
        list[int] | None, typer.Argument(help="Articles to re-extract; all when none are given")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Run extraction again over stored articles, after the gazetteer or the rules changed."""
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        article = table(Article)
        ids = article_ids or [
            int(i)
            for i in session.connection()
            .execute(select(article.c.id).order_by(article.c.id))
            .scalars()
        ]
        done = failed = 0
        with Progress(
            TextColumn("[bold]re-extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("re-extracting", total=len(ids))
            for article_id in ids:
                try:
                    reextract_article(session, article_id=article_id)
                except DomainError as exc:
                    failed += 1
                    progress.console.print(f"[yellow]skipped[/yellow] {article_id}: {exc.detail}")
                else:
                    done += 1
                progress.advance(task)
        counts = _counts(session)
    engine.dispose()
    console.print(
        f"re-extracted {done}, skipped {failed}; database now holds "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    if failed:
        raise typer.Exit(1)


def _sqlite_path(database_url: str | None) -> Path:
    url = make_url(normalise_url(database_url or get_settings().database_url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        console.print("[red]only a SQLite database file can be handled here[/red]")
        console.print("for PostgreSQL use pg_dump and amcheck")
        raise typer.Exit(2)
    return Path(url.database)


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="File to write the copy to")],
    database_url: DatabaseOption = None,
) -> None:
    """Copy the SQLite database while the service keeps running (SQLite's online backup)."""
    source_path = _sqlite_path(database_url)
    if not source_path.exists():
        console.print(f"[red]no database at {source_path}[/red]")
        raise typer.Exit(1)
    if path.exists():
        console.print(f"[red]{path} exists; not overwriting it[/red]")
        raise typer.Exit(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The copy is written under a temporary name and renamed, so a crash never leaves a torn file
    # that looks like a backup.
    partial = path.with_name(path.name + ".partial")
    with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(partial)) as dest:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        problems = dest.execute("PRAGMA integrity_check").fetchall()
    if problems != [("ok",)]:
        partial.unlink(missing_ok=True)
        console.print(f"[red]the copy failed its integrity check: {problems[:5]}[/red]")
        raise typer.Exit(1)
    partial.replace(path)
    console.print(f"[green]backup written[/green] to {path} ({path.stat().st_size} bytes)")


@app.command()
def check(database_url: DatabaseOption = None) -> None:
    """Check the database: SQLite's integrity_check and foreign keys, and the FTS index."""
    source_path = _sqlite_path(database_url)
    with closing(sqlite3.connect(source_path)) as conn:
        results = {
            "integrity_check": [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()],
            "foreign_key_check": [
                f"{r[0]} rowid {r[1]} -> {r[2]}"
                for r in conn.execute("PRAGMA foreign_key_check").fetchall()
            ],
        }
        try:
            # rank 1: compare the index with the content table too, not only with itself.
            conn.execute("INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)")
            results["fts_integrity_check"] = ["ok"]
        except sqlite3.DatabaseError as exc:
            results["fts_integrity_check"] = [str(exc)]
    ok = (
        results["integrity_check"] == ["ok"]
        and not results["foreign_key_check"]
        and results["fts_integrity_check"] == ["ok"]
    )
    print(json.dumps({"ok": ok, **results}))
    if not ok:
        raise typer.Exit(1)


@app.command("hash-key")
def hash_key_command(
    key: Annotated[
        str | None, typer.Argument(help="The key; a new random one is made when omitted")
    ] = None,
) -> None:
    """Make an API key's sha256 digest for CONFLICTKB_API_KEY_HASHES."""
    if key is None:
        key = secrets.token_urlsafe(32)
        console.print(f"new key (store it now; the server keeps only its digest): {key}")
    print(hash_key(key))


@app.command("extract")
def extract_command(
    path: Annotated[Path, typer.Argument(help="A .txt file, or - for standard input")],
    published_at: Annotated[
        str | None, typer.Option("--published-at", help="YYYY-MM-DD, resolves relative dates")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Skip detection: en, uk, bg or ru")] = None,
    output_format: Annotated[str, typer.Option("--format", help="json or summary")] = "json",
) -> None:
    """Print the extraction of a text (actors, places, events with evidence) without storing it."""
    import datetime as dt
    import sys

    from app.services.extraction import extract_text

    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    try:
        published = dt.date.fromisoformat(published_at) if published_at else None
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--published-at") from exc
    result = extract_text(text=text, published_at=published, language=language)
    if output_format == "json":
        print(result.model_dump_json(indent=2, exclude={"body"}))
        return
    from rich.markup import escape

    console.print(f"language: {result.language}")
    for actor in result.actors:
        console.print(f"actor  {actor.name} ({actor.kind}, {actor.country}) x{len(actor.mentions)}")
    for place in result.places:
        console.print(f"place  {place.name} ({place.country}) x{len(place.mentions)}")
    for event in result.events:
        line = (
            f"event  {event.type}/{event.mode} {event.actors} -> {event.targets} "
            f"at {event.place} on {event.date} {event.quantities} [{event.modality}]"
        )
        console.print(escape(line))


@app.command()
def start(
    host: str = "0.0.0.0",
    port: int = 8000,
    workers: Annotated[int, typer.Option(envvar="CONFLICTKB_WORKERS")] = 1,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the database")] = 60.0,
    seed_dir: Annotated[
        Path | None, typer.Option("--seed-dir", help="Seeds to load into an empty database")
    ] = None,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Never load the seeds")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Wait for the database, migrate, load the seeds if it is empty, then serve (what the
    container runs)."""
    import os

    from app.extraction.lemmas import use_compact_dictionaries
    from app.start import prepare

    # This process serves after the seeds: loading the fast dictionaries for five articles would
    # keep them (266 MB) in the serving worker.
    use_compact_dictionaries()
    if database_url:
        # The served app reads its settings from the environment, in every worker process.
        os.environ["CONFLICTKB_DATABASE_URL"] = database_url
        get_settings.cache_clear()
    engine = make_engine(database_url)
    try:
        prepare(
            engine,
            seeds_dir=None if no_seed else (seed_dir or get_settings().seeds_dir),
            wait=wait,
            say=lambda line: console.print(f"[bold]start[/bold] {line}"),
        )
    except TimeoutError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    serve(host=host, port=port, workers=workers, reload=False)


@app.command("migrate-data")
def migrate_data(
    source: Annotated[str, typer.Option("--from", help="Database to copy, e.g. sqlite:///kb.db")],
    target: Annotated[
        str, typer.Option("--to", help="Empty database to fill, e.g. postgresql://u@host/db")
    ],
) -> None:
    """Copy a whole knowledge base into another database (SQLite <-> PostgreSQL), ids kept."""
    from app.services.migrate_data import copy_database

    def progress(table_name: str, rows: int) -> None:
        console.print(f"  {table_name}: {rows} rows", highlight=False)

    try:
        report = copy_database(source, target, progress=progress)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"[green]copied[/green] {report.rows} rows: "
        + ", ".join(f"{v} {k}" for k, v in report.tables.items())
    )


@app.command()
def reindex(database_url: DatabaseOption = None) -> None:
    """Rebuild and compact the full-text index and refresh the head-term ranking lists."""
    from app.services.maintenance import reindex as run_reindex

    engine = make_engine(database_url)
    with Session(engine) as session:
        result = run_reindex(session)
    engine.dispose()
    console.print(f"search index rebuilt; {result['impact_lists']} ranking lists refreshed")


@app.command("build-caches")
def build_caches() -> None:
    """Build the gazetteer and the compact lemma indexes into the cache directory now, as the
    Docker image does: a process that finds them there loads them in under a second, one that
    does not builds them (~5 s) in its first search or ingest."""
    from app.extraction import lemmas
    from app.extraction.gazetteer import cache_dir, load_gazetteer

    # First: once anything loads the fast dictionaries, the compact form (whose index is what
    # gets cached) is never loaded in this process.
    lemmas.use_compact_dictionaries()
    lemmas.warm_up()
    load_gazetteer()
    console.print(f"caches ready in {cache_dir()}")


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="articles or events")] = "events",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File; default stdout")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Export articles (with bodies) or events (with participants, quantities and evidence) as
    NDJSON, one object a line."""
    import sys

    from app.services.maintenance import export_articles, export_events

    if what not in {"articles", "events"}:
        raise typer.BadParameter("articles or events", param_hint="WHAT")
    engine = make_engine(database_url)
    lines = 0
    with Session(engine) as session:
        handle = output.open("w", encoding="utf-8") if output else sys.stdout
        try:
            for line in (export_articles if what == "articles" else export_events)(session):
                handle.write(line + "\n")
                lines += 1
        finally:
            if output:
                handle.close()
    engine.dispose()
    console.print(f"exported {lines} {what}")


if __name__ == "__main__":  # after every command, or `python -m app.cli` would miss the later ones
    app()
