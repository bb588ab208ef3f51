"""NDJSON batches: each line is validated and stored on its own, so one bad line costs only
itself, and every line that is answered as stored is committed."""

from __future__ import annotations

import json

from pydantic import ValidationError
from sqlmodel import Session

from app.schemas.articles import ArticleCreate, BatchLineResult, BatchResult
from app.schemas.common import Problem
from app.services.errors import PROBLEM_BASE, DomainError, InvalidInput, TooLarge, Unavailable
from app.services.ingest import ArticleInput, ingest_article


def article_input(body: ArticleCreate) -> ArticleInput:
    return ArticleInput(
        text=body.text,
        title=body.title,
        url=body.url,
        published_at=body.published_at,
        language=body.language,
        source=body.source,
    )


def _problem(error: DomainError) -> Problem:
    return Problem(
        type=PROBLEM_BASE + error.slug, title=error.title, status=error.status, detail=error.detail
    )


def _invalid(exc: ValidationError) -> InvalidInput:
    reasons = [
        f"{'.'.join(map(str, e.get('loc', ()))) or 'line'}: {e.get('msg', '')}"
        for e in exc.errors(include_input=False)
    ]
    return InvalidInput("; ".join(reasons))


# What counts as a blank line; the OpenAPI pattern for the body (BODY_PATTERN) says the same.
_BLANK_BYTES = b" \t\r\v\f"
BODY_PATTERN = r"[^ \t\n\r\v\f]"


def split_lines(body: bytes, *, max_items: int) -> list[tuple[int, bytes]]:
    """Numbered non-blank lines; too many of them is refused before anything is stored."""
    lines = [(n, line) for n, line in enumerate(body.split(b"\n"), 1) if line.strip(_BLANK_BYTES)]
    if not lines:
        raise InvalidInput("the batch holds no lines; send one JSON object per line")
    if len(lines) > max_items:
        raise TooLarge(f"a batch holds at most {max_items} lines; this one has {len(lines)}")
    return lines


def ingest_batch(session: Session, *, body: bytes, max_items: int) -> BatchResult:
    results: list[BatchLineResult] = []
    lines = split_lines(body, max_items=max_items)
    busy: Unavailable | None = None
    for number, raw in lines:
        if busy is not None:
            results.append(BatchLineResult(line=number, status=503, problem=_problem(busy)))
            continue
        try:
            try:
                text = raw.decode("utf-8")
                data = ArticleCreate.model_validate(json.loads(text))
            except UnicodeDecodeError as exc:
                raise InvalidInput("the line is not UTF-8") from exc
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
            except ValidationError as exc:
                raise _invalid(exc) from exc
            outcome = ingest_article(session, item=article_input(data))
        except Unavailable as exc:
            # The lock is not coming back within this request; the rest is left for a retry.
            busy = exc
            results.append(BatchLineResult(line=number, status=503, problem=_problem(exc)))
        except DomainError as exc:
            results.append(BatchLineResult(line=number, status=exc.status, problem=_problem(exc)))
        else:
            results.append(
                BatchLineResult(
                    line=number,
                    status=201 if outcome.created else 200,
                    article_id=outcome.article_id,
                )
            )
    return BatchResult(
        created=sum(r.status == 201 for r in results),
        existing=sum(r.status == 200 for r in results),
        failed=sum(r.status >= 400 for r in results),
        results=results,
    )
