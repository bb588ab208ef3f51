"""Reading article files for the CLI: .txt (one article), .json (an object or a list) and .ndjson
(one object a line). Bad records are reported with their place and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.ingest import ArticleInput

FIELDS = {"text", "title", "url", "published_at", "language", "source", "source_country"}
# Other names that common scrapers (and ../shared/corpus) use for the same fields.
SYNONYMS = {"published": "published_at", "body": "text", "content": "text", "outlet": "source"}


@dataclass(frozen=True, slots=True)
class Record:
    origin: str  # file:line, for error reports
    item: ArticleInput | None
    error: str | None = None


def record_from_object(obj: Any, origin: str) -> Record:
    if not isinstance(obj, dict):
        return Record(origin, None, "not a JSON object")
    data = {SYNONYMS.get(k, k): v for k, v in obj.items()}
    fields = {k: v for k, v in data.items() if k in FIELDS and v is not None}
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        return Record(origin, None, "no text")
    for key, value in fields.items():
        if not isinstance(value, str):
            return Record(origin, None, f"{key} is not a string")
    return Record(origin, ArticleInput(**fields))


def read_records(path: Path) -> Iterator[Record]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        yield Record(
            str(path), ArticleInput(text=path.read_text(encoding="utf-8", errors="replace"))
        )
        return
    if suffix in {".ndjson", ".jsonl"}:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Record(origin, None, f"invalid JSON: {exc.msg}")
                    continue
                yield record_from_object(obj, origin)
        return
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            yield Record(str(path), None, f"invalid JSON: {exc.msg}")
            return
        items = data if isinstance(data, list) else [data]
        for index, obj in enumerate(items):
            yield record_from_object(obj, f"{path}[{index}]")
        return
    yield Record(str(path), None, f"unsupported file type {suffix or '(none)'}")


def expand_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in {".txt", ".json", ".ndjson", ".jsonl"}
                )
            )
        else:
            out.append(path)
    return out
