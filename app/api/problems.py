"""Every error leaves as RFC 9457 application/problem+json; the mapping lives here only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.status import HTTP_500_INTERNAL_SERVER_ERROR

from app.schemas.common import Problem
from app.services.errors import PROBLEM_BASE, DomainError, Unavailable
from app.services.transactions import RETRY_AFTER_SECONDS, is_lock_error

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("conflictkb")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str | None = None,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> ProblemResponse:
    body = Problem(
        type=PROBLEM_BASE + slug if slug else "about:blank",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        **extra,
    )
    return ProblemResponse(
        jsonable_encoder(body, exclude_none=True), status_code=status, headers=headers
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        # Echoing the input back could reflect NULs or megabytes of text; location and reason do.
        out.append(
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type")}
        )
    return out


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> ProblemResponse:
        return problem(
            request,
            status=exc.status,
            title=exc.title,
            detail=exc.detail,
            slug=exc.slug,
            headers=exc.headers or None,
        )

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> ProblemResponse:
        # Writes turn a busy database into Unavailable themselves; this catches the rare read
        # that meets SQLITE_BUSY (e.g. during WAL recovery) so that it is a 503, never a 500.
        if is_lock_error(exc):
            return await _domain(
                request,
                Unavailable(
                    "the database is busy; try again shortly", retry_after=RETRY_AFTER_SECONDS
                ),
            )
        return await _unexpected(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> ProblemResponse:
        errors = _validation_errors(exc)
        return problem(
            request,
            status=422,
            title="Unprocessable Content",
            detail="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
            slug="validation",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
        from http import HTTPStatus

        title = (
            HTTPStatus(exc.status_code).phrase
            if exc.status_code in HTTPStatus._value2member_map_
            else "Error"
        )
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return problem(
            request,
            status=exc.status_code,
            title=title,
            detail=detail,
            headers=headers or None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            request,
            status=HTTP_500_INTERNAL_SERVER_ERROR,
            title="Internal Server Error",
            detail="the server failed to answer; the error has been logged",
        )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Starlette's 405 names only the first route that matched the path; a path served by several
    routes (GET and DELETE /articles/{article_id}) allows the methods of all of them. Each method
    is probed against the router as a whole, included routers and all."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations for the problem answers a route can give."""
    descriptions = {
        400: "Bad request",
        401: "Missing or wrong API key",
        404: "No such resource",
        409: "Conflict",
        413: "Request body too large",
        422: "Invalid parameters or body",
        503: "Service unavailable",
    }
    return {s: {"model": Problem, "description": descriptions.get(s, "Error")} for s in statuses}


def move_problem_schemas_to_problem_media_type(openapi: dict[str, Any]) -> dict[str, Any]:
    """FastAPI files every response model under application/json; errors really are
    application/problem+json, so the document says so."""
    for path in openapi.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if status[:1] in {"4", "5"} and content and "application/json" in content:
                    response["content"] = {PROBLEM_MEDIA_TYPE: content.pop("application/json")}
    return openapi
